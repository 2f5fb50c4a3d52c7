/* changefeed.c — reads the change feed from a connection of its own (ow_changefeed_page), and
 * the follower thread: LISTEN ow_data_changed on its connection, and on every notification or
 * after a second without one, the entries committed after the last it handed on. Commit order
 * (19_commit_order.sql) makes "after the last key" safe: an entry never appears behind one
 * already read. On a lost connection it reconnects and goes on from the same key. With read
 * replicas the entries are read from the first one (LISTEN is not possible on a standby: the
 * primary's notifications are the wake-up), the primary taking over while it is away. */
#include "changefeed.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgthread.h"
#include "db.h"
#include "log.h"
#include "stmts.h"

#define BATCH 1000

PGconn *ow_changefeed_connect(const char *conn_url, char *why, size_t whysz)
{
	PGconn *c = ow_db_connect_once(conn_url, why, whysz);
	if (!c)
		return NULL;
	PGresult *res = ow_stmt_run(c, OW_Q_CHANGE_SESSION, NULL);
	int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		snprintf(why, whysz, "session setup failed: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

int ow_changefeed_page(PGconn *c, long long after, int lim, struct ow_change **out)
{
	char a[24], l[16];
	snprintf(a, sizeof a, "%lld", after);
	snprintf(l, sizeof l, "%d", lim);
	const char *params[] = {a, l};
	PGresult *res = ow_stmt_run(c, OW_Q_CHANGE_FEED, params);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		int unknown = st && strcmp(st, "OW400") == 0;
		if (!unknown)
			ow_log(OW_LOG_WARN, "change feed: %s",
			       res ? PQresultErrorMessage(res) : PQerrorMessage(c));
		PQclear(res);
		return unknown ? -2 : -1;
	}
	int n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		const char *col[9];
		for (int k = 0; k < 9; k++)
			col[k] = PQgetisnull(res, i, k) ? NULL : PQgetvalue(res, i, k);
		if (!(out[i] = ow_change_new(col))) {
			while (i-- > 0)
				ow_change_free(out[i]);
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return n;
}

static struct ow_bgthread follower;
static char *url, *read_url; /* read_url: a replica the entries are read from, or NULL */
static struct ow_changefeed_sink sink;

static int stopping(void)
{
	return ow_bgthread_stopping(&follower);
}

static PGconn *connect_listening(void)
{
	char why[256];
	PGconn *c = ow_changefeed_connect(url, why, sizeof why);
	PGresult *res = c ? PQexec(c, "LISTEN ow_data_changed") : NULL;
	int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok && c) {
		PQfinish(c);
		c = NULL;
	}
	return c;
}

static long long newest(PGconn *c)
{
	PGresult *res = ow_stmt_run(c, OW_Q_CHANGE_LAST, NULL);
	long long k = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
			      ? atoll(PQgetvalue(res, 0, 0))
			      : -1;
	PQclear(res);
	return k;
}

/* Hands on every entry after *last read from c (a replica when replica is set); the number
 * handed on, or -1 when the connection failed. A key a replica does not know yet is one it
 * has not replayed: nothing to hand on yet. On the primary it means the log was replaced (a
 * restored database): following starts again from its newest entry. */
static int read_new(PGconn *c, int replica, long long *last)
{
	static struct ow_change *batch[BATCH];
	int total = 0;
	for (;;) {
		int n = ow_changefeed_page(c, *last, BATCH, batch);
		if (n == -2 && replica)
			return total;
		if (n == -2) {
			long long k = newest(c);
			if (k < 0)
				return -1;
			ow_log(OW_LOG_WARN,
			       "change feed: change %lld is no longer in the log; following from "
			       "%lld",
			       *last, k);
			*last = k;
			sink.start(k);
			return total;
		}
		if (n < 0)
			return -1;
		if (n == 0)
			return total;
		*last = batch[n - 1]->id;
		sink.deliver(batch, n);
		total += n;
		if (n < BATCH)
			return total;
	}
}

/* After a notification, a replica may not have replayed the write yet: asked again every
 * 10 ms for up to a second until the entry is there. */
static int read_after_notice(PGconn *c, int replica, long long *last)
{
	int n = read_new(c, replica, last);
	for (int i = 0; replica && n == 0 && i < 100 && !stopping(); i++) {
		struct timespec pause = {.tv_nsec = 10 * 1000 * 1000};
		nanosleep(&pause, NULL);
		n = read_new(c, replica, last);
	}
	return n;
}

static void *follow(void *arg)
{
	(void)arg;
	PGconn *hint = NULL, *replica = NULL;
	long long last = -1;
	int noticed = 1;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stopping()) {
		if (!hint) {
			if (!(hint = connect_listening())) {
				sink.tick(0);
				sleep(1);
				continue;
			}
			if (last < 0) {
				if ((last = newest(hint)) < 0) {
					PQfinish(hint);
					hint = NULL;
					continue;
				}
				sink.start(last);
			}
			noticed = 1; /* writes may have gone unheard */
		}
		if (read_url && !replica) {
			char why[256];
			if (!(replica = ow_changefeed_connect(read_url, why, sizeof why)))
				ow_log(OW_LOG_WARN, "change feed: replica: %s; reading the primary",
				       why);
		}
		PGconn *src = replica ? replica : hint;
		int failed = (noticed ? read_after_notice(src, replica != NULL, &last)
				      : read_new(src, replica != NULL, &last)) < 0;
		if (failed && replica) {
			PQfinish(replica);
			replica = NULL;
			continue;
		}
		struct pollfd p = {.fd = PQsocket(hint), .events = POLLIN};
		int woke = failed ? -1 : poll(&p, 1, 1000);
		if (woke > 0 && PQconsumeInput(hint) != 1)
			woke = -1;
		PGnotify *note;
		noticed = 0;
		while (woke >= 0 && (note = PQnotifies(hint))) {
			noticed = 1;
			PQfreemem(note);
		}
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (woke < 0 || PQstatus(hint) != CONNECTION_OK) {
			ow_log(OW_LOG_WARN, "change feed: lost the database; reconnecting");
			PQfinish(hint);
			hint = NULL;
			sink.tick(0);
			continue;
		}
		if (t1.tv_sec != t0.tv_sec) {
			t0 = t1;
			sink.tick(1);
		}
	}
	if (hint)
		PQfinish(hint);
	if (replica)
		PQfinish(replica);
	return NULL;
}

int ow_changefeed_start(const char *u, const char *replica_url, const struct ow_changefeed_sink *s)
{
	if (follower.running)
		return 0;
	sink = *s;
	if (!(url = strdup(u)) || (replica_url && !(read_url = strdup(replica_url)))) {
		free(url);
		url = NULL;
		return -1;
	}
	if (ow_bgthread_start(&follower, follow, NULL) != 0) {
		free(url);
		free(read_url);
		url = read_url = NULL;
		return -1;
	}
	return 0;
}

void ow_changefeed_stop(void)
{
	if (!follower.running)
		return;
	ow_bgthread_stop(&follower);
	free(url);
	free(read_url);
	url = read_url = NULL;
}

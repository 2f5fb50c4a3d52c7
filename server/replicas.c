/* replicas.c — read replicas (see replicas.h): their list, a watcher thread that asks each
 * one twice a second whether it is a replica that is up, how far it has replayed and how old
 * that is compared with the primary's position; and the choice of one for a read. */
#include "replicas.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgthread.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "stmts.h"

enum state { DOWN = 0, UP, LAGGING };
static const char *const state_names[] = {"down", "up", "lagging"};

struct replica {
	char url[1024];
	char address[128]; /* host:port, for /ready and /metrics (no credentials) */
	enum state state;
	double lag;
	unsigned long long reads;
};

static struct replica replicas[OW_MAX_REPLICAS];
static int nreplicas;
static double max_lag;
static unsigned wait_ms;
static char primary[1024];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ow_bgthread watcher;

int ow_replicas_count(void)
{
	return nreplicas;
}

const char *ow_replica_url(int i)
{
	return replicas[i].url;
}

unsigned ow_replicas_wait_ms(void)
{
	return wait_ms;
}

int ow_replicas_pick(unsigned *cursor)
{
	int pick = -1;
	pthread_mutex_lock(&lock);
	for (int k = 0; k < nreplicas && pick < 0; k++) {
		int i = (int)((*cursor + (unsigned)k) % (unsigned)nreplicas);
		if (replicas[i].state == UP)
			pick = i;
	}
	pthread_mutex_unlock(&lock);
	if (pick >= 0)
		*cursor = (unsigned)pick + 1;
	return pick;
}

void ow_replicas_note_read(int i)
{
	__atomic_add_fetch(&replicas[i].reads, 1, __ATOMIC_RELAXED);
}

void ow_replicas_mark_down(int i)
{
	pthread_mutex_lock(&lock);
	replicas[i].state = DOWN;
	pthread_mutex_unlock(&lock);
}

/* "host:port" of a libpq URI or conninfo, for display. */
static void address_of(const char *url, char *out, size_t n)
{
	snprintf(out, n, "?");
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	if (!opts)
		return;
	const char *host = "localhost", *port = "5432";
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!strcmp(o->keyword, "host") && o->val)
			host = o->val;
		else if (!strcmp(o->keyword, "port") && o->val)
			port = o->val;
	}
	snprintf(out, n, "%s:%s", host, port);
	PQconninfoFree(opts);
}

/* One look at replica r: its state and lag, given the primary's position (NULL: unknown). */
static void look(struct replica *r, PGconn **c, const char *primary_lsn)
{
	char err[256];
	if (!*c || PQstatus(*c) != CONNECTION_OK) {
		PQfinish(*c);
		*c = ow_db_connect_once(r->url, err, sizeof err);
	}
	enum state st = DOWN;
	double lag = 0;
	if (*c) {
		const char *params[] = {primary_lsn};
		PGresult *res = ow_stmt_run(*c, OW_Q_REPLICA_HEALTH, params);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    PQgetvalue(res, 0, 0)[0] == 't') {
			lag = strtod(PQgetvalue(res, 0, 1), NULL);
			st = lag > max_lag ? LAGGING : UP;
		} else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			PQfinish(*c);
			*c = NULL;
		}
		PQclear(res);
	}
	pthread_mutex_lock(&lock);
	if (r->state != st)
		ow_log(st == UP ? OW_LOG_INFO : OW_LOG_WARN, "replica %s is %s (lag %.1f s)",
		       r->address, state_names[st], lag);
	r->state = st;
	r->lag = lag;
	pthread_mutex_unlock(&lock);
}

/* The primary's current WAL position into out ("" when it cannot be reached). */
static void primary_position(PGconn **p, char *out, size_t n)
{
	char err[256];
	out[0] = '\0';
	if (!*p || PQstatus(*p) != CONNECTION_OK) {
		PQfinish(*p);
		*p = ow_db_connect_once(primary, err, sizeof err);
	}
	if (!*p)
		return;
	PGresult *res = ow_stmt_run(*p, OW_Q_PRIMARY_LSN, NULL);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
	else {
		PQfinish(*p);
		*p = NULL;
	}
	PQclear(res);
}

static void *watch(void *arg)
{
	(void)arg;
	PGconn *conns[OW_MAX_REPLICAS] = {0}, *p = NULL;
	while (!ow_bgthread_stopping(&watcher)) {
		char lsn[64];
		primary_position(&p, lsn, sizeof lsn);
		for (int i = 0; i < nreplicas; i++)
			look(&replicas[i], &conns[i], lsn[0] ? lsn : NULL);
		struct timespec half = {0, 500 * 1000 * 1000};
		nanosleep(&half, NULL);
	}
	for (int i = 0; i < nreplicas; i++)
		PQfinish(conns[i]);
	PQfinish(p);
	return NULL;
}

int ow_replicas_start(const struct ow_config *cfg, const char *primary_url)
{
	nreplicas = 0;
	max_lag = cfg->replica_max_lag;
	wait_ms = cfg->replica_wait_ms;
	snprintf(primary, sizeof primary, "%s", primary_url);
	for (unsigned i = 0; i < cfg->nreplicas && i < OW_MAX_REPLICAS; i++) {
		struct replica *r = &replicas[nreplicas++];
		memset(r, 0, sizeof *r);
		snprintf(r->url, sizeof r->url, "%s", cfg->replica_urls[i]);
		address_of(r->url, r->address, sizeof r->address);
	}
	if (!nreplicas)
		return 0;
	if (ow_bgthread_start(&watcher, watch, NULL) != 0)
		return -1;
	ow_log(OW_LOG_INFO, "%d read replica(s); reads lagging over %.0f s go to the primary",
	       nreplicas, max_lag);
	return 0;
}

void ow_replicas_stop(void)
{
	ow_bgthread_stop(&watcher);
	nreplicas = 0;
}

int ow_replicas_render_metrics(struct ow_buf *b)
{
	if (!nreplicas)
		return 0;
	int rc = ow_buf_append_str(
		b, "# HELP orgwatch_replica_up 1 when the replica takes reads (up, within the lag "
		   "limit).\n# TYPE orgwatch_replica_up gauge\n"
		   "# HELP orgwatch_replica_lag_seconds How far the replica's replay is behind the "
		   "primary.\n# TYPE orgwatch_replica_lag_seconds gauge\n"
		   "# HELP orgwatch_replica_reads_total Requests whose reads the replica served.\n"
		   "# TYPE orgwatch_replica_reads_total counter\n");
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nreplicas && rc == 0; i++) {
		const struct replica *r = &replicas[i];
		rc = ow_buf_appendf(
			b,
			"orgwatch_replica_up{replica=\"replica-%d\",address=\"%s\"} %d\n"
			"orgwatch_replica_lag_seconds{replica=\"replica-%d\"} %.3f\n"
			"orgwatch_replica_reads_total{replica=\"replica-%d\"} %llu\n",
			i, r->address, r->state == UP, i, r->lag, i,
			__atomic_load_n(&r->reads, __ATOMIC_RELAXED));
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int ow_replicas_render_ready(struct ow_buf *b)
{
	if (!nreplicas)
		return 0;
	int rc = ow_buf_append_str(b, ",\"replicas\":[");
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nreplicas && rc == 0; i++) {
		const struct replica *r = &replicas[i];
		rc = ow_buf_appendf(b, "%s{\"name\":\"replica-%d\",\"address\":", i ? "," : "", i);
		rc |= ow_buf_append_json_str(b, r->address, strlen(r->address));
		rc |= ow_buf_appendf(b, ",\"state\":\"%s\",\"lag_seconds\":%.3f}",
				     state_names[r->state], r->lag);
	}
	pthread_mutex_unlock(&lock);
	return rc | ow_buf_append_str(b, "]");
}

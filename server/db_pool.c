/* db_pool.c — the shared pools of request connections: one for the primary and one per
 * replica, ORGWATCH_DB_CONNECTIONS each. Any request thread takes the connection that has been
 * free longest (or, when none is, waits in line for the next one released: first come, first
 * served), keeps it for the rest of its request and gives it back in ow_db_release_thread, so
 * no request waits while a connection idles and the connections share the work evenly.
 * Reconnects a broken connection when it is taken; routes a request's reads to a replica when
 * it may (ow_db_prefer_replica). Counts requests per connection and the time spent waiting
 * for one (/metrics). */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_slot.h"
#include "log.h"
#include "replicas.h"

/* How long a request waits for a free connection before it is answered 503. */
#define WAIT_LIMIT_S 15

/* A request waiting for a connection: handed one directly by the thread that releases it. */
struct waiter {
	pthread_cond_t cond;
	struct ow_db *got;
	struct waiter *next;
};

struct ow_db_pool {
	char name[16]; /* "primary", "replica-0"… (/metrics) */
	const char *url;
	pthread_mutex_t lock;
	struct ow_db *slots;
	unsigned n;
	struct ow_db *free_head, *free_tail; /* free connections, longest free first */
	struct waiter *wait_head, *wait_tail;
	unsigned waiting;
	unsigned long reconnects;
	unsigned long long waits, wait_timeouts;
	double wait_seconds;
};

static unsigned pool_size = 2;
static struct ow_db_pool *primary;
static struct ow_db_pool *replica_pools[OW_MAX_REPLICAS];
static pthread_mutex_t replica_pools_lock = PTHREAD_MUTEX_INITIALIZER;

static struct ow_db_pool *pool_new(const char *name, const char *url, unsigned n)
{
	struct ow_db_pool *p = calloc(1, sizeof *p);
	if (!p || !(p->slots = calloc(n, sizeof *p->slots))) {
		free(p);
		return NULL;
	}
	snprintf(p->name, sizeof p->name, "%s", name);
	p->url = url;
	p->n = n;
	pthread_mutex_init(&p->lock, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct ow_db *db = &p->slots[i];
		db->pool = p;
		db->index = i;
		db->broken = 1;
		ow_db_forget_prepared(db);
		if (p->free_tail)
			p->free_tail->next_free = db;
		else
			p->free_head = db;
		p->free_tail = db;
	}
	return p;
}

static void pool_free(struct ow_db_pool *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++)
		if (p->slots[i].conn) {
			ow_db_own_remove(p->slots[i].conn);
			PQfinish(p->slots[i].conn);
		}
	pthread_mutex_destroy(&p->lock);
	free(p->slots);
	free(p);
}

int ow_db_global_init(const char *url, unsigned connections)
{
	pool_size = connections ? connections : 1;
	if (ow_db_set_primary_url(url) != 0)
		return -1;
	primary = pool_new("primary", ow_db_primary_url(), pool_size);
	return primary ? 0 : -1;
}

void ow_db_global_shutdown(void)
{
	pool_free(primary);
	primary = NULL;
	for (int i = 0; i < OW_MAX_REPLICAS; i++) {
		pool_free(replica_pools[i]);
		replica_pools[i] = NULL;
	}
	(void)ow_db_set_primary_url(NULL);
}

/* Replica i's pool, made the first time a read goes there. */
static struct ow_db_pool *replica_pool(int i)
{
	pthread_mutex_lock(&replica_pools_lock);
	if (!replica_pools[i]) {
		char name[16];
		snprintf(name, sizeof name, "replica-%d", i);
		replica_pools[i] = pool_new(name, ow_replica_url(i), pool_size);
	}
	struct ow_db_pool *p = replica_pools[i];
	pthread_mutex_unlock(&replica_pools_lock);
	return p;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A connection of p for the calling thread: the one free longest, or the next one released
 * (in the order the requests came), waiting at most WAIT_LIMIT_S; NULL after that. */
static struct ow_db *take(struct ow_db_pool *p)
{
	pthread_mutex_lock(&p->lock);
	struct ow_db *db = NULL;
	if (p->free_head && !p->wait_head) {
		db = p->free_head;
		p->free_head = db->next_free;
		if (!p->free_head)
			p->free_tail = NULL;
		db->served++;
		pthread_mutex_unlock(&p->lock);
		return db;
	}
	struct timespec t0, deadline;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_LIMIT_S;
	struct waiter w = {.got = NULL, .next = NULL};
	pthread_cond_init(&w.cond, NULL);
	if (p->wait_tail)
		p->wait_tail->next = &w;
	else
		p->wait_head = &w;
	p->wait_tail = &w;
	p->waiting++;
	int rc = 0;
	while (!w.got && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&w.cond, &p->lock, &deadline);
	if (!w.got) { /* timed out: leave the line */
		struct waiter **pp = &p->wait_head, *prev = NULL;
		while (*pp && *pp != &w) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp)
			*pp = w.next;
		if (p->wait_tail == &w)
			p->wait_tail = prev;
		p->wait_timeouts++;
	}
	p->waiting--;
	db = w.got;
	if (db)
		db->served++;
	p->waits++;
	p->wait_seconds += elapsed(&t0);
	pthread_mutex_unlock(&p->lock);
	pthread_cond_destroy(&w.cond);
	return db;
}

/* Gives db back to its pool: to the first request waiting, else to the end of the free list. */
static void give_back(struct ow_db *db)
{
	struct ow_db_pool *p = db->pool;
	pthread_mutex_lock(&p->lock);
	struct waiter *w = p->wait_head;
	if (w) {
		p->wait_head = w->next;
		if (!p->wait_head)
			p->wait_tail = NULL;
		w->got = db;
		pthread_cond_signal(&w->cond);
	} else {
		db->next_free = NULL;
		if (p->free_tail)
			p->free_tail->next_free = db;
		else
			p->free_head = db;
		p->free_tail = db;
	}
	pthread_mutex_unlock(&p->lock);
}

/* An idle connection has nothing to read; when its socket is readable the server
 * sent something unasked — in practice a FATAL "terminating connection" before
 * closing it (restart, failover). Such a connection is replaced before any statement
 * is sent, so no request fails and nothing is ever sent twice. */
static int server_hung_up(PGconn *c)
{
	struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
	if (p.fd < 0)
		return 1;
	return poll(&p, 1, 0) != 0;
}

/* Makes db (just taken) ready for statements, reconnecting when needed — at most every
 * 200 ms per connection unless another connection of the pool has connected since (the
 * database is back: no request need fail for it). 0, or -1 when the database cannot be
 * reached. */
static int ready(struct ow_db *db)
{
	struct ow_db_pool *p = db->pool;
	if (db->conn && !db->broken && PQstatus(db->conn) == CONNECTION_OK &&
	    !server_hung_up(db->conn))
		return 0;
	pthread_mutex_lock(&p->lock);
	unsigned long now_reconnects = p->reconnects;
	pthread_mutex_unlock(&p->lock);
	if (db->last_attempt.tv_sec && elapsed(&db->last_attempt) < 0.2 &&
	    now_reconnects == db->reconnects_seen)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &db->last_attempt);
	db->reconnects_seen = now_reconnects;
	if (db->conn) {
		ow_db_own_remove(db->conn);
		PQfinish(db->conn);
		db->conn = NULL;
	}
	ow_db_forget_prepared(db);
	char why[256];
	PGconn *c = ow_db_connect_once(p->url, why, sizeof why);
	if (!c || ow_db_session_setup(c) != 0 || ow_db_plan_once(c) != 0) {
		if (c)
			PQfinish(c);
		ow_log(OW_LOG_WARN, "database unavailable (%s): %s", p->name,
		       c ? "session setup failed" : why);
		return -1;
	}
	db->conn = c;
	db->broken = 0;
	ow_db_own_add(c);
	pthread_mutex_lock(&p->lock);
	p->reconnects++;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* The request's connections: at most one of the primary and one of a replica, held until
 * ow_db_release_thread. */
static _Thread_local struct ow_db *held_primary, *held_replica;
static _Thread_local int waited_out; /* the last take of this request timed out */

/* The calling request's connection of pool p (taken and made ready on first use); NULL
 * when none came free in time or the database cannot be reached. */
static struct ow_db *hold(struct ow_db **held, struct ow_db_pool *p)
{
	if (*held && (*held)->pool == p)
		return ready(*held) == 0 ? *held : NULL;
	if (*held) { /* another replica's: give it back first */
		ow_db_release(*held);
		give_back(*held);
		*held = NULL;
	}
	struct ow_db *db = take(p);
	if (!db) {
		waited_out = 1;
		return NULL;
	}
	if (ready(db) != 0) {
		give_back(db);
		return NULL;
	}
	*held = db;
	return db;
}

/* Reads of this thread's current request may go to a replica (ow_db_prefer_replica). */
static _Thread_local struct {
	int active;
	int decided;   /* the request's connection is chosen: it keeps it */
	char lsn[32];  /* the caller's last write, "" when none */
	int served_by; /* -1 primary, else the replica's index */
} read_pref = {0, 0, "", -1};
static _Thread_local unsigned replica_cursor;

void ow_db_prefer_replica(const char *lsn)
{
	read_pref.active = 1;
	read_pref.decided = 0;
	snprintf(read_pref.lsn, sizeof read_pref.lsn, "%s", lsn ? lsn : "");
	read_pref.served_by = -1;
}

int ow_db_served_by(void)
{
	return read_pref.served_by;
}

/* Whether replica db has replayed past lsn, asking it every 10 ms for up to wait_ms. */
static int replayed(struct ow_db *db, const char *lsn, unsigned wait_ms)
{
	const char *params[] = {lsn};
	for (unsigned waited = 0;; waited += 10) {
		PGresult *res = ow_stmt_run(db->conn, OW_Q_REPLICA_REPLAYED, params);
		int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
			 PQgetvalue(res, 0, 0)[0] == 't';
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			db->broken = 1;
		PQclear(res);
		if (ok || db->broken || waited >= wait_ms)
			return ok;
		struct timespec ten = {0, 10 * 1000 * 1000};
		nanosleep(&ten, NULL);
	}
}

/* A healthy replica's connection for this read, or NULL (then the primary serves it). */
static struct ow_db *acquire_replica(int need_fresh)
{
	for (int tries = 0; tries < ow_replicas_count(); tries++) {
		int i = ow_replicas_pick(&replica_cursor);
		struct ow_db_pool *p = i < 0 ? NULL : replica_pool(i);
		if (!p)
			return NULL;
		struct ow_db *db = hold(&held_replica, p);
		if (!db) {
			ow_replicas_mark_down(i);
			continue;
		}
		if (need_fresh && read_pref.lsn[0] &&
		    !replayed(db, read_pref.lsn, ow_replicas_wait_ms()))
			return NULL; /* behind the caller's own write: the primary answers */
		read_pref.served_by = i;
		ow_replicas_note_read(i);
		return db;
	}
	return NULL;
}

static void unavailable(struct ow_db_error *err)
{
	memset(err, 0, sizeof *err);
	err->unavailable = 1;
	if (waited_out) {
		err->busy = 1;
		snprintf(err->message, sizeof err->message,
			 "every database connection stayed busy for %d s", WAIT_LIMIT_S);
	} else {
		snprintf(err->message, sizeof err->message, "database unavailable");
	}
}

struct ow_db *ow_db_acquire(struct ow_db_error *err)
{
	struct ow_db *db = NULL;
	waited_out = 0;
	if (read_pref.active && read_pref.decided) { /* one connection for the whole request */
		db = read_pref.served_by >= 0
			     ? hold(&held_replica, replica_pool(read_pref.served_by))
			     : hold(&held_primary, primary);
		if (!db)
			unavailable(err);
		return db;
	}
	if (read_pref.active && ow_replicas_count() > 0)
		db = acquire_replica(1);
	if (!db && (db = hold(&held_primary, primary)))
		read_pref.served_by = -1;
	/* The primary is away: a read is still served by a replica, fresh or not. */
	if (!db && !waited_out && read_pref.active && ow_replicas_count() > 0)
		db = acquire_replica(0);
	read_pref.decided = db != NULL;
	if (!db)
		unavailable(err);
	return db;
}

int ow_db_primary_lsn(char *out, size_t n)
{
	struct ow_db *db = hold(&held_primary, primary);
	if (!db)
		return -1;
	PGresult *res = ow_stmt_run(db->conn, OW_Q_PRIMARY_LSN, NULL);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok)
		snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
	else
		db->broken = 1;
	PQclear(res);
	return ok ? 0 : -1;
}

void ow_db_release_thread(void)
{
	if (held_primary) {
		ow_db_release(held_primary);
		give_back(held_primary);
		held_primary = NULL;
	}
	if (held_replica) {
		ow_db_release(held_replica);
		give_back(held_replica);
		held_replica = NULL;
	}
	read_pref.active = read_pref.decided = 0;
	read_pref.lsn[0] = '\0';
	read_pref.served_by = -1;
}

/* Connection states and counters of one pool (NULL: none). */
static void pool_stats(struct ow_db_pool *p, unsigned *connected, unsigned *broken,
		       unsigned long *reconnects)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < p->n; i++) {
		/* A connection in use is counted as it was when taken; reading its state from
		 * another thread is safe (libpq keeps it in the PGconn, read-only here). */
		if (p->slots[i].conn && !p->slots[i].broken)
			(*connected)++;
		else
			(*broken)++;
	}
	*reconnects += p->reconnects;
	pthread_mutex_unlock(&p->lock);
}

void ow_db_stats(unsigned *connected, unsigned *broken, unsigned long *nreconnects)
{
	*connected = *broken = 0;
	*nreconnects = 0;
	pool_stats(primary, connected, broken, nreconnects);
}

/* The value of one pool's counter, read under its lock (k: which one). */
enum family { F_SIZE, F_WAITING, F_WAITS, F_WAIT_SECONDS, F_TIMEOUTS, F_SERVED };

static const struct {
	const char *name, *type, *help;
} FAMILIES[] = {
	[F_SIZE] = {"orgwatch_db_pool_size", "gauge",
		    "Request connections per pool (ORGWATCH_DB_CONNECTIONS)."},
	[F_WAITING] = {"orgwatch_db_pool_waiting", "gauge",
		       "Requests waiting for a connection now."},
	[F_WAITS] = {"orgwatch_db_pool_waits_total", "counter",
		     "Requests that found every connection busy and waited for one."},
	[F_WAIT_SECONDS] = {"orgwatch_db_pool_wait_seconds_total", "counter",
			    "Time those requests waited."},
	[F_TIMEOUTS] = {"orgwatch_db_pool_wait_timeouts_total", "counter",
			"Requests answered 503 after waiting 15 s for a connection."},
	[F_SERVED] = {"orgwatch_db_connection_requests_total", "counter",
		      "Requests each connection served."},
};

static int render_family(struct ow_buf *b, enum family f, struct ow_db_pool *const *pools,
			 int npools)
{
	int rc = ow_buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n", FAMILIES[f].name,
				FAMILIES[f].help, FAMILIES[f].name, FAMILIES[f].type);
	for (int k = 0; k < npools; k++) {
		struct ow_db_pool *p = pools[k];
		if (!p)
			continue;
		pthread_mutex_lock(&p->lock);
		const char *m = FAMILIES[f].name;
		switch (f) {
		case F_SIZE:
			rc |= ow_buf_appendf(b, "%s{pool=\"%s\"} %u\n", m, p->name, p->n);
			break;
		case F_WAITING:
			rc |= ow_buf_appendf(b, "%s{pool=\"%s\"} %u\n", m, p->name, p->waiting);
			break;
		case F_WAITS:
			rc |= ow_buf_appendf(b, "%s{pool=\"%s\"} %llu\n", m, p->name, p->waits);
			break;
		case F_WAIT_SECONDS:
			rc |= ow_buf_appendf(b, "%s{pool=\"%s\"} %.6f\n", m, p->name,
					     p->wait_seconds);
			break;
		case F_TIMEOUTS:
			rc |= ow_buf_appendf(b, "%s{pool=\"%s\"} %llu\n", m, p->name,
					     p->wait_timeouts);
			break;
		case F_SERVED:
			for (unsigned i = 0; i < p->n; i++)
				rc |= ow_buf_appendf(b, "%s{pool=\"%s\",connection=\"%u\"} %llu\n",
						     m, p->name, i, p->slots[i].served);
			break;
		}
		pthread_mutex_unlock(&p->lock);
	}
	return rc;
}

int ow_db_render_pool_metrics(struct ow_buf *b)
{
	struct ow_db_pool *pools[1 + OW_MAX_REPLICAS] = {primary};
	pthread_mutex_lock(&replica_pools_lock);
	for (int i = 0; i < OW_MAX_REPLICAS; i++)
		pools[1 + i] = replica_pools[i];
	pthread_mutex_unlock(&replica_pools_lock);
	int rc = 0;
	for (int f = F_SIZE; f <= F_SERVED; f++)
		rc |= render_family(b, (enum family)f, pools, 1 + OW_MAX_REPLICAS);
	return rc ? -1 : 0;
}

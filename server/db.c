/* db.c — per-thread PostgreSQL connections, lazily prepared statements, reconnects,
 * dedicated connections for streams; errors go back to the callers as struct ow_db_error
 * (db_problem.c turns them into replies). Knows nothing of HTTP. */
#include "db.h"

#include <jansson.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "replicas.h"

#define MAX_CONNS 512
/* Prepared filter combinations kept per connection. */
#define OW_DB_VARIANTS 48

struct ow_db {
	PGconn *conn;
	int broken;
	struct timespec last_attempt;
	unsigned long reconnects_seen; /* the count of connections made, at last_attempt */
	unsigned char prepared[OW_Q_COUNT];
	/* Variants of `replan` statements prepared on this connection, one per combination
	 * of NULL arguments met (ow_stmt_variant_sql); the oldest is deallocated when full. */
	struct variant {
		int id; /* -1: empty */
		unsigned long long nulls;
	} variants[OW_DB_VARIANTS];
	unsigned variants_next;
};

static char *conn_url;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ow_db *registry[MAX_CONNS];
static size_t registry_n;
static unsigned long reconnects;
static _Thread_local struct ow_db *thread_db;

static void rollback(struct ow_db *db);

int ow_db_global_init(const char *url)
{
	conn_url = strdup(url);
	return conn_url ? 0 : -1;
}

void ow_db_global_shutdown(void)
{
	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < registry_n; i++) {
		if (registry[i]->conn)
			PQfinish(registry[i]->conn);
		free(registry[i]);
	}
	registry_n = 0;
	pthread_mutex_unlock(&registry_lock);
	free(conn_url);
	conn_url = NULL;
}

void ow_db_stats(unsigned *connected, unsigned *broken, unsigned long *nreconnects)
{
	unsigned c = 0, b = 0;
	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < registry_n; i++) {
		if (registry[i]->conn && !registry[i]->broken &&
		    PQstatus(registry[i]->conn) == CONNECTION_OK)
			c++;
		else
			b++;
	}
	*nreconnects = reconnects;
	pthread_mutex_unlock(&registry_lock);
	*connected = c;
	*broken = b;
}

static void fill_error(struct ow_db_error *err, const PGresult *res, PGconn *conn)
{
	memset(err, 0, sizeof *err);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		err->unavailable = 1;
		snprintf(err->message, sizeof err->message, "%s",
			 conn ? PQerrorMessage(conn) : "no connection");
		return;
	}
	const char *f;
	if (res && (f = PQresultErrorField(res, PG_DIAG_SQLSTATE)))
		snprintf(err->sqlstate, sizeof err->sqlstate, "%s", f);
	if (res && (f = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)))
		snprintf(err->message, sizeof err->message, "%s", f);
	else
		snprintf(err->message, sizeof err->message, "%s", PQerrorMessage(conn));
	if (res && (f = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)))
		snprintf(err->detail, sizeof err->detail, "%s", f);
	if (res && (f = PQresultErrorField(res, PG_DIAG_COLUMN_NAME)))
		snprintf(err->column, sizeof err->column, "%s", f);
	if (res && (f = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)))
		snprintf(err->constraint, sizeof err->constraint, "%s", f);
	if (res && (f = PQresultErrorField(res, PG_DIAG_TABLE_NAME)))
		snprintf(err->table, sizeof err->table, "%s", f);
	/* 57P01 admin shutdown, 08xxx connection exceptions: treat as unavailable. */
	if (strncmp(err->sqlstate, "08", 2) == 0 || strncmp(err->sqlstate, "57P", 3) == 0)
		err->unavailable = 1;
}

PGconn *ow_db_connect_once(const char *url, char *err, size_t errsz)
{
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *vals[] = {url, "3", "orgwatch", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errsz, "%s", c ? PQerrorMessage(c) : "out of memory");
		size_t n = strlen(err);
		while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
			err[--n] = '\0';
		PQfinish(c);
		return NULL;
	}
	return c;
}

static int session_setup(PGconn *c)
{
	PGresult *res = PQexec(c, "SET statement_timeout = '30s'; SET lock_timeout = '10s';"
				  ""
				  " SET idle_in_transaction_session_timeout = '60s';"
				  " SET pg_trgm.word_similarity_threshold = 0.3; SET "
				  "pg_trgm.similarity_threshold = 0.3");
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

/* The request connections plan each prepared statement once: every statement that takes
 * optional arguments is prepared per combination of the arguments given (exec_variant), so
 * its generic plan is the plan of that combination and can use its indexes; planning it
 * anew at each request (PostgreSQL's custom plans) would cost more than running it.
 * PL/pgSQL functions whose plans depend on argument values set force_custom_plan
 * themselves (sql/functions/). JIT is off: a generic plan's estimates assume a page of 10%
 * of the table (the limit is an argument), which priced a 5 ms people page above
 * jit_above_cost, and compiling it took 15 ms more. random_page_cost 1.1 (the usual value
 * when the data is in memory or on SSD): at the default 4, a generic plan hashed all 200
 * organizations to join a person's one or two positions, instead of two index probes (a
 * person's read ran at 11,800 req/s; 14,000 after). */
static int plan_once(PGconn *c)
{
	PGresult *res = PQexec(c, "SET plan_cache_mode = force_generic_plan; SET jit = off; SET "
				  "random_page_cost = 1.1");
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

static unsigned max_dedicated = 8, dedicated_open;
static unsigned long long dedicated_refused;

void ow_db_set_max_dedicated(unsigned n)
{
	max_dedicated = n ? n : 1;
}

void ow_db_dedicated_stats(unsigned *open, unsigned long long *refused)
{
	*open = __atomic_load_n(&dedicated_open, __ATOMIC_RELAXED);
	*refused = __atomic_load_n(&dedicated_refused, __ATOMIC_RELAXED);
}

PGconn *ow_db_connect_dedicated(char *err, size_t errsz, int *busy)
{
	*busy = 0;
	if (__atomic_add_fetch(&dedicated_open, 1, __ATOMIC_RELAXED) > max_dedicated) {
		__atomic_sub_fetch(&dedicated_open, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&dedicated_refused, 1, __ATOMIC_RELAXED);
		*busy = 1;
		snprintf(err, errsz, "%u imports and exports are running", max_dedicated);
		return NULL;
	}
	PGconn *c = ow_db_connect_once(conn_url, err, errsz);
	if (c && session_setup(c) != 0) {
		snprintf(err, errsz, "session setup failed");
		PQfinish(c);
		c = NULL;
	}
	if (!c)
		__atomic_sub_fetch(&dedicated_open, 1, __ATOMIC_RELAXED);
	return c;
}

void ow_db_close_dedicated(PGconn *c)
{
	if (!c)
		return;
	PQfinish(c);
	__atomic_sub_fetch(&dedicated_open, 1, __ATOMIC_RELAXED);
}

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
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

/* The calling thread's connection to url, kept in *slot: (re)connects when needed, at most
 * every 200 ms; NULL when the database cannot be reached. */
static struct ow_db *connect_slot(struct ow_db **slot, const char *url)
{
	struct ow_db *db = *slot;
	if (!db) {
		db = calloc(1, sizeof *db);
		if (!db)
			return NULL;
		pthread_mutex_lock(&registry_lock);
		if (registry_n == MAX_CONNS) {
			pthread_mutex_unlock(&registry_lock);
			free(db);
			return NULL;
		}
		registry[registry_n++] = db;
		pthread_mutex_unlock(&registry_lock);
		*slot = db;
		db->broken = 1;
	}
	if (db->conn && !db->broken && PQstatus(db->conn) == CONNECTION_OK &&
	    !server_hung_up(db->conn))
		return db;
	/* Attempts are spaced 200 ms apart, unless another thread has connected since this
	 * one's last failed attempt (the database is back: no request need fail for it). */
	pthread_mutex_lock(&registry_lock);
	unsigned long now_reconnects = reconnects;
	pthread_mutex_unlock(&registry_lock);
	if (db->last_attempt.tv_sec && since(&db->last_attempt) < 0.2 &&
	    now_reconnects == db->reconnects_seen)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &db->last_attempt);
	db->reconnects_seen = now_reconnects;
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	memset(db->prepared, 0, sizeof db->prepared);
	for (unsigned i = 0; i < OW_DB_VARIANTS; i++)
		db->variants[i].id = -1;
	db->variants_next = 0;
	char why[256];
	PGconn *c = ow_db_connect_once(url, why, sizeof why);
	if (!c || session_setup(c) != 0 || plan_once(c) != 0) {
		if (c)
			PQfinish(c);
		ow_log(OW_LOG_WARN, "database unavailable: %s", c ? "session setup failed" : why);
		return NULL;
	}
	db->conn = c;
	db->broken = 0;
	pthread_mutex_lock(&registry_lock);
	reconnects++;
	pthread_mutex_unlock(&registry_lock);
	return db;
}

static void unavailable(struct ow_db_error *err)
{
	memset(err, 0, sizeof *err);
	err->unavailable = 1;
	snprintf(err->message, sizeof err->message, "database unavailable");
}

/* Reads of this thread's current request may go to a replica (ow_db_prefer_replica). */
static _Thread_local struct {
	int active;
	int decided;   /* the request's connection is chosen: it keeps it */
	char lsn[32];  /* the caller's last write, "" when none */
	int served_by; /* -1 primary, else the replica's index */
} read_pref = {0, 0, "", -1};
static _Thread_local struct ow_db *thread_replica_db[OW_MAX_REPLICAS];
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
		if (i < 0)
			return NULL;
		struct ow_db *db = connect_slot(&thread_replica_db[i], ow_replica_url(i));
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

struct ow_db *ow_db_acquire(struct ow_db_error *err)
{
	struct ow_db *db = NULL;
	if (read_pref.active && read_pref.decided) { /* one connection for the whole request */
		db = read_pref.served_by >= 0
			     ? connect_slot(&thread_replica_db[read_pref.served_by],
					    ow_replica_url(read_pref.served_by))
			     : connect_slot(&thread_db, conn_url);
		if (!db)
			unavailable(err);
		return db;
	}
	if (read_pref.active && ow_replicas_count() > 0)
		db = acquire_replica(1);
	if (!db && (db = connect_slot(&thread_db, conn_url)))
		read_pref.served_by = -1;
	/* The primary is away: a read is still served by a replica, fresh or not. */
	if (!db && read_pref.active && ow_replicas_count() > 0)
		db = acquire_replica(0);
	read_pref.decided = db != NULL;
	if (!db)
		unavailable(err);
	return db;
}

int ow_db_primary_lsn(char *out, size_t n)
{
	struct ow_db *db = connect_slot(&thread_db, conn_url);
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

static int prepare(struct ow_db *db, enum ow_stmt_id id, struct ow_db_error *err)
{
	if (db->prepared[id])
		return 0;
	const struct ow_stmt *s = &ow_stmts[id];
	PGresult *res = PQprepare(db->conn, s->name, s->sql, s->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fill_error(err, res, db->conn);
		if (!err->unavailable)
			ow_log(OW_LOG_ERROR, "prepare %s failed: %s", s->name, err->message);
		PQclear(res);
		if (err->unavailable)
			db->broken = 1;
		return -1;
	}
	PQclear(res);
	db->prepared[id] = 1;
	return 0;
}

static void variant_name(char *out, size_t n, enum ow_stmt_id id, unsigned long long nulls)
{
	snprintf(out, n, "%s_%llx", ow_stmts[id].name, nulls);
}

/* Runs the variant of `replan` statement id for the arguments that are NULL here, preparing
 * it on this connection the first time the combination is met. */
static PGresult *exec_variant(struct ow_db *db, enum ow_stmt_id id, const char *const *params,
			      struct ow_db_error *err)
{
	const struct ow_stmt *s = &ow_stmts[id];
	unsigned long long nulls = 0;
	for (int i = 0; i < s->nparams && i < 64; i++)
		if (!params[i])
			nulls |= 1ULL << i;
	char name[96];
	variant_name(name, sizeof name, id, nulls);
	unsigned i;
	for (i = 0; i < OW_DB_VARIANTS; i++)
		if (db->variants[i].id == (int)id && db->variants[i].nulls == nulls)
			break;
	if (i == OW_DB_VARIANTS) {
		static _Thread_local char sql[16384];
		if (ow_stmt_variant_sql(id, nulls, sql, sizeof sql) < 0) {
			memset(err, 0, sizeof *err);
			snprintf(err->message, sizeof err->message, "statement %s too long",
				 s->name);
			return NULL;
		}
		struct variant *v = &db->variants[db->variants_next];
		if (v->id >= 0) { /* full: the oldest goes */
			char old[96], dealloc[128];
			variant_name(old, sizeof old, (enum ow_stmt_id)v->id, v->nulls);
			snprintf(dealloc, sizeof dealloc, "DEALLOCATE \"%s\"", old);
			PQclear(PQexec(db->conn, dealloc));
			v->id = -1;
		}
		/* An argument left out of the text is declared text (its type cannot be
		 * inferred any more); the others are inferred as usual. */
		Oid types[64] = {0};
		for (int k = 0; k < s->nparams && k < 64; k++)
			if (nulls & (1ULL << k))
				types[k] = 25;
		PGresult *res = PQprepare(db->conn, name, sql, s->nparams, types);
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "42P05") == 0) {
			/* Still prepared on the server (a DEALLOCATE that failed): replace it. */
			char dealloc[128];
			snprintf(dealloc, sizeof dealloc, "DEALLOCATE \"%s\"", name);
			PQclear(PQexec(db->conn, dealloc));
			PQclear(res);
			res = PQprepare(db->conn, name, sql, s->nparams, types);
		}
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fill_error(err, res, db->conn);
			if (!err->unavailable)
				ow_log(OW_LOG_ERROR, "prepare %s failed: %s", name, err->message);
			else
				db->broken = 1;
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		v->id = (int)id;
		v->nulls = nulls;
		db->variants_next = (db->variants_next + 1) % OW_DB_VARIANTS;
	}
	return PQexecPrepared(db->conn, name, s->nparams, params, NULL, NULL, 0);
}

PGresult *ow_db_exec(struct ow_db *db, enum ow_stmt_id id, const char *const *params,
		     struct ow_db_error *err)
{
	const struct ow_stmt *s = &ow_stmts[id];
	const char *taken[64];
	params = ow_stmt_taken_args(id, params, taken);
	PGresult *res;
	if (strncmp(s->sql, "FETCH ", 6) == 0) { /* a cursor's rows: no plan to keep */
		res = PQexec(db->conn, s->sql);
	} else if (strncmp(s->sql, "DECLARE ", 8) == 0) {
		res = PQexecParams(db->conn, s->sql, s->nparams, NULL, params, NULL, NULL, 0);
	} else if (s->replan) {
		if (!(res = exec_variant(db, id, params, err)))
			return NULL;
	} else {
		if (prepare(db, id, err) != 0)
			return NULL;
		res = PQexecPrepared(db->conn, s->name, s->nparams, params, NULL, NULL, 0);
	}
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	fill_error(err, res, db->conn);
	if (err->unavailable)
		db->broken = 1;
	PQclear(res);
	return NULL;
}

void ow_db_error_from(struct ow_db_error *err, const PGresult *res, PGconn *c)
{
	fill_error(err, res, c);
}

/* Runs a constant SQL command (BEGIN, COMMIT): 0 or -1 with *err. */
static int command(struct ow_db *db, const char *sql, struct ow_db_error *err)
{
	PGresult *res = PQexec(db->conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return 0;
	}
	fill_error(err, res, db->conn);
	if (err->unavailable)
		db->broken = 1;
	PQclear(res);
	return -1;
}

static unsigned long tx_retries;

unsigned long ow_db_tx_retries(void)
{
	return __atomic_load_n(&tx_retries, __ATOMIC_RELAXED);
}

/* 40001 serialization_failure, 40P01 deadlock_detected: running again may succeed. */
static int retryable(const struct ow_db_error *e)
{
	return !e->unavailable &&
	       (strcmp(e->sqlstate, "40001") == 0 || strcmp(e->sqlstate, "40P01") == 0);
}

int ow_db_tx(struct ow_db *db, enum ow_tx_mode mode, ow_tx_fn fn, void *cls,
	     struct ow_db_error *err)
{
	const char *begin = mode == OW_TX_SNAPSHOT ? OW_SQL_BEGIN_SNAPSHOT : "BEGIN";
	for (int attempt = 1;; attempt++) {
		if (command(db, begin, err) != 0)
			return -1;
		int rc = fn(db, cls, err);
		if (rc == 0 && command(db, "COMMIT", err) == 0)
			return 0;
		if (rc == 1) {
			rollback(db);
			return 1;
		}
		rollback(db);
		if (!retryable(err) || attempt == OW_TX_TRIES)
			return -1;
		__atomic_add_fetch(&tx_retries, 1, __ATOMIC_RELAXED);
		ow_log(OW_LOG_INFO, "transaction %s (%s); running it again (%d of %d)",
		       strcmp(err->sqlstate, "40P01") == 0 ? "deadlocked" : "not serializable",
		       err->sqlstate, attempt + 1, OW_TX_TRIES);
	}
}

struct one_statement {
	enum ow_stmt_id id;
	const char *const *params;
	PGresult *res;
};

static int one_statement(struct ow_db *db, void *cls, struct ow_db_error *err)
{
	struct one_statement *o = cls;
	PQclear(o->res);
	o->res = ow_db_exec(db, o->id, o->params, err);
	return o->res ? 0 : -1;
}

PGresult *ow_db_write(struct ow_db *db, enum ow_stmt_id id, const char *const *params,
		      struct ow_db_error *err)
{
	struct one_statement o = {id, params, NULL};
	if (ow_db_tx(db, OW_TX_WRITE, one_statement, &o, err) == 0)
		return o.res;
	PQclear(o.res);
	return NULL;
}

/* Rolls back the open transaction, if any (errors ignored: the connection is then marked
 * broken and reopened). */
static void rollback(struct ow_db *db)
{
	if (!db || !db->conn || db->broken)
		return;
	PGresult *res = PQexec(db->conn, "ROLLBACK");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		db->broken = 1;
	PQclear(res);
}

void ow_db_release(struct ow_db *db)
{
	if (!db || !db->conn || db->broken)
		return;
	PGTransactionStatusType ts = PQtransactionStatus(db->conn);
	if (ts == PQTRANS_IDLE)
		return;
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
		ow_log(OW_LOG_ERROR, "bug: request left a transaction open; rolling back");
		PGresult *res = PQexec(db->conn, "ROLLBACK");
		PQclear(res);
		return;
	}
	db->broken = 1; /* unknown or active: start afresh */
}

void ow_db_release_thread(void)
{
	ow_db_release(thread_db);
	if (read_pref.active && read_pref.served_by >= 0)
		ow_db_release(thread_replica_db[read_pref.served_by]);
	read_pref.active = read_pref.decided = 0;
	read_pref.lsn[0] = '\0';
}

/* db_conn.c — opening PostgreSQL connections: the primary's address, the session every
 * request connection gets, the dedicated connections of long streams (imports, exports,
 * downloads; the reads in a snapshot) and their limit, and errors copied out of libpq into
 * struct ow_db_error. Knows nothing of pools or HTTP. */
#include "db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_slot.h"

static char *primary_url;

/* The backend process ids of this server's own request and dedicated connections. */
#define MAX_OWN 1024
static pthread_mutex_t own_lock = PTHREAD_MUTEX_INITIALIZER;
static int own[MAX_OWN];
static unsigned own_n;

void ow_db_own_add(PGconn *c)
{
	int pid = c ? PQbackendPID(c) : 0;
	pthread_mutex_lock(&own_lock);
	if (pid > 0 && own_n < MAX_OWN)
		own[own_n++] = pid;
	pthread_mutex_unlock(&own_lock);
}

void ow_db_own_remove(PGconn *c)
{
	int pid = c ? PQbackendPID(c) : 0;
	pthread_mutex_lock(&own_lock);
	for (unsigned i = 0; pid > 0 && i < own_n; i++)
		if (own[i] == pid) {
			own[i] = own[--own_n];
			break;
		}
	pthread_mutex_unlock(&own_lock);
}

int ow_db_is_own(int pid)
{
	int found = 0;
	pthread_mutex_lock(&own_lock);
	for (unsigned i = 0; i < own_n && !found; i++)
		found = own[i] == pid;
	pthread_mutex_unlock(&own_lock);
	return found;
}

int ow_db_set_primary_url(const char *url)
{
	free(primary_url);
	primary_url = url ? strdup(url) : NULL;
	return !url || primary_url ? 0 : -1;
}

const char *ow_db_primary_url(void)
{
	return primary_url;
}

void ow_db_error_from(struct ow_db_error *err, const PGresult *res, PGconn *conn)
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

/* Runs sql, one or more commands that return no rows, on c: 0, or -1 (c's error message). */
static int exec_command(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

/* Every connection's settings. DateStyle ISO: the departure lists (pages and whole downloads)
 * send times as timestamps that docrow.c rewrites, reading that form, whatever the server's or
 * the database's default. */
int ow_db_session_setup(PGconn *c)
{
	return exec_command(c, "SET statement_timeout = '30s'; SET lock_timeout = '10s';"
			       " SET idle_in_transaction_session_timeout = '60s';"
			       " SET pg_trgm.word_similarity_threshold = 0.3; SET "
			       "pg_trgm.similarity_threshold = 0.3; SET DateStyle = ISO");
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
int ow_db_plan_once(PGconn *c)
{
	return exec_command(c, "SET plan_cache_mode = force_generic_plan; SET jit = off; SET "
			       "random_page_cost = 1.1");
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
	PGconn *c = ow_db_connect_once(primary_url, err, errsz);
	if (c && ow_db_session_setup(c) != 0) {
		snprintf(err, errsz, "session setup failed");
		PQfinish(c);
		c = NULL;
	}
	if (!c)
		__atomic_sub_fetch(&dedicated_open, 1, __ATOMIC_RELAXED);
	else
		ow_db_own_add(c);
	return c;
}

/* The commit seq the calling thread's request reads at (known_at=, ow_db_pin), "" for the
 * present. */
static _Thread_local char pinned_seq[24];

void ow_db_set_pinned_seq(const char *seq)
{
	snprintf(pinned_seq, sizeof pinned_seq, "%s", seq ? seq : "");
}

const char *ow_db_pinned_seq(void)
{
	return pinned_seq[0] ? pinned_seq : NULL;
}

PGconn *ow_db_connect_snapshot(char *err, size_t errsz, int *busy)
{
	PGconn *c = ow_db_connect_dedicated(err, errsz, busy);
	if (!c)
		return NULL;
	if (exec_command(c, OW_SQL_BEGIN_SNAPSHOT) != 0) {
		snprintf(err, errsz, "the snapshot did not begin: %s", PQerrorMessage(c));
		ow_db_close_dedicated(c);
		return NULL;
	}
	/* A download of a read pinned to a change key reads at that key too (ow_db_pin). */
	const char *seq = ow_db_pinned_seq();
	if (seq) {
		PGresult *res = ow_stmt_run(c, OW_Q_KNOWN_AT_PIN_SEQ, (const char *const[]){seq});
		int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
		if (!ok) {
			snprintf(err, errsz, "the read could not be pinned: %s", PQerrorMessage(c));
			ow_db_close_dedicated(c);
			return NULL;
		}
	}
	return c;
}

void ow_db_close_dedicated(PGconn *c)
{
	if (!c)
		return;
	ow_db_own_remove(c);
	PQfinish(c);
	__atomic_sub_fetch(&dedicated_open, 1, __ATOMIC_RELAXED);
}

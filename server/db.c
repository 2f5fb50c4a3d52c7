/* db.c — running statements on a request connection: prepared by id the first time a
 * connection meets them (filter combinations as variants of their own), the transaction
 * runner every write and multi-statement read goes through (retrying serialization failures
 * and deadlocks), and the end of a request's use of a connection. Connections come from
 * db_pool.c, are opened by db_conn.c; errors go back to the callers as struct ow_db_error
 * (db_problem.c turns them into replies). Knows nothing of HTTP. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_slot.h"
#include "log.h"

static void rollback(struct ow_db *db);

void ow_db_forget_prepared(struct ow_db *db)
{
	memset(db->prepared, 0, sizeof db->prepared);
	for (unsigned i = 0; i < OW_DB_VARIANTS; i++)
		db->variants[i].id = -1;
	db->variants_next = 0;
}

static int prepare(struct ow_db *db, enum ow_stmt_id id, struct ow_db_error *err)
{
	if (db->prepared[id])
		return 0;
	const struct ow_stmt *s = &ow_stmts[id];
	PGresult *res = PQprepare(db->conn, s->name, ow_stmt_sql(id), s->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		ow_db_error_from(err, res, db->conn);
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
		/* On the heap, not in thread-local storage: needed once per connection and
		 * combination, not kept by every thread. */
		char *sql = malloc(OW_SQL_MAX);
		if (!sql || ow_stmt_variant_sql(id, nulls, sql, OW_SQL_MAX) < 0) {
			memset(err, 0, sizeof *err);
			snprintf(err->message, sizeof err->message, "statement %s too long",
				 s->name);
			free(sql);
			return NULL;
		}
		struct ow_db_variant *v = &db->variants[db->variants_next];
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
		free(sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			ow_db_error_from(err, res, db->conn);
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
	return PQexecPrepared(db->conn, name, s->nparams, params, NULL, NULL, s->binary);
}

static void present(struct ow_db *db);

PGresult *ow_db_exec(struct ow_db *db, enum ow_stmt_id id, const char *const *params,
		     struct ow_db_error *err)
{
	const struct ow_stmt *s = &ow_stmts[id];
	if (db->pinned && !ow_db_pinned_seq() && id != OW_Q_KNOWN_AT_PIN &&
	    id != OW_Q_KNOWN_AT_UNPIN)
		present(db);
	const char *taken[64];
	params = ow_stmt_taken_args(id, params, taken);
	const char *sql = ow_stmt_sql(id);
	PGresult *res = NULL;
	/* By its kind (no default: a kind added to the enum and not here is a warning). */
	switch (s->kind) {
	case OW_SK_CURSOR_FETCH: /* a cursor's rows: no plan to keep */
		res = PQexec(db->conn, sql);
		break;
	case OW_SK_CURSOR_DECLARE: /* cannot be prepared: unnamed, with its arguments */
		res = PQexecParams(db->conn, sql, s->nparams, NULL, params, NULL, NULL, 0);
		break;
	case OW_SK_PLAIN:
		if (s->replan) {
			if (!(res = exec_variant(db, id, params, err)))
				return NULL;
			break;
		}
		if (prepare(db, id, err) != 0)
			return NULL;
		res = PQexecPrepared(db->conn, s->name, s->nparams, params, NULL, NULL, s->binary);
		break;
	}
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	ow_db_error_from(err, res, db->conn);
	if (err->unavailable)
		db->broken = 1;
	PQclear(res);
	return NULL;
}

/* Runs a constant SQL command (BEGIN, COMMIT): 0 or -1 with *err. */
static int command(struct ow_db *db, const char *sql, struct ow_db_error *err)
{
	PGresult *res = PQexec(db->conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return 0;
	}
	ow_db_error_from(err, res, db->conn);
	if (err->unavailable)
		db->broken = 1;
	PQclear(res);
	return -1;
}

static unsigned long tx_retries;
static void (*on_commit)(void);

void ow_db_on_write_commit(void (*fn)(void))
{
	on_commit = fn;
}

void ow_db_write_committed(void)
{
	if (on_commit)
		on_commit();
}

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
	if (db->pinned && !ow_db_pinned_seq())
		present(db);
	for (int attempt = 1;; attempt++) {
		if (command(db, begin, err) != 0)
			return -1;
		int rc = fn(db, cls, err);
		if (rc == 0 && command(db, "COMMIT", err) == 0) {
			if (mode == OW_TX_WRITE)
				ow_db_write_committed();
			return 0;
		}
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

PGresult *ow_db_pin(struct ow_db *db, const char *known_at, struct ow_db_error *err)
{
	PGresult *res = ow_db_exec(db, OW_Q_KNOWN_AT_PIN, (const char *const[]){known_at}, err);
	if (!res)
		return NULL;
	if (PQntuples(res) == 1) {
		db->pinned = 1;
		ow_db_set_pinned_seq(PQgetvalue(res, 0, 0));
	}
	return res;
}

/* A connection a pinned request left (ow_db_release keeps it pinned, so that pinned reads
 * in a row keep their plans) back to the present before a request that is not pinned uses
 * it (else it is reopened: a new session is). */
static void present(struct ow_db *db)
{
	struct ow_db_error err;
	PGresult *res = ow_db_exec(db, OW_Q_KNOWN_AT_UNPIN, NULL, &err);
	if (!res)
		db->broken = 1;
	PQclear(res);
	db->pinned = 0;
}

void ow_db_release(struct ow_db *db)
{
	ow_db_set_pinned_seq(NULL);
	if (!db || !db->conn || db->broken)
		return;
	PGTransactionStatusType ts = PQtransactionStatus(db->conn);
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
		ow_log(OW_LOG_ERROR, "bug: request left a transaction open; rolling back");
		PGresult *res = PQexec(db->conn, "ROLLBACK");
		PQclear(res);
	} else if (ts != PQTRANS_IDLE) {
		db->broken = 1; /* unknown or active: start afresh */
	}
}

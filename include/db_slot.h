/* db_slot.h — what the database modules share and nothing else includes: one pooled
 * connection (struct ow_db) with the statements prepared on it, the session a connection is
 * given (db_conn.c), and the pool's acquire/return (db_pool.c) as db.c uses them. */
#ifndef OW_DB_SLOT_H
#define OW_DB_SLOT_H
#include <libpq-fe.h>
#include <time.h>

#include "stmts.h"

/* Prepared filter combinations kept per connection. */
#define OW_DB_VARIANTS 48

struct ow_db_pool;

struct ow_db {
	PGconn *conn;
	int broken;
	struct timespec last_attempt;
	unsigned long reconnects_seen; /* the pool's count of connections made, at last_attempt */
	unsigned char prepared[OW_Q_COUNT];
	/* Variants of `replan` statements prepared on this connection, one per combination
	 * of NULL arguments met (ow_stmt_variant_sql); the oldest is deallocated when full. */
	struct ow_db_variant {
		int id; /* -1: empty */
		unsigned long long nulls;
	} variants[OW_DB_VARIANTS];
	unsigned variants_next;
	/* db_pool.c: the pool it belongs to, its place there, the next free connection, and
	 * the requests it has served (/metrics). */
	struct ow_db_pool *pool;
	unsigned index;
	struct ow_db *next_free;
	unsigned long long served;
	int pinned; /* its reads are pinned to a change key (ow_db_pin): undone on release */
};

/* db_conn.c: the seq the calling thread's request is pinned to (ow_db_pin; NULL: none). */
void ow_db_set_pinned_seq(const char *seq);
/* db_conn.c: the primary's connection string (copied; NULL forgets it): 0 or -1. */
int ow_db_set_primary_url(const char *url);
const char *ow_db_primary_url(void);
/* db_conn.c: the session settings of a request connection (timeouts, trigram thresholds)
 * and the planning settings (generic plans, no JIT): 0 or -1. */
int ow_db_session_setup(PGconn *c);
int ow_db_plan_once(PGconn *c);
/* Forgets every statement prepared on db (its connection is new). */
void ow_db_forget_prepared(struct ow_db *db);

#endif

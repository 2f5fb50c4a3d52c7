/* db.h — request connections from a shared pool (db_pool.c), prepared statements by id and
 * the transaction runner (db.c), dedicated connections for streams (db_conn.c); failures are
 * returned as struct ow_db_error. */
#ifndef OW_DB_H
#define OW_DB_H
#include <libpq-fe.h>

#include "buf.h"
#include "stmts.h"

struct ow_db;

/* What went wrong with a statement, copied out of the PGresult. */
struct ow_db_error {
	int unavailable; /* connection lost or database unreachable → 503 */
	int busy;	 /* (with unavailable) no pool connection came free in time */
	char sqlstate[6];
	char message[512];
	char detail[2048];
	char column[128];
	char constraint[128];
	char table[128];
};

/* Remembers the connection string and makes the pools of `connections` request connections
 * each (ORGWATCH_DB_CONNECTIONS), opened lazily. */
int ow_db_global_init(const char *url, unsigned connections) OW_WUR;
/* Closes every connection (after the HTTP workers have stopped). */
void ow_db_global_shutdown(void);

/* The calling request's connection: taken from the pool on its first call (the one free
 * longest, else the next released, in the order requests came; at most 15 s, then NULL with
 * `err->busy`), the same one on later calls until ow_db_release_thread, (re)connected when
 * needed; NULL when the database cannot be reached (then `err->unavailable` is set).
 * Reconnect attempts are spaced at least 200 ms apart per connection so a dead database is
 * not hammered, unless another connection has connected since (the database is back). */
struct ow_db *ow_db_acquire(struct ow_db_error *err);

/* Runs prepared statement `id` with text parameters (NULL = SQL NULL). Returns a
 * result with PGRES_TUPLES_OK or PGRES_COMMAND_OK, or NULL with *err filled. The caller
 * owns the result (PQclear). */
PGresult *ow_db_exec(struct ow_db *db, enum ow_stmt_id id, const char *const *params,
		     struct ow_db_error *err) OW_WUR;
/* How ow_db_tx opens its transaction. */
enum ow_tx_mode {
	OW_TX_WRITE,	/* BEGIN (read committed): writes */
	OW_TX_SNAPSHOT, /* BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY: reads of several
			   statements that must see one snapshot */
};
/* A transaction's work: runs statements on db, keeps what it needs in cls, and returns 0
 * (commit), 1 (roll back: an outcome that is no error, such as a conflict it found), or -1
 * with *err filled (roll back). It may run more than once: it must start from cls afresh
 * (free what an earlier run kept) and queue no reply. */
typedef int (*ow_tx_fn)(struct ow_db *db, void *cls, struct ow_db_error *err);
/* How many times ow_db_tx runs a transaction that keeps failing on serialization (40001)
 * or a deadlock (40P01). */
#define OW_TX_TRIES 3
/* The transaction runner every write and multi-statement read goes through: BEGIN (as
 * mode says), fn, COMMIT (or ROLLBACK when fn returned 1 or -1). A serialization failure or
 * deadlock, in fn or at COMMIT, rolls back and runs the whole transaction again, up to
 * OW_TX_TRIES times in all. Returns fn's 0 or 1, or -1 with *err (the last failure). */
int ow_db_tx(struct ow_db *db, enum ow_tx_mode mode, ow_tx_fn fn, void *cls,
	     struct ow_db_error *err) OW_WUR;
/* One write statement through ow_db_tx (so a deadlock is retried): the result, which the
 * caller owns, or NULL with *err. */
PGresult *ow_db_write(struct ow_db *db, enum ow_stmt_id id, const char *const *params,
		      struct ow_db_error *err) OW_WUR;
/* fn is called after every write transaction commits (the answer cache's data version moves
 * on): those of ow_db_tx, and those that commit elsewhere and say so with
 * ow_db_write_committed (an import's). */
void ow_db_on_write_commit(void (*fn)(void));
void ow_db_write_committed(void);
/* Transactions ow_db_tx ran again after a serialization failure or deadlock (/metrics). */
unsigned long ow_db_tx_retries(void);

/* Pins the reads of the calling thread's request to the commit known_at names (a change key
 * or an RFC 3339 time, ow_known_at): db's statements, and the snapshot connections the request
 * opens, read the history as known then (the asof views) until the request ends; the next
 * request that is not pinned puts db back to the present first. The result (the caller
 * PQclears it): one row (seq, key, committed_at, settled: "true"/"false") when pinned, none
 * when the key is not committed here (yet); or NULL with *err (a bad value: OW400 naming
 * known_at). */
PGresult *ow_db_pin(struct ow_db *db, const char *known_at, struct ow_db_error *err) OW_WUR;
/* The seq the calling thread's request is pinned to, or NULL (the present). */
const char *ow_db_pinned_seq(void);

/* Ends the request's use of the connection: rolls back a transaction left open (and
 * logs it as our bug); the request's pin ends (the connection stays pinned until a request
 * that is not uses it). */
void ow_db_release(struct ow_db *db);
/* Lets the reads of the calling thread's current request go to a healthy replica
 * (replicas.c), one that has replayed past lsn (the caller's last write, "X/Y"; NULL or ""
 * for none) within ORGWATCH_REPLICA_WAIT_MS, else to the primary; and to a replica anyway
 * when the primary cannot be reached. Cleared by ow_db_release_thread. */
void ow_db_prefer_replica(const char *lsn);
/* Which connection served the current request's reads: -1 the primary, else a replica's
 * index. */
int ow_db_served_by(void);
/* The primary's current WAL position as "X/Y" (at or past every commit so far): 0, or -1
 * when the primary cannot be reached. */
int ow_db_primary_lsn(char *out, size_t n);
/* Ends the calling request's use of its connections (ow_db_release) and gives them back
 * to their pools. */
void ow_db_release_thread(void);

/* The primary pool's state for /metrics. */
void ow_db_stats(unsigned *connected, unsigned *broken, unsigned long *reconnects);
/* Prometheus lines of every pool: size, requests waiting, waits and their time, timeouts,
 * requests served per connection. */
int ow_db_render_pool_metrics(struct ow_buf *b) OW_WUR;

/* A connection of its own for a long streamed request (import, export), so it never
 * shares the worker's connection; NULL with err filled (and *busy set when the limit of
 * ow_db_set_max_dedicated is reached). The caller closes it with ow_db_close_dedicated. */
PGconn *ow_db_connect_dedicated(char *err, size_t errsz, int *busy);
/* The same, inside a read-only snapshot transaction (OW_SQL_BEGIN_SNAPSHOT) that the caller
 * reads in and ends (or leaves to ow_db_close_dedicated); NULL with err filled, as above, also
 * when the transaction could not begin. */
PGconn *ow_db_connect_snapshot(char *err, size_t errsz, int *busy);
/* Closes a connection of ow_db_connect_dedicated (NULL: nothing). */
void ow_db_close_dedicated(PGconn *c);
/* Fills err from a failed result of connection c (res NULL: c's own error). */
void ow_db_error_from(struct ow_db_error *err, const PGresult *res, PGconn *c);
/* How many dedicated connections (imports and exports) may be open at once; beyond it
 * ow_db_connect_dedicated returns NULL with *busy set (ORGWATCH_MAX_STREAMS). */
void ow_db_set_max_dedicated(unsigned n);
/* Dedicated connections open now, and refused over the limit since start (/metrics). */
void ow_db_dedicated_stats(unsigned *open, unsigned long long *refused);
/* This server's own connections (request pools and dedicated ones), by backend process id:
 * the answer cache's follower skips the notifications of writes made through them (each was
 * already counted when its request ended). */
void ow_db_own_add(PGconn *c);
void ow_db_own_remove(PGconn *c);
int ow_db_is_own(int backend_pid);
/* A one-off connection for the command line (migrate, key, import). */
PGconn *ow_db_connect_once(const char *url, char *err, size_t errsz);

#endif

/* download.h — a whole list in one download (?all=true on CSV and NDJSON lists). */
#ifndef OW_DOWNLOAD_H
#define OW_DOWNLOAD_H
#include <libpq-fe.h>

#include "stmts.h"

struct ow_req;
struct ow_list_page;
struct ow_docspec;

/* What every read streamed from one snapshot on a connection of its own (a download, an
 * export) begins its state with. */
struct ow_download_conn {
	PGconn *conn;	     /* in a read-only repeatable-read transaction */
	char request_id[40]; /* for the log lines written while it streams */
};

/* A zeroed state of size bytes that begins with struct ow_download_conn, holding r's request
 * id and a connection of its own (counted in ORGWATCH_MAX_STREAMS) inside a snapshot; NULL
 * when there is none, the problem answered and *rc what the reply returned. */
void *ow_download_open(struct ow_req *r, size_t size, int *rc);

/* Closes the connection (an unfinished read-only transaction simply ends) and frees p, a
 * state of ow_download_open. */
void ow_download_free(void *p);

/* Answers every row of list statement stmt matching params (the filters, the page's cursor
 * parts and its fetch count, which is replaced): counted first in one snapshot (more than
 * ORGWATCH_MAX_DOWNLOAD_ROWS is a 400 naming all), then streamed row by row from a
 * connection of its own (ORGWATCH_MAX_STREAMS), in the list's order, as r->format says.
 * Returns what the reply returned. */
int ow_download_run(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		    const struct ow_list_page *p, const char *const *csv_columns,
		    const struct ow_docspec *doc);

#endif

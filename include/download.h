/* download.h — a whole list in one download (?all=true on CSV and NDJSON lists). */
#ifndef OW_DOWNLOAD_H
#define OW_DOWNLOAD_H
#include "stmts.h"

struct ow_req;
struct ow_list_page;
struct ow_docspec;

/* Answers every row of list statement stmt matching params (the filters, the page's cursor
 * parts and its fetch count, which is replaced): counted first in one snapshot (more than
 * ORGWATCH_MAX_DOWNLOAD_ROWS is a 400 naming all), then streamed row by row from a
 * connection of its own (ORGWATCH_MAX_STREAMS), in the list's order, as r->format says.
 * Returns what the reply returned. */
int ow_download_run(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		    const struct ow_list_page *p, const char *const *csv_columns,
		    const struct ow_docspec *doc);

#endif

/* tree_reply.h — a reporting tree from flat rows, streamed as nested ChartNode JSON. */
#ifndef OW_TREE_REPLY_H
#define OW_TREE_REPLY_H

#include <libpq-fe.h>

#include "http.h"
#include "stmts.h"

/* Replies 200 with head's one text value (the answer's opening, up to its "[") followed by
 * the forest of rows and "]}". rows has the columns person id, manager id, slug, full name,
 * title, team id, team slug, team name, sort key; a row whose manager is no row's person is
 * a root. max_depth: levels below the roots written (-1: all). depth_from >= 0: each node
 * also carries "depth" (depth_from for the roots, one more each level below; a person's
 * reports count from 1), -1: none (the org chart). Takes ownership of head and rows
 * (cleared whatever happens). */
int ow_reply_tree_rows(struct ow_req *r, PGresult *head, PGresult *rows, int max_depth,
		       int depth_from);

/* Runs statements head and rows with params in one snapshot, then ow_reply_tree_rows; a
 * failed statement is answered as its problem (404 for an unknown key, ...). */
int ow_reply_tree_read(struct ow_req *r, enum ow_stmt_id head, enum ow_stmt_id rows,
		       const char *const *params, int max_depth, int depth_from);

#endif

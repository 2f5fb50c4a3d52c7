/* list.h — what every list endpoint shares: limit and cursor arguments, keyset pages
 * rendered as {"items": [...], "next_cursor": ...} or CSV, and the Link header. */
#ifndef OW_LIST_H
#define OW_LIST_H
#include "cursor.h"
#include "filter.h"
#include "jspec.h"
#include "listrows.h"
#include "stmts.h"

struct ow_req;
struct ow_docspec;
struct pg_result; /* libpq's PGresult */

#define OW_LIST_DEFAULT_LIMIT 50
#define OW_LIST_MAX_LIMIT 1000

void ow_list_page_init(struct ow_list_page *p);
/* Reads limit, cursor and the given filters (values[i] = NULL when absent) from the
 * query string. Every bad or unknown argument is named; returns 0, or -1 after
 * queuing the 400 reply. */
int ow_list_parse(struct ow_req *r, const struct ow_filter *filters, size_t n, const char **values,
		  struct ow_list_page *page) OW_WUR;
/* The same for endpoints that are not lists (limit and cursor are unknown); every reference
 * among the filters, and the path's {id} when path_entity is given, is then resolved before
 * the answer's statement runs: a missing one is answered here (400 naming the filter, or 404)
 * and -1 returned. */
int ow_query_parse(struct ow_req *r, const struct ow_filter *filters, size_t n, const char **values,
		   const char *path_entity) OW_WUR;
/* The second half of ow_query_parse: resolves the references among the parsed values (and the
 * path's {id} when path_entity is given); 0, or -1 after the 404/400. */
int ow_query_verify_refs(struct ow_req *r, const struct ow_filter *filters, size_t n,
			 const char **values, const char *path_entity) OW_WUR;
/* Adds the path's {id} to the references a page checks when it comes back empty (so an empty
 * page of a record that does not exist is a 404). */
void ow_list_page_path_ref(struct ow_list_page *p, const char *entity, const char *key);
/* Takes the "limit" and "cursor" arguments (errors named); returns 1 when key was one. */
int ow_list_take_page_arg(struct ow_list_page *p, const char *key, const char *value,
			  struct ow_errors *errs);
/* Decodes the cursor, if any, into its two parts; -1 (error added) when it is not one
 * this server made. */
int ow_list_decode_cursor(struct ow_list_page *p, struct ow_errors *errs);
/* Writes the statement parameters that follow the filters: cursor part 1, part 2
 * (NULL when no cursor) and the number of rows to fetch. */
void ow_list_page_params(const struct ow_list_page *p, const char **out3);
/* Runs `stmt` (rows: document JSON, cursor part 1, cursor part 2) and replies with a
 * page of documents (an empty page only once p's references were resolved: a statement that
 * found no row never evaluated its key lookups) — JSON, or CSV with the given columns when the
 * client accepts text/csv — plus `Link: <...>; rel="next"` when there is a next page. */
int ow_list_run(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		const struct ow_list_page *p, const char *const *csv_columns);
/* ow_list_run with one more response header (extra_name NULL: none). */
int ow_list_run_headers(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
			const struct ow_list_page *p, const char *const *csv_columns,
			const char *extra_name, const char *extra_value);
/* ow_list_run_headers whose rows are flat columns (doc non-NULL): each document is written
 * from its row by doc (docrow.h), the cursor's parts still in columns 1 and 2. */
int ow_list_run_doc(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		    const struct ow_list_page *p, const char *const *csv_columns,
		    const struct ow_docspec *doc, const char *extra_name, const char *extra_value);

#endif

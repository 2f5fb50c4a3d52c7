/* list.h — what every list endpoint shares: limit and cursor arguments, keyset pages
 * rendered as {"items": [...], "next_cursor": ...} or CSV, and the Link header. */
#ifndef OW_LIST_H
#define OW_LIST_H
#include "cursor.h"
#include "filter.h"
#include "jspec.h"
#include "stmts.h"

struct ow_req;
struct ow_docspec;
struct pg_result; /* libpq's PGresult */

#define OW_LIST_DEFAULT_LIMIT 50
#define OW_LIST_MAX_LIMIT 1000

/* A reference the request gave: a path's {id} (field NULL: its absence is a 404) or an
 * OW_F_REF filter (its absence is a 400 naming field). */
struct ow_ref {
	const char *entity; /* "person", "organization", "team", "layoff" */
	const char *key;    /* id or slug as given */
	const char *field;  /* the filter's name; NULL for the path's {id} */
};
#define OW_MAX_REFS 8

struct ow_list_page {
	struct ow_ref refs[OW_MAX_REFS]; /* checked when the page comes back empty */
	size_t nrefs;
	long limit;
	const char *cursor; /* as given, or NULL */
	char parts[2][OW_CURSOR_PART_MAX + 1];
	char fetch_s[16]; /* limit + 1, as text: one extra row tells whether a next page exists */
};

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
/* Resolves each reference in one statement: 0 when all name a record; else -1 after the
 * answer — 404 for the path's {id}, else 400 naming every filter that names no record. */
int ow_refs_verify(struct ow_req *r, const struct ow_ref *refs, size_t n) OW_WUR;
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
struct ow_docspec;
/* ow_list_run_headers whose rows are flat columns (doc non-NULL): each document is written
 * from its row by doc (docrow.h), the cursor's parts still in columns 1 and 2. */
int ow_list_run_doc(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		    const struct ow_list_page *p, const char *const *csv_columns,
		    const struct ow_docspec *doc, const char *extra_name, const char *extra_value);
/* Appends one JSON document as a CSV row of `columns` (strings as is, null empty,
 * arrays and objects as JSON text; with excel, a text cell starting with =, +, -, @, tab or
 * CR gets a leading '). 0 or -1. */
int ow_list_csv_row(struct ow_buf *b, const char *json, const char *const *columns,
		    int excel) OW_WUR;
/* Appends the CSV header row of `columns` (after a UTF-8 byte-order mark with excel). */
int ow_list_csv_header(struct ow_buf *b, const char *const *columns, int excel) OW_WUR;
/* Appends row i's document: column 0, or written from the row's columns by doc. */
int ow_list_append_doc(struct ow_buf *b, struct pg_result *pg, int i,
		       const struct ow_docspec *doc) OW_WUR;
/* Appends row i as format (OW_FMT_*) has it: its document (JSON), a line (NDJSON) or a CSV
 * row of columns. */
int ow_list_append_row(struct ow_buf *b, struct pg_result *pg, int i, const struct ow_docspec *doc,
		       int format, const char *const *columns, int excel) OW_WUR;
/* The Content-Type of a list or table in format. */
const char *ow_list_content_type(int format);

#endif

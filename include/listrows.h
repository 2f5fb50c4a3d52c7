/* listrows.h — what a list page and a whole-list download (download.c) share, below both:
 * the page (limit, cursor, the references it checks when it comes back empty) and its rows
 * written as JSON documents, NDJSON lines or CSV rows. */
#ifndef OW_LISTROWS_H
#define OW_LISTROWS_H
#include <stddef.h>

#include "buf.h"
#include "cursor.h"

struct ow_req;
struct ow_docspec;
struct pg_result; /* libpq's PGresult */

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

/* Resolves each reference in one statement: 0 when all name a record; else -1 after the
 * answer — 404 for the path's {id}, else 400 naming every filter that names no record. */
int ow_refs_verify(struct ow_req *r, const struct ow_ref *refs, size_t n) OW_WUR;

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

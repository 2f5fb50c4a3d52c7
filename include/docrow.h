/* docrow.h — a JSON document written by the server from one row of flat columns, by a fixed
 * field list: what a list statement returns when writing its documents in SQL would cost more
 * than reading them (the departure lists: json_build_object spent ~14 µs a row). */
#ifndef OW_DOCROW_H
#define OW_DOCROW_H

#include <stddef.h>

#include "buf.h"

/* libpq's result (libpq-fe.h declares the same), so that the field lists can be defined where
 * libpq's headers are not on the include path (resources.c in the fuzz builds). */
typedef struct pg_result PGresult;

enum ow_docf_kind {
	OW_DOCF_STR, /* "key": the column as a JSON string; SQL NULL → null */
	OW_DOCF_RAW, /* "key": the column's text as is (a number, or JSON made by SQL); NULL → null
		      */
	OW_DOCF_OBJ, /* "key": {the fields up to the matching OW_DOCF_END}; null when col is NULL */
	OW_DOCF_END, /* closes the innermost OW_DOCF_OBJ */
};

struct ow_docf {
	enum ow_docf_kind kind;
	const char *key; /* NULL for OW_DOCF_END */
	int col;	 /* the column read (OW_DOCF_OBJ: the one whose NULL means "no object") */
};

struct ow_docspec {
	const struct ow_docf *fields;
	size_t n;
};

/* Appends row `row` of pg as the JSON object spec describes. 0, or -1 when out of room, a
 * column is missing, or the spec's objects do not nest. */
int ow_docrow_append(struct ow_buf *b, const PGresult *pg, int row, const struct ow_docspec *spec);

#endif

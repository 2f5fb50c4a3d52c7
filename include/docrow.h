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
	OW_DOCF_END, /* closes the innermost OW_DOCF_OBJ or OW_DOCF_ROWS */
	OW_DOCF_TS,  /* "key": a UTC timestamp column (ISO "YYYY-MM-DD HH:MM:SS[.f]") as
		      * "YYYY-MM-DDTHH:MM:SSZ"; NULL → null */
	OW_DOCF_ARR, /* "key": a one-dimensional array column as a JSON array of strings (its
		      * NULL elements null); a NULL column → [] */
	OW_DOCF_ROWS, /* "key": [one object per element of col's array], each object the
		       * OW_DOCF_ARR fields up to the matching OW_DOCF_END, each taking its own
		       * array's element of the same place; a NULL col → [] */
};

struct ow_docf {
	enum ow_docf_kind kind;
	const char *key; /* a plain name (written unescaped); NULL for OW_DOCF_END */
	int col;	 /* the column read (OW_DOCF_OBJ: the one whose NULL means "no object") */
};

struct ow_docspec {
	const struct ow_docf *fields;
	size_t n;
};

/* Appends row `row` of pg as the JSON object spec describes. 0, or -1 when out of room, a
 * column is missing or not of its kind's form, or the spec's objects do not nest. */
int ow_docrow_append(struct ow_buf *b, const PGresult *pg, int row, const struct ow_docspec *spec);

/* PostgreSQL's text form of a one-dimensional array ("{a,\"b c\",NULL}"), read an element
 * at a time: ow_pgarr_open, then ow_pgarr_next until it returns 0. */
struct ow_pgarr {
	const char *p, *end;
};
struct ow_pgarr_elem {
	const char *s; /* the element's text as written: quoted ones still escaped */
	size_t n;
	int quoted, null;
};
/* 0, or -1 when s is not an array's text. */
int ow_pgarr_open(struct ow_pgarr *a, const char *s, size_t n);
/* 1 and the next element, 0 at the end, -1 when the text is malformed. */
int ow_pgarr_next(struct ow_pgarr *a, struct ow_pgarr_elem *e);
/* Appends an element as a JSON string (null when NULL). */
int ow_pgarr_elem_json(struct ow_buf *b, const struct ow_pgarr_elem *e);

#endif

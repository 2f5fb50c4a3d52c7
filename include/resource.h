/* resource.h — descriptors of the record resources: writable fields, list filters,
 * statements and CSV columns. One generic set of handlers (h_records.c) serves them. */
#ifndef OW_RESOURCE_H
#define OW_RESOURCE_H
#include <stddef.h>

#include "jspec.h"
#include "stmts.h"

enum ow_ftype {
	OW_F_TEXT,      /* free text, at most 200 bytes */
	OW_F_REF,       /* id or slug / natural key, at most 300 bytes */
	OW_F_ENUM,      /* one of values */
	OW_F_BOOL,      /* true | false */
	OW_F_TIMESTAMP, /* RFC 3339 date-time, or a plain YYYY-MM-DD */
	OW_F_PDATE,     /* partial date */
	OW_F_DAY,       /* YYYY-MM-DD */
};

struct ow_filter {
	const char *name;
	enum ow_ftype type;
	const char *const *values; /* OW_F_ENUM */
};

#define OW_MAX_FILTERS 16

struct ow_resource {
	const char *plural; /* path segment: "people" */
	const char *entity; /* "person": audit log entity, import type */
	const struct ow_jfield *fields;
	size_t nfields;
	/* List filters, in the order of the list statements' first parameters; the
	 * statements then take the cursor's two parts and the limit. */
	const struct ow_filter *filters;
	size_t nfilters;
	enum ow_stmt_id q_list;   /* keyset on (created_at, id) */
	enum ow_stmt_id q_search; /* ranked by similarity when filter 0 ("q") is given; 0 = none */
	enum ow_stmt_id q_get;    /* (key) → doc, etag, moved_to */
	enum ow_stmt_id q_write;  /* (actor, key|NULL, doc, if_match) → doc, etag, id */
	const char *const *csv_columns; /* NULL-terminated document keys */
};

extern const struct ow_resource ow_res_organizations, ow_res_teams, ow_res_people,
	ow_res_positions, ow_res_sources;

/* Validates a filter value; returns NULL or an error message. */
const char *ow_filter_check(const struct ow_filter *f, const char *value);

#endif

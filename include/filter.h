/* filter.h — the filters list and query endpoints take, and validation of their values. */
#ifndef OW_FILTER_H
#define OW_FILTER_H

#include <stddef.h>

enum ow_ftype {
	OW_F_TEXT,	/* free text, at most 200 bytes */
	OW_F_REF,	/* id or slug / natural key, at most 300 bytes */
	OW_F_ENUM,	/* one of values */
	OW_F_BOOL,	/* true | false */
	OW_F_TIMESTAMP, /* RFC 3339 date-time, or a plain YYYY-MM-DD */
	OW_F_PDATE,	/* partial date */
	OW_F_DAY,	/* YYYY-MM-DD */
	OW_F_DEPTH,	/* whole number 0..1000 */
	OW_F_ENUM_LIST, /* comma-separated values, each one of values */
};

struct ow_filter {
	const char *name;
	enum ow_ftype type;
	const char *const *values; /* OW_F_ENUM */
};

#define OW_MAX_FILTERS 16

/* Validates a filter value; returns NULL or an error message. */
const char *ow_filter_check(const struct ow_filter *f, const char *value);

#endif

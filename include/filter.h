/* filter.h — the filters list and query endpoints take, and validation of their values. */
#ifndef OW_FILTER_H
#define OW_FILTER_H

#include <stddef.h>

enum ow_ftype {
	OW_F_TEXT,	/* free text, at most 200 bytes */
	OW_F_REF,	/* id or slug / natural key, at most 300 bytes; values: {record type} */
	OW_F_ENUM,	/* one of values */
	OW_F_BOOL,	/* true | false */
	OW_F_TIMESTAMP, /* RFC 3339 date-time, or a plain YYYY-MM-DD */
	OW_F_PDATE,	/* partial date */
	OW_F_DAY,	/* YYYY-MM-DD */
	OW_F_DEPTH,	/* whole number 0..1000 */
	OW_F_ENUM_LIST, /* comma-separated values, each one of values */
	OW_F_COUNTRY,	/* ISO 3166-1 alpha-2 code, either case */
	OW_F_CHANGE_ID, /* a change's id: whole number 0..999999999999999999 */
};

struct ow_filter {
	const char *name;
	enum ow_ftype type;
	/* OW_F_ENUM, OW_F_BOOL, OW_F_ENUM_LIST: the values allowed. OW_F_REF: one of the
	 * ow_ref_* lists below, naming the record type a value must name (else a 400 on this
	 * filter, list.c). */
	const char *const *values;
};

/* The record types an OW_F_REF filter names: {"person", NULL} and so on. */
extern const char *const ow_ref_person[], *const ow_ref_organization[],
						  *const ow_ref_team[], *const ow_ref_layoff[];

/* The filters many lists, statistics and charts share, each defined once here: a record of
 * that type by id or slug (org, team, person), a period of partial dates (from, to), changes
 * since a time (updated_since), free text (q) and a day (as_of). */
/* clang-format off */
#define OW_FILTER_ORG {"org", OW_F_REF, ow_ref_organization}
#define OW_FILTER_TEAM {"team", OW_F_REF, ow_ref_team}
#define OW_FILTER_PERSON {"person", OW_F_REF, ow_ref_person}
#define OW_FILTER_PERIOD {"from", OW_F_PDATE, NULL}, {"to", OW_F_PDATE, NULL}
#define OW_FILTER_UPDATED_SINCE {"updated_since", OW_F_TIMESTAMP, NULL}
#define OW_FILTER_Q {"q", OW_F_TEXT, NULL}
#define OW_FILTER_AS_OF {"as_of", OW_F_DAY, NULL}
/* clang-format on */

#define OW_MAX_FILTERS 32

/* Validates a filter value; returns NULL or an error message. */
const char *ow_filter_check(const struct ow_filter *f, const char *value);

#endif

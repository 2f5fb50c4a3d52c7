/* jspec.h — declarative JSON field specs: validate a request object against a table of
 * expected fields and report every bad field at once. */
#ifndef OW_JSPEC_H
#define OW_JSPEC_H
#include <jansson.h>
#include <stddef.h>

#define OW_MAX_FIELD_ERRORS 64

struct ow_field_error {
	char field[128];
	char message[256];
};

/* Field errors collected while validating a request; the extra ones are counted. */
struct ow_errors {
	size_t n;
	size_t dropped;
	struct ow_field_error items[OW_MAX_FIELD_ERRORS];
};

void ow_errors_init(struct ow_errors *e);
void ow_errors_add(struct ow_errors *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum ow_jtype {
	OW_J_STRING,	  /* 1..max characters (bytes), no leading/trailing-only whitespace */
	OW_J_TEXT,	  /* 0..max bytes */
	OW_J_SLUG,	  /* ^[a-z0-9]+(-[a-z0-9]+)*$, at most 100 */
	OW_J_URL,	  /* http(s)://host..., no spaces, at most 2048 */
	OW_J_PDATE,	  /* "YYYY" | "YYYY-MM" | "YYYY-MM-DD", real calendar dates */
	OW_J_ENUM,	  /* one of `values` */
	OW_J_INT,	  /* integer in [min, maxv] */
	OW_J_NUMBER,	  /* number in [min, maxv] */
	OW_J_UUID,	  /* canonical UUID text */
	OW_J_UUID_LIST,	  /* array of at most `max` UUIDs */
	OW_J_STRING_LIST, /* array of at most `max` strings of 1..300 bytes */
	OW_J_STRING_MAP,  /* object of at most `max` string values (null values in patches) */
	OW_J_REF,	  /* a reference: UUID or slug / natural key string (at most 300) */
	OW_J_REF_LIST,	  /* array of at most `max` references (UUIDs or URLs/keys) */
};

#define OW_JF_REQUIRED 1u /* must be present (and not null) on create */
#define OW_JF_NULLABLE 2u /* may be null (clears it in a patch) */

struct ow_jfield {
	const char *name;
	enum ow_jtype type;
	unsigned flags;
	size_t max;		   /* bytes for strings, items for lists (0 = type default) */
	const char *const *values; /* OW_J_ENUM: NULL-terminated */
	double min, maxv;	   /* OW_J_INT / OW_J_NUMBER */
	/* An alternative field that may stand instead of this one (import style): e.g.
	 * "person" (a slug) for "person_id". Giving both is an error; REQUIRED is met by
	 * either. The alternative has type OW_J_REF (or OW_J_REF_LIST for *_ids). */
	const char *alias;
};

enum ow_jmode { OW_JSPEC_CREATE, OW_JSPEC_PATCH };

/* Checks every member of `obj` against the spec: unknown or read-only members (id,
 * created_at, updated_at), wrong types, bad formats, missing required fields (create
 * only) and nulls where not allowed. Appends one error per bad field to errs and
 * returns how many were added. A non-object is one error with field "". */
size_t ow_jspec_check(const json_t *obj, const struct ow_jfield *spec, size_t n, enum ow_jmode mode,
		      struct ow_errors *errs);

/* 1 when s is a canonical UUID (8-4-4-4-12 hex digits). */
int ow_jspec_is_uuid(const char *s);
/* 1 when s is a slug. */
int ow_jspec_is_slug(const char *s);

#endif

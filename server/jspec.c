/* jspec.c — validates JSON request objects against declarative field specs, naming
 * every bad field at once. */
#include "jspec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pdate.h"

void ow_errors_init(struct ow_errors *e)
{
	e->n = 0;
	e->dropped = 0;
}

void ow_errors_add(struct ow_errors *e, const char *field, const char *fmt, ...)
{
	if (e->n == OW_MAX_FIELD_ERRORS) {
		e->dropped++;
		return;
	}
	struct ow_field_error *fe = &e->items[e->n++];
	snprintf(fe->field, sizeof fe->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fe->message, sizeof fe->message, fmt, ap);
	va_end(ap);
}

int ow_jspec_is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return s[36] == '\0';
}

int ow_jspec_is_slug(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 100 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (c == '-' && s[i + 1] != '-');
		if (!ok)
			return 0;
	}
	return 1;
}

/* 1 when u starts a C1 control (U+0080-U+009F) or a character JavaScript's \\s matches
 * beyond ASCII (U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
 * U+FEFF): the spec's Url pattern refuses the same. */
static int unicode_space(const unsigned char *u, size_t left)
{
	if (left >= 2 && u[0] == 0xc2)
		return u[1] <= 0xa0;
	if (left < 3)
		return 0;
	if (u[0] == 0xe1)
		return u[1] == 0x9a && u[2] == 0x80;
	if (u[0] == 0xe2 && u[1] == 0x80)
		return u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf;
	if (u[0] == 0xe2 && u[1] == 0x81)
		return u[2] == 0x9f;
	if (u[0] == 0xe3)
		return u[1] == 0x80 && u[2] == 0x80;
	return u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf;
}

static int is_url(const char *s, size_t n)
{
	size_t p;
	if (n > 2048)
		return 0;
	if (strncmp(s, "https://", 8) == 0)
		p = 8;
	else if (strncmp(s, "http://", 7) == 0)
		p = 7;
	else
		return 0;
	if (p >= n || s[p] == '/' || s[p] == '.' || s[p] == '?' || s[p] == '#')
		return 0;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		if (u[0] <= 0x20 || u[0] == 0x7f || unicode_space(u, n - i))
			return 0;
	}
	return 1;
}

static int only_space(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* A control character in s (C0 U+0000-U+001F, DEL, C1 U+0080-U+009F), tab and newline (LF or
 * CRLF, as spreadsheets write it; a bare CR would rewrite a terminal's line) aside when
 * multiline: an error message, or NULL. Names and titles end up in CSV files and
 * terminals, where an escape sequence acts instead of showing. */
static const char *control_chars(const char *s, size_t n, int multiline)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int line_end = c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n');
		if (c == 0x7f || (c < 0x20 && !(multiline && (c == '\t' || line_end))) ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9f))
			return multiline ? "must not contain control characters other than tab and "
					   "newline"
					 : "must not contain control characters (tab and newline "
					   "included: it is a single line)";
	}
	return NULL;
}

/* Checks one string value of a typed field; returns an error message or NULL. */
static const char *check_string(const struct ow_jfield *f, const char *s, size_t n, char *buf,
				size_t bufsz)
{
	size_t max = f->max;
	switch (f->type) {
	case OW_J_STRING:
		if (!max)
			max = 300;
		if (n == 0 || only_space(s))
			return "must not be empty";
		if (control_chars(s, n, 0))
			return control_chars(s, n, 0);
		break;
	case OW_J_TEXT:
		if (!max)
			max = 20000;
		if (control_chars(s, n, 1))
			return control_chars(s, n, 1);
		break;
	case OW_J_SLUG:
		return ow_jspec_is_slug(s) ? NULL
					   : "must be a slug: lowercase letters, digits and single "
					     "hyphens, at most 100";
	case OW_J_URL:
		return is_url(s, n)
			       ? NULL
			       : "must be an http(s) URL without spaces, at most 2048 characters";
	case OW_J_PDATE: {
		struct ow_pdate d;
		const char *why = NULL;
		if (ow_pdate_parse(s, n, &d, &why) == 0)
			return NULL;
		snprintf(buf, bufsz,
			 "%s (a date as reported: \"2024\", \"2024-04\" or \"2024-04-18\")",
			 why ? why : "invalid date");
		return buf;
	}
	case OW_J_ENUM:
		for (size_t i = 0; f->values[i]; i++)
			if (strcmp(s, f->values[i]) == 0)
				return NULL;
		{
			size_t used = (size_t)snprintf(buf, bufsz, "must be one of:");
			for (size_t i = 0; f->values[i] && used < bufsz; i++)
				used += (size_t)snprintf(buf + used, bufsz - used, "%s %s",
							 i ? "," : "", f->values[i]);
		}
		return buf;
	case OW_J_UUID: return ow_jspec_is_uuid(s) ? NULL : "must be a UUID";
	case OW_J_REF:
		if (!max)
			max = 300;
		if (n == 0)
			return "must not be empty";
		if (control_chars(s, n, 0))
			return control_chars(s, n, 0);
		break;
	default: return "unexpected type";
	}
	if (n > max) {
		snprintf(buf, bufsz, "must have at most %zu bytes", max);
		return buf;
	}
	return NULL;
}

/* Whether a list or map field's value is of its kind (is_kind) with at most f->max (else
 * dflt) members (n: "items", "entries"); else its error is added. */
static int within(const struct ow_jfield *f, const char *name, int is_kind, const char *kind_error,
		  size_t n, size_t dflt, const char *members, struct ow_errors *errs)
{
	size_t max = f->max ? f->max : dflt;
	if (!is_kind)
		ow_errors_add(errs, name, "%s", kind_error);
	else if (n > max)
		ow_errors_add(errs, name, "must have at most %zu %s", max, members);
	return is_kind && n <= max;
}

static void check_list(const struct ow_jfield *f, const char *name, const json_t *v,
		       struct ow_errors *errs)
{
	if (!within(f, name, json_is_array(v), "must be an array", json_array_size(v), 100, "items",
		    errs))
		return;
	size_t i;
	const json_t *item;
	json_array_foreach(v, i, item)
	{
		const char *s = json_string_value(item);
		const char *bad = NULL;
		if (!s)
			bad = "must be a string";
		else if (f->type == OW_J_UUID_LIST && !ow_jspec_is_uuid(s))
			bad = "must be a UUID";
		else if (json_string_length(item) == 0 || json_string_length(item) > 300 ||
			 (f->type == OW_J_STRING_LIST && only_space(s)))
			bad = "must have 1 to 300 bytes";
		else
			bad = control_chars(s, json_string_length(item), 0);
		if (bad) {
			ow_errors_add(errs, name, "item %zu %s", i, bad);
			return;
		}
	}
}

static void check_map(const struct ow_jfield *f, const char *name, const json_t *v,
		      enum ow_jmode mode, struct ow_errors *errs)
{
	if (!within(f, name, json_is_object(v), "must be an object of strings", json_object_size(v),
		    50, "entries", errs))
		return;
	const char *k;
	const json_t *item;
	json_object_foreach((json_t *)v, k, item)
	{
		if (json_is_null(item) && mode == OW_JSPEC_PATCH)
			continue;
		if (strlen(k) == 0 || strlen(k) > 50 || !json_is_string(item) ||
		    json_string_length(item) > 2048) {
			ow_errors_add(errs, name,
				      "entry '%.50s' must be a string of at most 2048 bytes", k);
			return;
		}
		const char *bad = control_chars(k, strlen(k), 0);
		if (!bad)
			bad = control_chars(json_string_value(item), json_string_length(item), 0);
		if (bad) {
			ow_errors_add(errs, name, "entry '%.50s' %s", k, bad);
			return;
		}
	}
}

static void check_value(const struct ow_jfield *f, const char *name, const json_t *v,
			enum ow_jmode mode, struct ow_errors *errs)
{
	char buf[256];
	if (json_is_null(v)) {
		/* Lists and maps are nullable in a merge patch only, where null removes them
		 * (RFC 7396); a new record gives [] or {} or leaves them out. */
		int collection = f->type == OW_J_UUID_LIST || f->type == OW_J_STRING_LIST ||
				 f->type == OW_J_REF_LIST || f->type == OW_J_STRING_MAP;
		if (!(f->flags & OW_JF_NULLABLE))
			ow_errors_add(errs, name, "must not be null");
		else if (collection && mode == OW_JSPEC_CREATE)
			ow_errors_add(errs, name, "must not be null (leave it out, or give %s)",
				      f->type == OW_J_STRING_MAP ? "{}" : "[]");
		return;
	}
	switch (f->type) {
	case OW_J_INT:
		if (!json_is_integer(v) || (double)json_integer_value(v) < f->min ||
		    (double)json_integer_value(v) > f->maxv)
			ow_errors_add(errs, name, "must be a whole number from %.0f to %.0f",
				      f->min, f->maxv);
		return;
	case OW_J_NUMBER:
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    json_number_value(v) < f->min || json_number_value(v) > f->maxv)
			ow_errors_add(errs, name, "must be a number from %g to %g", f->min,
				      f->maxv);
		return;
	case OW_J_UUID_LIST:
	case OW_J_STRING_LIST:
	case OW_J_REF_LIST: check_list(f, name, v, errs); return;
	case OW_J_STRING_MAP: check_map(f, name, v, mode, errs); return;
	default: break;
	}
	if (!json_is_string(v)) {
		ow_errors_add(errs, name, "must be a string");
		return;
	}
	const char *bad =
		check_string(f, json_string_value(v), json_string_length(v), buf, sizeof buf);
	if (bad)
		ow_errors_add(errs, name, "%s", bad);
}

static const struct ow_jfield *find(const struct ow_jfield *spec, size_t n, const char *key,
				    int *is_alias)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(spec[i].name, key) == 0) {
			*is_alias = 0;
			return &spec[i];
		}
		if (spec[i].alias && strcmp(spec[i].alias, key) == 0) {
			*is_alias = 1;
			return &spec[i];
		}
	}
	return NULL;
}

size_t ow_jspec_check(const json_t *obj, const struct ow_jfield *spec, size_t n, enum ow_jmode mode,
		      struct ow_errors *errs)
{
	size_t before = errs->n + errs->dropped;
	if (!json_is_object(obj)) {
		ow_errors_add(errs, "", "the body must be a JSON object");
		return 1;
	}
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		int is_alias = 0;
		const struct ow_jfield *f = find(spec, n, key, &is_alias);
		if (!f) {
			int ro = !strcmp(key, "id") || !strcmp(key, "created_at") ||
				 !strcmp(key, "updated_at");
			ow_errors_add(errs, key, ro ? "is read-only" : "unknown field");
			continue;
		}
		if (!is_alias) {
			check_value(f, key, v, mode, errs);
			continue;
		}
		/* Both given is a conflict unless both are null (both say "none"; the id form
		 * then carries it). */
		const json_t *primary = json_object_get(obj, f->name);
		if (primary && !(json_is_null(primary) && json_is_null(v))) {
			ow_errors_add(errs, key, "give either %s or %s, not both", f->name, key);
			continue;
		}
		struct ow_jfield alt = {.name = key,
					.type = f->type == OW_J_UUID_LIST ? OW_J_REF_LIST
									  : OW_J_REF,
					.flags = f->flags,
					.max = f->type == OW_J_UUID_LIST ? f->max : 0};
		check_value(&alt, key, v, mode, errs);
	}
	for (size_t i = 0; mode == OW_JSPEC_CREATE && i < n; i++) {
		if (!(spec[i].flags & OW_JF_REQUIRED))
			continue;
		const json_t *have = json_object_get(obj, spec[i].name);
		if (!have && spec[i].alias)
			have = json_object_get(obj, spec[i].alias);
		/* A null where not nullable was already reported as "must not be null". */
		if (!have || (json_is_null(have) && (spec[i].flags & OW_JF_NULLABLE)))
			ow_errors_add(errs, spec[i].name, "is required");
	}
	return errs->n + errs->dropped - before;
}

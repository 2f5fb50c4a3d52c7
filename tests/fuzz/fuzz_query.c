/* fuzz_query.c — libFuzzer target for query-string filter values (server/filter.c).
 *
 * Byte 0 picks the filter type (and, for enums, one of the value sets the routes use); the
 * rest, up to a NUL, is the value as libmicrohttpd hands it over (already percent-decoded,
 * so any byte). The value is an exact-size heap block, so ASan reports any read past it.
 * Invariants: the answer is NULL or a non-empty message; an accepted value has the shape
 * of its type:
 *  - text 1..200 bytes, references 1..300 bytes;
 *  - enum and bool: exactly one of the values; an enum list: non-empty items separated by
 *    single commas, each one of the values, "all" only alone, at most 200 bytes;
 *  - day: YYYY-MM-DD that pdate accepts as a day; partial date: what pdate accepts;
 *  - timestamp: starts with a valid day; after it nothing, or T/t/space, HH:MM with
 *    HH <= 23 and MM <= 59, and ends with Z/z, an offset ±HH:MM or the seconds' end;
 *  - depth: 1 to 4 digits, at most 1000. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "pdate.h"
#include "fuzz_check.h"

static const char *const kinds[] = {"resignation", "layoff",  "retirement",
				    "death",	   "unknown", NULL};
static const char *const status[] = {"reported", "confirmed", "disputed", "retracted", "all", NULL};
static const char *const bools[] = {"true", "false", NULL};
static const char *const *const sets[] = {kinds, status, bools};

static int one_of(const char *const *values, const char *v, size_t n)
{
	for (size_t i = 0; values[i]; i++)
		if (strlen(values[i]) == n && strncmp(values[i], v, n) == 0)
			return 1;
	return 0;
}

/* The first n bytes of s are digits. */
static int digits(const char *s, size_t n)
{
	return strspn(s, "0123456789") >= n;
}

static void check_enum_list(const char *const *values, const char *v)
{
	size_t n = strlen(v);
	CHECK(n >= 1 && n <= 200);
	CHECK(v[0] != ',' && v[n - 1] != ',' && !strstr(v, ",,"));
	int items = 0, has_all = 0;
	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ",");
		CHECK(one_of(values, p, len));
		has_all |= len == 3 && strncmp(p, "all", 3) == 0;
		items++;
		p += len;
		if (*p == ',')
			p++;
	}
	CHECK(!has_all || items == 1);
}

static void check_timestamp(const char *v)
{
	size_t n = strlen(v);
	CHECK(n >= 10);
	char day[11];
	memcpy(day, v, 10);
	day[10] = '\0';
	struct ow_pdate d;
	const char *why;
	CHECK(ow_pdate_parse_day(day, &d, &why) == 0);
	if (n == 10)
		return;
	const char *t = v + 10;
	CHECK(*t == 'T' || *t == 't' || *t == ' ');
	CHECK(digits(t + 1, 2) && t[3] == ':' && digits(t + 4, 2));
	CHECK((t[1] - '0') * 10 + (t[2] - '0') <= 23 && (t[4] - '0') * 10 + (t[5] - '0') <= 59);
	char last = v[n - 1];
	int offset = n >= 6 && (v[n - 6] == '+' || v[n - 6] == '-') && v[n - 3] == ':';
	CHECK(last == 'Z' || last == 'z' || offset || (last >= '0' && last <= '9'));
	CHECK(n <= 10 + 6 + 3 + 10 + 6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum ow_ftype type = (enum ow_ftype)(data[0] % 9);
	const char *const *values = sets[(data[0] / 9) % 3];
	if (type == OW_F_BOOL)
		values = bools;
	size_t n = strnlen((const char *)data + 1, size - 1);
	char *v = malloc(n + 1);
	CHECK(v);
	memcpy(v, data + 1, n);
	v[n] = '\0';
	struct ow_filter f = {"f", type, values};
	const char *why = ow_filter_check(&f, v);
	if (why) {
		CHECK(*why);
		free(v);
		return 0;
	}
	struct ow_pdate d;
	const char *pwhy;
	switch (type) {
	case OW_F_TEXT: CHECK(n >= 1 && n <= 200); break;
	case OW_F_REF: CHECK(n >= 1 && n <= 300); break;
	case OW_F_ENUM:
	case OW_F_BOOL: CHECK(one_of(values, v, n)); break;
	case OW_F_ENUM_LIST: check_enum_list(values, v); break;
	case OW_F_DAY: CHECK(n == 10 && ow_pdate_parse_day(v, &d, &pwhy) == 0); break;
	case OW_F_PDATE: CHECK(ow_pdate_parse(v, n, &d, &pwhy) == 0); break;
	case OW_F_TIMESTAMP: check_timestamp(v); break;
	case OW_F_DEPTH: CHECK(n >= 1 && n <= 4 && digits(v, n) && atoi(v) <= 1000); break;
	}
	free(v);
	return 0;
}

/* fuzz_pdate.c — libFuzzer target for the partial-date parser (server/pdate.c).
 *
 * The input is the date text itself. Invariants:
 *  - ow_pdate_parse agrees with an independent oracle (day-number round trip);
 *  - on success the fields fit the precision, re-formatting gives back the input, and the
 *    bounds are two real days, first <= last, both starting with the input;
 *  - on failure *why is a non-empty message;
 *  - ow_pdate_parse_day on the NUL-terminated text accepts exactly the 10-byte day dates. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdate.h"
#include "fuzz_check.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int digits(const uint8_t *s, size_t n, long *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* Independent oracle: 1 when s is a valid YYYY, YYYY-MM or YYYY-MM-DD. */
static int oracle(const uint8_t *s, size_t n, long *y, long *m, long *d)
{
	*m = *d = 0;
	if (n != 4 && n != 7 && n != 10)
		return 0;
	if (!digits(s, 4, y) || *y < 1)
		return 0;
	if (n >= 7 && (s[4] != '-' || !digits(s + 5, 2, m) || *m < 1 || *m > 12))
		return 0;
	if (n == 10) {
		if (s[7] != '-' || !digits(s + 8, 2, d) || *d < 1)
			return 0;
		long yy, mm, dd;
		civil_from_days(days_from_civil(*y, *m, *d), &yy, &mm, &dd);
		if (yy != *y || mm != *m || dd != *d)
			return 0;
	}
	return 1;
}

static int is_day_text(const char *s)
{
	struct ow_pdate d;
	const char *why = NULL;
	return strlen(s) == 10 && ow_pdate_parse(s, 10, &d, &why) == 0 &&
	       d.precision == OW_PDATE_DAY;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so that any read past len is caught by ASan. */
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	if (size)
		memcpy(s, data, size);

	struct ow_pdate d;
	const char *why = NULL;
	int rc = ow_pdate_parse(size ? s : NULL, size, &d, &why);
	long y, m, dd;
	int want = oracle(data, size, &y, &m, &dd);
	CHECK((rc == 0) == want);
	/* why may be NULL. */
	struct ow_pdate d2;
	CHECK(ow_pdate_parse(size ? s : NULL, size, &d2, NULL) == rc);

	if (rc == 0) {
		CHECK(d.year == y && d.month == m && d.day == dd);
		CHECK(d.precision == (size == 4	  ? OW_PDATE_YEAR
				      : size == 7 ? OW_PDATE_MONTH
						  : OW_PDATE_DAY));
		CHECK(d.year >= 1 && d.year <= 9999);
		if (d.precision == OW_PDATE_YEAR)
			CHECK(d.month == 0 && d.day == 0);
		else
			CHECK(d.month >= 1 && d.month <= 12);
		if (d.precision == OW_PDATE_MONTH)
			CHECK(d.day == 0);
		if (d.precision == OW_PDATE_DAY)
			CHECK(d.day >= 1 && d.day <= ow_pdate_days_in_month(d.year, d.month));

		/* Re-formatting the parsed date gives the input. */
		char again[16];
		if (d.precision == OW_PDATE_YEAR)
			snprintf(again, sizeof again, "%04d", d.year);
		else if (d.precision == OW_PDATE_MONTH)
			snprintf(again, sizeof again, "%04d-%02d", d.year, d.month);
		else
			snprintf(again, sizeof again, "%04d-%02d-%02d", d.year, d.month, d.day);
		CHECK(strlen(again) == size && memcmp(again, s, size) == 0);

		/* Bounds: real days, NUL-terminated, ordered, covering the input's period. */
		char *first = malloc(11), *last = malloc(11);
		CHECK(first && last);
		ow_pdate_bounds(&d, first, last);
		CHECK(strnlen(first, 11) == 10 && strnlen(last, 11) == 10);
		CHECK(is_day_text(first) && is_day_text(last));
		CHECK(strcmp(first, last) <= 0);
		CHECK(memcmp(first, s, size) == 0 && memcmp(last, s, size) == 0);
		if (d.precision == OW_PDATE_DAY)
			CHECK(memcmp(first, s, 10) == 0 && memcmp(last, s, 10) == 0);
		if (d.precision == OW_PDATE_MONTH) {
			CHECK(strcmp(first + 7, "-01") == 0);
			long ld = strtol(last + 8, NULL, 10);
			CHECK(ld == ow_pdate_days_in_month(d.year, d.month));
		}
		if (d.precision == OW_PDATE_YEAR)
			CHECK(strcmp(first + 4, "-01-01") == 0 && strcmp(last + 4, "-12-31") == 0);
		free(first);
		free(last);
	} else {
		CHECK(why != NULL && why[0] != '\0');
	}

	/* ow_pdate_parse_day on the NUL-terminated text. */
	char *z = malloc(size + 1);
	CHECK(z);
	if (size)
		memcpy(z, data, size);
	z[size] = '\0';
	why = NULL;
	int rd = ow_pdate_parse_day(z, &d2, &why);
	long zy, zm, zd;
	int want_day = strlen(z) == 10 && oracle((const uint8_t *)z, 10, &zy, &zm, &zd);
	CHECK((rd == 0) == want_day);
	if (rd == 0)
		CHECK(d2.precision == OW_PDATE_DAY && d2.year == zy && d2.month == zm &&
		      d2.day == zd);
	else
		CHECK(why != NULL && why[0] != '\0');
	CHECK(ow_pdate_parse_day(NULL, &d2, NULL) == -1);

	free(z);
	free(s);
	return 0;
}

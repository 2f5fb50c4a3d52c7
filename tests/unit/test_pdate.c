/* test_pdate.c — unit tests of partial-date parsing, day parsing and range bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pdate.h"

static int parse(const char *s, struct ow_pdate *d, const char **why)
{
	return ow_pdate_parse(s, strlen(s), d, why);
}

/* Asserts that s parses and covers exactly first..last. */
static void check_range(const char *s, enum ow_pdate_precision prec, const char *first,
			const char *last)
{
	struct ow_pdate d;
	const char *why = NULL;
	char f[11], l[11];
	if (parse(s, &d, &why) != 0)
		fail_msg("%s: rejected: %s", s, why);
	assert_int_equal(d.precision, prec);
	ow_pdate_bounds(&d, f, l);
	assert_string_equal(f, first);
	assert_string_equal(l, last);
}

/* Asserts that s is rejected with exactly the message want. */
static void check_bad(const char *s, size_t len, const char *want)
{
	struct ow_pdate d;
	const char *why = NULL;
	if (ow_pdate_parse(s, len, &d, &why) != -1)
		fail_msg("accepted bad date \"%.*s\"", (int)len, s ? s : "");
	assert_non_null(why);
	assert_string_equal(why, want);
}

static void test_precisions(void **state)
{
	(void)state;
	struct ow_pdate d;
	const char *why;
	assert_int_equal(parse("2024", &d, &why), 0);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 0);
	assert_int_equal(d.day, 0);
	assert_int_equal(d.precision, OW_PDATE_YEAR);
	assert_int_equal(parse("2024-04", &d, &why), 0);
	assert_int_equal(d.month, 4);
	assert_int_equal(d.day, 0);
	assert_int_equal(d.precision, OW_PDATE_MONTH);
	assert_int_equal(parse("2024-04-18", &d, &why), 0);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 4);
	assert_int_equal(d.day, 18);
	assert_int_equal(d.precision, OW_PDATE_DAY);
}

static void test_month_lengths(void **state)
{
	(void)state;
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	static const char *const names[12] = {"January",   "February", "March",	   "April",
					      "May",	   "June",     "July",	   "August",
					      "September", "October",  "November", "December"};
	for (int m = 1; m <= 12; m++) {
		char s[32], first[32], last[32], want[64];
		snprintf(s, sizeof(s), "2023-%02d", m);
		snprintf(first, sizeof(first), "2023-%02d-01", m);
		snprintf(last, sizeof(last), "2023-%02d-%02d", m, len[m - 1]);
		check_range(s, OW_PDATE_MONTH, first, last);
		check_range(last, OW_PDATE_DAY, last, last);
		snprintf(s, sizeof(s), "2023-%02d-%02d", m, len[m - 1] + 1);
		if (m == 2)
			snprintf(want, sizeof(want), "February has 28 days in a common year");
		else if (len[m - 1] == 31)
			snprintf(want, sizeof(want), "day must be 01-31");
		else
			snprintf(want, sizeof(want), "%s has %d days", names[m - 1], len[m - 1]);
		check_bad(s, strlen(s), want);
		/* Every day 01..length is accepted. */
		for (int d = 1; d <= len[m - 1]; d++) {
			struct ow_pdate p;
			const char *why;
			snprintf(s, sizeof(s), "2023-%02d-%02d", m, d);
			assert_int_equal(parse(s, &p, &why), 0);
			assert_int_equal(p.day, d);
		}
	}
}

/* Dates that parse, with the precision and the first and last day they cover. */
static const struct accepted {
	const char *s;
	enum ow_pdate_precision prec;
	const char *first, *last;
} accepted[] = {
	/* the years' limits */
	{"0001", OW_PDATE_YEAR, "0001-01-01", "0001-12-31"},
	{"9999", OW_PDATE_YEAR, "9999-01-01", "9999-12-31"},
	{"9999-12-31", OW_PDATE_DAY, "9999-12-31", "9999-12-31"},
	{"0001-01-01", OW_PDATE_DAY, "0001-01-01", "0001-01-01"},
	/* leap years: 29 February, and February's last day */
	{"2024-02-29", OW_PDATE_DAY, "2024-02-29", "2024-02-29"},
	{"2000-02-29", OW_PDATE_DAY, "2000-02-29", "2000-02-29"},
	{"1600-02-29", OW_PDATE_DAY, "1600-02-29", "1600-02-29"},
	{"0004-02-29", OW_PDATE_DAY, "0004-02-29", "0004-02-29"},
	{"2024-02", OW_PDATE_MONTH, "2024-02-01", "2024-02-29"},
	{"2023-02", OW_PDATE_MONTH, "2023-02-01", "2023-02-28"},
	{"1900-02", OW_PDATE_MONTH, "1900-02-01", "1900-02-28"},
	{"2000-02", OW_PDATE_MONTH, "2000-02-01", "2000-02-29"},
	/* the bounds of each precision */
	{"2024", OW_PDATE_YEAR, "2024-01-01", "2024-12-31"},
	{"2024-04", OW_PDATE_MONTH, "2024-04-01", "2024-04-30"},
	{"2024-12", OW_PDATE_MONTH, "2024-12-01", "2024-12-31"},
	{"2024-04-18", OW_PDATE_DAY, "2024-04-18", "2024-04-18"},
};

/* Dates of the right shape that are rejected, with the message. */
static const struct rejected {
	const char *s;
	const char *why;
} rejected[] = {
	/* the years' limits */
	{"0000", "year must be 0001-9999"},
	{"0000-01", "year must be 0001-9999"},
	{"0000-01-01", "year must be 0001-9999"},
	{"10000", "expected YYYY, YYYY-MM or YYYY-MM-DD"},
	{"999", "expected YYYY, YYYY-MM or YYYY-MM-DD"},
	/* 29 February of a common year, 30 February */
	{"2023-02-29", "February has 28 days in a common year"},
	{"1900-02-29", "February has 28 days in a common year"},
	{"2100-02-29", "February has 28 days in a common year"},
	{"2024-02-30", "February has 29 days in a leap year"},
	/* months and days out of range */
	{"2024-00", "month must be 01-12"},
	{"2024-13", "month must be 01-12"},
	{"2024-99", "month must be 01-12"},
	{"2024-13-01", "month must be 01-12"},
	{"2024-00-10", "month must be 01-12"},
	{"2024-04-00", "day must be 01-31"},
	{"2024-01-32", "day must be 01-31"},
	{"2024-04-99", "day must be 01-31"},
	{"2024-04-31", "April has 30 days"},
	{"2024-06-31", "June has 30 days"},
};

static void test_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		check_range(accepted[i].s, accepted[i].prec, accepted[i].first, accepted[i].last);
}

static void test_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		check_bad(rejected[i].s, strlen(rejected[i].s), rejected[i].why);
}

static void test_days_in_month(void **state)
{
	(void)state;
	assert_int_equal(ow_pdate_days_in_month(2024, 2), 29);
	assert_int_equal(ow_pdate_days_in_month(2023, 2), 28);
	assert_int_equal(ow_pdate_days_in_month(2023, 0), 0);
	assert_int_equal(ow_pdate_days_in_month(2023, 13), 0);
}

static void test_shape_rejections(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"April 2024",
		"2024-4",
		"2024-4-1",
		"2024-04-1",
		"+2024",
		"-2024",
		" 2024",
		"2024 ",
		"2024\n",
		"2024-",
		"2024-04-",
		"2024/04/18",
		"2024-04-18T00:00:00Z",
		"24-04-18",
		"2024-04-18 ",
		"20240418",
		"２０２４",
		"2O24",
		"2024-0a",
		"2024-04-1x",
		"2024_04",
		"2024--4",
		"2024-04-018",
		"18-04-2024",
		"2024-W16",
		"2024-Q2",
		"abcd",
		"2024-04-18-",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad(bad[i], strlen(bad[i]), "expected YYYY, YYYY-MM or YYYY-MM-DD");
	/* NUL bytes inside the given length; no text at all */
	static const struct {
		const char *s;
		size_t len;
	} bytes[] = {
		{"2024\0", 5},	     {"20\024", 4}, {"2024-\0004", 7},
		{"2024-04-1\0", 10}, {NULL, 0},	    {NULL, 4},
	};
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++)
		check_bad(bytes[i].s, bytes[i].len, "expected YYYY, YYYY-MM or YYYY-MM-DD");
}

static void test_len_is_respected(void **state)
{
	(void)state;
	struct ow_pdate d;
	const char *why;
	/* Only the first len bytes count: a prefix of a longer buffer parses. */
	assert_int_equal(ow_pdate_parse("2024-04-18", 7, &d, &why), 0);
	assert_int_equal(d.precision, OW_PDATE_MONTH);
	assert_int_equal(ow_pdate_parse("2024-04-18", 4, &d, &why), 0);
	assert_int_equal(d.precision, OW_PDATE_YEAR);
	/* A NULL why is allowed. */
	assert_int_equal(ow_pdate_parse("2024-13", 7, &d, NULL), -1);
}

static void test_parse_day(void **state)
{
	(void)state;
	struct ow_pdate d;
	const char *why = NULL;
	assert_int_equal(ow_pdate_parse_day("2024-02-29", &d, &why), 0);
	assert_int_equal(d.precision, OW_PDATE_DAY);
	assert_int_equal(d.day, 29);
	assert_int_equal(ow_pdate_parse_day("2024", &d, &why), -1);
	assert_string_equal(why, "expected a full date YYYY-MM-DD");
	assert_int_equal(ow_pdate_parse_day("2024-04", &d, &why), -1);
	assert_string_equal(why, "expected a full date YYYY-MM-DD");
	assert_int_equal(ow_pdate_parse_day("2024-04-18x", &d, &why), -1);
	assert_string_equal(why, "expected a full date YYYY-MM-DD");
	assert_int_equal(ow_pdate_parse_day("2024-04-18 ", &d, &why), -1);
	assert_int_equal(ow_pdate_parse_day("", &d, &why), -1);
	assert_int_equal(ow_pdate_parse_day(NULL, &d, &why), -1);
	assert_int_equal(ow_pdate_parse_day("2023-02-29", &d, &why), -1);
	assert_string_equal(why, "February has 28 days in a common year");
	assert_int_equal(ow_pdate_parse_day("2024-4-18x", &d, &why), -1);
	assert_string_equal(why, "expected YYYY, YYYY-MM or YYYY-MM-DD");
}

static void test_messages_are_static(void **state)
{
	(void)state;
	struct ow_pdate d;
	const char *a = NULL, *b = NULL;
	assert_int_equal(parse("2023-02-29", &d, &a), -1);
	assert_int_equal(parse("2024-13", &d, &b), -1);
	/* The first message survives a later call (errors are collected before replying). */
	assert_string_equal(a, "February has 28 days in a common year");
	assert_string_equal(b, "month must be 01-12");
}

static void test_bounds_clamps(void **state)
{
	(void)state;
	/* Out-of-range fields never overflow the 11-byte buffers. */
	struct ow_pdate d = {123456, 77, -4, OW_PDATE_DAY};
	char f[11], l[11];
	ow_pdate_bounds(&d, f, l);
	assert_int_equal(strlen(f), 10);
	assert_int_equal(strlen(l), 10);
	assert_string_equal(f, "9999-12-01");
	d = (struct ow_pdate){-5, 0, 0, OW_PDATE_YEAR};
	ow_pdate_bounds(&d, f, l);
	assert_string_equal(f, "0001-01-01");
	assert_string_equal(l, "0001-12-31");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precisions),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_month_lengths),
		cmocka_unit_test(test_shape_rejections),
		cmocka_unit_test(test_len_is_respected),
		cmocka_unit_test(test_parse_day),
		cmocka_unit_test(test_messages_are_static),
		cmocka_unit_test(test_bounds_clamps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* pdate.c — partial dates: strict parsing of YYYY[-MM[-DD]] and the day range each covers. */
#include "pdate.h"

#include <string.h>

static const char MSG_SHAPE[] = "expected YYYY, YYYY-MM or YYYY-MM-DD";
static const char MSG_FULL[] = "expected a full date YYYY-MM-DD";
static const char MSG_YEAR[] = "year must be 0001-9999";
static const char MSG_MONTH[] = "month must be 01-12";
static const char MSG_DAY[] = "day must be 01-31";

/* Why a day past the end of its month was refused; index month - 1 (February: common year).
 * Days past 31 are refused earlier with MSG_DAY, so the 31-day entries complete the table. */
static const char *const MSG_MONTH_LEN[12] = {
	"January has 31 days",	 "February has 28 days in a common year",
	"March has 31 days",	 "April has 30 days",
	"May has 31 days",	 "June has 30 days",
	"July has 31 days",	 "August has 31 days",
	"September has 30 days", "October has 31 days",
	"November has 30 days",	 "December has 31 days",
};
static const char MSG_FEB_LEAP[] = "February has 29 days in a leap year";

static int is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int ow_pdate_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Reads n ASCII digits at s into *v; returns -1 if any byte is not a digit. */
static int read_digits(const char *s, size_t n, int *v)
{
	int acc = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		acc = acc * 10 + (s[i] - '0');
	}
	*v = acc;
	return 0;
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

int ow_pdate_parse(const char *s, size_t len, struct ow_pdate *out, const char **why)
{
	struct ow_pdate d = {0, 0, 0, OW_PDATE_YEAR};

	if (!s || (len != 4 && len != 7 && len != 10))
		return fail(why, MSG_SHAPE);
	if (read_digits(s, 4, &d.year) != 0)
		return fail(why, MSG_SHAPE);
	if (len >= 7 && (s[4] != '-' || read_digits(s + 5, 2, &d.month) != 0))
		return fail(why, MSG_SHAPE);
	if (len == 10 && (s[7] != '-' || read_digits(s + 8, 2, &d.day) != 0))
		return fail(why, MSG_SHAPE);
	if (d.year < 1)
		return fail(why, MSG_YEAR);
	if (len >= 7) {
		d.precision = OW_PDATE_MONTH;
		if (d.month < 1 || d.month > 12)
			return fail(why, MSG_MONTH);
	}
	if (len == 10) {
		d.precision = OW_PDATE_DAY;
		if (d.day < 1 || d.day > 31)
			return fail(why, MSG_DAY);
		if (d.day > ow_pdate_days_in_month(d.year, d.month))
			return fail(why, d.month == 2 && is_leap(d.year)
						 ? MSG_FEB_LEAP
						 : MSG_MONTH_LEN[d.month - 1]);
	}
	*out = d;
	return 0;
}

int ow_pdate_parse_day(const char *s, struct ow_pdate *out, const char **why)
{
	if (!s)
		return fail(why, MSG_FULL);
	/* Look one byte past a full date so that trailing bytes are caught by the length. */
	size_t len = strnlen(s, 11);
	if (len != 10)
		return fail(why, MSG_FULL);
	return ow_pdate_parse(s, len, out, why);
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Writes "YYYY-MM-DD" and a NUL into out (11 bytes); fields are clamped to their ranges. */
static void format_day(char out[11], int year, int month, int day)
{
	year = clamp(year, 1, 9999);
	month = clamp(month, 1, 12);
	day = clamp(day, 1, ow_pdate_days_in_month(year, month));
	out[0] = (char)('0' + year / 1000);
	out[1] = (char)('0' + year / 100 % 10);
	out[2] = (char)('0' + year / 10 % 10);
	out[3] = (char)('0' + year % 10);
	out[4] = '-';
	out[5] = (char)('0' + month / 10);
	out[6] = (char)('0' + month % 10);
	out[7] = '-';
	out[8] = (char)('0' + day / 10);
	out[9] = (char)('0' + day % 10);
	out[10] = '\0';
}

void ow_pdate_bounds(const struct ow_pdate *d, char first[11], char last[11])
{
	int m0 = 1, m1 = 12;
	if (d->precision >= OW_PDATE_MONTH)
		m0 = m1 = clamp(d->month, 1, 12);
	int d0 = 1, d1 = ow_pdate_days_in_month(clamp(d->year, 1, 9999), m1);
	if (d->precision >= OW_PDATE_DAY)
		d0 = d1 = d->day;
	format_day(first, d->year, m0, d0);
	format_day(last, d->year, m1, d1);
}

/* pdate.h — partial dates ("2024", "2024-04", "2024-04-18"): parsing and the day range covered. */
#ifndef OW_PDATE_H
#define OW_PDATE_H
#include <stddef.h>

#include "buf.h"

enum ow_pdate_precision { OW_PDATE_YEAR = 1, OW_PDATE_MONTH = 2, OW_PDATE_DAY = 3 };

/* A parsed partial date. Fields below the precision are 0 (year precision: month = day = 0;
 * month precision: day = 0). */
struct ow_pdate {
	int year, month, day;
	enum ow_pdate_precision precision;
};

/* Parses exactly "YYYY", "YYYY-MM" or "YYYY-MM-DD" from the len bytes at s (s need not be
 * NUL-terminated; s may be NULL when len is 0). The year has four digits, 0001..9999; the
 * month 01..12; the day must exist in that month of that (proleptic Gregorian) year, so
 * 2024-02-29 and 2000-02-29 are accepted, 2023-02-29 and 1900-02-29 are not. Anything else
 * (surrounding whitespace, "April 2024", "2024-4", "+2024", trailing bytes, an embedded NUL)
 * is rejected. Returns 0 and fills *out on success. On failure returns -1, leaves *out
 * unspecified and, when why is not NULL, sets *why to a short English message fit for an API
 * error such as "month must be 01-12" or "April has 30 days". The message is always a string
 * literal: it may be kept for as long as needed and is never overwritten by later calls. */
int ow_pdate_parse(const char *s, size_t len, struct ow_pdate *out, const char **why) OW_WUR;

/* Writes the first and last calendar day covered by *d as NUL-terminated "YYYY-MM-DD"
 * strings: "2024-04" -> "2024-04-01" and "2024-04-30"; "2024" -> "2024-01-01" and
 * "2024-12-31"; a day-precision date gives the same day twice. *d must come from a
 * successful ow_pdate_parse or ow_pdate_parse_day (out-of-range fields are clamped, never
 * overflowing the 11-byte buffers). */
void ow_pdate_bounds(const struct ow_pdate *d, char first[11], char last[11]);

/* Parses a full calendar date "YYYY-MM-DD" from the NUL-terminated string s (as in an
 * `as_of=` query parameter), with the rules of ow_pdate_parse. "2024" or "2024-04" are
 * rejected ("expected a full date YYYY-MM-DD"). Returns 0 on success, -1 with *why set to a
 * string literal otherwise. */
int ow_pdate_parse_day(const char *s, struct ow_pdate *out, const char **why) OW_WUR;

/* Days in the given month (1..12) of the given year, or 0 when month is out of range. */
int ow_pdate_days_in_month(int year, int month);

#endif

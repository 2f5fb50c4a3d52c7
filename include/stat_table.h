/* stat_table.h — a statistic's JSON answer as a CSV table: one row per item of one of its
 * arrays, each cell found by a dotted path (shared by the statistics and the charts). */
#ifndef OW_STAT_TABLE_H
#define OW_STAT_TABLE_H

#include "buf.h"

#define OW_STAT_MAX_CELLS 16

/* How a statistic is a table: the rows of its array `rows` (and first the answer itself as
 * a row when root_row is set), each cell found by a dotted path in the row, else in the
 * answer ("from" of a team's row of attrition is the answer's). The CSV header names the
 * cells with '_' for '.' ("from_slug"). */
struct ow_stat_table {
	const char *rows;
	int root_row;
	const char *const *cells;
};

/* Appends json (the answer) as CSV: the header, then the rows (excel: as for spreadsheets,
 * see list.h). Returns 0, or -1 when json does not parse or the buffer is full. */
int ow_stat_table_csv(struct ow_buf *b, const struct ow_stat_table *t, const char *json,
		      int excel) OW_WUR;

#endif

/* format.h — which representation a request asks for (a suffix on the path: .json, .csv,
 * .ndjson; ?format=; else Accept), whether it wants every row at once (?all=true) or a CSV
 * for a spreadsheet (?excel=true), and the CSV's file name. */
#ifndef OW_FORMAT_H
#define OW_FORMAT_H
#include <stddef.h>

#include "req.h" /* enum ow_format, OW_FMTS_* */

struct ow_req;
struct ow_route;

/* Strips ".json", ".csv", ".ndjson", ".svg" or ".png" from the end of path's last segment (in
 * place) and returns that format; 0 (path untouched) when it has none. */
int ow_format_strip_suffix(char *path);

/* Settles r->format, r->all_rows and r->excel for the matched route, which answers the
 * formats in `offered` (OW_FMT_* bits): the suffix (suffix_fmt, 0 for none), ?format=,
 * then Accept (text/csv, application/x-ndjson, image/svg+xml) where offered; JSON otherwise.
 * Returns 0, or -1 after answering: 404 for a suffix the route does not offer, 400 naming format,
 * all or excel for a value it does not take (all=true is for CSV and NDJSON lists, excel=true for
 * CSV). */
int ow_format_settle(struct ow_req *r, unsigned offered, int suffix_fmt);

/* The file name of a CSV answer: the path's segments joined by '-' (other characters than
 * letters, digits, '-', '_' and '.' become '_'), the UTC date and ".csv":
 * "departures-2026-12-07.csv", "stats-departures-2026-12-07.csv". */
void ow_format_csv_filename(const char *path, char *out, size_t n);

#endif

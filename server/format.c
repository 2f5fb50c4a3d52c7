/* format.c — the representation a request asks for: a suffix on the path (.json, .csv,
 * .ndjson, .svg), ?format=, or Accept; ?all=true (every row of a list in one download) and
 * ?excel=true (a CSV for spreadsheets); the CSV's file name (Content-Disposition). */
#include "format.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jspec.h"
#include "problem.h"
#include "req.h"

static const struct {
	const char *suffix, *name;
	int fmt;
} FORMATS[] = {
	{".json", "json", OW_FMT_JSON},	      {".csv", "csv", OW_FMT_CSV},
	{".ndjson", "ndjson", OW_FMT_NDJSON}, {".svg", "svg", OW_FMT_SVG},
	{".png", "png", OW_FMT_PNG},
};
#define NFORMATS (sizeof FORMATS / sizeof FORMATS[0])

int ow_format_strip_suffix(char *path)
{
	size_t n = strlen(path);
	const char *seg = strrchr(path, '/');
	for (size_t i = 0; i < NFORMATS; i++) {
		size_t k = strlen(FORMATS[i].suffix);
		/* the segment keeps at least one character of its own */
		if (seg && n > k && (size_t)(path + n - seg) > k + 1 &&
		    strcmp(path + n - k, FORMATS[i].suffix) == 0) {
			path[n - k] = '\0';
			return FORMATS[i].fmt;
		}
	}
	return 0;
}

static const char *fmt_name(int fmt)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (FORMATS[i].fmt == fmt)
			return FORMATS[i].name;
	return "?";
}

/* "json or csv" for the offered bits. */
static void offered_names(unsigned offered, char *out, size_t n)
{
	out[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < NFORMATS; i++)
		if (offered & (unsigned)FORMATS[i].fmt)
			used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s",
						 used ? ", " : "", FORMATS[i].name);
}

/* ?name= as true (1), false or absent (0), or -1 for another value. */
static int flag(struct ow_req *r, const char *name)
{
	const char *v = ow_req_query(r, name);
	if (!v || strcmp(v, "false") == 0)
		return 0;
	return strcmp(v, "true") == 0 ? 1 : -1;
}

static int refuse(struct ow_req *r, const char *field, const char *message)
{
	(void)ow_problem_field(r, OW_P_VALIDATION, "Invalid query parameters.", field, "%s",
			       message);
	return -1;
}

int ow_format_settle(struct ow_req *r, unsigned offered, int suffix_fmt)
{
	char names[64], msg[160];
	if (!offered && !suffix_fmt) { /* no read (a write, an operation): its query is its own */
		r->format = OW_FMT_JSON;
		return 0;
	}
	offered_names(offered ? offered : OW_FMT_JSON, names, sizeof names);
	if (suffix_fmt && !(offered & (unsigned)suffix_fmt)) {
		(void)ow_problem_replyf(r, OW_P_NOT_FOUND, "No %s form of %s: it is offered as %s.",
					fmt_name(suffix_fmt), r->path, names);
		return -1;
	}
	int fmt = suffix_fmt;
	const char *asked = ow_req_query(r, "format");
	if (asked) {
		int q = 0;
		for (size_t i = 0; i < NFORMATS; i++)
			if (strcmp(asked, FORMATS[i].name) == 0)
				q = FORMATS[i].fmt;
		if (!q || !(offered & (unsigned)q)) {
			snprintf(msg, sizeof msg, "must be one of: %s", names);
			return refuse(r, "format", msg);
		}
		if (fmt && fmt != q)
			return refuse(r, "format", "differs from the path's suffix");
		fmt = q;
	}
	if (!fmt) {
		const char *accept = ow_req_header(r, "Accept");
		if (accept && (offered & OW_FMT_CSV) && strstr(accept, "text/csv"))
			fmt = OW_FMT_CSV;
		else if (accept && (offered & OW_FMT_NDJSON) &&
			 strstr(accept, "application/x-ndjson"))
			fmt = OW_FMT_NDJSON;
		else if (accept && (offered & OW_FMT_SVG) && strstr(accept, "image/svg+xml"))
			fmt = OW_FMT_SVG; /* an <img src> of a chart's path without suffix */
		else if (accept && (offered & OW_FMT_PNG) && strstr(accept, "image/png"))
			fmt = OW_FMT_PNG;
		else
			fmt = OW_FMT_JSON;
	}
	r->format = fmt;
	int all = flag(r, "all"), excel = flag(r, "excel");
	if (all < 0 || (all && (!(offered & OW_FMT_NDJSON) || fmt == OW_FMT_JSON)))
		return refuse(r, "all",
			      all < 0 ? "must be true or false"
				      : "true is for CSV and NDJSON lists (JSON keeps its pages)");
	if (excel < 0 || (excel && fmt != OW_FMT_CSV))
		return refuse(r, "excel", excel < 0 ? "must be true or false" : "true is for CSV");
	r->all_rows = all;
	r->excel = excel;
	return 0;
}

void ow_format_csv_filename(const char *path, char *out, size_t n)
{
	if (n == 0)
		return;
	size_t k = 0;
	for (const char *p = path; *p && k + 16 < n; p++) {
		char c = *p;
		if (c == '/') {
			if (k == 0 || p[1] == '\0')
				continue;
			c = '-';
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
			c = '_';
		}
		out[k++] = c;
	}
	time_t now = time(NULL);
	struct tm day;
	gmtime_r(&now, &day);
	snprintf(out + k, n - k, "%s%04d-%02d-%02d.csv", k ? "-" : "", day.tm_year + 1900,
		 day.tm_mon + 1, day.tm_mday);
}

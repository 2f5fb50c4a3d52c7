/* h_embed.c — GET /embed/charts/{name} and /embed/organizations/{id}/chart: a chart as an
 * HTML page for an iframe (the SVG inline, a visually hidden table of the numbers drawn, the
 * list of sources, the page's height told to its parent with postMessage); and GET /oembed,
 * the oEmbed answer for a chart's URL. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "handlers.h"
#include "jspec.h"
#include "list.h"
#include "problem.h"
#include "req.h"

static const char PAGE_HEAD[] =
	"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
static const char PAGE_STYLE[] =
	"</title>\n<style>body{margin:0;font:14px/1.4 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"Arial,sans-serif;color:#1b1b1b;background:#fff}figure{margin:0}"
	"figure svg{display:block;max-width:100%;height:auto}"
	".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
	"clip:rect(0 0 0 0);white-space:nowrap;border:0}.sources{margin:6px 12px;font-size:12px;"
	"color:#575757}.sources a{color:#1d4f91}@media (prefers-color-scheme:dark){body{"
	"background:#16181b;color:#ececec}.sources{color:#b3b3b3}.sources a{color:#9cc3ff}}"
	"</style>\n</head>\n<body>\n<figure>\n";
/* Tells the parent page the height of this one (iframe resizers listen for it). */
static const char PAGE_SCRIPT[] =
	"<script>(function(){function h(){parent.postMessage({type:\"orgwatch:height\","
	"height:document.documentElement.scrollHeight,src:location.href},\"*\")}"
	"addEventListener(\"load\",h);addEventListener(\"resize\",h)})();</script>\n";

/* Appends s escaped for HTML text and attribute values (the SVG escaping is the same). */
static int html(struct ow_buf *b, const char *s)
{
	return ow_svg_escape(b, s ? s : "", 0);
}

static int cell(struct ow_buf *b, const char *tag, const char *s)
{
	int rc = ow_buf_appendf(b, "<%s>", tag);
	rc |= html(b, s);
	rc |= ow_buf_appendf(b, "</%s>", tag);
	return rc;
}

static int cell_int(struct ow_buf *b, json_t *v)
{
	return ow_buf_appendf(b, "<td>%lld</td>", (long long)json_integer_value(v));
}

/* The visually hidden table of a chart's numbers. */
static int table(struct ow_buf *b, const char *kind, json_t *data)
{
	int rc = ow_buf_append_str(b, "<figcaption class=\"sr-only\"><table>\n");
	size_t i;
	json_t *row;
	if (strcmp(kind, "flows") == 0) {
		rc |= ow_buf_append_str(b,
					"<tr><th>From</th><th>To</th><th>Departures</th></tr>\n");
		json_array_foreach(json_object_get(data, "flows"), i, row)
		{
			const char *to = json_string_value(
				json_object_get(json_object_get(row, "to"), "name"));
			rc |= ow_buf_append_str(b, "<tr>");
			rc |= cell(b, "td",
				   json_string_value(
					   json_object_get(json_object_get(row, "from"), "name")));
			rc |= cell(b, "td", to ? to : "Unknown or none");
			rc |= cell_int(b, json_object_get(row, "count"));
			rc |= ow_buf_append_str(b, "</tr>\n");
		}
	} else if (strcmp(kind, "layoffs-by-month") == 0) {
		rc |= ow_buf_append_str(b,
					"<tr><th>Month</th><th>People laid off</th><th>Layoffs</th>"
					"<th>Layoffs without a count</th></tr>\n");
		json_array_foreach(json_object_get(data, "groups"), i, row)
		{
			rc |= ow_buf_append_str(b, "<tr>");
			rc |= cell(b, "td", json_string_value(json_object_get(row, "label")));
			rc |= cell_int(b, json_object_get(row, "laid_off"));
			rc |= cell_int(b, json_object_get(row, "layoffs"));
			rc |= cell_int(b, json_object_get(row, "without_count"));
			rc |= ow_buf_append_str(b, "</tr>\n");
		}
	} else if (strcmp(kind, "org") == 0) {
		rc |= ow_buf_append_str(b, "<tr><th>Who left</th><th>Title</th><th>On</th>"
					   "<th>Went to</th></tr>\n");
		json_array_foreach(json_object_get(data, "ghosts"), i, row)
		{
			rc |= ow_buf_append_str(b, "<tr>");
			rc |= cell(b, "td", json_string_value(json_object_get(row, "full_name")));
			rc |= cell(b, "td", json_string_value(json_object_get(row, "title")));
			rc |= cell(b, "td", json_string_value(json_object_get(row, "departed_on")));
			rc |= cell(b, "td", json_string_value(json_object_get(row, "destination")));
			rc |= ow_buf_append_str(b, "</tr>\n");
		}
	} else {
		rc |= ow_buf_append_str(b, "<tr><th>Month</th><th>Departures</th></tr>\n");
		json_array_foreach(json_object_get(data, "groups"), i, row)
		{
			rc |= ow_buf_append_str(b, "<tr>");
			rc |= cell(b, "td", json_string_value(json_object_get(row, "label")));
			rc |= cell_int(b, json_object_get(row, "count"));
			rc |= ow_buf_append_str(b, "</tr>\n");
		}
	}
	rc |= ow_buf_append_str(b, "</table></figcaption>\n");
	return rc ? -1 : 0;
}

/* The list of sources under the chart, and links to its numbers (CSV, JSON). */
static int sources(struct ow_buf *b, json_t *data, const char *data_path, const char *query)
{
	int rc = ow_buf_append_str(b, "<p class=\"sources\">Sources: ");
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(data, "sources"), i, s)
	{
		rc |= ow_buf_append_str(b, i ? ", " : "");
		rc |= html(b, json_string_value(json_object_get(s, "publisher")));
		rc |= ow_buf_appendf(b, " (%lld)",
				     (long long)json_integer_value(json_object_get(s, "count")));
	}
	long long total = json_integer_value(json_object_get(data, "sources_total"));
	if (total > (long long)json_array_size(json_object_get(data, "sources")))
		rc |= ow_buf_appendf(
			b, " and %lld more",
			total - (long long)json_array_size(json_object_get(data, "sources")));
	if (total == 0)
		rc |= ow_buf_append_str(b, "none on record");
	if (data_path) {
		rc |= ow_buf_append_str(b, ". Data: <a href=\"");
		rc |= html(b, data_path);
		rc |= ow_buf_appendf(b, ".csv%s", query ? "?" : "");
		rc |= html(b, query ? query : "");
		rc |= ow_buf_append_str(
			b, "\" target=\"_blank\" rel=\"noopener\">CSV</a>, <a href=\"");
		rc |= html(b, data_path);
		rc |= ow_buf_appendf(b, ".json%s", query ? "?" : "");
		rc |= html(b, query ? query : "");
		rc |= ow_buf_append_str(b, "\" target=\"_blank\" rel=\"noopener\">JSON</a>");
	}
	rc |= ow_buf_append_str(b, ".</p>\n");
	return rc ? -1 : 0;
}

/* s percent-encoded as a query-string part into b (unreserved characters kept). */
static void url_part(struct ow_buf *b, const char *s, int *rc)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			*rc |= ow_buf_append(b, s, 1);
		else
			*rc |= ow_buf_appendf(b, "%%%02X", c);
	}
}

struct query_ctx {
	struct ow_buf *b;
	int rc;
};

static int add_arg(void *cls, const char *key, const char *value)
{
	struct query_ctx *q = cls;
	if (q->b->len)
		q->rc |= ow_buf_append_str(q->b, "&");
	url_part(q->b, key, &q->rc);
	if (value) {
		q->rc |= ow_buf_append_str(q->b, "=");
		url_part(q->b, value, &q->rc);
	}
	return 0;
}

/* The request's query string, re-encoded (NUL-terminated in b; empty when none). */
static const char *query_of(struct ow_req *r, struct ow_buf *b)
{
	struct query_ctx q = {b, 0};
	ow_req_each_query(r, add_arg, &q);
	if (q.rc || ow_buf_append(b, "", 1) != 0)
		return NULL;
	return b->len > 1 ? b->data : NULL;
}

/* The page around an SVG document (its XML declaration left out). */
static int page(struct ow_req *r, const char *title, const struct ow_buf *svg, const char *kind,
		json_t *data, const char *data_path, const char *query)
{
	struct ow_buf b;
	ow_buf_init(&b, (size_t)300 << 20);
	const char *start = svg->data ? strstr(svg->data, "<svg") : NULL;
	int rc = ow_buf_append_str(&b, PAGE_HEAD) | html(&b, title) |
		 ow_buf_append_str(&b, PAGE_STYLE);
	rc |= start ? ow_buf_append(&b, start, svg->len - (size_t)(start - svg->data)) : -1;
	rc |= table(&b, kind, data);
	rc |= ow_buf_append_str(&b, "</figure>\n");
	rc |= sources(&b, data, data_path, query);
	rc |= ow_buf_append_str(&b, PAGE_SCRIPT);
	rc |= ow_buf_append_str(&b, "</body>\n</html>\n");
	int out = rc == 0 ? ow_reply(r, 200, "text/html; charset=utf-8", b.data, b.len, NULL)
			  : ow_problem_reply(r, OW_P_INTERNAL, "The page could not be written.",
					     NULL, NULL);
	ow_buf_free(&b);
	return out;
}

int ow_h_embed_chart(struct ow_req *r)
{
	const char *name = r->params.values[0];
	const struct ow_chart_kind *k = ow_chart_kind_find(name);
	if (!k)
		return ow_problem_replyf(r, OW_P_NOT_FOUND, "No chart named '%s'.", name);
	struct ow_chart c;
	PGresult *pg;
	if (ow_chart_data(r, k, &c, &pg) != 0)
		return 0;
	struct ow_buf svg;
	ow_buf_init(&svg, (size_t)64 << 20);
	json_t *data = json_loads(PQgetvalue(pg, 0, 0), 0, NULL);
	PQclear(pg);
	int rc;
	char path[128];
	snprintf(path, sizeof path, "/charts/%s", k->name);
	struct ow_buf query;
	ow_buf_init(&query, 8192);
	if (!data || k->svg(&svg, &c, data) != 0)
		rc = ow_problem_reply(r, OW_P_INTERNAL, "The chart could not be drawn.", NULL,
				      NULL);
	else
		rc = page(r,
			  strcmp(k->name, "flows") == 0 ? "Where people went — orgwatch"
			  : strcmp(k->name, "layoffs-by-month") == 0
				  ? "People laid off per month — orgwatch"
				  : "Departures per month — orgwatch",
			  &svg, k->name, data, path, query_of(r, &query));
	json_decref(data);
	ow_buf_free(&svg);
	ow_buf_free(&query);
	return rc;
}

int ow_h_embed_org_chart(struct ow_req *r)
{
	const char *params[40] = {NULL};
	struct ow_chart c;
	if (ow_chart_org_settings(r, params, &c) != 0)
		return 0;
	struct ow_buf svg;
	json_t *extras = NULL;
	ow_buf_init(&svg, (size_t)256 << 20);
	int rc = 0;
	if (ow_chart_org_draw(r, params, &c, &svg, &extras) == 0) {
		char title[400];
		const char *org =
			json_string_value(json_object_get(json_object_get(extras, "org"), "name"));
		snprintf(title, sizeof title, "%.200s org chart — orgwatch",
			 org ? org : "Organization");
		rc = page(r, title, &svg, "org", extras, NULL, NULL);
	}
	json_decref(extras);
	ow_buf_free(&svg);
	return rc;
}

/* ---- GET /oembed ------------------------------------------------------------------- */

static const char *const oembed_formats[] = {"json", NULL}; /* no XML answers */
static const struct ow_filter oembed_filters[] = {
	{"url", OW_F_TEXT, NULL},
	{"maxwidth", OW_F_TEXT, NULL},
	{"maxheight", OW_F_TEXT, NULL},
	{"format", OW_F_ENUM, oembed_formats},
};

/* The embed page of a chart URL's path (query kept): /charts/<kind>[.svg],
 * /organizations/<id>/chart.svg and the /embed/ pages themselves; NULL for anything else. */
static int embed_path(const char *path, size_t n, char *out, size_t outn, const char **title)
{
	char p[512];
	if (n >= sizeof p)
		return -1;
	memcpy(p, path, n);
	p[n] = '\0';
	if (strncmp(p, "/embed/", 7) == 0)
		memmove(p, p + 6, strlen(p + 6) + 1);
	size_t len = strlen(p);
	if (len > 4 && strcmp(p + len - 4, ".svg") == 0)
		p[len -= 4] = '\0';
	if (strncmp(p, "/charts/", 8) == 0) {
		const struct ow_chart_kind *k = ow_chart_kind_find(p + 8);
		if (!k)
			return -1;
		*title = strcmp(k->name, "flows") == 0		    ? "Where people went"
			 : strcmp(k->name, "layoffs-by-month") == 0 ? "People laid off per month"
								    : "Departures per month";
	} else {
		const char *id = p + 15; /* after "/organizations/" */
		const char *slash = strncmp(p, "/organizations/", 15) == 0 ? strchr(id, '/') : NULL;
		if (!slash || slash == id || strcmp(slash, "/chart") != 0)
			return -1;
		*title = "Org chart";
	}
	return snprintf(out, outn, "/embed%s", p) < (int)outn ? 0 : -1;
}

static long dimension(const char *v, long fallback)
{
	if (!v)
		return fallback;
	char *end;
	long n = strtol(v, &end, 10);
	return *v >= '0' && *v <= '9' && !*end && n >= 100 && n <= 4000 ? n : -1;
}

int ow_h_oembed(struct ow_req *r)
{
	const char *v[4];
	if (ow_query_parse(r, oembed_filters, 4, v, NULL) != 0)
		return 0;
	struct ow_errors errs;
	ow_errors_init(&errs);
	long maxw = dimension(v[1], 800), maxh = dimension(v[2], 0);
	if (!v[0])
		ow_errors_add(&errs, "url", "is required: the URL of a chart of this server");
	if (maxw < 0)
		ow_errors_add(&errs, "maxwidth", "must be a whole number from 100 to 4000");
	if (maxh < 0)
		ow_errors_add(&errs, "maxheight", "must be a whole number from 100 to 4000");
	if (errs.n)
		return ow_problem_reply(r, OW_P_VALIDATION, "Invalid query parameters.", &errs,
					NULL);
	/* scheme://host[:port]/path[?query] */
	const char *url = v[0], *host = strstr(url, "://");
	if (!host || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
		return ow_problem_replyf(
			r, OW_P_NOT_FOUND,
			"No chart at '%s': give an http(s) URL of a chart of this server.", url);
	const char *path = strchr(host + 3, '/');
	size_t origin_len = path ? (size_t)(path - url) : strlen(url);
	size_t path_len = path ? strcspn(path, "?#") : 0;
	const char *query = path && path[path_len] == '?' ? path + path_len + 1 : NULL;
	char embed[600];
	const char *title = NULL;
	if (!path || embed_path(path, path_len, embed, sizeof embed, &title) != 0)
		return ow_problem_replyf(r, OW_P_NOT_FOUND, "No chart at '%s'.", url);
	long w = maxw, h = maxh ? maxh : (w * 2 + 1) / 3;
	if (maxh && h > maxh)
		h = maxh;
	struct ow_buf src, iframe;
	ow_buf_init(&src, 8192);
	ow_buf_init(&iframe, 16384);
	int rc = ow_buf_append(&src, url, origin_len) | ow_buf_append_str(&src, embed);
	if (query && *query) {
		size_t qn = strcspn(query, "#");
		rc |= ow_buf_append_str(&src, "?") | ow_buf_append(&src, query, qn);
	}
	rc |= ow_buf_append(&src, "", 1);
	rc |= ow_buf_append_str(&iframe, "<iframe src=\"");
	rc |= html(&iframe, src.data);
	rc |= ow_buf_appendf(&iframe, "\" width=\"%ld\" height=\"%ld\" title=\"", w, h);
	rc |= html(&iframe, title);
	rc |= ow_buf_append_str(&iframe,
				"\" loading=\"lazy\" style=\"border:0;max-width:100%\"></iframe>");
	rc |= ow_buf_append(&iframe, "", 1);
	json_t *o = rc ? NULL
		       : json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "version", "1.0", "type",
				   "rich", "provider_name", "orgwatch", "title", title, "width",
				   (json_int_t)w, "height", (json_int_t)h, "html", iframe.data);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	int out = text ? ow_reply_json(r, 200, text, strlen(text), NULL)
		       : ow_problem_reply(r, OW_P_INTERNAL, "The answer could not be written.",
					  NULL, NULL);
	free(text);
	json_decref(o);
	ow_buf_free(&src);
	ow_buf_free(&iframe);
	return out;
}

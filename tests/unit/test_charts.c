/* test_charts.c — unit tests of the SVG charts (server/chart_bars.c, server/chart_flows.c on
 * server/chart.c and server/svg.c): well-formed, safe to embed, escaped and cut data text,
 * every label inside the frame and apart from the others, the description sentences, the
 * groups apart, the layoffs without a count, the empty charts, the same bytes every time.
 * With OW_CHART_PREVIEW=<dir> the sample charts are also written there as .svg files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

typedef int (*render_fn)(struct ow_buf *, const struct ow_chart *, json_t *);

/* The three charts of /charts, in the order the tests index them: departures by month,
 * layoffs by month, flows. */
static const render_fn chart_fns[] = {ow_chart_departures_svg, ow_chart_layoffs_svg,
				      ow_chart_flows_svg};

/* --- Sample data ------------------------------------------------------------------------- */

static const char SOURCES[] =
	"\"sources\": [{\"publisher\": \"Fortune\", \"count\": 12}, "
	"{\"publisher\": \"ReadWrite\", \"count\": 4}], \"sources_total\": 3, "
	"\"data_date\": \"2025-06-02\"";

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);
	if (!v)
		fail_msg("bad sample JSON: %s at %d", err.text, err.position);
	return v;
}

static json_t *org(const char *name)
{
	return json_pack("{s:s, s:s, s:s}", "id", name, "slug", "an-org", "name", name);
}

/* Departures of 2024 by month (31, April the most), 2 known only to the year; stacked by
 * kind when stacked. */
static json_t *departures(int stacked)
{
	static const int counts[] = {2, 3, 1, 9, 2, 0, 4, 1, 3, 2, 1, 1};
	static const char *const months[] = {"January",	  "February", "March",	  "April",
					     "May",	  "June",     "July",	  "August",
					     "September", "October",  "November", "December"};
	char text[256];
	snprintf(text, sizeof text, "{\"stack\": %s, \"total\": 31, %s}",
		 stacked ? "\"kind\"" : "null", SOURCES);
	json_t *d = parse(text), *groups = json_array();
	json_object_set_new(d, "org", org("Meta"));
	for (int m = 0; m < 13; m++) {
		char key[16], label[32];
		int n = m < 12 ? counts[m] : 2;
		snprintf(key, sizeof key, m < 12 ? "2024-%02d" : "2024-unknown", m + 1);
		snprintf(label, sizeof label, m < 12 ? "%s 2024" : "2024 (month unknown)",
			 m < 12 ? months[m] : "");
		json_t *parts = json_array();
		if (stacked && n) {
			json_array_append_new(parts, json_pack("{s:s, s:i}", "key", "resigned",
							       "count", (n + 1) / 2));
			if (n / 2)
				json_array_append_new(
					parts, json_pack("{s:n, s:i}", "key", "count", n / 2));
		}
		json_array_append_new(groups, json_pack("{s:s, s:s, s:i, s:o}", "key", key, "label",
							label, "count", n, "parts", parts));
	}
	json_object_set_new(d, "groups", groups);
	json_object_set_new(
		d, "series",
		stacked ? parse("[{\"key\": \"resigned\", \"label\": \"Resigned\", "
				"\"count\": 17}, {\"key\": null, \"label\": \"Unknown\", "
				"\"count\": 14}]")
			: json_array());
	return d;
}

/* n months of departures from Jan 2020, each month (m % 7) departures, stacked over nseries
 * series (each part 1 when it can). */
static json_t *many_months(int n, int nseries)
{
	json_t *d = parse("{\"org\": null, \"stack\": \"reason_category\", \"sources\": [], "
			  "\"sources_total\": 0, \"data_date\": \"2025\"}");
	json_t *groups = json_array(), *series = json_array();
	long total = 0;
	for (int s = 0; s < nseries; s++) {
		char key[16], label[32];
		snprintf(key, sizeof key, "r%d", s);
		snprintf(label, sizeof label, "Reason number %d", s);
		json_array_append_new(series, json_pack("{s:s, s:s, s:i}", "key", key, "label",
							label, "count", 100 - s));
	}
	for (int m = 0; m < n; m++) {
		char key[16];
		int c = m % 7;
		snprintf(key, sizeof key, "%04d-%02d", 2020 + m / 12, m % 12 + 1);
		json_t *parts = json_array();
		for (int s = 0; s < c && nseries; s++) {
			char pk[16];
			snprintf(pk, sizeof pk, "r%d", s % nseries);
			json_array_append_new(parts,
					      json_pack("{s:s, s:i}", "key", pk, "count", 1));
		}
		json_array_append_new(groups, json_pack("{s:s, s:s, s:i, s:o}", "key", key, "label",
							key, "count", c, "parts", parts));
		total += c;
	}
	json_array_append_new(groups, parse("{\"key\": \"2021-unknown\", \"label\": \"2021 (month "
					    "unknown)\", \"count\": 5, \"parts\": []}"));
	json_object_set_new(d, "groups", groups);
	json_object_set_new(d, "series", nseries ? series : (json_decref(series), json_array()));
	json_object_set_new(d, "total", json_integer(total + 5));
	return d;
}

/* Layoffs at Meta, Nov 2022 – Mar 2023: 11,050 people in 2 layoffs with a count, 3 without. */
static json_t *layoffs(void)
{
	char text[2048];
	snprintf(
		text, sizeof text,
		"{\"group_by\": \"month\", \"groups\": ["
		"{\"key\": \"2022-11\", \"label\": \"November 2022\", \"layoffs\": 1, "
		"\"laid_off\": "
		"11000, \"without_count\": 0, \"orgs\": 1},"
		"{\"key\": \"2022-12\", \"label\": \"December 2022\", \"layoffs\": 0, "
		"\"laid_off\": "
		"0, \"without_count\": 0, \"orgs\": 0},"
		"{\"key\": \"2023-01\", \"label\": \"January 2023\", \"layoffs\": 2, \"laid_off\": "
		"0, \"without_count\": 2, \"orgs\": 1},"
		"{\"key\": \"2023-02\", \"label\": \"February 2023\", \"layoffs\": 0, "
		"\"laid_off\": "
		"0, \"without_count\": 0, \"orgs\": 0},"
		"{\"key\": \"2023-03\", \"label\": \"March 2023\", \"layoffs\": 2, \"laid_off\": "
		"50, \"without_count\": 1, \"orgs\": 1}],"
		"\"total\": {\"layoffs\": 5, \"laid_off\": 11050, \"without_count\": 3, \"orgs\": "
		"1},"
		"%s}",
		SOURCES);
	json_t *d = parse(text);
	json_object_set_new(d, "org", org("Meta"));
	return d;
}

/* Where 12 people who left Meta went: 7 destinations and one unknown. */
static json_t *flows(void)
{
	static const char *const to[] = {"Memories.ai", "Google", "OpenAI", NULL,
					 "Anthropic",	"Apple",  "Mistral"};
	static const int n[] = {3, 2, 2, 1, 1, 1, 1};
	char text[256];
	snprintf(text, sizeof text, "{\"others\": 0, \"total\": 12, %s}", SOURCES);
	json_t *d = parse(text), *list = json_array();
	json_object_set_new(d, "org", org("Meta"));
	for (int i = 0; i < 8; i++) {
		json_t *dst = i < 7 && to[i] ? org(to[i]) : i == 7 ? org("Stripe") : json_null();
		json_array_append_new(list, json_pack("{s:o, s:o, s:i}", "from", org("Meta"), "to",
						      dst, "count", i < 7 ? n[i] : 1));
	}
	json_object_set_new(d, "flows", list);
	return d;
}

/* Flows between many organizations (no org filter), some of them left out. */
static json_t *many_flows(int count)
{
	json_t *d = parse("{\"org\": null, \"others\": 4, \"sources\": [], \"sources_total\": 0, "
			  "\"data_date\": null}");
	json_t *list = json_array();
	long total = 4;
	for (int i = 0; i < count; i++) {
		char from[64], to[64];
		snprintf(from, sizeof from, "Origin company number %d", i % 9);
		snprintf(to, sizeof to, "Destination %d", (i * 7) % 13);
		int c = count - i;
		json_t *dst = i % 11 == 5 ? json_null() : org(to);
		json_t *src = org(from);
		json_object_set_new(src, "id", json_string(from));
		if (json_is_object(dst))
			json_object_set_new(dst, "id", json_string(to));
		json_array_append_new(
			list, json_pack("{s:o, s:o, s:i}", "from", src, "to", dst, "count", c));
		total += c;
	}
	json_object_set_new(d, "flows", list);
	json_object_set_new(d, "total", json_integer(total));
	return d;
}

/* --- Rendering and checks ---------------------------------------------------------------- */

static char *render(render_fn fn, json_t *data, int width, int height, enum ow_svg_theme theme)
{
	struct ow_chart c;
	memset(&c, 0, sizeof c);
	c.frame.width = width;
	c.frame.height = height ? height : ow_chart_aspect_height("article", width);
	c.height_given = height != 0;
	c.frame.theme = theme;
	struct ow_buf b;
	ow_buf_init(&b, 0);
	assert_int_equal(fn(&b, &c, data), 0);
	char *out = strdup(b.data);
	ow_buf_free(&b);
	return out;
}

/* The length of a character or entity reference at p ("&amp;", "&#39;"), or 0. */
static size_t entity(const char *p)
{
	static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
	for (int i = 0; i < 5; i++)
		if (strncmp(p, named[i], strlen(named[i])) == 0)
			return strlen(named[i]);
	size_t i = 2;
	if (p[1] != '#')
		return 0;
	while (p[i] >= '0' && p[i] <= '9')
		i++;
	return i > 2 && p[i] == ';' ? i + 1 : 0;
}

static int name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == ':' || ch == '_';
}

/* 1 when s is well-formed as these charts write XML: an XML declaration, one root element,
 * tags balanced and nested, attribute values quoted, no raw '<', '>' or bare '&' in text or
 * attribute values. (No DTD, comments, CDATA or processing instructions are written.) */
static int wellformed(const char *s)
{
	const char *stack[64], *p = s;
	size_t lens[64];
	int depth = 0, roots = 0;
	if (strncmp(p, "<?xml ", 6) != 0 || !(p = strstr(p, "?>")))
		return 0;
	for (p += 2; *p;) {
		if (*p == '&') {
			size_t k = entity(p);
			if (!k)
				return 0;
			p += k;
			continue;
		}
		if (*p == '>' || (*p != '<' && depth == 0 && *p != '\n' && *p != ' '))
			return 0;
		if (*p != '<') {
			p++;
			continue;
		}
		int closing = *++p == '/';
		p += closing;
		const char *name = p;
		while (name_char(*p))
			p++;
		size_t len = (size_t)(p - name);
		if (!len)
			return 0;
		if (closing) {
			if (*p != '>' || depth == 0 || lens[depth - 1] != len ||
			    strncmp(stack[depth - 1], name, len) != 0)
				return 0;
			depth--;
			p++;
			continue;
		}
		for (;;) {
			while (*p == ' ' || *p == '\n')
				p++;
			if (p[0] == '/' && p[1] == '>') {
				p += 2;
				roots += depth == 0;
				break;
			}
			if (*p == '>') {
				if (depth == 64)
					return 0;
				roots += depth == 0;
				stack[depth] = name;
				lens[depth++] = len;
				p++;
				break;
			}
			const char *attr = p;
			while (name_char(*p))
				p++;
			if (p == attr || p[0] != '=' || p[1] != '"')
				return 0;
			for (p += 2; *p != '"'; p++) {
				if (!*p || *p == '<' || (*p == '&' && !entity(p)))
					return 0;
			}
			p++;
		}
	}
	return depth == 0 && roots == 1;
}

/* Nothing that runs or fetches: no script, no event attribute, no link to a resource. */
static void assert_safe(const char *svg)
{
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "href="));
	assert_null(strstr(svg, "url("));
	assert_null(strstr(svg, "@import"));
	assert_null(strstr(svg, "<foreignObject"));
	for (const char *p = svg; (p = strstr(p, " on")); p++) {
		const char *q = p + 3;
		while (*q >= 'a' && *q <= 'z')
			q++;
		/* " on..." inside text is fine; an attribute " onload=" is not. */
		assert_false(q > p + 3 && *q == '=');
	}
}

/* Every font size in the document is at least 12 px. */
static void assert_fonts(const char *svg)
{
	int seen = 0;
	for (const char *p = svg; (p = strstr(p, "font-size")); p++) {
		const char *q = p + 9;
		while (*q == ':' || *q == '=' || *q == '"' || *q == ' ')
			q++;
		assert_true(atof(q) >= 12);
		seen++;
	}
	assert_true(seen > 0);
}

static double attr(const char *tag, const char *end, const char *name, double dflt)
{
	char key[32];
	snprintf(key, sizeof key, " %s=\"", name);
	const char *p = strstr(tag, key);
	return p && p < end ? atof(p + strlen(key)) : dflt;
}

struct box {
	double x0, x1, y0, y1;
	char text[256];
};

/* The boxes of the document's <text> elements (their widths as svg.c estimates them). */
static size_t text_boxes(const char *svg, int width, struct box *out, size_t max)
{
	struct ow_svg_frame f = {.width = width};
	double font = ow_svg_font(&f);
	size_t n = 0;
	for (const char *p = svg; (p = strstr(p, "<text ")) && n < max; p++) {
		const char *gt = strchr(p, '>'), *end = strstr(p, "</text>");
		assert_non_null(gt);
		assert_non_null(end);
		size_t o = 0;
		for (const char *q = gt + 1; q < end && o + 1 < sizeof out->text;) {
			size_t k = *q == '&' ? entity(q) : 0;
			out[n].text[o++] = k ? (q[1] == 'l' ? '<' : q[1] == 'g' ? '>' : '&') : *q;
			q += k ? k : 1;
		}
		out[n].text[o] = '\0';
		int title = strstr(p, "class=\"title\"") && strstr(p, "class=\"title\"") < gt;
		double size = title ? font + 5 : font;
		double w = ow_svg_text_width(out[n].text, title ? size * 1.1 : size, 0); /* bold */
		double x = attr(p, gt, "x", 0), y = attr(p, gt, "y", 0);
		const char *anchor = strstr(p, "text-anchor=\"");
		double shift = !anchor || anchor > gt			? 0
			       : strncmp(anchor + 13, "middle", 6) == 0 ? w / 2
									: w;
		out[n].x0 = x - shift;
		out[n].x1 = x - shift + w;
		out[n].y0 = y - size * 0.8;
		out[n].y1 = y + size * 0.2;
		n++;
	}
	return n;
}

static void preview(const char *name, const char *svg);

/* Every text and shape inside the frame; no two texts overlapping. */
static void assert_layout(const char *svg, int width, int height)
{
	static struct box boxes[4096];
	size_t n = text_boxes(svg, width, boxes, 4096);
	for (size_t i = 0; i < n; i++) {
		if (boxes[i].x0 < -0.5 || boxes[i].x1 > width + 0.5 || boxes[i].y0 < -0.5 ||
		    boxes[i].y1 > height + 0.5) {
			preview("failed", svg);
			fail_msg("text outside the %dx%d frame: \"%s\" [%.1f, %.1f]x[%.1f, %.1f]",
				 width, height, boxes[i].text, boxes[i].x0, boxes[i].x1,
				 boxes[i].y0, boxes[i].y1);
		}
		for (size_t j = 0; j < i; j++) {
			double dx = (boxes[i].x1 < boxes[j].x1 ? boxes[i].x1 : boxes[j].x1) -
				    (boxes[i].x0 > boxes[j].x0 ? boxes[i].x0 : boxes[j].x0);
			double dy = (boxes[i].y1 < boxes[j].y1 ? boxes[i].y1 : boxes[j].y1) -
				    (boxes[i].y0 > boxes[j].y0 ? boxes[i].y0 : boxes[j].y0);
			if (dx > 0.5 && dy > 0.5) {
				preview("failed", svg);
				fail_msg("texts overlap at %dx%d: \"%s\" and \"%s\"", width, height,
					 boxes[i].text, boxes[j].text);
			}
		}
	}
	for (const char *p = svg; (p = strstr(p, "<rect ")); p++) {
		const char *gt = strchr(p, '>');
		double x = attr(p, gt, "x", 0), y = attr(p, gt, "y", 0);
		double w = attr(p, gt, "width", 0), h = attr(p, gt, "height", 0);
		assert_true(x >= -0.5 && y >= -0.5 && w >= 0 && h >= 0);
		assert_true(x + w <= width + 0.5 && y + h <= height + 0.5);
	}
}

/* Every check that holds for any chart: height is the least height asked (a chart whose
 * height was not asked may grow; its own height is read from the document). */
static void assert_chart(const char *svg, int width, int height)
{
	const char *tag = strstr(svg, "<svg ");
	assert_non_null(tag);
	int w = (int)attr(tag, strchr(tag, '>'), "width", 0);
	int h = (int)attr(tag, strchr(tag, '>'), "height", 0);
	assert_int_equal(w, width);
	assert_true(h >= height);
	height = h;

	if (!wellformed(svg))
		fail_msg("not well-formed:\n%s", svg);
	assert_true(ow_utf8_valid(svg, strlen(svg)));
	assert_safe(svg);
	assert_fonts(svg);
	assert_layout(svg, width, height);
}

/* The <desc> of svg, unescaped as far as these tests need. */
static void desc_of(const char *svg, char *out, size_t n)
{
	const char *p = strstr(svg, "<desc id=\"d\">"), *end = strstr(svg, "</desc>");
	assert_non_null(p);
	assert_non_null(end);
	p += 13;
	size_t o = 0;
	while (p < end && o + 1 < n) {
		size_t k = *p == '&' ? entity(p) : 0;
		out[o++] = k ? (p[1] == 'l' ? '<' : p[1] == 'g' ? '>' : '&') : *p;
		p += k ? k : 1;
	}
	out[o] = '\0';
}

static void preview(const char *name, const char *svg)
{
	const char *dir = getenv("OW_CHART_PREVIEW");
	if (!dir)
		return;
	char path[512];
	snprintf(path, sizeof path, "%s/%s.svg", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(svg, f);
	fclose(f);
}

/* --- Tests ------------------------------------------------------------------------------- */

/* fn draws d (which it takes) at 800 px, light, with the description want; the SVG is
 * returned for more checks (the caller frees it). */
static char *expect_desc(render_fn fn, json_t *d, const char *want)
{
	char desc[1024];
	char *svg = render(fn, d, 800, 0, OW_SVG_LIGHT);
	json_decref(d);
	desc_of(svg, desc, sizeof desc);
	assert_string_equal(desc, want);
	return svg;
}

static void test_descriptions(void **state)
{
	(void)state;
	char *svg = expect_desc(ow_chart_departures_svg, departures(0),
				"Departures from Meta, Jan–Dec 2024: 31; most in April 2024 (9).");
	assert_non_null(strstr(svg, ">Departures from Meta</text>"));
	free(svg);
	free(expect_desc(ow_chart_layoffs_svg, layoffs(),
			 "People laid off at Meta, Nov 2022 – Mar 2023: 11,050 in 2 "
			 "layoffs; most in November 2022 (11,000); 3 layoffs without a "
			 "reported count."));
	free(expect_desc(ow_chart_flows_svg, flows(),
			 "Where people who left Meta went: 12 departures to 7 "
			 "destinations; most to Memories.ai (3)."));
}

static void test_overrides(void **state)
{
	(void)state;
	json_t *d = departures(0);
	struct ow_chart c;
	memset(&c, 0, sizeof c);
	c.frame.width = 640;
	c.frame.height = 427;
	c.title = "Who left <Meta>";
	c.subtitle = "A subtitle";
	c.note = "A note & more";
	struct ow_buf b;
	ow_buf_init(&b, 0);
	assert_int_equal(ow_chart_departures_svg(&b, &c, d), 0);
	assert_non_null(strstr(b.data, "<title id=\"t\">Who left &lt;Meta&gt;</title>"));
	assert_non_null(strstr(b.data, ">A subtitle</text>"));
	assert_non_null(strstr(b.data, ">A note &amp; more</text>"));
	assert_null(strstr(b.data, ">Departures from Meta</text>"));
	assert_chart(b.data, 640, 427);
	ow_buf_free(&b);
	json_decref(d);
}

/* The same data gives the same bytes. */
static void test_deterministic(void **state)
{
	(void)state;
	json_t *data[] = {departures(1), layoffs(), flows()};
	for (int i = 0; i < 3; i++) {
		char *a = render(chart_fns[i], data[i], 640, 0, OW_SVG_AUTO);
		char *z = render(chart_fns[i], data[i], 640, 0, OW_SVG_AUTO);
		assert_string_equal(a, z);
		free(a);
		free(z);
		json_decref(data[i]);
	}
}

/* The year's group apart: after every month, marked "apart", never inside January. */
static void test_unknown_month_apart(void **state)
{
	(void)state;
	json_t *d = departures(0);
	char *svg = render(ow_chart_departures_svg, d, 800, 0, OW_SVG_LIGHT);
	const char *apart = strstr(svg, "<g class=\"bar apart\" data-key=\"2024-unknown\">");
	const char *dec = strstr(svg, "<g class=\"bar\" data-key=\"2024-12\">");
	const char *jan = strstr(svg, "<g class=\"bar\" data-key=\"2024-01\">");
	assert_non_null(apart);
	assert_non_null(dec);
	assert_non_null(jan);
	assert_true(dec < apart);
	const char *ra = strstr(apart, "<rect "), *rd = strstr(dec, "<rect ");
	assert_true(attr(ra, strchr(ra, '>'), "x", 0) > attr(rd, strchr(rd, '>'), "x", 0) + 10);
	assert_non_null(strstr(svg, "<line class=\"grid apart\""));
	assert_non_null(strstr(svg, ">month unknown</text>"));
	assert_ptr_equal(strstr(svg, "class=\"bar apart\""), apart + 3); /* only one */
	assert_chart(svg, 800, 533);
	preview("departures-800", svg);
	free(svg);
	json_decref(d);
}

/* The height of the first rect of the bar of key. */
static double bar_height(const char *svg, const char *key)
{
	char tag[64];
	snprintf(tag, sizeof tag, "data-key=\"%s\">", key);
	const char *g = strstr(svg, tag);
	assert_non_null(g);
	const char *end = strstr(g, "</g>"), *r = strstr(g, "<rect ");
	return r && r < end ? attr(r, strchr(r, '>'), "height", 0) : 0;
}

/* Layoffs without a count are marked, never added to the bars. */
static void test_layoffs_without_count(void **state)
{
	(void)state;
	json_t *d = layoffs();
	char *svg = render(ow_chart_layoffs_svg, d, 800, 0, OW_SVG_LIGHT);
	assert_chart(svg, 800, 533);
	double nov = bar_height(svg, "2022-11"), mar = bar_height(svg, "2023-03");
	assert_true(nov > 0);
	assert_true(bar_height(svg, "2023-01") == 0); /* 2 layoffs, no count: no bar */
	assert_true(mar > 0 && mar < nov * 50.5 / 11000 + 1.5);
	const char *mark = strstr(svg, "<g class=\"nocount\" data-key=\"2023-01\">");
	assert_non_null(mark);
	assert_non_null(strstr(mark, ">2</text>"));
	assert_non_null(strstr(svg, "<g class=\"nocount\" data-key=\"2023-03\">"));
	assert_null(strstr(svg, "<g class=\"nocount\" data-key=\"2022-11\">"));
	assert_non_null(strstr(svg, "layoffs without a reported count"));
	preview("layoffs-800", svg);
	free(svg);

	/* Twice the layoffs without a count: the same bars. */
	json_t *g = json_array_get(json_object_get(d, "groups"), 4);
	json_object_set_new(g, "without_count", json_integer(40));
	svg = render(ow_chart_layoffs_svg, d, 800, 0, OW_SVG_LIGHT);
	assert_true(bar_height(svg, "2023-03") == mar);
	assert_chart(svg, 800, 533);
	free(svg);
	json_decref(d);
}

static void test_flows(void **state)
{
	(void)state;
	json_t *d = flows();
	char *svg = render(ow_chart_flows_svg, d, 800, 0, OW_SVG_LIGHT);
	assert_chart(svg, 800, 533);
	assert_non_null(strstr(svg, ">Unknown or none (1)</text>"));
	assert_non_null(strstr(svg, ">Memories.ai (3)</text>"));
	assert_non_null(strstr(svg, ">Meta (12)</text>"));
	assert_non_null(strstr(svg, "class=\"ghost destination\""));
	size_t bands = 0;
	for (const char *p = svg; (p = strstr(p, "band\" fill-opacity=\"0.6\"")); p++)
		bands++;
	assert_int_equal(bands, 8);
	preview("flows-800", svg);
	free(svg);
	json_decref(d);

	d = many_flows(50);
	for (int w = 320; w <= 1600; w += 160) {
		svg = render(ow_chart_flows_svg, d, w, 0, OW_SVG_DARK);
		assert_chart(svg, w, ow_chart_aspect_height("article", w));
		assert_non_null(strstr(svg, "and 4 departures in smaller flows"));
		if (w == 800)
			preview("flows-many-800-dark", svg);
		free(svg);
	}
	json_decref(d);
}

static void test_empty(void **state)
{
	(void)state;
	const char *data[] = {
		"{\"org\": null, \"stack\": null, \"groups\": [], \"series\": [], \"total\": 0, "
		"\"sources\": [], \"sources_total\": 0, \"data_date\": null}",
		"{\"group_by\": \"month\", \"org\": null, \"groups\": [], \"total\": {\"layoffs\": "
		"0, "
		"\"laid_off\": 0, \"without_count\": 0, \"orgs\": 0}, \"sources\": [], "
		"\"sources_total\": 0, \"data_date\": null}",
		"{\"org\": null, \"flows\": [], \"others\": 0, \"total\": 0, \"sources\": [], "
		"\"sources_total\": 0, \"data_date\": null}"};
	const char *text[] = {">No departures match these filters.</text>",
			      ">No layoffs match these filters.</text>",
			      ">No departures match these filters.</text>"};
	const char *const previews[] = {"empty-departures-320", "empty-layoffs-320",
					"empty-flows-320"};
	for (int i = 0; i < 3; i++)
		for (int w = 320; w <= 1600; w += 640) {
			json_t *d = parse(data[i]);
			char *svg = render(chart_fns[i], d, w, 0, OW_SVG_LIGHT);
			assert_chart(svg, w, ow_chart_aspect_height("article", w));
			assert_non_null(strstr(svg, text[i]));
			if (i < 2)
				assert_non_null(strstr(svg, "class=\"axis\""));
			if (w == 320)
				preview(previews[i], svg);
			free(svg);
			json_decref(d);
		}
}

/* A hostile organization name: markup, quotes, right-to-left text, emoji, bytes that are not
 * UTF-8, 2,000 characters. */
static char *hostile_name(int spaces)
{
	const char *head = "<script>alert('x')</script> & \"Q\" עברית 🚀 ";
	size_t n = strlen(head);
	char *s = malloc(n + 2001);
	memcpy(s, head, n);
	for (size_t i = 0; i < 2000 - 40; i++)
		s[n + i] = spaces && i % 7 == 6 ? ' ' : (char)('a' + i % 26);
	s[n + 1960] = '\0';
	return s;
}

static void test_hostile_names(void **state)
{
	(void)state;
	for (int spaces = 0; spaces < 2; spaces++) {
		char *name = hostile_name(spaces);
		json_t *d[] = {departures(1), layoffs(), flows()};
		const char *const previews[] = {"hostile-departures-320", "hostile-layoffs-320",
						"hostile-flows-320"};
		json_object_set_new(d[0], "org", org(name));
		json_object_set_new(d[1], "org", org(name));
		json_object_set_new(d[2], "org", org(name));
		json_t *fl = json_array_get(json_object_get(d[2], "flows"), 0);
		json_object_set_new(fl, "from", org(name));
		json_object_set_new(fl, "to", org(name));
		/* Not UTF-8: jansson keeps it when told not to check. */
		json_object_set_new(
			json_object_get(json_array_get(json_object_get(d[2], "flows"), 1), "to"),
			"name", json_stringn_nocheck("bad \xff\xfe bytes", 12));
		for (int i = 0; i < 3; i++)
			for (int w = 320; w <= 1600; w += 1280) {
				int h = ow_chart_aspect_height("article", w);
				char *svg = render(chart_fns[i], d[i], w, 0, OW_SVG_DARK);
				assert_chart(svg, w, h);
				assert_non_null(strstr(svg, "&lt;script&gt;alert(&#39;x&#39;)"));
				assert_null(strstr(svg, "<script"));
				assert_null(strstr(svg, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
							"qrstuvwxyz"));
				assert_true(strlen(svg) < 60000);
				if (w == 320 && spaces)
					preview(previews[i], svg);
				free(svg);
			}
		for (int i = 0; i < 3; i++)
			json_decref(d[i]);
		free(name);
	}
}

/* Five years of months at every width: labels thinned so none touch, inside the frame. */
static void test_many_months_every_width(void **state)
{
	(void)state;
	json_t *d = many_months(60, 9), *plain = many_months(60, 0), *few = many_months(3, 2);
	for (int w = 320; w <= 1600; w += 40) {
		int heights[] = {0, ow_chart_aspect_height("square", w),
				 ow_chart_aspect_height("social", w)};
		for (int k = 0; k < 3; k++) {
			if (k && heights[k] < 200)
				continue;
			char *svg = render(ow_chart_departures_svg, d, w, heights[k], OW_SVG_LIGHT);
			assert_chart(svg, w, heights[k]);
			if (k == 0 && !strstr(svg, ">Other (")) /* 9 series: the last three */
				fail_msg("no Other at %dx%d", w, heights[k]);
			assert_non_null(
				strstr(svg, "class=\"bar apart\" data-key=\"2021-unknown\""));
			if (w == 320 && k == 0)
				preview("many-months-320", svg);
			if (w == 1600 && k == 0)
				preview("many-months-1600", svg);
			free(svg);
			svg = render(ow_chart_departures_svg, plain, w, heights[k], OW_SVG_AUTO);
			assert_chart(svg, w, heights[k]);
			free(svg);
			svg = render(ow_chart_departures_svg, few, w, heights[k], OW_SVG_LIGHT);
			assert_chart(svg, w, heights[k]);
			if (w == 320 && k == 0)
				preview("few-months-320", svg);
			free(svg);
		}
	}
	json_decref(d);
	json_decref(plain);
	json_decref(few);
}

/* Every chart at every width and the smallest heights. */
static void test_every_width(void **state)
{
	(void)state;
	json_t *data[] = {departures(1), layoffs(), flows()};
	const char *const previews[] = {"departures-stacked-320-dark", "layoffs-320-dark",
					"flows-320-dark"};
	for (int i = 0; i < 3; i++)
		for (int w = 320; w <= 1600; w += 20) {
			int h = ow_chart_aspect_height("article", w);
			char *svg = render(chart_fns[i], data[i], w, 0, OW_SVG_LIGHT);
			assert_chart(svg, w, h);
			free(svg);
			svg = render(chart_fns[i], data[i], w, h > 260 ? 260 : h, OW_SVG_DARK);
			assert_chart(svg, w, h > 260 ? 260 : h);
			if (w == 320)
				preview(previews[i], svg);
			free(svg);
		}
	char *svg = render(ow_chart_departures_svg, data[0], 800, 0, OW_SVG_DARK);
	preview("departures-stacked-800-dark", svg);
	free(svg);
	for (int i = 0; i < 3; i++)
		json_decref(data[i]);
}

/* A full buffer is an error, never a cut document. */
static void test_full_buffer(void **state)
{
	(void)state;
	json_t *data[] = {departures(1), layoffs(), flows()};
	struct ow_chart c;
	memset(&c, 0, sizeof c);
	c.frame.width = 800;
	c.frame.height = 533;
	for (int i = 0; i < 3; i++) {
		char *whole = render(chart_fns[i], data[i], 800, 0, OW_SVG_LIGHT);
		size_t len = strlen(whole);
		free(whole);
		for (size_t max = 16; max < len;
		     max = max * 2 < len ? max * 2 : max + (len - max + 1) / 2) {
			struct ow_buf b;
			ow_buf_init(&b, max);
			if (chart_fns[i](&b, &c, data[i]) != -1)
				fail_msg("chart %d fits in %zu bytes", i, max);
			ow_buf_free(&b);
		}
		json_decref(data[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptions),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_unknown_month_apart),
		cmocka_unit_test(test_layoffs_without_count),
		cmocka_unit_test(test_flows),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_many_months_every_width),
		cmocka_unit_test(test_every_width),
		cmocka_unit_test(test_full_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

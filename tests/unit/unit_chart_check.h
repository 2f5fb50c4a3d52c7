/* unit_chart_check.h — drawing an SVG chart in the unit tests (test_charts.c,
 * test_charts_kinds.c) and the checks every chart must pass: well-formed, safe to embed,
 * fonts of 12 px or more, every text and shape inside the frame, no two texts overlapping.
 * With OW_CHART_PREVIEW=<dir> preview() also writes a chart there as an .svg file. */
#ifndef OW_UNIT_CHART_CHECK_H
#define OW_UNIT_CHART_CHECK_H

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

static inline char *render(render_fn fn, json_t *data, int width, int height,
			   enum ow_svg_theme theme)
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
static inline size_t entity(const char *p)
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

static inline int name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == ':' || ch == '_';
}

/* 1 when s is well-formed as these charts write XML: an XML declaration, one root element,
 * tags balanced and nested, attribute values quoted, no raw '<', '>' or bare '&' in text or
 * attribute values. (No DTD, comments, CDATA or processing instructions are written.) */
static inline int wellformed(const char *s)
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
static inline void assert_safe(const char *svg)
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
static inline void assert_fonts(const char *svg)
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

static inline double attr(const char *tag, const char *end, const char *name, double dflt)
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
static inline size_t text_boxes(const char *svg, int width, struct box *out, size_t max)
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

static inline void preview(const char *name, const char *svg)
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

/* Every text and shape inside the frame; no two texts overlapping. */
static inline void assert_layout(const char *svg, int width, int height)
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
static inline void assert_chart(const char *svg, int width, int height)
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

#endif

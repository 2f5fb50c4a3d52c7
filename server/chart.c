/* chart.c — what every SVG chart shares (see chart.h): its settings, head and foot, and the
 * small helpers of the renderers (counts, thousands separators, cut and fitted texts, period
 * labels). Pure. */
#include "chart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"

const char *const ow_chart_aspects[] = {"article", "square", "social", NULL};
const char *const ow_chart_themes[] = {"light", "dark", "auto", NULL};

/* v as a whole number in lo..hi, else -1. */
static long whole(const char *v, long lo, long hi)
{
	if (!v || !*v || strlen(v) > 6)
		return -1;
	for (const char *p = v; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	long n = strtol(v, NULL, 10);
	return n >= lo && n <= hi ? n : -1;
}

int ow_chart_aspect_height(const char *aspect, int w)
{
	if (strcmp(aspect, "square") == 0)
		return w;
	if (strcmp(aspect, "social") == 0)
		return (int)(w / 1.91 + 0.5);
	return (w * 2 + 1) / 3; /* article, 3:2 */
}

/* A text override: at most max characters (a longer one is a 400, not silently cut). */
static const char *text_arg(const char *v, const char *name, size_t max, struct ow_errors *errs)
{
	if (!v)
		return NULL;
	if (ow_svg_chars(v, 0) > max) {
		ow_errors_add(errs, name, "must have at most %zu characters", max);
		return NULL;
	}
	return v;
}

int ow_chart_settings(const char *const *values, struct ow_chart *c, struct ow_errors *errs)
{
	size_t before = errs->n;
	memset(c, 0, sizeof *c);
	c->frame.width = 800;
	if (values[0]) {
		long w = whole(values[0], 320, 1600);
		if (w < 0)
			ow_errors_add(errs, "width", "must be a whole number from 320 to 1600");
		else
			c->frame.width = (int)w;
	}
	c->frame.height = ow_chart_aspect_height("article", c->frame.width);
	if (values[1] && values[2]) {
		ow_errors_add(errs, "aspect", "give height or aspect, not both");
	} else if (values[1]) {
		long h = whole(values[1], 200, 4000);
		if (h < 0)
			ow_errors_add(errs, "height", "must be a whole number from 200 to 4000");
		else
			c->frame.height = (int)h;
		c->height_given = 1;
	} else if (values[2]) {
		c->frame.height = ow_chart_aspect_height(values[2], c->frame.width);
		c->height_given = 1;
	}
	c->frame.theme = !values[3]			  ? OW_SVG_LIGHT
			 : strcmp(values[3], "dark") == 0 ? OW_SVG_DARK
			 : strcmp(values[3], "auto") == 0 ? OW_SVG_AUTO
							  : OW_SVG_LIGHT;
	c->title = text_arg(values[4], "title", 120, errs);
	c->subtitle = text_arg(values[5], "subtitle", 200, errs);
	c->note = text_arg(values[6], "note", 300, errs);
	return errs->n == before ? 0 : -1;
}

double ow_chart_margin(const struct ow_chart *c)
{
	return c->frame.width >= 480 ? 20 : 12;
}

double ow_chart_head(struct ow_buf *b, const struct ow_chart *c, const char *title,
		     const char *subtitle)
{
	double m = ow_chart_margin(c), font = ow_svg_font(&c->frame), y = m + font + 5;
	double width = c->frame.width - 2 * m;
	const char *t = c->title ? c->title : title;
	/* The title is bold: measured 10% wider than its size's regular text. */
	int n = ow_svg_wrapped(b, m, y, width, (font + 5) * 1.1, (font + 5) * 1.25, "title", t, 2);
	if (n < 0)
		return -1;
	y += (font + 5) * 1.25 * (n - 1) + font * 1.5;
	const char *s = c->subtitle ? c->subtitle : subtitle;
	if (s && *s) {
		n = ow_svg_wrapped(b, m, y, width, font, font * 1.35, "muted", s, 3);
		if (n < 0)
			return -1;
		y += font * 1.35 * n;
	}
	return y + font * 0.5;
}

/* "Fortune, ReadWrite and 3 more" from the data's sources, into out. */
static void publications(json_t *data, char *out, size_t n)
{
	json_t *list = json_object_get(data, "sources");
	size_t i, used = 0, shown = 0;
	json_t *s;
	out[0] = '\0';
	json_array_foreach(list, i, s)
	{
		const char *p = json_string_value(json_object_get(s, "publisher"));
		if (!p || shown == 4)
			continue;
		int k = snprintf(out + used, n - used, "%s%s", shown ? ", " : "", p);
		if (k < 0 || (size_t)k >= n - used)
			break;
		used += (size_t)k;
		shown++;
	}
	long total = (long)json_integer_value(json_object_get(data, "sources_total"));
	if (total > (long)shown && used < n)
		snprintf(out + used, n - used, "%s%ld more", shown ? " and " : "",
			 total - (long)shown);
}

/* The source line of data. */
static void source_line(json_t *data, char *out, size_t n)
{
	char pubs[600];
	publications(data, pubs, sizeof pubs);
	const char *date = json_string_value(json_object_get(data, "data_date"));
	snprintf(out, n, "Source: %s%s%s · orgwatch", pubs[0] ? pubs : "no publication on record",
		 date ? " · Data as of " : "", date ? date : "");
}

/* The note and the source line are set in the body font (the style's text size). */
double ow_chart_foot_height(const struct ow_chart *c, json_t *data)
{
	double m = ow_chart_margin(c), font = ow_svg_font(&c->frame);
	char line[800];
	source_line(data, line, sizeof line);
	int lines = ow_svg_wrapped_lines(line, c->frame.width - 2 * m, font, 3);
	if (c->note)
		lines += ow_svg_wrapped_lines(c->note, c->frame.width - 2 * m, font, 3);
	return m + lines * font * 1.35 + font * 0.5;
}

int ow_chart_foot(struct ow_buf *b, const struct ow_chart *c, json_t *data, const char *note)
{
	double m = ow_chart_margin(c), width = c->frame.width - 2 * m,
	       font = ow_svg_font(&c->frame);
	double lh = font * 1.35;
	char line[800];
	source_line(data, line, sizeof line);
	const char *nt = c->note ? c->note : note;
	int note_lines = nt && *nt ? ow_svg_wrapped_lines(nt, width, font, 3) : 0;
	int src_lines = ow_svg_wrapped_lines(line, width, font, 3);
	double y = c->frame.height - m - (note_lines + src_lines - 1) * lh;
	if (note_lines && ow_svg_wrapped(b, m, y, width, font, lh, "muted", nt, 3) < 0)
		return -1;
	y += note_lines * lh;
	return ow_svg_wrapped(b, m, y, width, font, lh, "muted", line, 3) < 0 ? -1 : 0;
}

static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

const char *ow_chart_month_abbr(int month)
{
	return month >= 1 && month <= 12 ? MONTHS[month - 1] : "?";
}

void ow_chart_period_short(const char *key, char *out, size_t n)
{
	size_t len = strlen(key);
	if (len == 7 && key[4] == '-' && key[5] != 'Q') {
		int m = atoi(key + 5);
		snprintf(out, n, "%s %.4s", ow_chart_month_abbr(m), key);
	} else if (len == 7 && key[5] == 'Q') {
		snprintf(out, n, "%s %.4s", key + 5, key);
	} else {
		snprintf(out, n, "%.4s", key);
	}
}

void ow_chart_span(const char *first, const char *last, char *out, size_t n)
{
	char a[32], z[32];
	ow_chart_period_short(first, a, sizeof a);
	ow_chart_period_short(last, z, sizeof z);
	if (strcmp(a, z) == 0)
		snprintf(out, n, "%s", a);
	else if (strlen(a) > 5 && strlen(z) > 5 &&
		 strcmp(a + strlen(a) - 4, z + strlen(z) - 4) == 0)
		snprintf(out, n, "%.*s–%s", (int)(strlen(a) - 5), a, z); /* Jan–Dec 2024 */
	else
		snprintf(out, n, "%s – %s", a, z);
}

/* --- Helpers of the renderers ------------------------------------------------------------ */

long long ow_chart_count(json_t *v)
{
	double d = json_number_value(v);
	return d > 0 ? (long long)(d < 1e15 ? d + 0.5 : 1e15) : 0;
}

void ow_chart_digits(long long n, char *out, size_t size)
{
	char raw[32];
	size_t len = (size_t)snprintf(raw, sizeof raw, "%lld", n > 0 ? n : 0), o = 0;
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (i && (len - i) % 3 == 0 && o + 2 < size)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
}

void ow_chart_cut(const char *s, size_t max, char *out, size_t size)
{
	size_t chars = 0, i = 0, o = 0;
	if (ow_svg_chars(s, 0) <= max) {
		snprintf(out, size, "%s", s);
		return;
	}
	for (; s[i] && o + 4 < size; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == max)
			break;
		out[o++] = s[i];
	}
	memcpy(out + o, "\xE2\x80\xA6", 4);
}

size_t ow_chart_fit_chars(const char *s, double font, double width)
{
	if (ow_svg_text_width(s, font, 0) <= width)
		return 0;
	for (size_t k = ow_svg_chars(s, 0); k > 1; k--)
		if (ow_svg_text_width(s, font, k) <= width)
			return k;
	return 1;
}

double ow_chart_head_y(const struct ow_chart *c, const char *title, const char *subtitle)
{
	struct ow_buf tmp;
	ow_buf_init(&tmp, 0);
	double y = ow_chart_head(&tmp, c, title, subtitle);
	ow_buf_free(&tmp);
	return y;
}

const char *ow_chart_org_name(json_t *data, char *out, size_t n)
{
	const char *name = json_string_value(json_object_get(json_object_get(data, "org"), "name"));
	if (!name)
		return NULL;
	ow_chart_cut(name, OW_CHART_NAME_MAX, out, n);
	return out;
}

void ow_chart_title_with(const struct ow_chart *c, const char *before, const char *name,
			 const char *after, char *out, size_t n)
{
	char fitted[256], rest[128];
	double size = (ow_svg_font(&c->frame) + 5) * 1.1; /* bold, as ow_chart_head measures it */
	snprintf(rest, sizeof rest, "%s%s", before, after);
	size_t k = ow_chart_fit_chars(name, size,
				      c->frame.width - 2 * ow_chart_margin(c) -
					      ow_svg_text_width(rest, size, 0) - 2);
	ow_chart_cut(name, k && k < 12 ? 12 : k ? k : OW_CHART_NAME_MAX, fitted, sizeof fitted);
	snprintf(out, n, "%s%s%s", before, fitted, after);
}

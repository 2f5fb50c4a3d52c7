/* test_charts_kinds.c — unit tests of what each SVG chart of /charts draws of its own
 * (server/chart_bars.c, server/chart_flows.c): the description sentences, the departures'
 * year group apart from the months, the layoffs without a count marked and never added to
 * the bars, the flows and their ghost destination, five years of months at every width.
 * The checks every chart passes are in unit_chart_check.h; the sample data in
 * unit_chart_data.h. */
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
#include "unit_chart_check.h"
#include "unit_chart_data.h"

/* --- More sample data -------------------------------------------------------------------- */

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptions),
		cmocka_unit_test(test_unknown_month_apart),
		cmocka_unit_test(test_layoffs_without_count),
		cmocka_unit_test(test_flows),
		cmocka_unit_test(test_many_months_every_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

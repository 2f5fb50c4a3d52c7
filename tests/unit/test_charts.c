/* test_charts.c — unit tests of what every SVG chart of /charts holds (server/chart_bars.c,
 * server/chart_flows.c on server/chart.c and server/svg.c): the title, subtitle and note
 * overrides, the same bytes every time, the empty charts, hostile organization names escaped
 * and cut, every width and the smallest heights, a full buffer an error. The checks every
 * chart passes are in unit_chart_check.h; the sample data in unit_chart_data.h. */
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

/* The three charts of /charts, in the order the tests index them: departures by month,
 * layoffs by month, flows. */
static const render_fn chart_fns[] = {ow_chart_departures_svg, ow_chart_layoffs_svg,
				      ow_chart_flows_svg};

/* --- Tests ------------------------------------------------------------------------------- */

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
	/* One test a line, as in the other unit test files. */
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_every_width),
		cmocka_unit_test(test_full_buffer),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}

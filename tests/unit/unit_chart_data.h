/* unit_chart_data.h — the sample data of the SVG chart tests (test_charts.c,
 * test_charts_kinds.c): departures of 2024 by month (stacked or not), layoffs at Meta and
 * where people who left Meta went, each as the JSON the chart renderers take. */
#ifndef OW_UNIT_CHART_DATA_H
#define OW_UNIT_CHART_DATA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>

static const char SOURCES[] =
	"\"sources\": [{\"publisher\": \"Fortune\", \"count\": 12}, "
	"{\"publisher\": \"ReadWrite\", \"count\": 4}], \"sources_total\": 3, "
	"\"data_date\": \"2025-06-02\"";

static inline json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);
	if (!v)
		fail_msg("bad sample JSON: %s at %d", err.text, err.position);
	return v;
}

static inline json_t *org(const char *name)
{
	return json_pack("{s:s, s:s, s:s}", "id", name, "slug", "an-org", "name", name);
}

/* Departures of 2024 by month (31, April the most), 2 known only to the year; stacked by
 * kind when stacked. */
static inline json_t *departures(int stacked)
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

/* Layoffs at Meta, Nov 2022 – Mar 2023: 11,050 people in 2 layoffs with a count, 3 without. */
static inline json_t *layoffs(void)
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
static inline json_t *flows(void)
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

#endif

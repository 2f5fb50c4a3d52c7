/* test_filter.c — unit tests of query filter validation: the country filter's ISO codes,
 * enums, partial dates and text bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "filter.h"

static const struct ow_filter country = {"country", OW_F_COUNTRY, NULL};

static void test_country_codes(void **state)
{
	(void)state;
	/* Assigned codes, either case; the first and last of the list. */
	assert_null(ow_filter_check(&country, "US"));
	assert_null(ow_filter_check(&country, "gb"));
	assert_null(ow_filter_check(&country, "Ng"));
	assert_null(ow_filter_check(&country, "AD"));
	assert_null(ow_filter_check(&country, "ZW"));
	/* Unassigned or user-assigned codes, names, other lengths and characters. */
	const char *bad[] = {"ZZ", "XK", "UK",	"EU",	     "USA", "U", "", "United States",
			     "1A", "U$", "us ", "\xc3\x9cS", NULL};
	for (size_t i = 0; bad[i]; i++) {
		const char *why = ow_filter_check(&country, bad[i]);
		if (!why)
			fail_msg("'%s' accepted as a country code", bad[i]);
		assert_non_null(strstr(why, "ISO 3166-1"));
	}
}

static void test_enum_and_text(void **state)
{
	(void)state;
	static const char *const stages[] = {"seed", "series_b", "post_ipo", NULL};
	const struct ow_filter stage = {"stage", OW_F_ENUM, stages};
	assert_null(ow_filter_check(&stage, "series_b"));
	assert_non_null(ow_filter_check(&stage, "Series B"));
	assert_non_null(ow_filter_check(&stage, ""));
	const struct ow_filter industry = {"industry", OW_F_TEXT, NULL};
	assert_null(ow_filter_check(&industry, "Retail"));
	char long_text[400];
	memset(long_text, 'a', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	assert_non_null(ow_filter_check(&industry, long_text));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_country_codes),
		cmocka_unit_test(test_enum_and_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_numfmt.c — unit tests of numfmt.c: "%.Nf" computed with integers gives snprintf's
 * bytes (ties, halves that are not ties, negative zero, tiny and large values, a million
 * random ones), and ow_buf_fmt gives ow_buf_appendf's text for the charts' conversions and
 * falls back to it for others; a full buffer is left unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "unit_buf.h"

static void same_as_printf(double v, int decimals)
{
	char mine[40], theirs[400];
	int n = ow_fmt_fixed(mine, v, decimals);
	snprintf(theirs, sizeof theirs, "%.*f", decimals, v);
	if (n < 0 || strcmp(mine, theirs) != 0)
		fail_msg("%.17g with %d decimals: \"%s\", printf \"%s\"", v, decimals,
			 n < 0 ? "(declined)" : mine, theirs);
	assert_int_equal(n, (int)strlen(theirs));
}

static void test_fixed_edges(void **state)
{
	(void)state;
	static const double v[] = {0,	    -0.0,     0.05,	  0.15,	  0.25,
				   0.35,    0.45,     0.5,	  1.5,	  2.5,
				   -2.5,    0.04999,  -0.04,	  -0.05,  0.0005,
				   0.0015,  123.45,   99.95,	  999.95, 1e-300,
				   -1e-300, 4.9e-324, 1e15,	  -1e15,  9007199254740991.0,
				   0.95,    7.25,     1234567.875};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		for (int d = 0; d <= 3; d++)
			same_as_printf(v[i], d);
}

static void test_fixed_random(void **state)
{
	(void)state;
	srand(7406120);
	for (int i = 0; i < 1000000; i++) {
		double v;
		switch (i % 4) {
		case 0: /* chart coordinates */ v = (rand() / (double)RAND_MAX) * 4000 - 200; break;
		case 1: /* exact halves and quarters: ties */
			v = (rand() % 200000 - 100000) / 40.0;
			break;
		case 2: /* any magnitude */
			v = ldexp((rand() / (double)RAND_MAX) - 0.5, rand() % 100 - 50);
			break;
		default: /* near a rounding boundary */
			v = (rand() % 100000) / 20.0 + ((rand() % 3) - 1) * 1e-12;
		}
		same_as_printf(v, i % 4 == 3 ? 1 : (i / 4) % 4);
	}
}

static void test_fixed_declines(void **state)
{
	(void)state;
	char out[40];
	assert_int_equal(ow_fmt_fixed(out, NAN, 1), -1);
	assert_int_equal(ow_fmt_fixed(out, INFINITY, 1), -1);
	assert_int_equal(ow_fmt_fixed(out, 1e300, 1), -1);
	assert_int_equal(ow_fmt_fixed(out, 1.0, 4), -1);
	assert_int_equal(ow_fmt_fixed(out, 1.0, -1), -1);
}

/* ow_buf_fmt(fmt, ...) and ow_buf_appendf(fmt, ...) give the same text. */
#define SAME(fmt, ...)                                                                             \
	do {                                                                                       \
		struct ow_buf a, b;                                                                \
		ow_buf_init(&a, 0);                                                                \
		ow_buf_init(&b, 0);                                                                \
		assert_int_equal(ow_buf_append_str(&a, "x"), 0);                                   \
		assert_int_equal(ow_buf_append_str(&b, "x"), 0);                                   \
		assert_int_equal(ow_buf_fmt(&a, fmt, __VA_ARGS__), 0);                             \
		assert_int_equal(ow_buf_appendf(&b, fmt, __VA_ARGS__), 0);                         \
		assert_string_equal(a.data, b.data);                                               \
		assert_int_equal(a.len, b.len);                                                    \
		ow_buf_free(&a);                                                                   \
		ow_buf_free(&b);                                                                   \
	} while (0)

static void test_fmt_subset_and_fallback(void **state)
{
	(void)state;
	SAME("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\"/>\n", 12.25, -0.04, 1e6 / 3);
	SAME("%s|%.4s|%.*s|%d|%ld|%lld|%zu|%%|%.0fpx", "abc", "2024-05-01", 3, "abcdef", -42,
	     -9223372036854775807L, 123456789012345LL, (size_t)18446744073709551615UL, 12.5);
	SAME("%.3f %.2f %.0f", 1.0005, 2.675, 0.5);
	SAME("no conversion at all%s", "");
	/* not the subset: printf's way, the whole text */
	SAME("%5.1f|%-4d|%x|%g|%s", 3.14159, 7, 255u, 0.1, "end");
	SAME("%.1f and %e", 1e300, 2.5);
	SAME("%.1f", NAN);
	SAME("%.6f", 1.0 / 3);
}

/* With a cap of 16 bytes. */
static void test_fmt_full_buffer_unchanged(void **state)
{
	struct ow_buf *b = *state;
	assert_int_equal(ow_buf_append_str(b, "0123456789"), 0);
	assert_int_equal(ow_buf_fmt(b, "%s %.1f", "abcdef", 1.25), -1);
	assert_string_equal(b->data, "0123456789");
	assert_int_equal(ow_buf_fmt(b, "%x-%x", 1u, 2u), 0); /* fallback fits */
	assert_string_equal(b->data, "01234567891-2");
	assert_int_equal(ow_buf_fmt(b, "%x%x", 0xabcu, 0xdefu), -1);
	assert_string_equal(b->data, "01234567891-2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_edges),
		cmocka_unit_test(test_fixed_random),
		cmocka_unit_test(test_fixed_declines),
		cmocka_unit_test(test_fmt_subset_and_fallback),
		BUF_TEST(test_fmt_full_buffer_unchanged, 16),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

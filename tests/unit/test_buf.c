/* test_buf.c — unit tests of bounded buffers and JSON string escaping (server/buf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"

/* s (n bytes) as a JSON string literal. */
static void expect_json(const char *s, size_t n, const char *want)
{
	struct ow_buf b;
	ow_buf_init(&b, 0);
	assert_int_equal(ow_buf_append_json_str(&b, s, n), 0);
	assert_string_equal(b.data, want);
	ow_buf_free(&b);
}

static void test_json_escapes(void **state)
{
	(void)state;
	expect_json("a\"b\\c\n\t\x01", 8, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
	expect_json("", 0, "\"\"");
}

static void test_json_keeps_valid_utf8(void **state)
{
	(void)state;
	expect_json("Žofie 李飞飞 🙂", strlen("Žofie 李飞飞 🙂"),
		    "\"Žofie 李飞飞 🙂\"");
}

static void test_json_replaces_broken_utf8(void **state)
{
	(void)state;
	/* A sequence cut by truncation at the end, stray continuation and lead bytes, an
	 * overlong form, a surrogate: each bad byte becomes U+FFFD, the rest is kept. */
	expect_json("ab\xC3", 3, "\"ab\\ufffd\"");
	expect_json("\xE6\x9D", 2, "\"\\ufffd\\ufffd\"");
	expect_json("x\x80y\xFFz", 5, "\"x\\ufffdy\\ufffdz\"");
	expect_json("\xC0\xAF", 2, "\"\\ufffd\\ufffd\"");
	expect_json("\xED\xA0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	expect_json("\xF4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

/* What the server accepts as text at its edge (query values, path ids, headers). */
static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(ow_utf8_valid("", 0));
	assert_true(ow_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	assert_false(ow_utf8_valid("caf\xe9", 4));	    /* Latin-1 é */
	assert_false(ow_utf8_valid("\xc3", 1));		    /* cut sequence */
	assert_false(ow_utf8_valid("\xc0\xaf", 2));	    /* overlong / */
	assert_false(ow_utf8_valid("\xed\xa0\x80", 3));	    /* surrogate U+D800 */
	assert_false(ow_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(ow_utf8_valid("\x80"
				   "abc",
				   4)); /* stray continuation */
}

static void test_cap(void **state)
{
	(void)state;
	struct ow_buf b;
	ow_buf_init(&b, 4);
	assert_int_equal(ow_buf_append(&b, "abcd", 4), 0);
	assert_int_equal(ow_buf_append(&b, "e", 1), -1);
	assert_string_equal(b.data, "abcd");
	ow_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_keeps_valid_utf8),
		cmocka_unit_test(test_json_replaces_broken_utf8),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_utf8_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

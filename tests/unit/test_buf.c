/* test_buf.c — unit tests of bounded buffers and JSON string escaping (server/buf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "unit_buf.h"

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

/* Random strings of pieces whose escapes are known (runs of plain ASCII copied at once, the
 * escapes between them, multi-byte UTF-8, a cut sequence at the end): the literal is the
 * pieces' escapes in turn, and writing the string in parts with ow_buf_append_json_chars (as
 * docrow.c does between backslashes) gives the same bytes. */
static void test_json_random_pieces(void **state)
{
	(void)state;
	static const char *const piece[][2] = {
		{"abc", "abc"},	     {"Z", "Z"},	  {" ", " "},	    {"\"", "\\\""},
		{"\\", "\\\\"},	     {"\n", "\\n"},	  {"\r", "\\r"},    {"\t", "\\t"},
		{"\x01", "\\u0001"}, {"\x1f", "\\u001f"}, {"\x7f", "\x7f"}, {"é", "é"},
		{"🙂", "🙂"},    {"\xff", "\\ufffd"},
	};
	const size_t npieces = sizeof piece / sizeof piece[0];
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		char in[512], want[1024];
		size_t n = 0, w = 0;
		int count = (int)(seed % 40);
		for (int k = 0; k < count; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *const *p = piece[(seed >> 16) % npieces];
			memcpy(in + n, p[0], strlen(p[0]));
			n += strlen(p[0]);
			memcpy(want + w, p[1], strlen(p[1]));
			w += strlen(p[1]);
		}
		seed = seed * 1103515245u + 12345u;
		if (seed & 0x10000) { /* a sequence cut by the end of the string */
			in[n++] = '\xc3';
			memcpy(want + w, "\\ufffd", 6);
			w += 6;
		}
		want[w] = '\0';
		struct ow_buf b;
		ow_buf_init(&b, 0);
		assert_int_equal(ow_buf_append_json_chars(&b, in, n), 0);
		assert_int_equal(b.len, w);
		assert_memory_equal(b.data, want, w);
		/* in two parts cut at a plain byte */
		size_t cut = n ? (seed >> 8) % n : 0;
		while (cut > 0 && (unsigned char)in[cut] >= 0x80)
			cut--;
		struct ow_buf parts;
		ow_buf_init(&parts, 0);
		assert_int_equal(ow_buf_append_json_chars(&parts, in, cut), 0);
		assert_int_equal(ow_buf_append_json_chars(&parts, in + cut, n - cut), 0);
		assert_int_equal(parts.len, w);
		assert_memory_equal(parts.data, want, w);
		ow_buf_free(&parts);
		ow_buf_free(&b);
	}
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

/* With a cap of 4 bytes. */
static void test_cap(void **state)
{
	struct ow_buf *b = *state;
	assert_int_equal(ow_buf_append(b, "abcd", 4), 0);
	assert_int_equal(ow_buf_append(b, "e", 1), -1);
	assert_string_equal(b->data, "abcd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_keeps_valid_utf8),
		cmocka_unit_test(test_json_replaces_broken_utf8),
		cmocka_unit_test(test_json_random_pieces),
		BUF_TEST(test_cap, 4),
		cmocka_unit_test(test_utf8_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

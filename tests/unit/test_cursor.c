/* test_cursor.c — unit tests of pagination cursor encoding and strict decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cursor.h"

typedef char part_t[OW_CURSOR_PART_MAX + 1];

/* Encodes parts, checks the alphabet, decodes and compares. */
static void round_trip(const char *const parts[], size_t n)
{
	char enc[OW_CURSOR_MAX];
	part_t out[OW_CURSOR_MAX_PARTS];
	int len = ow_cursor_encode(parts, n, enc, sizeof(enc));
	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(enc));
	assert_true(len < OW_CURSOR_MAX);
	assert_int_equal(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789-_"),
			 (size_t)len);
	assert_int_equal(ow_cursor_decode(enc, out, n), 0);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(out[i], parts[i]);
}

static void test_round_trips(void **state)
{
	(void)state;
	const char *one[] = {"2024-04-18"};
	const char *two[] = {"2024-04", "3f2a9c1e-0000-4000-8000-000000000001"};
	const char *odd[] = {"a|b|c", "x,y;z", "\"quoted\" \\ back", "=?&#%+/ "};
	const char *utf8[] = {"Zoë Müller", "日本語のテキスト", "emoji \xF0\x9F\x98\x80", ""};
	const char *ctrl[] = {"\x01\x02\x7f", "\xff\xfe\x80", "tab\there\nnl", "\r"};
	const char *empty[] = {"", "", ""};
	round_trip(one, 1);
	round_trip(two, 2);
	round_trip(odd, 4);
	round_trip(utf8, 4);
	round_trip(ctrl, 4);
	round_trip(empty, 3);
}

static void test_all_lengths(void **state)
{
	(void)state;
	/* Every part length 0..256 exercises every base64 tail length. */
	char s[OW_CURSOR_PART_MAX + 1];
	for (size_t n = 0; n <= OW_CURSOR_PART_MAX; n++) {
		for (size_t i = 0; i < n; i++)
			s[i] = (char)(1 + (i * 37 + n) % 255);
		s[n] = '\0';
		const char *parts[] = {s};
		round_trip(parts, 1);
	}
}

static void test_max_size(void **state)
{
	(void)state;
	char big[4][OW_CURSOR_PART_MAX + 1];
	for (int p = 0; p < 4; p++) {
		memset(big[p], (char)(0xF0 + p), OW_CURSOR_PART_MAX);
		big[p][OW_CURSOR_PART_MAX] = '\0';
	}
	const char *parts[] = {big[0], big[1], big[2], big[3]};
	round_trip(parts, 4);
	char enc[OW_CURSOR_MAX];
	assert_true(ow_cursor_encode(parts, 4, enc, sizeof(enc)) < OW_CURSOR_MAX);

	/* A 257-byte part is refused. */
	char over[OW_CURSOR_PART_MAX + 2];
	memset(over, 'x', sizeof(over) - 1);
	over[sizeof(over) - 1] = '\0';
	const char *bad[] = {over};
	assert_int_equal(ow_cursor_encode(bad, 1, enc, sizeof(enc)), -1);
	assert_string_equal(enc, "");
}

static void test_encode_errors(void **state)
{
	(void)state;
	const char *parts[] = {"a", "b", "c", "d", "e"};
	const char *withnull[] = {"a", NULL};
	char enc[OW_CURSOR_MAX];
	assert_int_equal(ow_cursor_encode(parts, 0, enc, sizeof(enc)), -1);
	assert_int_equal(ow_cursor_encode(parts, 5, enc, sizeof(enc)), -1);
	assert_int_equal(ow_cursor_encode(withnull, 2, enc, sizeof(enc)), -1);
	assert_int_equal(ow_cursor_encode(NULL, 1, enc, sizeof(enc)), -1);
	/* Output too small: refused, never overflowed. */
	int len = ow_cursor_encode(parts, 1, enc, sizeof(enc));
	assert_true(len > 0);
	char small[64];
	memset(small, '#', sizeof(small));
	assert_int_equal(ow_cursor_encode(parts, 1, small, (size_t)len), -1);
	assert_string_equal(small, "");
	assert_int_equal(small[1], '#');
	assert_int_equal(ow_cursor_encode(parts, 1, small, (size_t)len + 1), len);
	assert_int_equal(ow_cursor_encode(parts, 1, small, 0), -1);
	assert_int_equal(small[0], 'A'); /* untouched with outsz 0 */
}

static void test_part_count_must_match(void **state)
{
	(void)state;
	const char *parts[] = {"x", "y"};
	char enc[OW_CURSOR_MAX];
	part_t out[OW_CURSOR_MAX_PARTS];
	assert_true(ow_cursor_encode(parts, 2, enc, sizeof(enc)) > 0);
	assert_int_equal(ow_cursor_decode(enc, out, 1), -1);
	assert_int_equal(ow_cursor_decode(enc, out, 3), -1);
	assert_string_equal(out[0], "");
	assert_int_equal(ow_cursor_decode(enc, out, 0), -1);
	assert_int_equal(ow_cursor_decode(enc, out, 5), -1);
	assert_int_equal(ow_cursor_decode(enc, out, 2), 0);
}

static void test_garbage_rejected(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",	 "A",	   "AA",	  "AAAA",	  "AQ==", "not a cursor",
		"a+b/c", "%41%42", "AQEAAWE",	  "AQEAAWEx====", "😀😀😀😀", "\t",
		"null",	 "0",	   "eyJpZCI6MX0", "AQEAAWF\n",
	};
	part_t out[OW_CURSOR_MAX_PARTS];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ow_cursor_decode(bad[i], out, 1) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_string_equal(out[0], "");
	}
	assert_int_equal(ow_cursor_decode(NULL, out, 1), -1);
	/* Over-long input: refused without reading past OW_CURSOR_MAX. */
	char huge[4096];
	memset(huge, 'A', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(ow_cursor_decode(huge, out, 1), -1);
	huge[OW_CURSOR_MAX - 1] = '\0';
	assert_int_equal(ow_cursor_decode(huge, out, 1), -1);
}

static void test_tampering_rejected(void **state)
{
	(void)state;
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-_";
	const char *parts[] = {"2024-04-18", "3f2a9c1e-0000-4000-8000-000000000001"};
	char enc[OW_CURSOR_MAX], t[OW_CURSOR_MAX];
	part_t out[OW_CURSOR_MAX_PARTS];
	int len = ow_cursor_encode(parts, 2, enc, sizeof(enc));
	assert_true(len > 0);

	/* Every truncation is refused. */
	for (int cut = 0; cut < len; cut++) {
		memcpy(t, enc, (size_t)cut);
		t[cut] = '\0';
		assert_int_equal(ow_cursor_decode(t, out, 2), -1);
	}
	/* Every single-character substitution is refused. */
	for (int pos = 0; pos < len; pos++) {
		for (const char *a = alphabet; *a; a++) {
			if (*a == enc[pos])
				continue;
			memcpy(t, enc, (size_t)len + 1);
			t[pos] = *a;
			if (ow_cursor_decode(t, out, 2) != -1)
				fail_msg("accepted %s (position %d changed)", t, pos);
		}
	}
	/* Appended characters and padding are refused. */
	for (const char *a = alphabet; *a; a++) {
		memcpy(t, enc, (size_t)len);
		t[len] = *a;
		t[len + 1] = '\0';
		assert_int_equal(ow_cursor_decode(t, out, 2), -1);
	}
	memcpy(t, enc, (size_t)len);
	memcpy(t + len, "==", 3);
	assert_int_equal(ow_cursor_decode(t, out, 2), -1);
	/* The untouched cursor still decodes. */
	assert_int_equal(ow_cursor_decode(enc, out, 2), 0);
	assert_string_equal(out[1], parts[1]);
}

static void test_deterministic(void **state)
{
	(void)state;
	const char *parts[] = {"2024", "abc"};
	char a[OW_CURSOR_MAX], b[OW_CURSOR_MAX];
	assert_true(ow_cursor_encode(parts, 2, a, sizeof(a)) > 0);
	assert_true(ow_cursor_encode(parts, 2, b, sizeof(b)) > 0);
	assert_string_equal(a, b);
	const char *other[] = {"2024a", "bc"};
	assert_true(ow_cursor_encode(other, 2, b, sizeof(b)) > 0);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_all_lengths),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_part_count_must_match),
		cmocka_unit_test(test_garbage_rejected),
		cmocka_unit_test(test_tampering_rejected),
		cmocka_unit_test(test_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_jspec_types.c — unit tests of declarative JSON field validation, one field type at
 * a time: strings and text (byte limits, blanks, control characters), slugs, URLs, partial
 * dates, enums, whole numbers and numbers (bounds), UUIDs, lists, references and string
 * maps (item and entry caps). Whole documents are tested in test_jspec.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"
#include "unit_jspec.h"

/* Checks {"v": value} against the single field f (value is stolen); returns the number of
 * errors and leaves them in *e. */
static size_t check_one(const struct ow_jfield *f, enum ow_jmode mode, json_t *value,
			struct ow_errors *e)
{
	assert_non_null(value);
	json_t *obj = json_object();
	assert_int_equal(json_object_set_new(obj, f->name, value), 0);
	ow_errors_init(e);
	size_t added = ow_jspec_check(obj, f, 1, mode, e);
	json_decref(obj);
	return added;
}

static void ok_one(const struct ow_jfield *f, json_t *value)
{
	struct ow_errors e;
	char *text = json_dumps(value, JSON_ENCODE_ANY);
	if (check_one(f, OW_JSPEC_PATCH, value, &e) != 0)
		fail_msg("%s: %.60s rejected: %s", f->name, text, e.items[0].message);
	free(text);
}

/* ok_one for each string of the NULL-terminated list values. */
static void ok_strings(const struct ow_jfield *f, const char *const *values)
{
	for (; *values; values++)
		ok_one(f, json_string(*values));
}

/* Asserts that value is refused for f with a message starting with want (if not NULL). */
static void bad_one(const struct ow_jfield *f, json_t *value, const char *want)
{
	struct ow_errors e;
	char *text = json_dumps(value, JSON_ENCODE_ANY);
	if (check_one(f, OW_JSPEC_PATCH, value, &e) != 1)
		fail_msg("%s: %.60s accepted (or %zu errors)", f->name, text, e.n);
	assert_string_equal(e.items[0].field, f->name);
	if (want && strncmp(e.items[0].message, want, strlen(want)) != 0)
		fail_msg("%s: %.60s: message '%s', expected '%s...'", f->name, text,
			 e.items[0].message, want);
	free(text);
}

/* A string of n copies of c (static storage, up to 4096 bytes). */
static json_t *str_of(size_t n, char c)
{
	static char s[4097];
	assert_true(n < sizeof s);
	memset(s, c, n);
	s[n] = '\0';
	return json_string(s);
}

static void test_string(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "full_name", .type = OW_J_STRING};
	ok_one(&f, json_string("A"));
	ok_one(&f, json_string("Ada Lovelace"));
	ok_one(&f, str_of(300, 'x'));
	bad_one(&f, str_of(301, 'x'), "must have at most 300 bytes");
	bad_one(&f, json_string(""), "must not be empty");
	bad_one(&f, json_string(" "), "must not be empty");
	bad_one(&f, json_string(" \t\r\n "), "must not be empty");
	bad_one(&f, json_integer(5), "must be a string");
	bad_one(&f, json_true(), "must be a string");
	bad_one(&f, json_array(), "must be a string");
	bad_one(&f, json_object(), "must be a string");

	/* max counts bytes, not characters. */
	const struct ow_jfield g = {.name = "title", .type = OW_J_STRING, .max = 10};
	ok_one(&g, str_of(10, 'x'));
	bad_one(&g, str_of(11, 'x'), "must have at most 10 bytes");
	ok_one(&g, json_string("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"));		    /* 10 */
	bad_one(&g, json_string("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), NULL); /* 12 */
}

static void test_text(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "bio", .type = OW_J_TEXT};
	ok_one(&f, json_string(""));
	ok_one(&f, json_string("  "));
	char *big = malloc(20002);
	assert_non_null(big);
	memset(big, 'y', 20001);
	big[20001] = '\0';
	ok_one(&f, json_stringn(big, 20000));
	bad_one(&f, json_string(big), "must have at most 20000 bytes");
	free(big);
	bad_one(&f, json_integer(0), "must be a string");

	const struct ow_jfield g = {.name = "note", .type = OW_J_TEXT, .max = 5};
	ok_one(&g, json_string("12345"));
	bad_one(&g, json_string("123456"), "must have at most 5 bytes");
}

/* C0 controls, DEL and C1 controls are refused in single-line text (names, titles, list
 * items, references, map keys and values); tab and newline are allowed in multi-line text. */
static void test_control_characters(void **state)
{
	(void)state;
	const struct ow_jfield line = {.name = "full_name", .type = OW_J_STRING};
	const struct ow_jfield text = {.name = "bio", .type = OW_J_TEXT};
	const struct ow_jfield ref = {.name = "person", .type = OW_J_REF};
	const struct ow_jfield list = {.name = "aliases", .type = OW_J_STRING_LIST};
	const struct ow_jfield map = {.name = "links", .type = OW_J_STRING_MAP};
	const char *bad_anywhere[] = {"Eve\x1b[31mRed",	 "Bell\x07",	  "Del\x7f", "C1\xc2\x85x",
				      "C1 end \xc2\x9f", "Back\x08space", "Form\x0c"};
	for (size_t i = 0; i < sizeof bad_anywhere / sizeof bad_anywhere[0]; i++) {
		bad_one(&line, json_string(bad_anywhere[i]), "must not contain control characters");
		bad_one(&text, json_string(bad_anywhere[i]), "must not contain control characters");
		bad_one(&ref, json_string(bad_anywhere[i]), "must not contain control characters");
		json_t *l = json_pack("[s]", bad_anywhere[i]);
		bad_one(&list, l, "item 0 must not contain control characters");
		json_t *m = json_pack("{s:s}", "x", bad_anywhere[i]);
		bad_one(&map, m, "entry 'x' must not contain control characters");
		json_t *k = json_pack("{s:s}", bad_anywhere[i], "https://example.org");
		bad_one(&map, k, NULL);
	}
	/* Tab, newline and carriage return: single-line text refuses them, multi-line text takes
	 * tab and newline. */
	bad_one(&line, json_string("Tab\there"), "must not contain control characters");
	bad_one(&line, json_string("Two\nlines"), "must not contain control characters");
	bad_one(&text, json_string("Carriage\rreturn"), "must not contain control characters");
	bad_one(&text, json_string("Ends in CR\r"), "must not contain control characters");
	ok_one(&text, json_string("Windows\r\nline ends\r\n"));
	ok_one(&text, json_string("Line one\nline two\tand a tab"));
	/* Non-ASCII text, a no-break space (U+00A0) and U+2028 are not controls. */
	ok_one(&line, json_string("\xc5\xbdofie Dvo\xc5\x99\xc3\xa1kov\xc3\xa1"));
	ok_one(&line, json_string("No\xc2\xa0"
				  "break"));
	ok_one(&line, json_string("\xe6\x9d\x8e\xe9\xa3\x9e\xe9\xa3\x9e"));
	ok_one(&text, json_string("\xc2\xa0"));
}

static void test_slug(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "slug", .type = OW_J_SLUG};
	const char *good[] = {"a", "0", "ada", "ada-lovelace", "ada-lovelace-2", "a-b-c", "2024"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_true(ow_jspec_is_slug(good[i]));
		ok_one(&f, json_string(good[i]));
	}
	const char *bad[] = {"",    "A",   "Ada", "a--b", "-a",	 "a-",	     "-",   "a_b",
			     "a b", "a.b", "a/b", " a",	  "a\n", "\xC3\xA9", "a--", "ü"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (ow_jspec_is_slug(bad[i]))
			fail_msg("slug \"%s\" accepted", bad[i]);
		bad_one(&f, json_string(bad[i]), "must be a slug");
	}
	ok_one(&f, str_of(100, 'a'));
	bad_one(&f, str_of(101, 'a'), "must be a slug");
	bad_one(&f, json_integer(1), "must be a string");
}

static void test_url(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "url", .type = OW_J_URL};
	const char *good[] = {"https://example.com",
			      "http://x",
			      "https://example.com/a?b=c#d",
			      "https://example.com:8443/x",
			      "http://127.0.0.1/",
			      "https://example.com/caf\xc3\xa9",
			      "https://example.com/\xe2\x80\x8b", /* U+200B is not \\s */
			      "https://\xe4\xbe\x8b\xe5\xad\x90.example/"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ok_one(&f, json_string(good[i]));
	const char *bad[] = {
		"", "example.com", "ftp://example.com", "http://", "https://", "https:///path",
		"https://?q", "https://#x", "https://.example.com", "https://exa mple.com",
		"https://example.com/\n", "https://example.com/\t", "https://example.com/\x7f",
		" https://example.com", "javascript:alert(1)", "//example.com",
		/* C1 controls and the spaces JavaScript's \\s matches beyond ASCII, as the
		 * spec's Url pattern refuses them */
		"https://example.com/a\xc2\x85z", "https://example.com/a\xc2\xa0z",
		"https://example.com/a\xe1\x9a\x80z", "https://example.com/a\xe2\x80\x80z",
		"https://example.com/a\xe2\x80\x8az", "https://example.com/a\xe2\x80\xa8z",
		"https://example.com/a\xe2\x80\xa9z", "https://example.com/a\xe2\x80\xafz",
		"https://example.com/a\xe2\x81\x9fz", "https://example.com/a\xe3\x80\x80z",
		"https://example.com/a\xef\xbb\xbfz"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		bad_one(&f, json_string(bad[i]), "must be an http(s) URL");

	char url[2100];
	strcpy(url, "https://example.com/");
	size_t p = strlen(url);
	memset(url + p, 'a', 2048 - p);
	url[2048] = '\0';
	ok_one(&f, json_string(url));
	url[2048] = 'a';
	url[2049] = '\0';
	bad_one(&f, json_string(url), "must be an http(s) URL");
}

static void test_pdate(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "start_date", .type = OW_J_PDATE};
	ok_strings(&f, (const char *const[]){"2024", "2024-04", "2024-04-18", "2024-02-29",
					     "2000-02-29", NULL});
	bad_one(&f, json_string("2023-02-29"), "February has 28 days in a common year (a date");
	bad_one(&f, json_string("1900-02-29"), "February has 28 days");
	bad_one(&f, json_string("2024-04-31"), "April has 30 days");
	bad_one(&f, json_string("2024-13"), "month must be 01-12");
	bad_one(&f, json_string("0000"), "year must be 0001-9999");
	bad_one(&f, json_string("April 2024"), "expected YYYY, YYYY-MM or YYYY-MM-DD");
	bad_one(&f, json_string("2024-4"), "expected YYYY");
	bad_one(&f, json_string(" 2024"), "expected YYYY");
	bad_one(&f, json_string("2024-04-18T00:00:00Z"), "expected YYYY");
	bad_one(&f, json_string(""), "expected YYYY");
	bad_one(&f, json_integer(2024), "must be a string");
	/* The message shows the accepted shapes. */
	struct ow_errors e;
	assert_int_equal(check_one(&f, OW_JSPEC_PATCH, json_string("April 2024"), &e), 1);
	assert_non_null(strstr(e.items[0].message, "\"2024\", \"2024-04\" or \"2024-04-18\""));
}

static void test_enum(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "status", .type = OW_J_ENUM, .values = statuses};
	ok_strings(&f, (const char *const[]){"active", "departed", "unknown", NULL});
	bad_one(&f, json_string("Active"), "must be one of: active, departed, unknown");
	bad_one(&f, json_string("activ"), "must be one of:");
	bad_one(&f, json_string("active "), "must be one of:");
	bad_one(&f, json_string(""), "must be one of:");
	bad_one(&f, json_integer(0), "must be a string");

	/* A long list of values truncates the message instead of overrunning it. */
	static char names[40][32];
	const char *many[41];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof names[i], "value-number-%02d-abcdefghij", i);
		many[i] = names[i];
	}
	many[40] = NULL;
	const struct ow_jfield g = {.name = "kind", .type = OW_J_ENUM, .values = many};
	ok_one(&g, json_string("value-number-39-abcdefghij"));
	struct ow_errors e;
	assert_int_equal(check_one(&g, OW_JSPEC_PATCH, json_string("nope"), &e), 1);
	assert_true(strlen(e.items[0].message) < sizeof e.items[0].message);
	assert_non_null(strstr(e.items[0].message, "value-number-00-abcdefghij"));
}

static void test_int(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "count", .type = OW_J_INT, .min = 0, .maxv = 10000000};
	ok_one(&f, json_integer(0));
	ok_one(&f, json_integer(1));
	ok_one(&f, json_integer(10000000));
	bad_one(&f, json_integer(-1), "must be a whole number from 0 to 10000000");
	bad_one(&f, json_integer(10000001), "must be a whole number from 0 to 10000000");
	bad_one(&f, json_integer(INT64_MAX), "must be a whole number");
	bad_one(&f, json_integer(INT64_MIN), "must be a whole number");
	bad_one(&f, json_real(1.5), "must be a whole number");
	bad_one(&f, json_string("5"), "must be a whole number");
	bad_one(&f, json_true(), "must be a whole number");

	const struct ow_jfield g = {.name = "delta", .type = OW_J_INT, .min = -5, .maxv = 5};
	ok_one(&g, json_integer(-5));
	ok_one(&g, json_integer(5));
	bad_one(&g, json_integer(-6), "must be a whole number from -5 to 5");
	bad_one(&g, json_integer(6), NULL);

	/* Parsed from text, as a request body is. */
	struct ow_errors e;
	assert_int_equal(check_text("{\"count\": 9223372036854775807}", &f, 1, OW_JSPEC_PATCH, &e),
			 1);
	assert_int_equal(check_text("{\"count\": -0}", &f, 1, OW_JSPEC_PATCH, &e), 0);
}

static void test_number(void **state)
{
	(void)state;
	const struct ow_jfield f = {
		.name = "percentage", .type = OW_J_NUMBER, .min = 0, .maxv = 100};
	ok_one(&f, json_real(0.0));
	ok_one(&f, json_real(-0.0));
	ok_one(&f, json_real(100.0));
	ok_one(&f, json_real(12.5));
	ok_one(&f, json_integer(50));
	ok_one(&f, json_integer(100));
	bad_one(&f, json_real(-0.0001), "must be a number from 0 to 100");
	bad_one(&f, json_real(100.0001), "must be a number from 0 to 100");
	bad_one(&f, json_integer(101), "must be a number");
	bad_one(&f, json_real(1e308), "must be a number");
	bad_one(&f, json_real(-1e308), "must be a number");
	bad_one(&f, json_string("50"), "must be a number");
	bad_one(&f, json_false(), "must be a number");

	/* NaN and infinities cannot reach a check: jansson refuses to hold or parse them. */
	assert_null(json_real(NAN));
	assert_null(json_real(INFINITY));
	assert_null(json_real(-INFINITY));
	assert_null(json_loads("{\"percentage\": 1e400}", 0, NULL));
	assert_null(json_loads("{\"percentage\": NaN}", 0, NULL));
	assert_null(json_loads("{\"percentage\": Infinity}", 0, NULL));

	struct ow_errors e;
	assert_int_equal(check_text("{\"percentage\": 33.3}", &f, 1, OW_JSPEC_PATCH, &e), 0);
	assert_int_equal(check_text("{\"percentage\": 1e2}", &f, 1, OW_JSPEC_PATCH, &e), 0);
	assert_int_equal(check_text("{\"percentage\": 1e3}", &f, 1, OW_JSPEC_PATCH, &e), 1);
}

static void test_uuid(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "person_id", .type = OW_J_UUID};
	ok_one(&f, json_string(UUID_LOWER));
	ok_one(&f, json_string(UUID_UPPER));
	ok_one(&f, json_string("3f2a9c1e-0000-4000-8000-00000000AbCd"));
	ok_one(&f, json_string("00000000-0000-0000-0000-000000000000"));
	const char *bad[] = {
		"",
		"3f2a9c1e",
		"3f2a9c1e-0000-4000-8000-00000000abc",	 /* 35 */
		"3f2a9c1e-0000-4000-8000-00000000abcde", /* 37 */
		"3f2a9c1e00004000800000000000abcd",	 /* no hyphens */
		"3f2a9c1e-00004-000-8000-00000000abcd",	 /* hyphen moved */
		"3f2a9c1e-0000-4000-8000-00000000abcg",	 /* not hex */
		"{3f2a9c1e-0000-4000-8000-00000000abcd}",
		"urn:uuid:3f2a9c1e-0000-4000-8000-00000000abcd",
		" 3f2a9c1e-0000-4000-8000-00000000abcd",
		"3f2a9c1e-0000-4000-8000-00000000abcd ",
		"3f2a9c1e_0000_4000_8000_00000000abcd",
		"ada-lovelace",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (ow_jspec_is_uuid(bad[i]))
			fail_msg("UUID \"%s\" accepted", bad[i]);
		bad_one(&f, json_string(bad[i]), "must be a UUID");
	}
	/* Short strings are not read past their end (ASan run). */
	char *shorty = strdup("3f2a9c1e-00");
	assert_false(ow_jspec_is_uuid(shorty));
	free(shorty);
	bad_one(&f, json_integer(1), "must be a string");
}

static void test_uuid_list(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "source_ids", .type = OW_J_UUID_LIST};
	ok_one(&f, json_array());
	ok_one(&f, json_pack("[ss]", UUID_LOWER, UUID_UPPER));
	bad_one(&f, json_pack("[s]", "acme-blog"), "item 0 must be a UUID");
	bad_one(&f, json_pack("[si]", UUID_LOWER, 7), "item 1 must be a string");
	bad_one(&f, json_pack("[sn]", UUID_LOWER), "item 1 must be a string");
	bad_one(&f, json_string(UUID_LOWER), "must be an array");
	bad_one(&f, json_object(), "must be an array");
	/* Default cap: 100 items. */
	json_t *a = json_array();
	for (int i = 0; i < 100; i++)
		json_array_append_new(a, json_string(UUID_LOWER));
	ok_one(&f, json_deep_copy(a));
	json_array_append_new(a, json_string(UUID_LOWER));
	bad_one(&f, a, "must have at most 100 items");
	/* One error per field, even with several bad items. */
	struct ow_errors e;
	assert_int_equal(check_one(&f, OW_JSPEC_PATCH, json_pack("[sss]", "x", "y", "z"), &e), 1);
}

static void test_string_list(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "aliases", .type = OW_J_STRING_LIST, .max = 3};
	ok_one(&f, json_array());
	ok_one(&f, json_pack("[sss]", "Ada", "A. Lovelace", "Countess"));
	bad_one(&f, json_pack("[ssss]", "a", "b", "c", "d"), "must have at most 3 items");
	bad_one(&f, json_pack("[s]", ""), "item 0 must have 1 to 300 bytes");
	bad_one(&f, json_pack("[ss]", "ok", "  "), "item 1 must have 1 to 300 bytes");
	bad_one(&f, json_pack("[n]"), "item 0 must be a string");
	bad_one(&f, json_pack("[[]]"), "item 0 must be a string");
	bad_one(&f, json_string("Ada"), "must be an array");
	json_t *a = json_array();
	json_array_append_new(a, str_of(300, 'q'));
	ok_one(&f, a);
	a = json_array();
	json_array_append_new(a, str_of(301, 'q'));
	bad_one(&f, a, "item 0 must have 1 to 300 bytes");
}

static void test_ref_and_ref_list(void **state)
{
	(void)state;
	const struct ow_jfield r = {.name = "org", .type = OW_J_REF};
	ok_one(&r, json_string("acme"));
	ok_one(&r, json_string(UUID_LOWER));
	ok_one(&r, json_string("https://example.com/org"));
	ok_one(&r, str_of(300, 'r'));
	bad_one(&r, str_of(301, 'r'), "must have at most 300 bytes");
	bad_one(&r, json_string(""), "must not be empty");
	bad_one(&r, json_integer(3), "must be a string");

	const struct ow_jfield l = {.name = "sources", .type = OW_J_REF_LIST, .max = 2};
	ok_one(&l, json_pack("[ss]", "acme-blog", UUID_LOWER));
	bad_one(&l, json_pack("[sss]", "a", "b", "c"), "must have at most 2 items");
	bad_one(&l, json_pack("[s]", ""), "item 0 must have 1 to 300 bytes");
	bad_one(&l, json_pack("[b]", 1), "item 0 must be a string");
}

static void test_string_map(void **state)
{
	(void)state;
	const struct ow_jfield f = {.name = "links", .type = OW_J_STRING_MAP};
	ok_one(&f, json_object());
	ok_one(&f, json_pack("{ss}", "home", "https://ada.example"));
	bad_one(&f, json_array(), "must be an object of strings");
	bad_one(&f, json_string("x"), "must be an object of strings");
	bad_one(&f, json_pack("{si}", "home", 5), "entry 'home' must be a string");
	bad_one(&f, json_pack("{ss}", "", "x"), "entry '' must be a string");
	bad_one(&f, json_pack("{s{}}", "home"), "entry 'home'");

	/* Null values delete a key in a patch; on create they are refused. */
	struct ow_errors e;
	assert_int_equal(check_one(&f, OW_JSPEC_PATCH, json_pack("{sn}", "home"), &e), 0);
	assert_int_equal(check_one(&f, OW_JSPEC_CREATE, json_pack("{sn}", "home"), &e), 1);
	assert_string_equal(e.items[0].field, "links");

	/* Keys 1..50 bytes, values up to 2048 bytes. */
	char key[64];
	memset(key, 'k', 50);
	key[50] = '\0';
	json_t *m = json_object();
	json_object_set_new(m, key, str_of(2048, 'v'));
	ok_one(&f, m);
	key[50] = 'k';
	key[51] = '\0';
	m = json_object();
	json_object_set_new(m, key, json_string("v"));
	bad_one(&f, m, "entry 'kkkkk");
	m = json_object();
	json_object_set_new(m, "home", str_of(2049, 'v'));
	bad_one(&f, m, "entry 'home' must be a string of at most 2048 bytes");

	/* Default cap: 50 entries. */
	m = json_object();
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof key, "k%d", i);
		json_object_set_new(m, key, json_string("v"));
	}
	ok_one(&f, json_deep_copy(m));
	json_object_set_new(m, "one-more", json_string("v"));
	bad_one(&f, m, "must have at most 50 entries");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_pdate),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_uuid_list),
		cmocka_unit_test(test_string_list),
		cmocka_unit_test(test_ref_and_ref_list),
		cmocka_unit_test(test_string_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

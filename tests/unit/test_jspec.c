/* test_jspec.c — unit tests of declarative JSON field validation on whole documents:
 * nulls, required fields on create and not on patch, aliases, read-only and unknown fields,
 * several errors at once in body order, a body that is not an object, the error list's cap.
 * Each field type alone is tested in test_jspec_types.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"
#include "unit_jspec.h"

/* A position-like spec: every type once, with aliases as the import uses them. */
static const struct ow_jfield spec[] = {
	{.name = "slug", .type = OW_J_SLUG, .flags = OW_JF_REQUIRED},
	{.name = "full_name", .type = OW_J_STRING, .flags = OW_JF_REQUIRED},
	{.name = "person_id", .type = OW_J_UUID, .flags = OW_JF_REQUIRED, .alias = "person"},
	{.name = "team_id", .type = OW_J_UUID, .flags = OW_JF_NULLABLE, .alias = "team"},
	{.name = "bio", .type = OW_J_TEXT, .flags = OW_JF_NULLABLE},
	{.name = "url", .type = OW_J_URL, .flags = OW_JF_NULLABLE},
	{.name = "start_date", .type = OW_J_PDATE, .flags = OW_JF_NULLABLE},
	{.name = "status", .type = OW_J_ENUM, .values = statuses},
	{.name = "count", .type = OW_J_INT, .flags = OW_JF_NULLABLE, .min = 0, .maxv = 10000000},
	{.name = "percentage", .type = OW_J_NUMBER, .flags = OW_JF_NULLABLE, .min = 0, .maxv = 100},
	{.name = "aliases", .type = OW_J_STRING_LIST},
	{.name = "links", .type = OW_J_STRING_MAP},
	{.name = "source_ids", .type = OW_J_UUID_LIST, .alias = "sources"},
};
#define NSPEC (sizeof spec / sizeof spec[0])

/* Asserts that exactly the NULL-terminated list of fields was reported, in that order. */
static void expect_fields(const struct ow_errors *e, ...)
{
	va_list ap;
	va_start(ap, e);
	size_t i = 0;
	for (const char *f = va_arg(ap, const char *); f; f = va_arg(ap, const char *), i++) {
		if (i >= e->n)
			fail_msg("missing error #%zu for field '%s'", i, f);
		if (strcmp(e->items[i].field, f) != 0)
			fail_msg("error #%zu: field '%s' (%s), expected '%s'", i, e->items[i].field,
				 e->items[i].message, f);
	}
	va_end(ap);
	if (i != e->n)
		fail_msg("%zu extra error(s), first: '%s' %s", e->n - i, e->items[i].field,
			 e->items[i].message);
	assert_int_equal(e->dropped, 0);
}

/* Checks text against sp in mode and asserts exactly one error, on field, saying message. */
static void expect_one_error(const char *text, const struct ow_jfield *sp, size_t n,
			     enum ow_jmode mode, const char *field, const char *message)
{
	struct ow_errors e;
	check_text(text, sp, n, mode, &e);
	expect_fields(&e, field, NULL);
	assert_string_equal(e.items[0].message, message);
}

static void test_nulls(void **state)
{
	(void)state;
	struct ow_errors e;
	/* Nullable fields take null in both modes. */
	assert_int_equal(check_text("{\"bio\": null, \"url\": null, \"start_date\": null, "
				    "\"count\": null, \"percentage\": null, \"team_id\": null}",
				    spec, NSPEC, OW_JSPEC_PATCH, &e),
			 0);
	/* Non-nullable ones refuse it, in a patch too. */
	check_text("{\"slug\": null, \"status\": null, \"aliases\": null, \"links\": null, "
		   "\"source_ids\": null}",
		   spec, NSPEC, OW_JSPEC_PATCH, &e);
	expect_fields(&e, "slug", "status", "aliases", "links", "source_ids", NULL);
	for (size_t i = 0; i < e.n; i++)
		assert_string_equal(e.items[i].message, "must not be null");
	/* A required field given as null is one error, not two. */
	expect_one_error("{\"slug\": \"ada\", \"full_name\": null, \"person_id\": \"" UUID_LOWER
			 "\"}",
			 spec, NSPEC, OW_JSPEC_CREATE, "full_name", "must not be null");
	/* An alias takes its field's nullability. */
	assert_int_equal(check_text("{\"team\": null}", spec, NSPEC, OW_JSPEC_PATCH, &e), 0);
	expect_one_error("{\"person\": null}", spec, NSPEC, OW_JSPEC_PATCH, "person",
			 "must not be null");
}

/* REQUIRED means present and not null on create, even for a field a patch may clear. */
static void test_required_nullable(void **state)
{
	(void)state;
	const struct ow_jfield f[] = {
		{.name = "name", .type = OW_J_STRING, .flags = OW_JF_REQUIRED | OW_JF_NULLABLE},
		{.name = "org_id",
		 .type = OW_J_UUID,
		 .flags = OW_JF_REQUIRED | OW_JF_NULLABLE,
		 .alias = "org"},
	};
	struct ow_errors e;
	check_text("{\"name\": null, \"org\": null}", f, 2, OW_JSPEC_CREATE, &e);
	expect_fields(&e, "name", "org_id", NULL);
	assert_string_equal(e.items[0].message, "is required");
	assert_int_equal(check_text("{\"name\": null, \"org\": null}", f, 2, OW_JSPEC_PATCH, &e),
			 0);
	assert_int_equal(
		check_text("{\"name\": \"x\", \"org\": \"acme\"}", f, 2, OW_JSPEC_CREATE, &e), 0);
}

static void test_create_valid_document(void **state)
{
	(void)state;
	struct ow_errors e;
	const char *doc = "{\"slug\": \"ada-lovelace\", \"full_name\": \"Ada Lovelace\", "
			  "\"person_id\": \"" UUID_LOWER "\", \"team\": \"analytical-engine\", "
			  "\"bio\": \"\", \"url\": \"https://ada.example/\", "
			  "\"start_date\": \"1843\", \"status\": \"active\", \"count\": 12, "
			  "\"percentage\": 7.5, \"aliases\": [\"Ada\"], "
			  "\"links\": {\"wiki\": \"https://en.wikipedia.org/wiki/Ada_Lovelace\"}, "
			  "\"sources\": [\"babbage-notes\", \"" UUID_UPPER "\"]}";
	assert_int_equal(check_text(doc, spec, NSPEC, OW_JSPEC_CREATE, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(e.dropped, 0);
}

static void test_required_on_create(void **state)
{
	(void)state;
	struct ow_errors e;
	/* Every missing required field, in spec order. */
	assert_int_equal(check_text("{}", spec, NSPEC, OW_JSPEC_CREATE, &e), 3);
	expect_fields(&e, "slug", "full_name", "person_id", NULL);
	for (size_t i = 0; i < e.n; i++)
		assert_string_equal(e.items[i].message, "is required");
	/* A patch needs none of them. */
	assert_int_equal(check_text("{}", spec, NSPEC, OW_JSPEC_PATCH, &e), 0);
	assert_int_equal(check_text("{\"bio\": \"x\"}", spec, NSPEC, OW_JSPEC_PATCH, &e), 0);
	/* The alias meets the requirement. */
	assert_int_equal(
		check_text("{\"slug\": \"ada\", \"full_name\": \"Ada\", \"person\": \"ada\"}", spec,
			   NSPEC, OW_JSPEC_CREATE, &e),
		0);
	/* Bad fields first (body order), then the missing ones (spec order). */
	check_text("{\"status\": \"gone\", \"full_name\": \"\"}", spec, NSPEC, OW_JSPEC_CREATE, &e);
	expect_fields(&e, "status", "full_name", "slug", "person_id", NULL);
	assert_string_equal(e.items[3].message, "is required");
}

/* Nullable lists and maps: null removes them in a merge patch; a new record refuses it. */
static void test_null_collections(void **state)
{
	(void)state;
	static const struct ow_jfield lists[] = {
		{.name = "tags", .type = OW_J_STRING_LIST, .flags = OW_JF_NULLABLE},
		{.name = "links", .type = OW_J_STRING_MAP, .flags = OW_JF_NULLABLE},
		{.name = "source_ids",
		 .type = OW_J_UUID_LIST,
		 .flags = OW_JF_NULLABLE,
		 .alias = "sources"},
		{.name = "bio", .type = OW_J_TEXT, .flags = OW_JF_NULLABLE},
	};
	struct ow_errors e;
	const char *nulls = "{\"tags\": null, \"links\": null, \"sources\": null, \"bio\": null}";
	assert_int_equal(check_text(nulls, lists, 4, OW_JSPEC_PATCH, &e), 0);
	check_text(nulls, lists, 4, OW_JSPEC_CREATE, &e);
	expect_fields(&e, "tags", "links", "sources", NULL);
	assert_string_equal(e.items[0].message, "must not be null (leave it out, or give [])");
	assert_string_equal(e.items[1].message, "must not be null (leave it out, or give {})");
	assert_int_equal(check_text("{\"tags\": [], \"links\": {}, \"source_ids\": []}", lists, 4,
				    OW_JSPEC_CREATE, &e),
			 0);
}

static void test_aliases(void **state)
{
	(void)state;
	struct ow_errors e;
	/* Both forms: one error, on the alias, naming both. */
	expect_one_error("{\"person_id\": \"" UUID_LOWER "\", \"person\": \"ada\"}", spec, NSPEC,
			 OW_JSPEC_PATCH, "person", "give either person_id or person, not both");
	check_text("{\"person\": \"ada\", \"person_id\": \"" UUID_LOWER "\"}", spec, NSPEC,
		   OW_JSPEC_CREATE, &e);
	expect_fields(&e, "person", "slug", "full_name", NULL);
	/* Even a null canonical field counts as given (null and a value disagree)... */
	check_text("{\"team_id\": null, \"team\": \"core\"}", spec, NSPEC, OW_JSPEC_PATCH, &e);
	expect_fields(&e, "team", NULL);
	check_text("{\"team_id\": \"" UUID_LOWER "\", \"team\": null}", spec, NSPEC, OW_JSPEC_PATCH,
		   &e);
	expect_fields(&e, "team", NULL);
	/* ...but both null agree ("none"), on a patch and on a create. */
	assert_int_equal(
		check_text("{\"team_id\": null, \"team\": null}", spec, NSPEC, OW_JSPEC_PATCH, &e),
		0);
	assert_int_equal(check_text("{\"slug\": \"ada\", \"full_name\": \"Ada\", \"person\": "
				    "\"ada\", \"team_id\": null, \"team\": null}",
				    spec, NSPEC, OW_JSPEC_CREATE, &e),
			 0);
	/* The alias is a reference: a slug, a UUID or a natural key, 1..300 bytes. */
	assert_int_equal(
		check_text("{\"person\": \"" UUID_UPPER "\"}", spec, NSPEC, OW_JSPEC_PATCH, &e), 0);
	assert_int_equal(
		check_text("{\"person\": \"Ada Lovelace\"}", spec, NSPEC, OW_JSPEC_PATCH, &e), 0);
	check_text("{\"person\": \"\", \"team\": 5}", spec, NSPEC, OW_JSPEC_PATCH, &e);
	expect_fields(&e, "person", "team", NULL);
	assert_string_equal(e.items[0].message, "must not be empty");
	assert_string_equal(e.items[1].message, "must be a string");
	/* The canonical field is still strict: a slug is not a UUID. */
	expect_one_error("{\"person_id\": \"ada\"}", spec, NSPEC, OW_JSPEC_PATCH, "person_id",
			 "must be a UUID");
	/* A *_ids alias is a list of references. */
	assert_int_equal(check_text("{\"sources\": [\"acme-blog\", \"" UUID_LOWER "\"]}", spec,
				    NSPEC, OW_JSPEC_PATCH, &e),
			 0);
	expect_one_error("{\"sources\": \"acme-blog\"}", spec, NSPEC, OW_JSPEC_PATCH, "sources",
			 "must be an array");
	expect_one_error("{\"source_ids\": [\"acme-blog\"]}", spec, NSPEC, OW_JSPEC_PATCH,
			 "source_ids", "item 0 must be a UUID");
}

/* The item cap of a *_ids field holds for its alias too. */
static void test_alias_list_keeps_cap(void **state)
{
	(void)state;
	const struct ow_jfield f[] = {
		{.name = "source_ids", .type = OW_J_UUID_LIST, .max = 2, .alias = "sources"},
	};
	struct ow_errors e;
	assert_int_equal(check_text("{\"sources\": [\"a\", \"b\"]}", f, 1, OW_JSPEC_PATCH, &e), 0);
	expect_one_error("{\"sources\": [\"a\", \"b\", \"c\"]}", f, 1, OW_JSPEC_PATCH, "sources",
			 "must have at most 2 items");
	check_text("{\"source_ids\": [\"" UUID_LOWER "\", \"" UUID_LOWER "\", \"" UUID_LOWER "\"]}",
		   f, 1, OW_JSPEC_PATCH, &e);
	expect_fields(&e, "source_ids", NULL);
}

static void test_unknown_and_read_only(void **state)
{
	(void)state;
	struct ow_errors e;
	expect_one_error("{\"nickname\": \"Ada\"}", spec, NSPEC, OW_JSPEC_PATCH, "nickname",
			 "unknown field");
	/* Names are exact: no case folding. */
	check_text("{\"Slug\": \"ada\", \"SLUG\": \"ada\"}", spec, NSPEC, OW_JSPEC_PATCH, &e);
	expect_fields(&e, "Slug", "SLUG", NULL);
	check_text("{\"id\": \"" UUID_LOWER "\", \"created_at\": \"2024-01-01T00:00:00Z\", "
		   "\"updated_at\": null}",
		   spec, NSPEC, OW_JSPEC_PATCH, &e);
	expect_fields(&e, "id", "created_at", "updated_at", NULL);
	for (size_t i = 0; i < e.n; i++)
		assert_string_equal(e.items[i].message, "is read-only");
	check_text("{\"id\": \"" UUID_LOWER "\"}", spec, NSPEC, OW_JSPEC_CREATE, &e);
	expect_fields(&e, "id", "slug", "full_name", "person_id", NULL);
	assert_string_equal(e.items[0].message, "is read-only");
	/* A very long unknown name is cut to fit, still NUL-terminated. */
	char text[400];
	snprintf(text, sizeof text, "{\"%0300d\": 1}", 7);
	check_text(text, spec, NSPEC, OW_JSPEC_PATCH, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(strlen(e.items[0].field), sizeof e.items[0].field - 1);
	assert_string_equal(e.items[0].message, "unknown field");
}

static void test_several_errors_in_body_order(void **state)
{
	(void)state;
	struct ow_errors e;
	const char *doc = "{\"url\": \"ftp://x\", \"slug\": \"Ada\", \"extra\": 1, "
			  "\"start_date\": \"2023-02-29\", \"count\": -1, \"full_name\": \"Ada\", "
			  "\"percentage\": 101, \"status\": \"retired\", \"id\": \"x\", "
			  "\"person\": \"ada\", \"aliases\": [\"\"], \"links\": [], "
			  "\"team_id\": \"core\"}";
	assert_int_equal(check_text(doc, spec, NSPEC, OW_JSPEC_CREATE, &e), 11);
	expect_fields(&e, "url", "slug", "extra", "start_date", "count", "percentage", "status",
		      "id", "aliases", "links", "team_id", NULL);
	assert_non_null(strstr(e.items[3].message, "February has 28 days"));
	assert_string_equal(e.items[2].message, "unknown field");
	assert_string_equal(e.items[7].message, "is read-only");
}

static void test_non_object_body(void **state)
{
	(void)state;
	const char *bodies[] = {"[]", "[{\"slug\": \"a\"}]", "\"slug\"", "1", "null", "true"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct ow_errors e;
		json_t *v = json_loads(bodies[i], JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		ow_errors_init(&e);
		assert_int_equal(ow_jspec_check(v, spec, NSPEC, OW_JSPEC_CREATE, &e), 1);
		json_decref(v);
		expect_fields(&e, "", NULL);
		assert_string_equal(e.items[0].message, "the body must be a JSON object");
	}
	struct ow_errors e;
	ow_errors_init(&e);
	assert_int_equal(ow_jspec_check(NULL, spec, NSPEC, OW_JSPEC_PATCH, &e), 1);
	expect_fields(&e, "", NULL);
}

static void test_error_overflow(void **state)
{
	(void)state;
	/* 70 unknown fields: 64 kept, 6 counted. */
	json_t *obj = json_object();
	char key[16];
	for (int i = 0; i < OW_MAX_FIELD_ERRORS + 6; i++) {
		snprintf(key, sizeof key, "f%02d", i);
		json_object_set_new(obj, key, json_integer(i));
	}
	struct ow_errors e;
	ow_errors_init(&e);
	assert_int_equal(ow_jspec_check(obj, spec, NSPEC, OW_JSPEC_CREATE, &e),
			 OW_MAX_FIELD_ERRORS + 6 + 3);
	assert_int_equal(e.n, OW_MAX_FIELD_ERRORS);
	assert_int_equal(e.dropped, 6 + 3); /* the missing required fields are counted too */
	assert_string_equal(e.items[0].field, "f00");
	assert_string_equal(e.items[OW_MAX_FIELD_ERRORS - 1].field, "f63");

	/* A second check appends; once full, everything is counted as dropped. */
	assert_int_equal(ow_jspec_check(obj, spec, NSPEC, OW_JSPEC_PATCH, &e),
			 OW_MAX_FIELD_ERRORS + 6);
	assert_int_equal(e.n, OW_MAX_FIELD_ERRORS);
	assert_int_equal(e.dropped, 9 + OW_MAX_FIELD_ERRORS + 6);
	json_decref(obj);

	/* Exactly the limit: nothing dropped. */
	obj = json_object();
	for (int i = 0; i < OW_MAX_FIELD_ERRORS; i++) {
		snprintf(key, sizeof key, "g%02d", i);
		json_object_set_new(obj, key, json_null());
	}
	ow_errors_init(&e);
	assert_int_equal(ow_jspec_check(obj, spec, NSPEC, OW_JSPEC_PATCH, &e), OW_MAX_FIELD_ERRORS);
	assert_int_equal(e.n, OW_MAX_FIELD_ERRORS);
	assert_int_equal(e.dropped, 0);
	json_decref(obj);
}

static void test_errors_add(void **state)
{
	(void)state;
	struct ow_errors e;
	ow_errors_init(&e);
	ow_errors_add(&e, NULL, "whole body %d", 1);
	assert_string_equal(e.items[0].field, "");
	assert_string_equal(e.items[0].message, "whole body 1");
	char longmsg[600];
	memset(longmsg, 'm', sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = '\0';
	ow_errors_add(&e, "f", "%s", longmsg);
	assert_int_equal(strlen(e.items[1].message), sizeof e.items[1].message - 1);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.dropped, 0);
	ow_errors_init(&e);
	assert_int_equal(e.n, 0);
	assert_int_equal(e.dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nulls),
		cmocka_unit_test(test_required_nullable),
		cmocka_unit_test(test_create_valid_document),
		cmocka_unit_test(test_required_on_create),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_alias_list_keeps_cap),
		cmocka_unit_test(test_unknown_and_read_only),
		cmocka_unit_test(test_several_errors_in_body_order),
		cmocka_unit_test(test_non_object_body),
		cmocka_unit_test(test_error_overflow),
		cmocka_unit_test(test_errors_add),
		cmocka_unit_test(test_null_collections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_docrow.c — documents written from flat columns: strings escaped, raw values as they
 * are, SQL NULL as null, a nested object null when its key column is NULL (its fields then
 * skipped, also nested ones), and a spec that does not nest or names a missing column
 * refused; times rewritten; PostgreSQL's array text (quoted, escaped, NULL elements) as JSON
 * arrays and as arrays of objects zipped from several arrays, malformed text refused. The rows
 * are PGresults built in memory (libpq's PQmakeEmptyPGresult). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "docrow.h"

/* A one-row result of text columns c0..c(n-1); values[i] NULL = SQL NULL. */
static PGresult *row_of(int n, const char *const *values)
{
	PGresult *pg = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[16];
	char names[16][8];
	memset(attrs, 0, sizeof attrs);
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "c%d", i);
		attrs[i].name = names[i];
		attrs[i].typid = 25;
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	assert_int_equal(PQsetResultAttrs(pg, n, attrs), 1);
	for (int i = 0; i < n; i++)
		assert_int_equal(PQsetvalue(pg, 0, i, (char *)values[i],
					    values[i] ? (int)strlen(values[i]) : -1),
				 1);
	return pg;
}

/* The document (the caller frees it; "" when nothing was written); *rc its status. */
static char *render(PGresult *pg, const struct ow_docf *f, size_t n, int *rc)
{
	struct ow_buf b;
	ow_buf_init(&b, 4096);
	struct ow_docspec spec = {f, n};
	*rc = ow_docrow_append(&b, pg, 0, &spec);
	char *out = strndup(b.data ? b.data : "", b.len);
	ow_buf_free(&b);
	return out;
}

static void test_fields_objects_and_nulls(void **state)
{
	(void)state;
	const char *v[] = {"d1", "Tab\there \"quoted\" \\ Zoë", NULL, "42", "[\"a\"]", "p1", "ada",
			   NULL};
	PGresult *pg = row_of(8, v);
	const struct ow_docf f[] = {
		{OW_DOCF_STR, "id", 0},	   {OW_DOCF_STR, "title", 1}, {OW_DOCF_STR, "notes", 2},
		{OW_DOCF_RAW, "count", 3}, {OW_DOCF_RAW, "ids", 4},   {OW_DOCF_OBJ, "person", 5},
		{OW_DOCF_STR, "id", 5},	   {OW_DOCF_STR, "slug", 6},  {OW_DOCF_END, NULL, 0},
		{OW_DOCF_OBJ, "team", 7}, /* NULL: null, its fields skipped, a nested one too */
		{OW_DOCF_STR, "id", 7},	   {OW_DOCF_OBJ, "org", 5},   {OW_DOCF_STR, "id", 5},
		{OW_DOCF_END, NULL, 0},	   {OW_DOCF_END, NULL, 0},    {OW_DOCF_RAW, "missing", 2},
	};
	int rc;
	char *out = render(pg, f, sizeof f / sizeof f[0], &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "{\"id\":\"d1\",\"title\":\"Tab\\there \\\"quoted\\\" \\\\ Zoë\","
				 "\"notes\":null,\"count\":42,\"ids\":[\"a\"],"
				 "\"person\":{\"id\":\"p1\",\"slug\":\"ada\"},\"team\":null,"
				 "\"missing\":null}");
	free(out);
	PQclear(pg);
}

static void test_bad_specs_are_refused(void **state)
{
	(void)state;
	const char *v[] = {"x"};
	PGresult *pg = row_of(1, v);
	int rc;
	const struct ow_docf beyond[] = {{OW_DOCF_STR, "a", 1}};
	free(render(pg, beyond, 1, &rc));
	assert_int_equal(rc, -1);
	const struct ow_docf unclosed[] = {{OW_DOCF_OBJ, "a", 0}, {OW_DOCF_STR, "b", 0}};
	free(render(pg, unclosed, 2, &rc));
	assert_int_equal(rc, -1);
	const struct ow_docf extra_end[] = {{OW_DOCF_STR, "a", 0}, {OW_DOCF_END, NULL, 0}};
	free(render(pg, extra_end, 2, &rc));
	assert_int_equal(rc, -1);
	const char *n[] = {NULL};
	PGresult *pgn = row_of(1, n);
	const struct ow_docf null_unclosed[] = {{OW_DOCF_OBJ, "a", 0}, {OW_DOCF_STR, "b", 0}};
	free(render(pgn, null_unclosed, 2, &rc));
	assert_int_equal(rc, -1);
	PQclear(pgn);
	PQclear(pg);
}

static void test_times(void **state)
{
	(void)state;
	const char *v[] = {"2025-01-31 01:59:43.105785", "2025-01-31 01:59:43", NULL, "infinity",
			   "2025-01-31T01:59:43"};
	PGresult *pg = row_of(5, v);
	const struct ow_docf f[] = {{OW_DOCF_TS, "a", 0},
				    {OW_DOCF_TS, "b", 1},
				    {OW_DOCF_TS, "c", 2},
				    {OW_DOCF_TS, "d", 3},
				    {OW_DOCF_TS, "e", 4}};
	int rc;
	char *out = render(pg, f, 5, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "{\"a\":\"2025-01-31T01:59:43Z\",\"b\":\"2025-01-31T01:59:43Z\","
				 "\"c\":null,\"d\":\"infinity\",\"e\":\"2025-01-31T01:59:43\"}");
	free(out);
	PQclear(pg);
}

static void test_arrays(void **state)
{
	(void)state;
	/* ids, titles (quoted: spaces, commas, braces, quotes, backslashes, the word NULL; a NULL
	 * element), publishers; an empty array; a NULL column */
	const char *v[] = {"{u1,u2,u3,u4}", "{\"a, {b}\",\"say \\\"hi\\\" \\\\ ok\",NULL,\"NULL\"}",
			   "{Zoë,NULL,\" x \",p}", "{}", NULL};
	PGresult *pg = row_of(5, v);
	const struct ow_docf f[] = {
		{OW_DOCF_ARR, "ids", 0},   {OW_DOCF_ARR, "none", 3}, {OW_DOCF_ARR, "null", 4},
		{OW_DOCF_ROWS, "rows", 0}, {OW_DOCF_ARR, "id", 0},   {OW_DOCF_ARR, "title", 1},
		{OW_DOCF_ARR, "pub", 2},   {OW_DOCF_END, NULL, 0},   {OW_DOCF_ROWS, "empty", 4},
		{OW_DOCF_ARR, "id", 4},	   {OW_DOCF_END, NULL, 0},   {OW_DOCF_STR, "after", 0},
	};
	int rc;
	char *out = render(pg, f, sizeof f / sizeof f[0], &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out,
			    "{\"ids\":[\"u1\",\"u2\",\"u3\",\"u4\"],\"none\":[],\"null\":[],"
			    "\"rows\":[{\"id\":\"u1\",\"title\":\"a, {b}\",\"pub\":\"Zoë\"},"
			    "{\"id\":\"u2\",\"title\":\"say \\\"hi\\\" \\\\ ok\",\"pub\":null},"
			    "{\"id\":\"u3\",\"title\":null,\"pub\":\" x \"},"
			    "{\"id\":\"u4\",\"title\":\"NULL\",\"pub\":\"p\"}],"
			    "\"empty\":[],\"after\":\"{u1,u2,u3,u4}\"}");
	free(out);
	PQclear(pg);
}

static void test_malformed_arrays_are_refused(void **state)
{
	(void)state;
	const char *bad[] = {"u1,u2", "{u1,u2", "{\"open}", "{a,,b}", "{a,}", "{{a},{b}}", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *v[] = {bad[i]};
		PGresult *pg = row_of(1, v);
		const struct ow_docf f[] = {{OW_DOCF_ARR, "a", 0}};
		int rc;
		free(render(pg, f, 1, &rc));
		assert_int_equal(rc, -1);
		PQclear(pg);
	}
	/* zipped arrays of different lengths (the second member's column: 1 shorter, 2 longer
	 * than the first), a member that is not an array, an unclosed list */
	const char *v[] = {"{a,b}", "{x}", "{x,y,z}"};
	PGresult *pg = row_of(3, v);
	for (int second = 1; second <= 2; second++) {
		const struct ow_docf zip[] = {{OW_DOCF_ROWS, "r", 0},
					      {OW_DOCF_ARR, "a", 0},
					      {OW_DOCF_ARR, "b", second},
					      {OW_DOCF_END, NULL, 0}};
		int rc;
		free(render(pg, zip, 4, &rc));
		assert_int_equal(rc, -1);
	}
	const struct ow_docf not_arr[] = {
		{OW_DOCF_ROWS, "r", 0}, {OW_DOCF_STR, "a", 0}, {OW_DOCF_END, NULL, 0}};
	int rc;
	free(render(pg, not_arr, 3, &rc));
	assert_int_equal(rc, -1);
	const struct ow_docf unclosed[] = {{OW_DOCF_ROWS, "r", 0}, {OW_DOCF_ARR, "a", 0}};
	free(render(pg, unclosed, 2, &rc));
	assert_int_equal(rc, -1);
	PQclear(pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_objects_and_nulls),
		cmocka_unit_test(test_bad_specs_are_refused),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_malformed_arrays_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

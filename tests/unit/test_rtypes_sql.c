/* test_rtypes_sql.c — the generated SQL dispatch by record type against the registry and
 * the SQL files: sql/functions/90_record_types.sql is exactly what `orgwatch sql-types`
 * writes now (a registry change without the file regenerated fails here), and every
 * function it calls for a type is defined by a file of sql/functions/ (a type registered
 * without its SQL surface fails here, before any database sees it). Run from the
 * repository's root (make unit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "rtypes.h"

#define GENERATED "sql/functions/90_record_types.sql"

static char *read_all(FILE *f, size_t *len)
{
	struct ow_buf b;
	ow_buf_init(&b, 0);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		assert_int_equal(ow_buf_append(&b, chunk, n), 0);
	*len = b.len;
	char *s = malloc(b.len + 1);
	assert_non_null(s);
	memcpy(s, b.data ? b.data : "", b.len);
	s[b.len] = '\0';
	ow_buf_free(&b);
	return s;
}

static char *generated(size_t *len)
{
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	assert_int_equal(ow_rtypes_sql(tmp), 0);
	rewind(tmp);
	char *s = read_all(tmp, len);
	fclose(tmp);
	return s;
}

static void test_checked_in_file_is_the_generated_one(void **state)
{
	(void)state;
	size_t want_len, have_len;
	char *want = generated(&want_len);
	FILE *f = fopen(GENERATED, "r");
	if (!f)
		fail_msg("cannot open %s (run from the repository's root)", GENERATED);
	char *have = read_all(f, &have_len);
	fclose(f);
	if (want_len != have_len || memcmp(want, have, want_len) != 0)
		fail_msg("%s differs from `orgwatch sql-types`: regenerate it "
			 "(build/orgwatch sql-types > %s)",
			 GENERATED, GENERATED);
	free(want);
	free(have);
}

/* Every .sql file of sql/functions/ but the generated one, concatenated. */
static char *function_files(void)
{
	FILE *ls = popen("ls sql/functions/*.sql", "r");
	assert_non_null(ls);
	struct ow_buf all;
	ow_buf_init(&all, 0);
	char path[512];
	while (fgets(path, sizeof path, ls)) {
		path[strcspn(path, "\n")] = '\0';
		if (strcmp(path, GENERATED) == 0)
			continue;
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		size_t n;
		char *s = read_all(f, &n);
		fclose(f);
		assert_int_equal(ow_buf_append(&all, s, n), 0);
		free(s);
	}
	pclose(ls);
	char *s = strdup(all.data ? all.data : "");
	ow_buf_free(&all);
	return s;
}

static void expect_defined(const char *files, const char *fn)
{
	char want[256];
	snprintf(want, sizeof want, "CREATE OR REPLACE FUNCTION public.%s(", fn);
	if (!strstr(files, want))
		fail_msg("no file of sql/functions/ defines %s, which the generated dispatch calls",
			 fn);
}

static void test_every_type_has_its_sql_surface(void **state)
{
	(void)state;
	static const char *const per_name[] = {"_existing", "_export_keys", "_export_line"};
	char *files = function_files();
	char fn[128];
	for (size_t i = 0; i < ow_nrtypes; i++) {
		const struct ow_rtype *t = &ow_rtypes[i];
		assert_non_null(t->table);
		for (size_t k = 0; k < sizeof per_name / sizeof per_name[0]; k++) {
			snprintf(fn, sizeof fn, "ow_%s%s", t->name, per_name[k]);
			expect_defined(files, fn);
		}
		snprintf(fn, sizeof fn, "ow_%s_write", t->plural);
		expect_defined(files, fn);
		if (t->own_key) {
			snprintf(fn, sizeof fn, "ow_%s_by_key", t->name);
			expect_defined(files, fn);
		}
		if (t->input) {
			snprintf(fn, sizeof fn, "ow_%s_input", t->name);
			expect_defined(files, fn);
		}
		if (t->import_set) {
			snprintf(fn, sizeof fn, "ow_import_%s", t->plural);
			expect_defined(files, fn);
		}
	}
	free(files);
}

static void test_every_type_is_in_every_switch(void **state)
{
	(void)state;
	size_t len;
	char *sql = generated(&len);
	char want[200];
	for (size_t i = 0; i < ow_nrtypes; i++) {
		const struct ow_rtype *t = &ow_rtypes[i];
		snprintf(want, sizeof want, "LATERAL ow_%s_write(c, ow_%s_candidate(c, d), d) w;",
			 t->plural, t->name);
		assert_non_null(strstr(sql, want));
		snprintf(want, sizeof want, "THEN DELETE FROM %s WHERE id = rid;", t->table);
		assert_non_null(strstr(sql, want));
		snprintf(want, sizeof want, "SELECT ow_record_triggers('%s', '%s');", t->table,
			 t->name);
		assert_non_null(strstr(sql, want));
		/* What each of its references refers to counts its records (a delete's 409), and
		 * its source links are in the switch of the facts that cite sources. */
		for (size_t k = 0; k < 8 && t->refs[k]; k++) {
			const char *field = strchr(t->refs[k], ':') + 1;
			snprintf(want, sizeof want, "(SELECT count(*) FROM %s WHERE ",
				 *field ? t->table : t->sources_table);
			char col[80];
			snprintf(col, sizeof col, "%s_id = rid", *field ? field : "source");
			int counted = 0;
			for (const char *at = strstr(sql, want); at && !counted;
			     at = strstr(at + 1, want)) {
				const char *c = strstr(at, col);
				counted = c && c < strchr(at, '\n');
			}
			assert_true(counted);
		}
		if (t->sources_table) {
			snprintf(want, sizeof want, "INSERT INTO %s SELECT fact, unnest(ids);",
				 t->sources_table);
			assert_non_null(strstr(sql, want));
		}
		snprintf(want, sizeof want, "WHEN %zu THEN (SELECT ow_%s_export_line(x) FROM %s x",
			 i + 1, t->name, t->table);
		assert_non_null(strstr(sql, want));
	}
	free(sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checked_in_file_is_the_generated_one),
		cmocka_unit_test(test_every_type_has_its_sql_surface),
		cmocka_unit_test(test_every_type_is_in_every_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_stmts.c — the statement table against its SQL (the texts embedded from the files of
 * sql/statements/) and its callers: every statement id has a block and every block an id,
 * every statement uses exactly $1..$nparams (no gap, no $n beyond), its kind agrees with its
 * text, skipped arguments stay within what callers pass, and each record resource's
 * statements take the arguments its handlers build (filters + cursor parts + limit for lists,
 * the key for reads, four for writes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"
#include "resource.h"
#include "stmt_texts.h"
#include "stmts.h"

/* Highest $n in sql; fills used[n] for each n seen (n < 64). */
static int scan_params(const char *sql, int used[64])
{
	int max = 0;
	memset(used, 0, 64 * sizeof *used);
	for (const char *p = strchr(sql, '$'); p; p = strchr(p + 1, '$')) {
		if (p[1] < '1' || p[1] > '9')
			continue; /* $$ or $function$ quoting */
		int n = (int)strtol(p + 1, NULL, 10);
		if (n < 64)
			used[n] = 1;
		if (n > max)
			max = n;
	}
	return max;
}

static void test_every_statement_uses_its_parameters(void **state)
{
	(void)state;
	for (int id = 0; id < OW_Q_COUNT; id++) {
		const struct ow_stmt *s = &ow_stmts[id];
		if (!s->name)
			fail_msg("statement id %d has no entry in stmts.c", id);
		const char *sql = ow_stmt_sql((enum ow_stmt_id)id);
		if (!sql)
			fail_msg("%s has no block `-- name: %s` in sql/statements/", s->name,
				 s->name);
		int used[64];
		int max = scan_params(sql, used);
		if (max != s->nparams)
			fail_msg("%s: highest $n is $%d, nparams says %d", s->name, max,
				 s->nparams);
		for (int n = 1; n <= s->nparams; n++)
			if (!used[n])
				fail_msg("%s: $%d is never used (a gap in $1..$%d)", s->name, n,
					 s->nparams);
		int nargs = ow_stmt_nargs((enum ow_stmt_id)id);
		if (nargs > OW_MAX_FILTERS + 3 || (nargs < 64 && (s->skip >> nargs) != 0))
			fail_msg("%s: skips an argument beyond the %d its callers pass", s->name,
				 nargs);
	}
}

/* Every block of sql/statements/ is the text of a statement id, and of one only. */
static void test_every_block_has_an_id(void **state)
{
	(void)state;
	assert_true(ow_stmt_ntexts > 0);
	for (int t = 0; t < ow_stmt_ntexts; t++) {
		const struct ow_stmt_text *x = &ow_stmt_texts[t];
		int ids = 0;
		for (int id = 0; id < OW_Q_COUNT; id++)
			ids += ow_stmts[id].name && strcmp(ow_stmts[id].name, x->name) == 0;
		if (ids != 1)
			fail_msg("%s: block %s is the text of %d statement ids (stmts.c), not 1",
				 x->where, x->name, ids);
		for (int u = t + 1; u < ow_stmt_ntexts; u++)
			if (strcmp(ow_stmt_texts[u].name, x->name) == 0)
				fail_msg("%s and %s: two blocks named %s", x->where,
					 ow_stmt_texts[u].where, x->name);
	}
}

/* A statement's kind says how ow_db_exec runs it: the text must be of that kind (a cursor's
 * DECLARE or FETCH), and only a plain statement has variants. */
static void test_kinds_match_texts(void **state)
{
	(void)state;
	for (int id = 0; id < OW_Q_COUNT; id++) {
		const struct ow_stmt *s = &ow_stmts[id];
		const char *sql = ow_stmt_sql((enum ow_stmt_id)id);
		if (!sql)
			continue; /* test_every_statement_uses_its_parameters names it */
		int declare = strncmp(sql, "DECLARE ", 8) == 0,
		    fetch = strncmp(sql, "FETCH ", 6) == 0;
		if (declare != (s->kind == OW_SK_CURSOR_DECLARE))
			fail_msg("%s: %s DECLARE, and its kind says %s", s->name,
				 declare ? "a" : "no", declare ? "otherwise" : "it is");
		if (fetch != (s->kind == OW_SK_CURSOR_FETCH))
			fail_msg("%s: %s FETCH, and its kind says %s", s->name, fetch ? "a" : "no",
				 fetch ? "otherwise" : "it is");
		if (s->replan && s->kind != OW_SK_PLAIN)
			fail_msg("%s: `replan` and not OW_SK_PLAIN", s->name);
	}
}

static void test_names_are_unique(void **state)
{
	(void)state;
	for (int a = 0; a < OW_Q_COUNT; a++)
		for (int b = a + 1; b < OW_Q_COUNT; b++)
			if (strcmp(ow_stmts[a].name, ow_stmts[b].name) == 0)
				fail_msg("two statements named %s", ow_stmts[a].name);
}

static void expect_nargs(const struct ow_resource *res, enum ow_stmt_id id, int want,
			 const char *what)
{
	if (ow_stmt_nargs(id) != want)
		fail_msg("%s %s: %s takes %d arguments, the handler passes %d", res->plural, what,
			 ow_stmts[id].name, ow_stmt_nargs(id), want);
}

static void test_resources_match_their_statements(void **state)
{
	(void)state;
	const struct ow_resource *all[] = {&ow_res_organizations, &ow_res_teams,
					   &ow_res_people,	  &ow_res_positions,
					   &ow_res_sources,	  &ow_res_departures,
					   &ow_res_layoffs,	  &ow_res_reporting_lines};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		const struct ow_resource *res = all[i];
		int list_args =
			(int)res->nfilters + 3; /* h_records.c: filters, cursor parts, limit */
		expect_nargs(res, res->q_list, list_args, "list");
		if (res->q_search)
			expect_nargs(res, res->q_search, list_args, "search");
		for (const struct ow_sort *so = res->sorts; so && so->value; so++)
			expect_nargs(res, so->stmt, list_args, so->value);
		expect_nargs(res, res->q_get, 1, "get"); /* the id or slug */
		if (res->q_get_id)
			expect_nargs(res, res->q_get_id, 1, "get by id");
		if (res->q_moved)
			expect_nargs(res, res->q_moved, 1, "moved");
		expect_nargs(res, res->q_write, 4, "write"); /* actor, key, doc, If-Match */
	}
}

/* Statements run by handlers with argument arrays of their own (h_records.c, h_people.c,
 * h_changes.c, h_history.c, auth.c, h_stream.c): the count each passes. */
static void test_handler_arguments(void **state)
{
	(void)state;
	static const struct {
		enum ow_stmt_id id;
		int nargs;
	} calls[] = {
		{OW_Q_RECORD_DELETE, 4}, {OW_Q_IDEM_CLAIM, 5},	 {OW_Q_IDEM_STORE, 6},
		{OW_Q_PEOPLE_MERGE, 4},	 {OW_Q_CHANGES_LIST, 6}, {OW_Q_TEAM_MEMBERS, 5},
		{OW_Q_TEAM_ALUMNI, 4},	 {OW_Q_AUTH_LOOKUP, 1},	 {OW_Q_STREAM_START, 4},
	};
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (ow_stmt_nargs(calls[i].id) != calls[i].nargs)
			fail_msg("%s takes %d arguments; its handler passes %d",
				 ow_stmts[calls[i].id].name, ow_stmt_nargs(calls[i].id),
				 calls[i].nargs);
}

/* A variant replaces exactly the NULL arguments' $k by NULL ($1 never touches $12), the
 * arguments that are given keep their $k, and "$?k" says which were given. */
static void test_variant_replaces_only_null_arguments(void **state)
{
	(void)state;
	char out[16384];
	enum ow_stmt_id id = OW_Q_DEPARTURES_LIST_DESC;
	/* Every argument given: each $k kept, each "$?k" (given?) written true. */
	int n = ow_stmt_variant_sql(id, 0, out, sizeof out);
	assert_int_equal(n, (int)strlen(out));
	assert_null(strstr(out, "$?"));
	assert_non_null(strstr(out, "ow_departures_filtered($1, $2, $3,"));
	assert_non_null(strstr(out, "ARRAY[true, true, true, true, true, true, true, true, true,"
				    " true, true, true]"));
	/* All but $2 (org) and $18 (limit) NULL. */
	unsigned long long nulls = ((1ULL << 18) - 1) & ~((1ULL << 1) | (1ULL << 17));
	n = ow_stmt_variant_sql(id, nulls, out, sizeof out);
	assert_true(n > 0);
	int used[64];
	scan_params(out, used);
	for (int k = 1; k <= 18; k++)
		if (used[k] != (k == 2 || k == 18))
			fail_msg("$%d %s in the variant", k, used[k] ? "kept" : "dropped");
	assert_non_null(strstr(out, "ow_departures_filtered(NULL, $2, NULL,"));
	assert_non_null(strstr(out, "ARRAY[false, true, false, false, false, false, false, false,"
				    " false, false, false, false]"));
	assert_null(strstr(out, "NULL2")); /* "$12" was not read as "$1" followed by "2" */
	/* A given argument's "$k::type IS NULL" is false, so "(... OR cond)" keeps cond only;
	 * "IS NOT NULL" and other uses of $k are left alone. */
	n = ow_stmt_variant_sql(OW_Q_PEOPLE_LIST, 0x7D, out, sizeof out); /* $2, $8 given */
	assert_true(n > 0);
	assert_non_null(strstr(out, "(false OR p.id IN (SELECT"));
	assert_null(strstr(out, "$2::text IS NULL"));
	assert_non_null(strstr(out, "(NULL::text IS NULL OR p.tags"));
	assert_non_null(strstr(out, "LIMIT $8::int"));
	/* Too small a buffer is refused, not overrun. */
	assert_int_equal(ow_stmt_variant_sql(id, nulls, out, 32), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_statement_uses_its_parameters),
		cmocka_unit_test(test_every_block_has_an_id),
		cmocka_unit_test(test_kinds_match_texts),
		cmocka_unit_test(test_names_are_unique),
		cmocka_unit_test(test_resources_match_their_statements),
		cmocka_unit_test(test_handler_arguments),
		cmocka_unit_test(test_variant_replaces_only_null_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

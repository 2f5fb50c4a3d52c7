/* test_tree.c — unit tests of the flat-rows forest and its depth-first walk (server/tree.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

/* The walk as text: "(a(b)(c))" for a with children b, c; "," before a sibling's ENTER,
 * and ":d" after an id when with_depth. */
static void walk(struct ow_tree *t, const char *const *ids, int with_depth, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int guard = 0; guard < 10000; guard++) {
		struct ow_tree_step s;
		ow_tree_next(t, &s);
		if (s.event == OW_TREE_DONE)
			return;
		int n;
		if (s.event == OW_TREE_ENTER && with_depth)
			n = snprintf(out + len, size - len, "%s(%s:%u", s.after_sibling ? "," : "",
				     ids[s.node], s.depth);
		else if (s.event == OW_TREE_ENTER)
			n = snprintf(out + len, size - len, "%s(%s", s.after_sibling ? "," : "",
				     ids[s.node]);
		else
			n = snprintf(out + len, size - len, ")");
		assert_true(n > 0 && (size_t)n < size - len);
		len += (size_t)n;
	}
	fail_msg("the walk never ended");
}

static void expect_walk(size_t n, const char *const *ids, const char *const *parents, int max_depth,
			int with_depth, const char *want)
{
	struct ow_tree *t = ow_tree_build(n, ids, parents, max_depth);
	assert_non_null(t);
	char got[1024];
	walk(t, ids, with_depth, got, sizeof got);
	assert_string_equal(got, want);
	/* DONE is sticky. */
	struct ow_tree_step s;
	ow_tree_next(t, &s);
	assert_int_equal(s.event, OW_TREE_DONE);
	ow_tree_free(t);
}

static const char *const ids[] = {"ceo", "cto", "cfo", "dev1", "dev2", "acct", "intern"};
static const char *const parents[] = {NULL, "ceo", "ceo", "cto", "cto", "cfo", "dev2"};

static void test_nested_in_row_order(void **state)
{
	(void)state;
	expect_walk(7, ids, parents, -1, 1,
		    "(ceo:0(cto:1(dev1:2),(dev2:2(intern:3))),(cfo:1(acct:2)))");
}

static void test_rows_in_any_order_keep_sibling_order(void **state)
{
	(void)state;
	/* Children listed before their parent; siblings b then a as given. */
	const char *const i2[] = {"b", "x", "a", "root"};
	const char *const p2[] = {"root", "a", "root", NULL};
	expect_walk(4, i2, p2, -1, 0, "(root(b),(a(x)))");
}

static void test_depth_limits(void **state)
{
	(void)state;
	expect_walk(7, ids, parents, 0, 0, "(ceo)");
	expect_walk(7, ids, parents, 1, 0, "(ceo(cto),(cfo))");
	expect_walk(7, ids, parents, 2, 0, "(ceo(cto(dev1),(dev2)),(cfo(acct)))");
}

static void test_several_roots_and_unknown_parents(void **state)
{
	(void)state;
	/* A parent id naming no row (a manager outside the chart) makes a root, in row order. */
	const char *const i2[] = {"a", "b", "c", "d"};
	const char *const p2[] = {NULL, "elsewhere", "a", NULL};
	expect_walk(4, i2, p2, -1, 0, "(a(c)),(b),(d)");
}

static void test_cycles_and_self_parents(void **state)
{
	(void)state;
	/* x and y point at each other: unreachable from any root, never entered. A node that
	 * is its own parent is a root. */
	const char *const i2[] = {"r", "x", "y", "s"};
	const char *const p2[] = {NULL, "y", "x", "s"};
	expect_walk(4, i2, p2, -1, 0, "(r),(s)");
}

static void test_empty_and_repeated_ids(void **state)
{
	(void)state;
	expect_walk(0, NULL, NULL, -1, 0, "");
	/* A repeated id: children attach to its first row; the second row is its own node. */
	const char *const i2[] = {"a", "a", "k"};
	const char *const p2[] = {NULL, NULL, "a"};
	expect_walk(3, i2, p2, -1, 0, "(a(k)),(a)");
}

static void test_deep_chain_without_recursion(void **state)
{
	(void)state;
	enum { N = 100000 };
	char(*names)[12] = malloc(sizeof(*names) * N);
	const char **iv = malloc(sizeof(*iv) * N), **pv = malloc(sizeof(*pv) * N);
	assert_non_null(names);
	assert_non_null(iv);
	assert_non_null(pv);
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "n%d", i);
		iv[i] = names[i];
		pv[i] = i ? names[i - 1] : NULL;
	}
	struct ow_tree *t = ow_tree_build(N, iv, pv, -1);
	assert_non_null(t);
	unsigned max_depth = 0, enters = 0, leaves = 0;
	for (;;) {
		struct ow_tree_step s;
		ow_tree_next(t, &s);
		if (s.event == OW_TREE_DONE)
			break;
		if (s.event == OW_TREE_ENTER) {
			enters++;
			assert_false(s.after_sibling);
			if (s.depth > max_depth)
				max_depth = s.depth;
		} else {
			leaves++;
		}
	}
	assert_int_equal(enters, N);
	assert_int_equal(leaves, N);
	assert_int_equal(max_depth, N - 1);
	ow_tree_free(t);
	free(names);
	free(iv);
	free(pv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_in_row_order),
		cmocka_unit_test(test_rows_in_any_order_keep_sibling_order),
		cmocka_unit_test(test_depth_limits),
		cmocka_unit_test(test_several_roots_and_unknown_parents),
		cmocka_unit_test(test_cycles_and_self_parents),
		cmocka_unit_test(test_empty_and_repeated_ids),
		cmocka_unit_test(test_deep_chain_without_recursion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_chart_org.c — unit tests of the org chart's collapse from links alone
 * (ow_chart_org_collapse, server/org_collapse.c): who is drawn at a depth and how many people
 * each "+N more" stands for; cycles and unknown managers; a person on two rows (two
 * positions the same day) counted once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "chart.h"

/* a → b, c; b → d, e; d → f; g alone; h's manager is not on the chart. */
static const char *const IDS[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
static const char *const MGR[] = {NULL, "a", "a", "b", "b", "d", NULL, "zz"};
#define N 8

/* The collapse over names as 16-byte ids (a name's bytes, zero-padded; NULL: no manager). */
static long collapse(const char *const *ids, const char *const *mgr, size_t n, int depth,
		     long *drawn, long *hidden)
{
	unsigned char k[16][16], m[16][16], has[16];
	assert_true(n <= 16);
	memset(k, 0, sizeof k), memset(m, 0, sizeof m);
	for (size_t i = 0; i < n; i++) {
		memcpy(k[i], ids[i], strlen(ids[i]));
		has[i] = mgr[i] != NULL;
		if (mgr[i])
			memcpy(m[i], mgr[i], strlen(mgr[i]));
	}
	return ow_chart_org_collapse((const unsigned char(*)[16])k, (const unsigned char(*)[16])m,
				     has, n, depth, drawn, hidden);
}

static long hidden_of(const long *drawn, const long *hidden, long count, const char *id)
{
	for (long k = 0; k < count; k++)
		if (strcmp(IDS[drawn[k]], id) == 0)
			return hidden[k];
	return -1; /* not drawn */
}

static void test_collapse_depths(void **state)
{
	(void)state;
	long drawn[N], hidden[N];
	long count = collapse(IDS, MGR, N, 0, drawn, hidden);
	assert_int_equal(count, 3); /* the roots: a, g, h */
	assert_int_equal(hidden_of(drawn, hidden, count, "a"), 5);
	assert_int_equal(hidden_of(drawn, hidden, count, "g"), 0);
	assert_int_equal(hidden_of(drawn, hidden, count, "h"), 0);
	count = collapse(IDS, MGR, N, 1, drawn, hidden);
	assert_int_equal(count, 5);
	assert_int_equal(hidden_of(drawn, hidden, count, "a"), 0);
	assert_int_equal(hidden_of(drawn, hidden, count, "b"), 3);
	assert_int_equal(hidden_of(drawn, hidden, count, "c"), 0);
	assert_int_equal(hidden_of(drawn, hidden, count, "d"), -1);
	count = collapse(IDS, MGR, N, 10, drawn, hidden);
	assert_int_equal(count, N);
	for (long k = 0; k < count; k++)
		assert_int_equal(hidden[k], 0);
}

static void test_collapse_cycle_and_empty(void **state)
{
	(void)state;
	const char *const ids[] = {"x", "y", "z"};
	const char *const mgr[] = {"z", "x", "y"}; /* x → y → z → x: cut, everyone drawn once */
	long drawn[3], hidden[3];
	long count = collapse(ids, mgr, 3, 5, drawn, hidden);
	assert_int_equal(count, 3);
	count = collapse(ids, mgr, 3, 0, drawn, hidden);
	assert_int_equal(count, 1);
	assert_int_equal(hidden[0], 2);
	assert_int_equal(collapse(ids, mgr, 0, 0, drawn, hidden), 0);
}

/* The day's links come one row a position: b holds two (same manager), so b is a row twice;
 * counted and drawn once, its reports under the first row. */
static void test_collapse_person_on_two_rows(void **state)
{
	(void)state;
	const char *const ids[] = {"a", "b", "c", "b", "d"};
	const char *const mgr[] = {NULL, "a", "b", "a", "b"};
	long drawn[5], hidden[5];
	long count = collapse(ids, mgr, 5, 0, drawn, hidden);
	assert_int_equal(count, 1);
	assert_int_equal(hidden[0], 3); /* b, c, d */
	count = collapse(ids, mgr, 5, 1, drawn, hidden);
	assert_int_equal(count, 2);
	assert_int_equal(drawn[1], 1);
	assert_int_equal(hidden[1], 2);
	count = collapse(ids, mgr, 5, 9, drawn, hidden);
	assert_int_equal(count, 4);
	for (long k = 0; k < count; k++)
		assert_int_not_equal(drawn[k], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collapse_depths),
		cmocka_unit_test(test_collapse_cycle_and_empty),
		cmocka_unit_test(test_collapse_person_on_two_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

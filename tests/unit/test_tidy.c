/* test_tidy.c — unit tests of the tidy tree layout (server/tidy.c): fixed drawings, invalid
 * input, deep chains, and the layout's properties over random forests of many shapes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tidy.h"

#define CENTRE_TOL 1e-6 /* parent over its children's midpoint */
#define GAP_TOL 1e-6	/* rounding allowed below the gap */
#define EXACT_TOL 1e-9	/* fixed cases, leftmost edge, returned width */

/* splitmix64: a deterministic PRNG, the same sequence on every machine. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n)
{
	return (size_t)(rng_next(s) % n);
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0; /* [0, 1) */
}

static double layout(struct ow_tidy_node *v, size_t n, double gap)
{
	return ow_tidy_layout(v, n, gap);
}

struct placed {
	int depth;
	double x, width;
	size_t index;
};

static int by_level_then_x(const void *a, const void *b)
{
	const struct placed *p = a, *q = b;
	if (p->depth != q->depth)
		return p->depth < q->depth ? -1 : 1;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->index < q->index ? -1 : p->index > q->index;
}

/* Neighbours on each level (sorted by x) at least gap apart, edge to edge. */
static void check_levels(const struct ow_tidy_node *v, size_t n, double gap)
{
	struct placed *p = malloc(n * sizeof *p);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct placed){v[i].depth, v[i].x, v[i].width, i};
	qsort(p, n, sizeof *p, by_level_then_x);
	for (size_t k = 1; k < n; k++) {
		if (p[k].depth != p[k - 1].depth)
			continue;
		double space = (p[k].x - p[k].width / 2) - (p[k - 1].x + p[k - 1].width / 2);
		if (space < gap - GAP_TOL)
			fail_msg("level %d: nodes %zu and %zu are %.9g apart (gap %g)", p[k].depth,
				 p[k - 1].index, p[k].index, space, gap);
	}
	free(p);
}

/* Depth, sibling order and centring, against links computed here from the parents. */
static void check_family(const struct ow_tidy_node *v, size_t n)
{
	size_t *first = malloc((n + 1) * sizeof *first), *last = malloc((n + 1) * sizeof *last);
	assert_non_null(first);
	assert_non_null(last);
	for (size_t i = 0; i <= n; i++)
		first[i] = last[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t p = v[i].parent < 0 ? n : (size_t)v[i].parent; /* n: the roots' row */
		int depth = v[i].parent < 0 ? 0 : v[p].depth + 1;
		if (v[i].depth != depth)
			fail_msg("node %zu: depth %d, want %d", i, v[i].depth, depth);
		if (last[p] != SIZE_MAX && !(v[last[p]].x < v[i].x))
			fail_msg("node %zu (x %.9g) is not right of its left sibling %zu (x %.9g)",
				 i, v[i].x, last[p], v[last[p]].x);
		if (first[p] == SIZE_MAX)
			first[p] = i;
		last[p] = i;
	}
	for (size_t p = 0; p < n; p++) {
		if (first[p] == SIZE_MAX)
			continue;
		double mid = (v[first[p]].x + v[last[p]].x) / 2;
		if (!(fabs(v[p].x - mid) < CENTRE_TOL))
			fail_msg("node %zu at %.12g, its children's midpoint at %.12g", p, v[p].x,
				 mid);
	}
	free(first);
	free(last);
}

/* Not wider than needed: the subtree of a last child (of v, n for the roots) is where
 * Walker's algorithm pushed it, touching the subtrees of its left siblings (exactly gap
 * apart) on some level. O(n) per parent: for small layouts. */
static void check_tight(const struct ow_tidy_node *v, size_t n, double gap, size_t p)
{
	size_t *top = malloc(n * sizeof *top), last = SIZE_MAX, levels = 0;
	assert_non_null(top);
	for (size_t i = 0; i < n; i++) {
		size_t q = v[i].parent < 0 ? n : (size_t)v[i].parent;
		if (q == p)
			top[i] = i;
		else
			top[i] = q != n && (p == n || q > p) ? top[q] : SIZE_MAX;
		if (q == p)
			last = i;
		if (top[i] != SIZE_MAX && (size_t)v[i].depth + 1 > levels)
			levels = (size_t)v[i].depth + 1;
	}
	if (last == SIZE_MAX || top[last] == SIZE_MAX) {
		free(top);
		return;
	}
	double *right = malloc(levels * sizeof *right), *left = malloc(levels * sizeof *left);
	assert_non_null(right);
	assert_non_null(left);
	for (size_t d = 0; d < levels; d++)
		right[d] = -INFINITY, left[d] = INFINITY;
	size_t children = 0;
	for (size_t i = 0; i < n; i++) {
		if (top[i] == SIZE_MAX)
			continue;
		children += top[i] == i;
		size_t d = (size_t)v[i].depth;
		if (top[i] == last)
			left[d] = fmin(left[d], v[i].x - v[i].width / 2);
		else
			right[d] = fmax(right[d], v[i].x + v[i].width / 2);
	}
	double closest = INFINITY;
	for (size_t d = 0; d < levels; d++)
		closest = fmin(closest, left[d] - right[d]);
	if (children > 1 && !(fabs(closest - gap) < GAP_TOL))
		fail_msg("the last child %zu of %zu is %.12g from its left siblings' subtrees",
			 last, p, closest);
	free(top);
	free(right);
	free(left);
}

/* Every property the layout promises, for a layout that returned total. */
static void check_layout(const struct ow_tidy_node *v, size_t n, double gap, double total)
{
	double left = INFINITY, right = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		assert_true(isfinite(v[i].x));
		left = fmin(left, v[i].x - v[i].width / 2);
		right = fmax(right, v[i].x + v[i].width / 2);
	}
	if (!(fabs(left) <= EXACT_TOL))
		fail_msg("leftmost edge at %.12g", left);
	if (!(fabs(total - right) <= EXACT_TOL))
		fail_msg("returned %.12g, rightmost edge at %.12g", total, right);
	check_family(v, n);
	check_levels(v, n, gap);
	if (n <= 600)
		for (size_t p = 0; p <= n; p++)
			check_tight(v, n, gap, p);
}

static void expect_x(const struct ow_tidy_node *v, size_t n, const double *want)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabs(v[i].x - want[i]) < EXACT_TOL))
			fail_msg("node %zu at %.12g, want %.12g", i, v[i].x, want[i]);
}

static void test_empty_and_one_node(void **state)
{
	(void)state;
	assert_true(layout(NULL, 0, 10) == 0);
	struct ow_tidy_node one[] = {{-1, 50, 0, 0}};
	assert_true(layout(one, 1, 10) == 50);
	assert_true(one[0].x == 25);
	assert_int_equal(one[0].depth, 0);
}

static void test_parent_with_one_two_three_children(void **state)
{
	(void)state;
	/* One child wider than its parent: both centred on the child. */
	struct ow_tidy_node one[] = {{-1, 40, 0, 0}, {0, 100, 0, 0}};
	assert_true(fabs(layout(one, 2, 10) - 100) < EXACT_TOL);
	expect_x(one, 2, (const double[]){50, 50});
	assert_int_equal(one[1].depth, 1);

	struct ow_tidy_node two[] = {{-1, 60, 0, 0}, {0, 40, 0, 0}, {0, 40, 0, 0}};
	assert_true(fabs(layout(two, 3, 10) - 90) < EXACT_TOL);
	expect_x(two, 3, (const double[]){45, 20, 70});

	struct ow_tidy_node three[] = {{-1, 40, 0, 0}, {0, 40, 0, 0}, {0, 40, 0, 0}, {0, 40, 0, 0}};
	assert_true(fabs(layout(three, 4, 10) - 140) < EXACT_TOL);
	expect_x(three, 4, (const double[]){70, 20, 70, 120});
	check_layout(three, 4, 10, 140);
}

static void test_unequal_widths(void **state)
{
	(void)state;
	/* Children 20 and 100 wide, 10 apart: centres 60 apart; the parent (200 wide) overhangs
	 * on the left, so everything moves right until its edge is at 0. */
	struct ow_tidy_node v[] = {{-1, 200, 0, 0}, {0, 20, 0, 0}, {0, 100, 0, 0}};
	assert_true(fabs(layout(v, 3, 10) - 200) < EXACT_TOL);
	expect_x(v, 3, (const double[]){100, 65, 135});
	check_layout(v, 3, 10, 200);
}

static void test_two_roots(void **state)
{
	(void)state;
	struct ow_tidy_node v[] = {{-1, 30, 0, 0}, {-1, 50, 0, 0}};
	assert_true(fabs(layout(v, 2, 5) - 85) < EXACT_TOL);
	expect_x(v, 2, (const double[]){15, 60});
	/* Roots' subtrees are pushed apart like siblings' (a gap of 0 lets edges touch). */
	struct ow_tidy_node w[] = {{-1, 10, 0, 0}, {-1, 10, 0, 0}, {0, 100, 0, 0}, {1, 100, 0, 0}};
	assert_true(fabs(layout(w, 4, 0) - 200) < EXACT_TOL);
	expect_x(w, 4, (const double[]){50, 150, 50, 150});
	check_layout(w, 4, 0, 200);
}

static void test_cousins_pushed_apart(void **state)
{
	(void)state;
	/* Two small siblings, each over a wide child: the cousins set the distance. */
	struct ow_tidy_node v[] = {
		{-1, 10, 0, 0}, {0, 10, 0, 0}, {0, 10, 0, 0}, {1, 100, 0, 0}, {2, 100, 0, 0}};
	assert_true(fabs(layout(v, 5, 10) - 210) < EXACT_TOL);
	expect_x(v, 5, (const double[]){105, 50, 160, 50, 160});
	check_layout(v, 5, 10, 210);
}

static void test_small_subtrees_spread_evenly(void **state)
{
	(void)state;
	/* Root 0 over A=1, B=2, C=3, D=4; A and D each over five boxes. D is pushed right by
	 * A's children; B and C (leaves) share the room evenly: A, B, C, D equally spaced. */
	struct ow_tidy_node v[15];
	int parents[15] = {-1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4};
	for (int i = 0; i < 15; i++)
		v[i] = (struct ow_tidy_node){parents[i], 10, 0, 0};
	assert_true(fabs(layout(v, 15, 10) - 190) < EXACT_TOL);
	expect_x(v, 15,
		 (const double[]){95, 45, 45 + 100.0 / 3, 45 + 200.0 / 3, 145, 5, 25, 45, 65, 85,
				  105, 125, 145, 165, 185});
	check_layout(v, 15, 10, 190);
}

static void test_invalid_input(void **state)
{
	(void)state;
	struct ow_tidy_node v[3];
	struct ow_tidy_node ok[3] = {{-1, 10, 0, 0}, {0, 10, 0, 0}, {0, 10, 0, 0}};
	const struct {
		size_t node;
		int parent;
		double width;
	} bad[] = {
		{0, 0, 10},		  /* its own parent */
		{1, 1, 10},  {1, 2, 10},  /* a parent after the node */
		{0, -2, 10}, {2, -5, 10}, /* below -1 */
		{1, 0, 0},   {1, 0, -3},  {2, 0, NAN}, {2, 0, INFINITY}, {0, -1, -INFINITY},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		memcpy(v, ok, sizeof v);
		v[bad[k].node].parent = bad[k].parent;
		v[bad[k].node].width = bad[k].width;
		if (layout(v, 3, 10) != -1)
			fail_msg("case %zu accepted", k);
	}
	memcpy(v, ok, sizeof v);
	assert_true(layout(v, 3, -1) == -1);
	assert_true(layout(v, 3, NAN) == -1);
	assert_true(layout(v, 3, INFINITY) == -1);
	assert_true(layout(NULL, 3, 10) == -1);
	/* Finite, but wider than a double holds. */
	struct ow_tidy_node huge[] = {{-1, 1e308, 0, 0}, {-1, 1e308, 0, 0}};
	assert_true(layout(huge, 2, 1e308) == -1);
	/* The valid input still lays out, gap 0 included. */
	assert_true(fabs(layout(v, 3, 0) - 20) < EXACT_TOL);
	check_layout(v, 3, 0, 20);
}

static void test_deep_chain_without_recursion(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct ow_tidy_node *v = malloc(N * sizeof *v);
	assert_non_null(v);
	uint64_t seed = 7;
	double widest = 0;
	for (int i = 0; i < N; i++) {
		v[i] = (struct ow_tidy_node){i - 1, 20 + rng_below(&seed, 281), 0, 0};
		widest = fmax(widest, v[i].width);
	}
	double total = layout(v, N, 12);
	/* Each node over its only child: one column, as wide as the widest box. */
	assert_true(total == widest);
	for (int i = 0; i < N; i++) {
		assert_int_equal(v[i].depth, i);
		assert_true(v[i].x == widest / 2);
	}
	free(v);
}

enum shape { BUSHY, DEEP, SKEWED, FLAT, CATERPILLAR, FOREST, PREFERENTIAL, SHAPES };

/* Parent of node i in a tree of the given shape; parents[0..i) already chosen. */
static int pick_parent(enum shape shape, const struct ow_tidy_node *v, size_t i, uint64_t *s)
{
	if (i == 0)
		return -1;
	size_t j;
	switch (shape) {
	case BUSHY: j = rng_below(s, i); break;
	case DEEP: j = i - 1 - rng_below(s, i < 3 ? i : 3); break;
	case SKEWED: /* mostly the last node, now and then one near the top */
		j = rng_below(s, 10) < 7 ? i - 1 : rng_below(s, i / 10 + 1);
		break;
	case FLAT: j = rng_below(s, 1 + i / 50); break;
	case CATERPILLAR: /* a spine with legs */
		j = i - 1;
		while (j > 0 && v[j].parent >= 0 && (size_t)v[j].parent != j - 1)
			j--;
		if (rng_below(s, 3) == 0)
			j = i - 1;
		break;
	case FOREST:
		if (rng_below(s, 30) == 0)
			return -1;
		j = i - 1 - rng_below(s, i < 20 ? i : 20);
		break;
	default: /* PREFERENTIAL: a random node's parent, or the node itself */
		j = rng_below(s, i);
		if (rng_below(s, 2) && v[j].parent >= 0)
			j = (size_t)v[j].parent;
		break;
	}
	return (int)j;
}

/* A random forest of n nodes, widths in [20, 300] (whole numbers when `whole`). */
static void random_forest(struct ow_tidy_node *v, size_t n, enum shape shape, int whole,
			  uint64_t *s)
{
	for (size_t i = 0; i < n; i++) {
		v[i].parent = pick_parent(shape, v, i, s);
		if (i > 0 && rng_below(s, 500) == 0)
			v[i].parent = -1; /* a few extra roots in every shape */
		v[i].width = whole ? (double)(20 + rng_below(s, 281)) : 20 + 280 * rng_unit(s);
		v[i].x = -12345;
		v[i].depth = -1;
	}
}

static void test_random_forests(void **state)
{
	(void)state;
	enum { MAX_N = 5000, SEEDS = 400 };
	static const double gaps[] = {0, 1, 8, 16.5, 40};
	struct ow_tidy_node *v = malloc(MAX_N * sizeof *v);
	assert_non_null(v);
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		uint64_t s = seed * 1000003;
		size_t n = seed % 4 == 0 ? 1 + rng_below(&s, 300) : 1 + rng_below(&s, MAX_N);
		enum shape shape = (enum shape)(seed % SHAPES);
		double gap = gaps[rng_below(&s, sizeof gaps / sizeof gaps[0])];
		random_forest(v, n, shape, (int)(seed % 2), &s);
		double total = layout(v, n, gap);
		if (!(total > 0))
			fail_msg("seed %llu: returned %g", (unsigned long long)seed, total);
		check_layout(v, n, gap, total);
	}
	free(v);
}

static void test_large_random_trees(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct ow_tidy_node *v = malloc(N * sizeof *v);
	assert_non_null(v);
	for (int shape = 0; shape < SHAPES; shape++) {
		uint64_t s = 99 + (uint64_t)shape;
		random_forest(v, N, (enum shape)shape, 0, &s);
		double total = layout(v, N, 10);
		assert_true(total > 0);
		check_layout(v, N, 10, total);
	}
	free(v);
}

static void test_deterministic(void **state)
{
	(void)state;
	enum { N = 3000 };
	struct ow_tidy_node *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
	assert_non_null(a);
	assert_non_null(b);
	uint64_t s = 42;
	random_forest(a, N, PREFERENTIAL, 0, &s);
	memcpy(b, a, N * sizeof *a);
	b[N / 2].x = 1e9; /* outputs on entry do not matter */
	double ta = layout(a, N, 7), tb = layout(b, N, 7);
	assert_memory_equal(&ta, &tb, sizeof ta);
	for (size_t i = 0; i < N; i++)
		assert_memory_equal(&a[i].x, &b[i].x, sizeof a[i].x);
	free(a);
	free(b);
}

/* Appends a copy of t[0..m) at v[at..at+m), its root under parent. */
static void copy_subtree(struct ow_tidy_node *v, size_t at, const struct ow_tidy_node *t, size_t m,
			 int parent)
{
	for (size_t i = 0; i < m; i++) {
		v[at + i] = t[i];
		v[at + i].parent = i == 0 ? parent : t[i].parent + (int)at;
	}
}

static void test_equal_subtrees_drawn_alike(void **state)
{
	(void)state;
	/* Walker's promise: a subtree's drawing does not depend on where it hangs. */
	enum { T = 300, B = 400, N = B + 3 * T };
	struct ow_tidy_node t[T], *v = malloc(N * sizeof *v);
	assert_non_null(v);
	for (uint64_t seed = 1; seed <= 20; seed++) {
		uint64_t s = seed;
		random_forest(t, T, (enum shape)(seed % SHAPES), 0, &s);
		for (size_t i = 1; i < T; i++)
			if (t[i].parent < 0)
				t[i].parent = 0; /* one tree */
		random_forest(v, B, BUSHY, 0, &s);
		size_t at[3] = {B, B + T, B + 2 * T};
		copy_subtree(v, at[0], t, T, -1);
		copy_subtree(v, at[1], t, T, (int)rng_below(&s, B));
		copy_subtree(v, at[2], t, T, (int)rng_below(&s, B)); /* maybe a sibling of 1 */
		double total = layout(v, N, 10);
		check_layout(v, N, 10, total);
		for (int k = 1; k < 3; k++)
			for (size_t i = 0; i < T; i++) {
				double d0 = v[at[0] + i].x - v[at[0]].x;
				double dk = v[at[k] + i].x - v[at[k]].x;
				if (!(fabs(d0 - dk) < CENTRE_TOL))
					fail_msg("seed %llu copy %d node %zu: %.12g vs %.12g",
						 (unsigned long long)seed, k, i, dk, d0);
			}
	}
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_one_node),
		cmocka_unit_test(test_parent_with_one_two_three_children),
		cmocka_unit_test(test_unequal_widths),
		cmocka_unit_test(test_two_roots),
		cmocka_unit_test(test_cousins_pushed_apart),
		cmocka_unit_test(test_small_subtrees_spread_evenly),
		cmocka_unit_test(test_invalid_input),
		cmocka_unit_test(test_deep_chain_without_recursion),
		cmocka_unit_test(test_random_forests),
		cmocka_unit_test(test_large_random_trees),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_equal_subtrees_drawn_alike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tidy.c — tidy tree layout with box widths: Walker's algorithm in Buchheim, Jünger and
 * Leipert's linear-time form, without recursion (children are finished before their parent by
 * walking the indices downwards, since a parent always comes first; positions are summed
 * walking them upwards). Roots are the children of a virtual node at index n. */
#include "tidy.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define NONE UINT32_MAX

/* One node of the layout (index n: the virtual parent of the roots). Names follow the paper. */
struct cell {
	double prelim; /* x in the parent's frame, before the ancestors' modifiers */
	double mod;    /* modifier: shift of everything below; after place(), summed from the top */
	double change; /* per-subtree change of the pending shift (spreads a shift evenly) */
	double shift;  /* pending shift of this subtree and the ones right of it */
	double width;
	uint32_t parent;
	uint32_t first, last; /* children, NONE for a leaf */
	uint32_t prev, next;  /* siblings */
	uint32_t number;      /* position among the siblings, 0 first */
	uint32_t thread;      /* contour successor of a leaf, NONE when unset */
	uint32_t ancestor;    /* the sibling subtree (of the node being placed) this node is in */
};

/* Centre-to-centre distance of two neighbours on one level. */
static double separation(const struct cell *c, double gap, uint32_t a, uint32_t b)
{
	return gap + (c[a].width + c[b].width) / 2;
}

static uint32_t next_left(const struct cell *c, uint32_t v)
{
	return c[v].first != NONE ? c[v].first : c[v].thread;
}

static uint32_t next_right(const struct cell *c, uint32_t v)
{
	return c[v].last != NONE ? c[v].last : c[v].thread;
}

/* Moves the subtree of wr right by shift, and records the shift of the subtrees strictly
 * between the siblings wl and wr in proportion to their distance from wl (applied later by
 * execute_shifts). */
static void move_subtree(struct cell *c, uint32_t wl, uint32_t wr, double shift)
{
	double per = shift / (double)(c[wr].number - c[wl].number);
	c[wr].change -= per;
	c[wr].shift += shift;
	c[wl].change += per;
	c[wr].prelim += shift;
	c[wr].mod += shift;
}

/* Applies the shifts move_subtree recorded among v's children, right to left. */
static void execute_shifts(struct cell *c, uint32_t v)
{
	double shift = 0, change = 0;
	for (uint32_t w = c[v].last; w != NONE; w = c[w].prev) {
		c[w].prelim += shift;
		c[w].mod += shift;
		change += c[w].change;
		shift += c[w].shift + change;
	}
}

/* Pushes the subtree of v right of the forest of its left siblings: walks the inner contours
 * (right one of the forest, left one of v's subtree) level by level, summing modifiers, and
 * threads the shorter outer contour onto the longer one. Returns the new default ancestor. */
static uint32_t apportion(struct cell *c, double gap, uint32_t v, uint32_t anc)
{
	uint32_t vim = c[v].prev;
	if (vim == NONE)
		return anc;
	uint32_t vip = v, vop = v, vom = c[c[v].parent].first;
	double sip = c[vip].mod, sop = c[vop].mod, sim = c[vim].mod, som = c[vom].mod;
	for (;;) {
		vim = next_right(c, vim);
		vip = next_left(c, vip);
		if (vim == NONE || vip == NONE)
			break;
		/* The outer contours are as deep as the inner ones they enclose. */
		vom = next_left(c, vom);
		vop = next_right(c, vop);
		c[vop].ancestor = v;
		double shift = (c[vim].prelim + sim) - (c[vip].prelim + sip) +
			       separation(c, gap, vim, vip);
		if (shift > 0) {
			uint32_t a = c[vim].ancestor;
			move_subtree(c, c[a].parent == c[v].parent ? a : anc, v, shift);
			sip += shift;
			sop += shift;
		}
		sim += c[vim].mod;
		sip += c[vip].mod;
		som += c[vom].mod;
		sop += c[vop].mod;
	}
	if (vim != NONE && next_right(c, vop) == NONE) {
		c[vop].thread = vim;
		c[vop].mod += sim - sop;
	}
	if (vip != NONE && next_left(c, vom) == NONE) {
		c[vom].thread = vip;
		c[vom].mod += sip - som;
		anc = v;
	}
	return anc;
}

/* The paper's FirstWalk for v, once every descendant of v is finished: places each child
 * right of its left sibling, pushes its subtree clear of the ones before it, then centres v
 * (its prelim, relative to its children's frame, until its parent places it). */
static void first_walk(struct cell *c, double gap, uint32_t v)
{
	uint32_t anc = c[v].first;
	if (anc == NONE)
		return; /* a leaf: prelim 0 until its parent places it */
	for (uint32_t w = c[v].first; w != NONE; w = c[w].next) {
		uint32_t left = c[w].prev;
		if (left != NONE) {
			double p = c[left].prelim + separation(c, gap, left, w);
			/* An inner node's prelim held its children's midpoint. */
			if (c[w].first != NONE)
				c[w].mod = p - c[w].prelim;
			c[w].prelim = p;
		}
		anc = apportion(c, gap, w, anc);
	}
	execute_shifts(c, v);
	c[v].prelim = (c[c[v].first].prelim + c[c[v].last].prelim) / 2;
}

/* Checks the input; 0 when it can be laid out. */
static int check(const struct ow_tidy_node *nodes, size_t n, double gap)
{
	if (!isfinite(gap) || gap < 0 || n > INT_MAX || (n && !nodes))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (nodes[i].parent < -1 || nodes[i].parent >= (int)i)
			return -1;
		if (!isfinite(nodes[i].width) || nodes[i].width <= 0)
			return -1;
	}
	return 0;
}

/* Fills the cells: parents (roots under the virtual node n), widths and sibling links. */
static void link_cells(struct cell *c, const struct ow_tidy_node *nodes, uint32_t n)
{
	for (uint32_t i = 0; i <= n; i++) {
		c[i].first = c[i].last = c[i].prev = c[i].next = c[i].thread = NONE;
		c[i].ancestor = i;
		c[i].parent = NONE;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = nodes[i].parent < 0 ? n : (uint32_t)nodes[i].parent;
		c[i].parent = p;
		c[i].width = nodes[i].width;
		if (c[p].last == NONE) {
			c[p].first = i;
		} else {
			c[c[p].last].next = i;
			c[i].prev = c[p].last;
			c[i].number = c[c[p].last].number + 1;
		}
		c[p].last = i;
	}
}

/* The paper's SecondWalk, top-down by index: x is prelim plus the ancestors' modifiers; then
 * everything is moved so that the leftmost box edge is at 0. Returns the total width. */
static double place(struct cell *c, struct ow_tidy_node *nodes, uint32_t n)
{
	uint32_t leftmost = 0;
	double min_edge = INFINITY;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = c[i].parent;
		nodes[i].x = c[i].prelim + c[p].mod;
		nodes[i].depth = p == n ? 0 : nodes[p].depth + 1;
		c[i].mod += c[p].mod; /* p < i: already summed from the top */
		double edge = nodes[i].x - c[i].width / 2;
		if (edge < min_edge) {
			min_edge = edge;
			leftmost = i;
		}
	}
	/* Relative to the leftmost box, so that its edge lands on 0 exactly. */
	double origin = nodes[leftmost].x, half = c[leftmost].width / 2, total = 0;
	for (uint32_t i = 0; i < n; i++) {
		nodes[i].x = (nodes[i].x - origin) + half;
		if (!isfinite(nodes[i].x))
			return NAN; /* the widths or the gap overflowed a double */
		double edge = nodes[i].x + c[i].width / 2;
		if (edge > total)
			total = edge;
	}
	return total;
}

double ow_tidy_layout(struct ow_tidy_node *nodes, size_t n, double gap)
{
	if (check(nodes, n, gap) != 0)
		return -1;
	if (n == 0)
		return 0;
	struct cell *c = calloc(n + 1, sizeof *c); /* owned here, freed before returning */
	if (!c)
		return -1;
	uint32_t m = (uint32_t)n;
	link_cells(c, nodes, m);
	for (uint32_t v = m; v-- > 0;)
		first_walk(c, gap, v); /* every child (index > v) is finished before v */
	first_walk(c, gap, m);
	double total = place(c, nodes, m);
	free(c);
	return isfinite(total) ? total : -1;
}

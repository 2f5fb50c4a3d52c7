/* tidy.h — tidy layout of a forest of boxes of varying widths (Walker's algorithm in
 * Buchheim, Jünger and Leipert's linear-time form), for org charts drawn top-down. */
#ifndef OW_TIDY_H
#define OW_TIDY_H

#include <stddef.h>

struct ow_tidy_node {
	int parent;   /* in: index of the parent, -1 for a root; a parent comes before its
		       * children (parent < index); children are ordered by index */
	double width; /* in: width of the node's box (> 0) */
	double x;     /* out: x of the centre of the box; the leftmost box edge is at 0 */
	int depth;    /* out: level, 0 for roots */
};

/* Lays out nodes[0..n): each level on its own row (depth), siblings in index order, roots
 * side by side in index order as if children of an invisible common parent; two boxes on the
 * same level never closer than `gap` (edge to edge), whether siblings or not (subtrees are
 * pushed apart as in Walker's algorithm, small subtrees between large ones spread evenly);
 * every parent centred over its first and last child (midpoint of their centres). Returns the
 * total width (rightmost box edge), 0 for n == 0, or -1 when the input is invalid (a parent
 * index >= its own index or < -1, a width <= 0 or not finite, gap < 0) or memory runs out
 * (nodes are then left unspecified). O(n) time and memory.
 * Also -1: gap not finite, nodes NULL with n > 0, n > INT_MAX, or a layout wider than a double
 * holds. No recursion (any depth), no global state: safe to call from several threads. */
double ow_tidy_layout(struct ow_tidy_node *nodes, size_t n, double gap)
	__attribute__((warn_unused_result));

#endif

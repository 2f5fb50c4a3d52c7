/* org_collapse.c — the people drawn when a whole organization's chart is collapsed past a
 * depth, from the day's links alone (see chart.h, ow_chart_org_collapse): 16-byte ids in
 * an open-addressing table, each person's manager found once, the people below each counted
 * from the leaves up, then the walk down from the roots. Built for the 100,000-person day
 * (binary ids, no strings, no per-person structure: the string version spent a third of
 * the request hashing and comparing 36-character ids). Pure. */
#include "chart.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef const unsigned char (*ow_key16)[16];

static uint64_t hash16(const unsigned char *k)
{
	uint64_t a, b;
	memcpy(&a, k, 8);
	memcpy(&b, k + 8, 8);
	uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ULL)) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* The row of key k in the table (slot of cap entries, -1 empty), or -1. */
static long lookup(const long *slot, size_t cap, ow_key16 ids, const unsigned char *k)
{
	for (size_t h = hash16(k) & (cap - 1); slot[h] >= 0; h = (h + 1) & (cap - 1))
		if (memcmp(ids[slot[h]], k, 16) == 0)
			return slot[h];
	return -1;
}

/* parent[i]: the row of i's manager (-1: none, not on the chart, or i is a later row of a
 * person, dup[i] = 1); cycles (which the database forbids) cut (ow_chart_cut_cycles). */
static int link(ow_key16 ids, ow_key16 managers, const unsigned char *has_manager, size_t n,
		long *parent, unsigned char *dup)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	long *slot = malloc(cap * sizeof *slot);
	if (!slot)
		return -1;
	memset(slot, 0xff, cap * sizeof *slot); /* every slot -1 */
	for (size_t i = 0; i < n; i++) {
		size_t h = hash16(ids[i]) & (cap - 1);
		while (slot[h] >= 0 && memcmp(ids[slot[h]], ids[i], 16) != 0)
			h = (h + 1) & (cap - 1);
		if (slot[h] < 0)
			slot[h] = (long)i; /* the first row of an id stands for it */
		else
			dup[i] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		long m = has_manager[i] && !dup[i] ? lookup(slot, cap, ids, managers[i]) : -1;
		parent[i] = m == (long)i ? -1 : m;
	}
	free(slot);
	return ow_chart_cut_cycles(parent, n);
}

int ow_chart_cut_cycles(long *parent, size_t n)
{
	unsigned char *state = calloc(n ? n : 1, 1); /* 0 new, 1 on this walk, 2 done */
	if (!state)
		return -1;
	for (size_t i = 0; i < n; i++) {
		long at = (long)i;
		while (at >= 0 && state[at] == 0) {
			state[at] = 1;
			if (parent[at] >= 0 && state[parent[at]] == 1)
				parent[at] = -1; /* the walk met itself: a cycle, cut here */
			at = parent[at];
		}
		for (at = (long)i; at >= 0 && state[at] == 1; at = parent[at])
			state[at] = 2;
	}
	free(state);
	return 0;
}

long ow_chart_org_collapse(const unsigned char (*ids)[16], const unsigned char (*managers)[16],
			   const unsigned char *has_manager, size_t n, int max_depth, long *drawn,
			   long *hidden)
{
	size_t cap = n + 1;
	long *parent = malloc(cap * sizeof *parent), *first = malloc(cap * sizeof *first);
	long *next = malloc(cap * sizeof *next), *below = calloc(cap, sizeof *below);
	long *order = malloc(cap * sizeof *order), *stack = malloc(cap * sizeof *stack);
	int *depth = malloc(cap * sizeof *depth);
	unsigned char *dup = calloc(cap, 1);
	long count = -1;
	if (!parent || !first || !next || !below || !order || !stack || !depth || !dup ||
	    link(ids, managers, has_manager, n, parent, dup) != 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		first[i] = next[i] = -1;
	for (size_t k = n; k-- > 0;) /* children lists, in row order */
		if (parent[k] >= 0)
			next[k] = first[parent[k]], first[parent[k]] = (long)k;
	/* People below each: a walk from the roots, then summed from the last met up. */
	size_t top = 0, norder = 0;
	for (size_t i = 0; i < n; i++)
		if (parent[i] < 0 && !dup[i])
			stack[top++] = (long)i;
	while (top) {
		long i = stack[--top];
		order[norder++] = i;
		for (long c = first[i]; c >= 0; c = next[c])
			stack[top++] = c;
	}
	for (size_t k = norder; k-- > 0;)
		if (parent[order[k]] >= 0)
			below[parent[order[k]]] += 1 + below[order[k]];
	/* Down from the roots to max_depth: everyone met is drawn; who has people below at the
	 * last level drawn stands for them ("+N more"). */
	count = 0;
	for (size_t i = 0; i < n; i++)
		if (parent[i] < 0 && !dup[i])
			stack[top] = (long)i, depth[top++] = 0;
	while (top--) {
		long i = stack[top];
		int d = depth[top];
		drawn[count] = i;
		hidden[count++] = d >= max_depth ? below[i] : 0;
		for (long c = first[i]; d < max_depth && c >= 0; c = next[c])
			stack[top] = c, depth[top++] = d + 1;
	}
done:
	free(parent), free(first), free(next), free(below), free(order), free(stack), free(depth);
	free(dup);
	return count;
}

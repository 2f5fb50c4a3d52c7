/* tree.c — a forest from flat (id, parent) rows, linked through an open-addressing hash of
 * the ids, and its depth-first walk with an explicit stack (no recursion: any depth). */
#include "tree.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* One allocation: the header, then the four arrays in cells[] (a node's links, its stack). */
struct ow_tree {
	uint32_t n;
	uint32_t *first_child, *last_child, *next_sibling; /* n each, NONE for none */
	uint32_t first_root, last_root;
	uint32_t *stack; /* open nodes, innermost last (n + 1) */
	uint32_t depth;	 /* entries on the stack */
	uint32_t next;	 /* node to enter next, or NONE: leave the innermost open node */
	int last_was_leave, done;
	int max_depth;
	uint32_t cells[];
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Index of ids[] slots: slot holds row index + 1 (0 = empty). */
static uint32_t *index_ids(uint32_t n, const char *const *ids, size_t *mask)
{
	size_t size = 16;
	while (size < (size_t)n * 2)
		size <<= 1;
	uint32_t *slots = calloc(size, sizeof *slots);
	if (!slots)
		return NULL;
	*mask = size - 1;
	for (uint32_t i = 0; i < n; i++) {
		size_t h = (size_t)hash_str(ids[i]) & *mask;
		while (slots[h] && strcmp(ids[slots[h] - 1], ids[i]) != 0)
			h = (h + 1) & *mask;
		if (!slots[h])
			slots[h] = i + 1; /* a repeated id keeps its first row */
	}
	return slots;
}

static uint32_t lookup(const uint32_t *slots, size_t mask, const char *const *ids, const char *id)
{
	size_t h = (size_t)hash_str(id) & mask;
	while (slots[h]) {
		if (strcmp(ids[slots[h] - 1], id) == 0)
			return slots[h] - 1;
		h = (h + 1) & mask;
	}
	return NONE;
}

struct ow_tree *ow_tree_build(size_t n, const char *const *ids, const char *const *parents,
			      int max_depth)
{
	if (n >= NONE / 2)
		return NULL;
	size_t cells = n ? n : 1;
	struct ow_tree *t = malloc(sizeof *t + (4 * cells + 1) * sizeof t->cells[0]);
	size_t mask = 0;
	uint32_t *slots = n && t ? index_ids((uint32_t)n, ids, &mask) : NULL;
	if (!t || (n && !slots)) {
		free(slots);
		free(t);
		return NULL;
	}
	*t = (struct ow_tree){.n = (uint32_t)n, .max_depth = max_depth};
	t->first_child = t->cells;
	t->last_child = t->cells + cells;
	t->next_sibling = t->cells + 2 * cells;
	t->stack = t->cells + 3 * cells;
	memset(t->cells, 0xff, 3 * cells * sizeof t->cells[0]); /* every link NONE */
	t->first_root = t->last_root = NONE;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t p = parents[i] ? lookup(slots, mask, ids, parents[i]) : NONE;
		if (p == i)
			p = NONE; /* its own parent: a root */
		uint32_t *first = p == NONE ? &t->first_root : &t->first_child[p];
		uint32_t *last = p == NONE ? &t->last_root : &t->last_child[p];
		if (*last == NONE)
			*first = i;
		else
			t->next_sibling[*last] = i;
		*last = i;
	}
	free(slots);
	t->next = t->first_root;
	return t;
}

void ow_tree_free(struct ow_tree *t)
{
	free(t);
}

void ow_tree_next(struct ow_tree *t, struct ow_tree_step *s)
{
	memset(s, 0, sizeof *s);
	if (t->done || (t->next == NONE && t->depth == 0)) {
		t->done = 1;
		s->event = OW_TREE_DONE;
		return;
	}
	if (t->next != NONE) {
		uint32_t x = t->next;
		s->event = OW_TREE_ENTER;
		s->node = x;
		s->depth = t->depth;
		s->after_sibling = t->last_was_leave;
		t->last_was_leave = 0;
		/* The stack never holds more than n nodes: a node is entered once (the links
		 * form a forest: every node has one parent slot, and cycles are unreachable). */
		t->stack[t->depth++] = x;
		int descend = t->max_depth < 0 || s->depth < (unsigned)t->max_depth;
		t->next = descend ? t->first_child[x] : NONE;
		return;
	}
	uint32_t x = t->stack[--t->depth];
	s->event = OW_TREE_LEAVE;
	s->node = x;
	t->last_was_leave = 1;
	t->next = t->next_sibling[x];
}

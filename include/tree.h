/* tree.h — a forest built from flat rows (id, parent id) and a resumable depth-first walk
 * over it. Pure: no I/O, no PostgreSQL; the org chart handler feeds it query rows and turns
 * the walk's steps into JSON while libmicrohttpd asks for more bytes. */
#ifndef OW_TREE_H
#define OW_TREE_H

#include <stddef.h>
#include <stdint.h>

struct ow_tree;

/* Links n nodes: node i has id ids[i] and parent parents[i] (NULL: a root). Siblings keep
 * the order of the rows; a parent id that names no node makes a root; nodes on a cycle are
 * never reached. The strings must outlive the tree (they are not copied). max_depth: levels
 * below the roots the walk descends (-1: all). NULL when out of memory or n is too large. */
struct ow_tree *ow_tree_build(size_t n, const char *const *ids, const char *const *parents,
			      int max_depth);
void ow_tree_free(struct ow_tree *t);

enum ow_tree_event {
	OW_TREE_ENTER, /* a node opens: its children (if walked) follow, then its LEAVE */
	OW_TREE_LEAVE, /* the node opened last and not yet left closes */
	OW_TREE_DONE   /* every root has been left */
};

struct ow_tree_step {
	enum ow_tree_event event;
	size_t node;	   /* ENTER and LEAVE: the row index */
	int after_sibling; /* ENTER: a sibling came before (write a separator) */
	unsigned depth;	   /* ENTER: 0 for roots */
};

/* The walk's next step; after DONE it keeps answering DONE. */
void ow_tree_next(struct ow_tree *t, struct ow_tree_step *s);

#endif

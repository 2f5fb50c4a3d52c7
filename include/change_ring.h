/* change_ring.h — the newest entries of the change feed kept in memory for the live stream
 * (stream.c): a bounded ring in commit order, by position. Positions tail..head-1 hold the
 * entries committed after base_key; the oldest go when it holds cap entries or max_bytes of
 * documents. Not locked: the caller (stream.c) holds its lock around every call. */
#ifndef OW_CHANGE_RING_H
#define OW_CHANGE_RING_H
#include <stddef.h>

#include "change.h"

struct ow_change_ring {
	struct ow_change **entries;
	unsigned long long *bytes_before; /* the feed's document bytes before each entry */
	unsigned long long head, tail, total_bytes, max_bytes;
	size_t cap;
	long long base_key; /* -1: not started */
};

/* 0, or -1 when out of memory. */
int ow_change_ring_init(struct ow_change_ring *r, size_t cap, unsigned long long max_bytes);
void ow_change_ring_free(struct ow_change_ring *r);
/* Empties the ring: what follows comes after key. */
void ow_change_ring_restart(struct ow_change_ring *r, long long key);
/* Appends c (the ring's now), evicting the oldest as the bounds require. */
void ow_change_ring_append(struct ow_change_ring *r, struct ow_change *c);
/* The entry at position p (tail <= p < head). */
struct ow_change *ow_change_ring_at(const struct ow_change_ring *r, unsigned long long p);
/* The position after the entry with key k (tail for base_key); *found 0 when the ring has
 * no such entry. */
unsigned long long ow_change_ring_after(const struct ow_change_ring *r, long long k, int *found);
/* The newest key: the last entry's, else base_key. */
long long ow_change_ring_newest(const struct ow_change_ring *r);
/* Document bytes from position p to the head (0 outside the ring). */
unsigned long long ow_change_ring_bytes_from(const struct ow_change_ring *r, unsigned long long p);

#endif

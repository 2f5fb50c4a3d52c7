/* change_ring.c — the change feed's newest entries in memory, in commit order (change_ring.h). */
#include "change_ring.h"

#include <stdlib.h>

int ow_change_ring_init(struct ow_change_ring *r, size_t cap, unsigned long long max_bytes)
{
	*r = (struct ow_change_ring){.cap = cap ? cap : 1, .max_bytes = max_bytes, .base_key = -1};
	r->entries = calloc(r->cap, sizeof *r->entries);
	r->bytes_before = calloc(r->cap, sizeof *r->bytes_before);
	if (!r->entries || !r->bytes_before) {
		ow_change_ring_free(r);
		return -1;
	}
	return 0;
}

void ow_change_ring_free(struct ow_change_ring *r)
{
	if (r->entries)
		for (unsigned long long p = r->tail; p < r->head; p++)
			ow_change_free(r->entries[p % r->cap]);
	free(r->entries);
	free(r->bytes_before);
	r->entries = NULL;
	r->bytes_before = NULL;
	r->head = r->tail = 0;
}

void ow_change_ring_restart(struct ow_change_ring *r, long long key)
{
	for (unsigned long long p = r->tail; p < r->head; p++)
		ow_change_free(r->entries[p % r->cap]);
	r->tail = r->head;
	r->base_key = key;
}

struct ow_change *ow_change_ring_at(const struct ow_change_ring *r, unsigned long long p)
{
	return r->entries[p % r->cap];
}

static void evict(struct ow_change_ring *r)
{
	struct ow_change *old = ow_change_ring_at(r, r->tail);
	r->base_key = old->id;
	ow_change_free(old);
	r->tail++;
}

void ow_change_ring_append(struct ow_change_ring *r, struct ow_change *c)
{
	if (r->head - r->tail == r->cap)
		evict(r);
	r->entries[r->head % r->cap] = c;
	r->bytes_before[r->head % r->cap] = r->total_bytes;
	r->total_bytes += c->doclen;
	r->head++;
	/* Over the bytes: the oldest go, the newest entry always stays. */
	while (r->head - r->tail > 1 && ow_change_ring_bytes_from(r, r->tail) > r->max_bytes)
		evict(r);
}

unsigned long long ow_change_ring_after(const struct ow_change_ring *r, long long k, int *found)
{
	*found = 1;
	if (k == r->base_key)
		return r->tail;
	for (unsigned long long p = r->head; p > r->tail; p--)
		if (ow_change_ring_at(r, p - 1)->id == k)
			return p;
	*found = 0;
	return 0;
}

long long ow_change_ring_newest(const struct ow_change_ring *r)
{
	return r->head > r->tail ? ow_change_ring_at(r, r->head - 1)->id : r->base_key;
}

unsigned long long ow_change_ring_bytes_from(const struct ow_change_ring *r, unsigned long long p)
{
	if (p < r->tail || p >= r->head)
		return 0;
	return r->total_bytes - r->bytes_before[p % r->cap];
}

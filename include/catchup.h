/* catchup.h — pages of the change feed for live-stream subscribers behind the ring in memory
 * (stream.c): one thread, one query at a time, on one connection of its own (to the read
 * replica when there is one, else the primary), in the order they were asked for. */
#ifndef OW_CATCHUP_H
#define OW_CATCHUP_H

#include "change.h"

#define OW_CATCHUP_PAGE 500 /* entries a page holds at most */

/* What became of a request: OW_CATCHUP_PAGE entries or fewer (n >= 0; page and its entries
 * are done's), or none: OW_CATCHUP_UNKNOWN (the primary has no change with that key: the log
 * was replaced), OW_CATCHUP_LATER (the replica has not replayed it yet, or the database is
 * away: ask again later), OW_CATCHUP_STOPPED (the thread stopped before reading it). */
enum { OW_CATCHUP_UNKNOWN = -2, OW_CATCHUP_LATER = -1, OW_CATCHUP_STOPPED = -3 };
typedef void (*ow_catchup_done_fn)(void *who, struct ow_change **page, int n);

/* Starts the thread; done(who, page, n) is called on it for every request. 0 or -1. */
int ow_catchup_start(const char *primary_url, const char *replica_url, ow_catchup_done_fn done);
/* Asks for the entries after key `after` for who (answered in order of asking): 0, or -1
 * when out of memory (nothing asked). */
int ow_catchup_ask(void *who, long long after);
/* Stops the thread; requests not read yet are answered OW_CATCHUP_STOPPED. */
void ow_catchup_stop(void);
/* Queries run since the start (/metrics). */
unsigned long long ow_catchup_queries(void);

#endif

/* changefeed.h — reading the change feed (sql/functions/19_commit_order.sql) from a connection
 * of its own, and the follower: the one reader per server that hears of every commit
 * (LISTEN ow_data_changed as a hint, a poll every second since a notification can be lost)
 * and hands the new entries, in commit order, to the live stream. */
#ifndef OW_CHANGEFEED_H
#define OW_CHANGEFEED_H
#include <libpq-fe.h>

#include "change.h"

/* A connection for reading the feed (the follower, catch-up, webhook deliverers): opened
 * like the command line's, with JIT off (the feed's estimates over a large log priced its
 * statement above jit_above_cost: 374 ms compiling for 20 entries) and a statement timeout.
 * NULL with why filled. */
PGconn *ow_changefeed_connect(const char *url, char *why, size_t whysz);

/* Up to lim entries after key `after` into out[] (each the caller's to free): their count,
 * -1 on a database error (the connection may be lost), -2 when no change has that key. */
int ow_changefeed_page(PGconn *c, long long after, int lim, struct ow_change **out);

/* The follower: calls deliver(entries, n) with each batch of new entries in commit order (the
 * entries are deliver's), and tick() about once a second. The first batch follows the change
 * that was newest when it started (start_key, also given to tick as following). */
struct ow_changefeed_sink {
	void (*start)(long long start_key);
	void (*deliver)(struct ow_change **entries, int n);
	void (*tick)(int following);
};
/* url: the primary (notifications, and the entries without a replica); replica_url: a
 * replica to read the entries from, or NULL. */
int ow_changefeed_start(const char *url, const char *replica_url,
			const struct ow_changefeed_sink *sink);
void ow_changefeed_stop(void);

#endif

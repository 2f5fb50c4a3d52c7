/* stream.h — the live change stream (GET /changes/stream): the entries the follower read
 * (changefeed.h) kept in a bounded ring in memory, and every subscriber's position, filter
 * and unsent bytes; a subscriber behind the ring catches up from the database through one
 * connection of the stream's own. */
#ifndef OW_STREAM_H
#define OW_STREAM_H
#include "buf.h"
#include "change.h"

struct ow_config;
struct ow_req;

/* Starts the follower and the catch-up thread (their connections to url). 0 or -1. */
int ow_stream_start(const struct ow_config *cfg, const char *url);
/* Ends every stream (each told to reconnect) and wakes it, so that none stays suspended. */
void ow_stream_end_all(void);
/* Stops the threads (after the daemon stopped). */
void ow_stream_stop(void);

/* What a subscriber asked for. after < 0: from now on. unknown: after names no change (the
 * stream starts with an explicit reset event, then goes on from the newest change). */
struct ow_stream_args {
	struct ow_change_filter filter;
	long long after;
	int unknown;
	long long newest; /* the newest change when the request was checked */
	int ndjson;
	int coalesce_imports;
	/* Streams are counted per key ("" without one) and per client address. */
	char key[210];
	char address[64];
};
/* Queues the stream as r's answer: 0, or -1 after answering (429 over the limits, 503). */
int ow_stream_reply(struct ow_req *r, const struct ow_stream_args *a);

/* Prometheus lines: subscribers, their lag, disconnects, catch-up queries, the ring. */
int ow_stream_render_metrics(struct ow_buf *b) OW_WUR;

#endif

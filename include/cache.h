/* cache.h — answers HTTP caches can keep: public reads carry a strong ETag made from the
 * data version (the audit log's last id: every write of every record leaves a row there),
 * the day (answers "as of today" change at midnight UTC), the path, the query and the
 * Accept header, and are answered 304 when If-None-Match names it, without running their
 * query; Cache-Control and Vary say how long and on what a cache may keep them. */
#ifndef OW_CACHE_H
#define OW_CACHE_H

struct ow_req;

/* Before a route's handler runs: for a cacheable route (route->cache), a key-bound view
 * (a key sent, or reads closed) is marked no-store; a public read gets its ETag and
 * Cache-Control (queued with its 200), or is answered 304 here. Returns 1 when it replied
 * (the handler must not run), else 0. */
int ow_cache_check(struct ow_req *r);

/* Before ow_cache_check: a public read (a cacheable route, GET, no key, reads open, no
 * "Cache-Control: no-cache" or "Pragma: no-cache" asked) is answered from the answer cache
 * (answers.h) when it holds a fresh answer — 304 when If-None-Match names its ETag — and 1
 * is returned; otherwise 0 (the request's key is kept in r for ow_cache_turn). */
int ow_cache_answer(struct ow_req *r);
/* After a miss, the connection suspended: 1 when another request is making the same answer
 * and r waits for it (answers.h, OW_ANSWER_WAIT: r is handed back when it is done); 0 when r
 * makes it, recording it in r->capture to be kept if it is a 200. */
int ow_cache_turn(struct ow_req *r);
/* For a request that waited: 1 when the answer it waited for is now kept and was sent. */
int ow_cache_answer_again(struct ow_req *r);

#endif

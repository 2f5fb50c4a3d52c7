/* answers.h — the in-memory answers of public reads (ORGWATCH_ANSWER_CACHE_MB): whole 200
 * answers kept by (request, representation) for the data version they were made at, shared
 * by every thread, least recently used evicted first. Any write — through this server, or
 * through another one or psql on the same database (LISTEN ow_data_changed, answers.c's
 * follower thread) — makes every kept answer stale. While the follower is not connected
 * nothing is answered from memory (a write elsewhere could go unseen). */
#ifndef OW_ANSWERS_H
#define OW_ANSWERS_H
#include <stddef.h>

#include "buf.h"

struct ow_answer;
struct ow_answer_capture;

/* Keeps at most max_bytes of answers (0: none kept, every call below does nothing) and, when
 * url is given, starts the follower of writes made elsewhere. 0 or -1. */
int ow_answers_start(size_t max_bytes, const char *url) OW_WUR;
/* Stops the follower and forgets every answer. */
void ow_answers_stop(void);
/* The data changed (a write committed): no answer kept so far is served again. */
void ow_answers_changed(void);

/* The answer kept for key (the request as written by the caller), fresh for the current
 * data version and day, held until ow_answer_release; NULL when there is none. */
struct ow_answer *ow_answers_find(const char *key, size_t klen);
void ow_answer_release(struct ow_answer *a);
/* The parts of a kept answer (valid while it is held). */
const char *ow_answer_body(const struct ow_answer *a, size_t *len);
const char *ow_answer_content_type(const struct ow_answer *a);
const char *ow_answer_etag(const struct ow_answer *a);		/* NULL: none */
const char *ow_answer_cache_control(const struct ow_answer *a); /* NULL: none */
/* Its extra headers as NULL-terminated pairs {name, value, …, NULL} in out (at most n
 * entries, the NULL included). */
void ow_answer_headers(const struct ow_answer *a, const char **out, size_t n);

/* After a miss: whose turn it is to make the answer for key. OW_ANSWER_WAIT: another request
 * is making it; job (the caller's request, its connection suspended) is handed to the
 * function of ow_answers_on_flight_done once that answer is kept or given up, and the caller
 * does nothing more. OW_ANSWER_MAKE: the caller makes it, with *capture recording it at the
 * data version of now (NULL when answers are not kept, the key is too long or memory is
 * short); requests asking for it meanwhile wait for it. */
enum ow_answer_turn { OW_ANSWER_MAKE, OW_ANSWER_WAIT };
enum ow_answer_turn ow_answers_turn(const char *key, size_t klen, void *job,
				    struct ow_answer_capture **capture);
/* What is done with a request that waited, when the answer it waited for is kept (look it up
 * again) or given up (make it): called on the thread that kept or gave it up. */
void ow_answers_on_flight_done(void (*fn)(void *job));
/* The answer is being made now (its statement not yet sent): it stands for the data version
 * of now, not of the moment it was asked for. */
void ow_capture_begin(struct ow_answer_capture *c);
/* Appends body bytes; past the largest answer kept (an eighth of the memory) the capture
 * is given up, quietly. */
void ow_capture_append(struct ow_answer_capture *c, const void *data, size_t n);
/* The answer's headers (headers: NULL-terminated pairs or NULL; etag and cache_control
 * may be NULL); copied. */
void ow_capture_headers(struct ow_answer_capture *c, const char *content_type,
			const char *const *headers, const char *etag, const char *cache_control);
/* Keeps the captured answer when the data has not changed since the capture began, then
 * frees c; ow_capture_drop frees it without keeping anything (NULL: nothing). Both let the
 * requests that waited for it go on. */
void ow_capture_keep(struct ow_answer_capture *c);
void ow_capture_drop(struct ow_answer_capture *c);

/* Prometheus lines: hits, misses, stale, coalesced, evictions, bytes and answers kept,
 * follower up. */
int ow_answers_render_metrics(struct ow_buf *b) OW_WUR;

#endif

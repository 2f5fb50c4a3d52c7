/* req.h — the per-request context every handler receives, and how handlers answer. */
#ifndef OW_REQ_H
#define OW_REQ_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "router.h"

struct MHD_Connection;
struct MHD_Response;
struct ow_config;
struct ow_db;

enum ow_phase { OW_PHASE_END = 0, OW_PHASE_START = 1 };

struct ow_principal {
	enum ow_role role; /* OW_ROLE_PUBLIC when no key was given */
	char name[201];	   /* the key's name, "anonymous" without a key */
};

/* Lives from the first access-handler call to the completion callback (http.c owns it). */
/* The representations of an answer (format.c settles which one a request asks for). */
enum ow_format {
	OW_FMT_JSON = 1,
	OW_FMT_CSV = 2,
	OW_FMT_NDJSON = 4,
	OW_FMT_SVG = 8,	 /* the charts (image/svg+xml) */
	OW_FMT_PNG = 16, /* the charts drawn by rsvg-convert (png.c) */
};
#define OW_FMTS_CHART (OW_FMT_JSON | OW_FMT_CSV | OW_FMT_SVG | OW_FMT_PNG)
#define OW_FMTS_LIST (OW_FMT_JSON | OW_FMT_CSV | OW_FMT_NDJSON)
#define OW_FMTS_TABLE (OW_FMT_JSON | OW_FMT_CSV)

struct ow_req {
	struct MHD_Connection *conn;
	const struct ow_config *cfg;
	char method[16];
	char path[1024]; /* as sent: still percent-encoded, without the query string */
	int path_too_long;
	/* Where the raw request target's first NUL byte is (its end when it holds none):
	 * edge.c compares it with the version's place to find a NUL inside the target. */
	const char *target_nul;
	int close_after; /* the answer closes the connection (a framing fault) */
	int format;	 /* OW_FMT_* the answer is written in (format.c); 0 before routing */
	char suffix[8];	 /* ".csv" when the path carried it (stripped from path; kept in Links) */
	int all_rows;	 /* ?all=true: every row of a list in one download */
	int excel;	 /* ?excel=true: a CSV for spreadsheets (BOM, formulas escaped) */
	/* ratelimit.c: the bucket this request was counted in (kind + 1; 0 none), its tokens
	 * left and the seconds until it is full again (the RateLimit header). */
	int rate_kind;
	long rate_remaining, rate_reset;
	int begun; /* the access handler has seen the request line and headers */
	char request_id[40];
	const struct ow_route *route;
	int route_index; /* index into the route table, -1 when none matched */
	struct ow_route_params params;
	struct ow_principal who;
	struct ow_buf body;
	int body_too_large;
	int queued;	 /* a response has been queued */
	unsigned status; /* the status queued */
	struct timespec t0;
	/* OW_BODY_STREAM routes: the handler is called once with phase START before the
	 * body (it may reply at once, or set stream_feed), stream_feed for each chunk,
	 * then the handler again with phase END. stream_free releases stream. */
	/* Set by cache.c for a cacheable read: added to its 200 or 304 (with Vary: Accept). */
	const char *etag;	   /* NULL: none (a record sets its own) */
	const char *cache_control; /* NULL: none */
	char etag_buf[64];
	char cache_control_buf[48];
	/* Set by http.c: called with a response about to be queued, to add headers of its own
	 * (the primary's LSN after a write, which connection served a read); 0 or -1. */
	int (*on_queue)(struct ow_req *r, struct MHD_Response *resp, unsigned status);
	/* cache.c: the answer being made, recorded for the answer cache (answers.h); req.c
	 * keeps it with a 200, or drops it. */
	struct ow_answer_capture *capture;
	char *answer_key; /* cache.c: the request as the answer cache knows it (NULL: none) */
	size_t answer_klen;
	int from_memory; /* answered from the answer cache (Orgwatch-Served-By: memory) */
	/* http.c: a public read may go to a replica that has replayed lsn (the caller's last
	 * write, "" for none). */
	int replica_ok;
	char lsn[32];
	/* known_at.c: the change key a read is pinned to ("" for the present), when it
	 * committed, and whether no later commit can change the answer. */
	char known_key[24];
	char known_time[40];
	int known_settled;
	/* http.c: the answer is made on a worker while the connection is suspended; queue()
	 * keeps the response here and http.c queues it once the connection is resumed. */
	int deferred;
	struct MHD_Response *pending;
	unsigned pending_status;
	int phase;
	void *stream;
	int (*stream_feed)(struct ow_req *r, const char *data, size_t n);
	void (*stream_free)(void *stream);
};

/* Query-string argument or NULL. */
const char *ow_req_query(struct ow_req *r, const char *name);
/* Calls fn for every query-string argument in order (value NULL for "?flag");
 * stops early when fn returns non-zero. */
void ow_req_each_query(struct ow_req *r, int (*fn)(void *cls, const char *key, const char *value),
		       void *cls);
/* Request header or NULL. */
const char *ow_req_header(struct ow_req *r, const char *name);
/* 1 when the answer is CSV (a .csv suffix, ?format=csv or Accept: text/csv where the route
 * offers it; format.c). */
int ow_req_wants_csv(struct ow_req *r);

/* What the layers above add to every reply, set once by http.c (the CSV answer's file name,
 * the rate limit's headers, CORS): called with each response about to be queued, after its
 * ETag and Cache-Control; 0, or -1 to give the reply up. req.c includes none of them. */
void ow_req_on_reply_headers(int (*fn)(struct ow_req *r, struct MHD_Response *resp,
				       unsigned status));

/* Header lines added to a reply: NULL-terminated pairs {name, value, name, value, NULL}. */
/* Queues a response with the given status, content type and body (copied). Adds
 * X-Request-Id and any extra headers. Returns 0, or -1 when nothing could be queued. */
int ow_reply(struct ow_req *r, unsigned status, const char *content_type, const char *body,
	     size_t len, const char *const *headers);
/* Queues a JSON response (application/json; charset=utf-8). */
int ow_reply_json(struct ow_req *r, unsigned status, const char *json, size_t len,
		  const char *const *headers);
/* Queues a JSON response whose body is b's bytes, handed over without a copy: b is left
 * empty (and is emptied on failure too). */
int ow_reply_json_buf(struct ow_req *r, unsigned status, struct ow_buf *b);
/* A streamed body made in parts: next(cls, out) appends the next part to out (empty at each
 * call) and returns 1 when more parts follow, 0 after the last one, -1 on an error (the
 * connection is then cut: the client sees a truncated body). */
typedef int (*ow_next_part_fn)(void *cls, struct ow_buf *out);
/* Queues a streamed response (no Content-Length) whose parts next() makes as libmicrohttpd
 * asks for bytes; free_cls(cls) runs when the response is done (also on failure here). */
int ow_reply_stream(struct ow_req *r, unsigned status, const char *content_type,
		    ow_next_part_fn next, void *cls, void (*free_cls)(void *),
		    const char *const *headers);
/* Queues a response whose bytes reader gives as libmicrohttpd asks (its
 * MHD_ContentReaderCallback: it may suspend the connection and return 0 when it has none
 * yet); free_cls(cls) runs when the response is done (also on failure here). */
typedef ssize_t (*ow_reader_fn)(void *cls, uint64_t pos, char *buf, size_t max);
int ow_reply_reader(struct ow_req *r, unsigned status, const char *content_type,
		    ow_reader_fn reader, void *cls, void (*free_cls)(void *),
		    const char *const *headers);
struct ow_answer;
/* Queues a 200 with a kept answer's bytes and headers (no copy: the answer is held until
 * libmicrohttpd is done with it, and released then, or here on failure). */
int ow_reply_answer(struct ow_req *r, struct ow_answer *a);

#endif

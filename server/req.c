/* req.c — what handlers use of a request: its query arguments and headers, and the
 * replies they queue (whole bodies, JSON buffers handed over, streamed parts), each with
 * X-Request-Id. The request's lifecycle is http.c's. */
#include "req.h"

#include "answers.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "db.h"

const char *ow_req_query(struct ow_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct each_ctx {
	int (*fn)(void *cls, const char *key, const char *value);
	void *cls;
};

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	(void)kind;
	struct each_ctx *c = cls;
	return c->fn(c->cls, key, value) == 0 ? MHD_YES : MHD_NO;
}

void ow_req_each_query(struct ow_req *r, int (*fn)(void *cls, const char *key, const char *value),
		       void *cls)
{
	struct each_ctx c = {fn, cls};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_arg, &c);
}

const char *ow_req_header(struct ow_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int ow_req_wants_csv(struct ow_req *r)
{
	return r->format == OW_FMT_CSV;
}

static int add_headers(struct MHD_Response *resp, struct ow_req *r, const char *content_type,
		       const char *const *headers)
{
	int ok = MHD_add_response_header(resp, "X-Request-Id", r->request_id) == MHD_YES;
	if (content_type)
		ok &= MHD_add_response_header(resp, "Content-Type", content_type) == MHD_YES;
	for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		ok &= MHD_add_response_header(resp, headers[i], headers[i + 1]) == MHD_YES;
	return ok ? 0 : -1;
}

static int (*reply_headers)(struct ow_req *r, struct MHD_Response *resp, unsigned status);

void ow_req_on_reply_headers(int (*fn)(struct ow_req *r, struct MHD_Response *resp,
				       unsigned status))
{
	reply_headers = fn;
}

static int queue(struct ow_req *r, unsigned status, struct MHD_Response *resp)
{
	if (!resp)
		return -1;
	if ((status == 200 || status == 304) && r->route && r->route->cache != OW_CACHE_NONE) {
		int ok = MHD_add_response_header(resp, "Vary", "Accept") == MHD_YES;
		if (r->etag)
			ok &= MHD_add_response_header(resp, "ETag", r->etag) == MHD_YES;
		if (r->cache_control)
			ok &= MHD_add_response_header(resp, "Cache-Control", r->cache_control) ==
			      MHD_YES;
		if (!ok) {
			MHD_destroy_response(resp);
			return -1;
		}
	}
	if (reply_headers && reply_headers(r, resp, status) != 0) {
		MHD_destroy_response(resp);
		return -1;
	}
	if (r->close_after && MHD_add_response_header(resp, "Connection", "close") != MHD_YES) {
		MHD_destroy_response(resp);
		return -1;
	}
	if (r->on_queue && r->on_queue(r, resp, status) != 0) {
		MHD_destroy_response(resp);
		return -1;
	}
	if (r->deferred) { /* on a worker: http.c queues it on the connection's own thread */
		r->pending = resp;
		r->pending_status = status;
		r->queued = 1;
		r->status = status;
		return 0;
	}
	enum MHD_Result q = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	if (q != MHD_YES)
		return -1;
	r->queued = 1;
	r->status = status;
	return 0;
}

/* After a reply made of one buffer was queued: its answer kept when it is a 200 of a public
 * read being recorded (r->capture), else the record dropped. */
static void keep_answer(struct ow_req *r, int rc, unsigned status, const char *content_type,
			const char *const *headers, const char *body, size_t len)
{
	struct ow_answer_capture *c = r->capture;
	if (!c)
		return;
	r->capture = NULL;
	if (rc != 0 || status != 200 || ow_db_served_by() >= 0) { /* a replica's: may lag */
		ow_capture_drop(c);
		return;
	}
	ow_capture_headers(c, content_type, headers, r->etag, r->cache_control);
	ow_capture_append(c, body, len);
	ow_capture_keep(c);
}

int ow_reply(struct ow_req *r, unsigned status, const char *content_type, const char *body,
	     size_t len, const char *const *headers)
{
	if (r->queued)
		return -1;
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return -1;
	if (add_headers(resp, r, content_type, headers) != 0) {
		MHD_destroy_response(resp);
		return -1;
	}
	int rc = queue(r, status, resp);
	keep_answer(r, rc, status, content_type, headers, body, len);
	return rc;
}

static void release_answer(void *cls)
{
	ow_answer_release(cls);
}

int ow_reply_answer(struct ow_req *r, struct ow_answer *a)
{
	size_t len;
	const char *body = ow_answer_body(a, &len);
	struct MHD_Response *resp =
		r->queued ? NULL
			  : MHD_create_response_from_buffer_with_free_callback_cls(
				    len, (void *)body, release_answer, a);
	if (!resp) {
		ow_answer_release(a);
		return -1;
	}
	const char *headers[2 * 8 + 1];
	ow_answer_headers(a, headers, sizeof headers / sizeof headers[0]);
	if (add_headers(resp, r, ow_answer_content_type(a), headers) != 0) {
		MHD_destroy_response(resp);
		return -1;
	}
	return queue(r, 200, resp);
}

int ow_reply_json_buf(struct ow_req *r, unsigned status, struct ow_buf *b)
{
	if (r->queued) {
		ow_buf_free(b);
		return -1;
	}
	if (!b->data)
		return ow_reply_json(r, status, "", 0, NULL);
	if (r->capture && status == 200) /* its bytes recorded before they are handed over */
		ow_capture_append(r->capture, b->data, b->len);
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		ow_buf_free(b);
		return -1;
	}
	/* libmicrohttpd owns the bytes now and frees them with the response. */
	ow_buf_init(b, b->max);
	if (add_headers(resp, r, "application/json; charset=utf-8", NULL) != 0) {
		MHD_destroy_response(resp);
		return -1;
	}
	int rc = queue(r, status, resp);
	keep_answer(r, rc, status, "application/json; charset=utf-8", NULL, NULL, 0);
	return rc;
}

int ow_reply_json(struct ow_req *r, unsigned status, const char *json, size_t len,
		  const char *const *headers)
{
	return ow_reply(r, status, "application/json; charset=utf-8", json, len, headers);
}

/* The state of an ow_reply_stream body: the part being sent and how much of it is out. */
struct part_stream {
	ow_next_part_fn next;
	void *cls;
	void (*free_cls)(void *);
	struct ow_buf part;
	size_t sent;
	int last;			   /* the part in `part` is the last one */
	struct ow_answer_capture *capture; /* the answer recorded as it goes out, or NULL */
};

static ssize_t part_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct part_stream *s = cls;
	while (s->sent >= s->part.len) {
		if (s->last) {
			ow_capture_keep(s->capture); /* the whole answer went out */
			s->capture = NULL;
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		ow_buf_reset(&s->part);
		s->sent = 0;
		int more = s->next(s->cls, &s->part);
		if (more < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		s->last = more == 0;
		ow_capture_append(s->capture, s->part.data, s->part.len);
	}
	size_t n = s->part.len - s->sent;
	if (n > max)
		n = max;
	memcpy(buf, s->part.data + s->sent, n);
	s->sent += n;
	return (ssize_t)n;
}

static void part_free(void *cls)
{
	struct part_stream *s = cls;
	if (s->free_cls)
		s->free_cls(s->cls);
	ow_capture_drop(s->capture);
	ow_buf_free(&s->part);
	free(s);
}

int ow_reply_reader(struct ow_req *r, unsigned status, const char *content_type,
		    ow_reader_fn reader, void *cls, void (*free_cls)(void *),
		    const char *const *headers)
{
	struct MHD_Response *resp =
		r->queued ? NULL
			  : MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, reader,
							      cls, free_cls);
	if (!resp) {
		if (free_cls)
			free_cls(cls);
		return -1;
	}
	if (add_headers(resp, r, content_type, headers) != 0) {
		MHD_destroy_response(resp);
		return -1;
	}
	return queue(r, status, resp);
}

int ow_reply_stream(struct ow_req *r, unsigned status, const char *content_type,
		    ow_next_part_fn next, void *cls, void (*free_cls)(void *),
		    const char *const *headers)
{
	struct part_stream *s = r->queued ? NULL : calloc(1, sizeof *s);
	if (!s) {
		if (free_cls)
			free_cls(cls);
		return -1;
	}
	*s = (struct part_stream){.next = next, .cls = cls, .free_cls = free_cls};
	ow_buf_init(&s->part, (size_t)64 << 20);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
								      part_reader, s, part_free);
	if (!resp) {
		part_free(s);
		return -1;
	}
	if (add_headers(resp, r, content_type, headers) != 0) {
		MHD_destroy_response(resp);
		return -1;
	}
	if (r->capture && status == 200 && ow_db_served_by() < 0) {
		ow_capture_headers(r->capture, content_type, headers, r->etag, r->cache_control);
		s->capture = r->capture; /* kept when the last byte is out */
		r->capture = NULL;
	}
	return queue(r, status, resp);
}

/* http.c — the libmicrohttpd daemon (thread pool + epoll) and the request lifecycle:
 * route, authorise, bound and check the body before reading it, dispatch, log, count.
 * Request accessors and replies are req.c's. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "auth.h"
#include "answers.h"
#include "workers.h"
#include "cache.h"
#include "config.h"
#include "conns.h"
#include "cors.h"
#include "db.h"
#include "edge.h"
#include "format.h"
#include "known_at.h"
#include "handlers.h"
#include "jspec.h"
#include "log.h"
#include "metrics.h"
#include "problem.h"
#include "ratelimit.h"
#include "read_route.h"
#include "replicas.h"
#include "req.h"
#include "stream.h"

/* Idle time after which libmicrohttpd closes a connection, and the time a client gets to send
 * a complete request header (conns.c). */
#define CONNECTION_TIMEOUT_S 30
/* A request body gets CONNECTION_TIMEOUT_S plus a second for every BODY_MIN_RATE_BPS bytes
 * (conns.c; Apache mod_reqtimeout's MinRate default). */
#define BODY_MIN_RATE_BPS 500
/* A JSON body over the limit but no larger than this is read (and dropped) before its 413:
 * answered while the client is still sending, the 413 would often be lost to the reset that
 * closing a socket with unread data sends. A larger one is answered at once, unread. */
#define DRAIN_MAX_BYTES (8ULL * 1024 * 1024)

static const struct ow_route *routes;
static size_t nroutes;
static unsigned inflight;

unsigned ow_http_inflight(void)
{
	return __atomic_load_n(&inflight, __ATOMIC_RELAXED);
}

/* Takes the client's X-Request-Id when it is short and plain, else makes a UUID. */
static void set_request_id(struct ow_req *r)
{
	const char *given = ow_req_header(r, "X-Request-Id");
	if (given) {
		size_t n = strspn(
			given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
		if (n > 0 && n < sizeof r->request_id && given[n] == '\0') {
			memcpy(r->request_id, given, n + 1);
			return;
		}
	}
	/* A version-4 UUID from a per-thread splitmix64 stream seeded once from libuuid's
	 * random source: uuid_generate_random() for every request cost about 1% of the
	 * server's time (it reseeds and reads the kernel's random source each call). */
	static _Thread_local uint64_t state;
	if (!state) {
		uuid_t seed;
		uuid_generate_random(seed);
		memcpy(&state, seed, sizeof state);
		state |= 1;
	}
	uuid_t u;
	for (int half = 0; half < 2; half++) {
		uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		memcpy(u + 8 * half, &z, 8);
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	uuid_unparse_lower(u, r->request_id);
}

/* True when the Content-Type names a JSON media type the route accepts. */
static int json_content_type(struct ow_req *r)
{
	const char *ct = ow_req_header(r, "Content-Type");
	if (!ct)
		return 0;
	size_t n = strcspn(ct, ";");
	while (n && ct[n - 1] == ' ')
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	return strcmp(r->method, "PATCH") == 0 && n == 28 &&
	       strncasecmp(ct, "application/merge-patch+json", 28) == 0;
}

/* Called by libmicrohttpd with the raw request URI before anything else: the request
 * context is born here, keeping the path still percent-encoded for the router. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct ow_req *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	__atomic_fetch_add(&inflight, 1, __ATOMIC_RELAXED);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->conn = conn;
	r->cfg = cls;
	r->route_index = -1;
	r->target_nul = uri + strlen(uri);
	size_t n = strcspn(uri, "?#");
	if (n >= sizeof r->path)
		r->path_too_long = 1;
	else
		memcpy(r->path, uri, n);
	return r;
}

/* Headers whose values the server reads (and may send to PostgreSQL). */
static const char *const read_headers[] = {"Idempotency-Key", "If-Match",     "If-None-Match",
					   "Accept",	      "Content-Type", NULL};

/* Every string the request carries into the server is well-formed UTF-8, else it is
 * answered here, before any handler or database sees it: a path parameter that is not
 * cannot name a record (404); a header that the server reads is a 400 naming it (query
 * parameters: edge.c). Returns 0 when all is well. */
static int check_utf8(struct ow_req *r)
{
	for (size_t i = 0; i < r->params.n; i++)
		if (!ow_utf8_valid(r->params.values[i], strlen(r->params.values[i]))) {
			(void)ow_problem_reply(
				r, OW_P_NOT_FOUND,
				"No record has that id or slug: it is not valid UTF-8"
				" once percent-decoded.",
				NULL, NULL);
			return 1;
		}
	struct ow_errors errs;
	ow_errors_init(&errs);
	for (size_t i = 0; read_headers[i]; i++) {
		const char *v = ow_req_header(r, read_headers[i]);
		if (v && !ow_utf8_valid(v, strlen(v)))
			ow_errors_add(&errs, read_headers[i], "header is not valid UTF-8");
	}
	if (errs.n == 0)
		return 0;
	(void)ow_problem_reply(r, OW_P_VALIDATION, "Send text as UTF-8.", &errs, NULL);
	return 1;
}

/* OPTIONS: the methods of r->path (also with a format suffix), and what a page on another
 * origin may send there (cors.c); 404 when no route has the path. */
static void preflight(struct ow_req *r)
{
	char allow[128], bare[sizeof r->path];
	const struct ow_route *route;
	struct ow_route_params params;
	const char *path = r->path;
	memcpy(bare, r->path, sizeof bare);
	if (ow_format_strip_suffix(bare) &&
	    ow_router_match(routes, nroutes, "OPTIONS", bare, &route, &params, allow,
			    sizeof allow) == OW_MATCH_NO_METHOD)
		path = bare;
	if (ow_router_match(routes, nroutes, "OPTIONS", path, &route, &params, allow,
			    sizeof allow) != OW_MATCH_NO_METHOD) {
		ow_problem_replyf(r, OW_P_NOT_FOUND, "No resource at %s.", r->path);
		return;
	}
	int public_read = ow_router_match(routes, nroutes, "GET", path, &route, &params, NULL, 0) ==
				  OW_MATCH_OK &&
			  route->role == OW_ROLE_PUBLIC;
	(void)ow_cors_preflight(r, allow, public_read);
}

/* Matches r->path for method. A .json, .csv, .ndjson, .svg or .png suffix names a representation of
 * the path without it, and is tried first (a {param} would otherwise take the whole segment, suffix
 * included): when the bare path matches, it becomes r->path, the suffix goes to r->suffix and
 * *suffix_fmt says which format it named. */
static enum ow_match match_route(struct ow_req *r, const char *method,
				 const struct ow_route **route, char *allow, size_t allowsz,
				 int *suffix_fmt)
{
	char bare[sizeof r->path];
	memcpy(bare, r->path, sizeof bare);
	int f = ow_format_strip_suffix(bare);
	if (f && ow_router_match(routes, nroutes, method, bare, route, &r->params, allow,
				 allowsz) == OW_MATCH_OK) {
		/* A suffix the bare path's route does not offer belongs to the name when the whole
		 * path matches too (/assets/favicon.svg is a file, not the SVG form of
		 * /assets/favicon); otherwise the bare match stands, so that the answer says which
		 * forms the path has. */
		const struct ow_route *whole = NULL;
		struct ow_route_params whole_params;
		if (!(ow_route_formats(*route) & (unsigned)f) &&
		    ow_router_match(routes, nroutes, method, r->path, &whole, &whole_params, allow,
				    allowsz) == OW_MATCH_OK) {
			*route = whole;
			r->params = whole_params;
			return OW_MATCH_OK;
		}
		snprintf(r->suffix, sizeof r->suffix, "%s", r->path + strlen(bare));
		memcpy(r->path, bare, sizeof bare);
		*suffix_fmt = f;
		return OW_MATCH_OK;
	}
	return ow_router_match(routes, nroutes, method, r->path, route, &r->params, allow, allowsz);
}

/* Everything decided before the body is read: route, auth, media type, size. */
static void begin(struct ow_req *r, const char *method, const char *url, const char *version)
{
	r->begun = 1;
	snprintf(r->method, sizeof r->method, "%s", method);
	set_request_id(r);
	ow_buf_init(&r->body, r->cfg->max_body);
	if (ow_edge_check(r, method, r->target_nul ? url : NULL, version) != 0)
		return;
	if (r->path_too_long) {
		ow_problem_reply(r, OW_P_NOT_FOUND, "The path is too long.", NULL, NULL);
		return;
	}
	if (strcmp(method, "OPTIONS") == 0) {
		preflight(r);
		return;
	}
	char allow[128];
	const struct ow_route *route;
	int suffix_fmt = 0;
	enum ow_match m = match_route(r, method, &route, allow, sizeof allow, &suffix_fmt);
	if (m == OW_MATCH_NO_PATH) {
		ow_problem_replyf(r, OW_P_NOT_FOUND, "No resource at %s.", r->path);
		return;
	}
	if (m == OW_MATCH_NO_METHOD) {
		char detail[256];
		snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s.", r->method,
			 allow);
		ow_problem_reply(r, OW_P_METHOD, detail, NULL,
				 (const char *const[]){"Allow", allow, NULL});
		return;
	}
	r->route = route;
	r->route_index = (int)(route - routes);
	r->on_queue = ow_read_routing_headers;
	if (ow_format_settle(r, ow_route_formats(route), suffix_fmt) != 0)
		return;
	if (ow_auth_check(r) != 0)
		return;
	if (ow_ratelimit_take(r) != 0)
		return;
	if (check_utf8(r) != 0)
		return;
	if (route->body == OW_BODY_STREAM) {
		r->phase = OW_PHASE_START;
		route->handler(r); /* checks media type and arguments; sets r->stream_feed */
		r->phase = OW_PHASE_END;
		return;
	}
	if (route->body != OW_BODY_JSON)
		return;
	if (!json_content_type(r)) {
		ow_problem_replyf(
			r, OW_P_MEDIA_TYPE, "Send the body as application/json%s.",
			strcmp(r->method, "PATCH") == 0 ? " or application/merge-patch+json" : "");
		return;
	}
	const char *cl = ow_req_header(r, "Content-Length");
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || *end || n > DRAIN_MAX_BYTES)
			ow_problem_replyf(r, OW_P_TOO_LARGE, "The body may have at most %zu bytes.",
					  r->cfg->max_body);
		else if (n > r->cfg->max_body)
			r->body_too_large = 1; /* read and dropped, then the 413 (on_request) */
	}
}

/* A handler that queued nothing is our bug: logged, and the client answered 500. */
static void answered(struct ow_req *r)
{
	if (r->queued)
		return;
	ow_log(OW_LOG_ERROR, "bug: %s %s queued no response", r->method, r->path);
	ow_problem_reply(r, OW_P_INTERNAL, "The server failed to answer; it has been logged.", NULL,
			 NULL);
}

/* The part of an answer that may need the database: the ETag's data version (or a 304), the
 * handler, the connections given back. (A write's commit moves the answer cache's data
 * version on before its answer goes out: db.c's ow_db_write_committed.) */
static void answer(struct ow_req *r)
{
	ow_capture_begin(r->capture);
	/* A read pinned to a change key reads the history on the primary (known_at.c). */
	if (ow_known_at_take(r) == 0) {
		if (r->replica_ok && ow_replicas_count() > 0 && !r->known_key[0])
			ow_db_prefer_replica(r->lsn);
		if (ow_cache_check(r) == 0) {
			ow_known_at_cache_control(r);
			r->route->handler(r);
		}
	}
	ow_db_release_thread();
	answered(r);
}

/* A worker's job (workers.c): the answer, kept in r->pending by req.c, and the connection
 * resumed, so that libmicrohttpd calls on_request again and it is queued there. */
static void run_request(void *job)
{
	struct ow_req *r = job;
	answer(r);
	MHD_resume_connection(r->conn);
}

/* Routes that never run a statement: answered on the event thread, never queued behind
 * requests waiting for a worker (a health check or /metrics must answer while every worker
 * is busy). */
static int needs_no_database(const struct ow_route *route)
{
	return route->handler == ow_h_health || route->handler == ow_h_metrics ||
	       route->handler == ow_h_openapi || route->handler == ow_h_dashboard ||
	       route->handler == ow_h_asset;
}

/* A request that waited for the same answer made by another (answers.c): sent from memory if
 * it was kept; else it waits again for, or makes, the answer at the data's new version. */
static void waited(void *job)
{
	struct ow_req *r = job;
	if (ow_cache_answer_again(r))
		MHD_resume_connection(r->conn);
	else if (ow_cache_turn(r) == 0) /* not kept (a write came first): the first makes it */
		ow_workers_submit(r);
}

static enum MHD_Result request_step(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct ow_req *r = *con_cls;
	if (!r) {
		r = on_uri(cls, url, conn); /* never without the URI callback; kept for safety */
		if (!r)
			return MHD_NO;
		r->target_nul = NULL; /* url is no longer the raw target */
		*con_cls = r;
	}
	if (!r->begun) {
		ow_conns_body_awaited(conn);
		begin(r, method, url, version);
		ow_conns_body_waiting(conn);
		return MHD_YES;
	}
	if (*upload_size) {
		ow_conns_body_chunk(conn, *upload_size);
		if (!r->queued && r->stream_feed)
			r->stream_feed(r, upload_data, *upload_size);
		else if (!r->queued && r->route && r->route->body == OW_BODY_JSON &&
			 !r->body_too_large &&
			 ow_buf_append(&r->body, upload_data, *upload_size) != 0)
			r->body_too_large = 1;
		*upload_size = 0;
		ow_conns_body_waiting(conn);
		return MHD_YES;
	}
	ow_conns_answering(conn);
	if (r->pending) { /* made by a worker while the connection was suspended */
		enum MHD_Result q = MHD_queue_response(conn, r->pending_status, r->pending);
		MHD_destroy_response(r->pending);
		r->pending = NULL;
		return q;
	}
	if (r->queued)
		return MHD_YES;
	if (r->body_too_large) {
		ow_problem_replyf(r, OW_P_TOO_LARGE, "The body may have at most %zu bytes.",
				  r->cfg->max_body);
	} else if (ow_read_route(r) == 0 && ow_cache_answer(r) == 0) {
		if (r->route->body == OW_BODY_STREAM || needs_no_database(r->route)) {
			answer(r); /* an import (its own connection: import.c), or no statement */
		} else {
			/* The statement runs on a worker; this thread goes on with other clients. A
			 * request whose answer another one is making waits for it (parked). */
			r->deferred = 1;
			MHD_suspend_connection(conn);
			if (ow_cache_turn(r) == 0)
				ow_workers_submit(r);
			return MHD_YES;
		}
	}
	answered(r);
	return r->queued ? MHD_YES : MHD_NO;
}

/* Every call ends with the request's database connections back in the pool, whatever
 * step it took (auth at the headers, a body chunk, the answer): a connection held from one
 * call to the next would be lost with a client that goes away in between. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	enum MHD_Result rc =
		request_step(cls, conn, url, method, version, upload_data, upload_size, con_cls);
	ow_db_release_thread();
	return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	ow_conns_request_done(conn);
	ow_db_release_thread(); /* nothing held, unless a step was cut short */
	struct ow_req *r = *con_cls;
	if (!r)
		return;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs =
		(double)(t1.tv_sec - r->t0.tv_sec) + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
	unsigned status = r->queued ? r->status : 499;
	ow_metrics_observe(r->route_index, status, secs);
	if (r->begun)
		ow_log(status >= 500 ? OW_LOG_WARN : OW_LOG_INFO, "%s %s %u %.1fms id=%s key=%s%s",
		       r->method, r->path, status, secs * 1000.0, r->request_id,
		       r->who.name[0] ? r->who.name : "-",
		       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
								  : " (connection ended early)");
	if (r->stream_free)
		r->stream_free(r->stream);
	ow_capture_drop(r->capture);
	free(r->answer_key);
	if (r->pending)
		MHD_destroy_response(r->pending);
	ow_buf_free(&r->body);
	free(r);
	*con_cls = NULL;
	__atomic_fetch_sub(&inflight, 1, __ATOMIC_RELAXED);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	ow_log(OW_LOG_DEBUG, "libmicrohttpd: %s", msg);
}

static int resolve(const struct ow_config *cfg, struct sockaddr_storage *ss, int *ipv6)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	char port[8];
	snprintf(port, sizeof port, "%u", cfg->listen_port);
	if (getaddrinfo(cfg->listen_host, port, &hints, &ai) != 0 || !ai)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*ipv6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	return 0;
}

unsigned ow_http_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores < 1 ? 1 : cores > 16 ? 16 : (unsigned)cores;
}

/* Every reply's headers from the layers req.c stays below (ow_req_on_reply_headers): a CSV
 * answer's Content-Disposition (shown in the browser, saved under a telling name), the rate
 * limit's headers, and CORS (not on a 204: a preflight's answer sets its own). */
static int reply_headers(struct ow_req *r, struct MHD_Response *resp, unsigned status)
{
	if (status == 200 && r->format == OW_FMT_CSV) {
		char name[160], value[200];
		ow_format_csv_filename(r->path, name, sizeof name);
		snprintf(value, sizeof value, "inline; filename=\"%s\"", name);
		if (MHD_add_response_header(resp, "Content-Disposition", value) != MHD_YES)
			return -1;
	}
	if (ow_ratelimit_headers(r, resp) != 0 || ow_known_at_headers(r, resp) != 0)
		return -1;
	return status != 204 && ow_cors_headers(r, resp) != 0 ? -1 : 0;
}

int ow_http_serve(const struct ow_config *cfg, const struct ow_route *table, size_t n)
{
	routes = table;
	nroutes = n;
	ow_req_on_reply_headers(reply_headers);
	struct sockaddr_storage addr;
	int ipv6 = 0;
	if (resolve(cfg, &addr, &ipv6) != 0) {
		ow_log(OW_LOG_ERROR, "ORGWATCH_LISTEN: cannot resolve %s", cfg->listen_host);
		return 1;
	}
	/* Our cap (conns.c) refuses excess connections at accept; libmicrohttpd's own limit,
	 * which it splits between the event threads and enforces by not accepting (leaving
	 * clients in the backlog), is set high enough never to be reached first. */
	unsigned threads = ow_http_threads();
	unsigned mhd_limit = cfg->max_connections <= (UINT32_MAX - 64) / threads
				     ? cfg->max_connections * threads + 64
				     : UINT32_MAX;
	if (ow_conns_start(cfg->max_connections, cfg->max_connections_per_ip, CONNECTION_TIMEOUT_S,
			   CONNECTION_TIMEOUT_S, BODY_MIN_RATE_BPS) != 0) {
		ow_log(OW_LOG_ERROR, "cannot start the connection watcher");
		return 1;
	}
	/* A few event threads (one per core) read requests and write answers and never wait for
	 * the database; the database part of each answer runs on a worker (workers.c), one per
	 * database connection, taken in the order requests come. A slow statement holds up its
	 * own request only, and no request waits while a connection idles (docs/ARCHITECTURE.md).
	 * Each connection's memory pool holds its request line and headers and the body's read
	 * buffer; libmicrohttpd zeroes it for every request on a kept-alive connection, so it
	 * stays at libmicrohttpd's default 32 kB (128 kB cost a 128 kB memset per request, 4%
	 * of the machine's time under a load of point reads). */
	ow_answers_on_flight_done(waited);
	if (ow_workers_start(cfg->db_connections, run_request) != 0) {
		ow_conns_stop();
		ow_log(OW_LOG_ERROR, "cannot start the request workers");
		return 1;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, cfg->listen_port, &ow_conns_accept, NULL, &on_request, (void *)cfg,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, &on_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
		MHD_OPTION_CONNECTION_LIMIT, mhd_limit, MHD_OPTION_NOTIFY_CONNECTION,
		&ow_conns_notify, NULL, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)0,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)511, MHD_OPTION_EXTERNAL_LOGGER,
		&mhd_log, NULL, MHD_OPTION_URI_LOG_CALLBACK, &on_uri, (void *)cfg, MHD_OPTION_END);
	if (!d) {
		ow_workers_stop();
		ow_conns_stop();
		ow_log(OW_LOG_ERROR, "cannot listen on %s:%u (address in use or not available)",
		       cfg->listen_host, cfg->listen_port);
		return 1;
	}
	ow_log(OW_LOG_INFO,
	       "orgwatch serving on http://%s:%u: %u event threads, %u workers with a database "
	       "connection each",
	       cfg->listen_host, cfg->listen_port, ow_http_threads(), cfg->db_connections);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	ow_log(OW_LOG_INFO, "signal %d: no longer accepting; finishing requests in flight", sig);
	MHD_socket lfd = MHD_quiesce_daemon(d);
	ow_stream_end_all(); /* each live stream told to reconnect, and none left suspended */
	for (int i = 0; i < 1000 && ow_http_inflight() > 0; i++)
		usleep(10 * 1000);
	ow_workers_stop(); /* their last jobs done and resumed: no connection stays suspended */
	MHD_stop_daemon(d);
	ow_conns_stop();
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	ow_log(OW_LOG_INFO, "stopped");
	return 0;
}

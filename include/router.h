/* router.h — the route table as data: method + path pattern → handler, role, body kind. */
#ifndef OW_ROUTER_H
#define OW_ROUTER_H
#include <stddef.h>

struct ow_req;

enum ow_role { OW_ROLE_PUBLIC = 0, OW_ROLE_READER = 1, OW_ROLE_EDITOR = 2, OW_ROLE_ADMIN = 3 };

enum ow_body_kind {
	OW_BODY_NONE = 0, /* no body expected; one sent is ignored */
	OW_BODY_JSON,	  /* application/json (PATCH also merge-patch+json), bounded by max_body */
	OW_BODY_STREAM,	  /* streamed uploads (imports): handler consumes chunks */
};

typedef int (*ow_handler_fn)(struct ow_req *r);

/* What HTTP caches may keep of a route's answers (cache.c). */
enum ow_cache_kind {
	OW_CACHE_NONE = 0, /* nothing said (writes, streams, operations, what is not audited) */
	OW_CACHE_DATA,	   /* a public read: ETag from the data version, 304, Cache-Control */
	OW_CACHE_RECORD,   /* a record: its own ETag (updated_at); Cache-Control added */
};

struct ow_route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/people/{id}/merge": {name} matches one non-empty segment */
	ow_handler_fn handler;
	enum ow_role role; /* least role; OW_ROLE_PUBLIC for reads (closed by PUBLIC_READS=0) */
	enum ow_body_kind body;
	const void *arg; /* handler data, e.g. a resource descriptor */
	enum ow_cache_kind cache;
};

#define OW_ROUTE_MAX_PARAMS 4
#define OW_ROUTE_PARAM_MAX 256

struct ow_route_params {
	size_t n;
	char values[OW_ROUTE_MAX_PARAMS][OW_ROUTE_PARAM_MAX];
};

enum ow_match { OW_MATCH_OK = 0, OW_MATCH_NO_PATH, OW_MATCH_NO_METHOD };

/* Finds the route for method + path. Among patterns that fit the path, the most
 * specific wins (a literal segment beats a {param} at the first position they differ),
 * so "/people/duplicates" is not taken as "/people/{id}". HEAD is served by GET routes.
 * `path` is the raw request path (still percent-encoded): segments are split on '/'
 * first, then each {param} value is percent-decoded, so "meta%2Ffair" is one value
 * "meta/fair". A bad escape or an encoded NUL never matches. One trailing slash is
 * ignored; empty segments ("//") and segments longer than OW_ROUTE_PARAM_MAX-1 bytes
 * never match. On OW_MATCH_NO_METHOD, `allow` receives the
 * comma-separated methods of the winning pattern ("GET, PATCH, DELETE"). */
enum ow_match ow_router_match(const struct ow_route *table, size_t n, const char *method,
			      const char *path, const struct ow_route **out,
			      struct ow_route_params *params, char *allow, size_t allowsz);

#endif

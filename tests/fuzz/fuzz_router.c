/* fuzz_router.c — libFuzzer target for route matching (server/router.c) against a copy of
 * the patterns of server/routes.c with dummy handlers.
 *
 * Input: byte 0 picks the method (or, with its top bit, takes it from the input up to the
 * first space), byte 1 the size of the Allow buffer; the rest is the raw path. Invariants:
 *  - every buffer stays in bounds (params and allow are exact-size heap blocks);
 *  - OW_MATCH_OK: the route's method fits, its pattern fits the path by an independent
 *    matcher, each param is NUL-terminated, at most OW_ROUTE_PARAM_MAX-1 bytes and equal to
 *    the percent-decoded segment, and no other fitting pattern is more specific;
 *  - OW_MATCH_NO_PATH: no pattern fits; OW_MATCH_NO_METHOD: a pattern fits but none of its
 *    routes takes the method, and Allow is NUL-terminated inside its buffer (and complete
 *    when the buffer is large enough);
 *  - the answer does not depend on whether params/allow are asked for. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "fuzz_check.h"

static int h(struct ow_req *r)
{
	(void)r;
	return 0;
}

/* clang-format off */
/* A route of the copy: method, pattern, least role and body kind; every handler is h. */
#define ROUTE(method, pattern, role, body) {method, pattern, h, role, body, NULL}
#define GET(pattern) ROUTE("GET", pattern, OW_ROLE_PUBLIC, OW_BODY_NONE)
/* The five routes of a record type (routes.c makes them from the registry, rtypes.c). */
#define RECORD_ROUTES(plural) \
	GET("/" plural), \
	ROUTE("POST", "/" plural, OW_ROLE_EDITOR, OW_BODY_JSON), \
	GET("/" plural "/{id}"), \
	ROUTE("PATCH", "/" plural "/{id}", OW_ROLE_EDITOR, OW_BODY_JSON), \
	ROUTE("DELETE", "/" plural "/{id}", OW_ROLE_EDITOR, OW_BODY_NONE)
/* clang-format on */

/* The patterns of server/routes.c in the order it builds its table (the fixed routes, then
 * the five of each record type), plus two multi-param ones to reach the param limit. */
static const struct ow_route table[] = {
	GET("/health"),
	GET("/ready"),
	GET("/metrics"),
	GET("/openapi.yaml"),
	GET("/"),
	GET("/assets/{file}"),
	GET("/people/duplicates"),
	ROUTE("POST", "/people/{id}/merge", OW_ROLE_EDITOR, OW_BODY_JSON),
	GET("/changes"),
	GET("/people/{id}/timeline"),
	GET("/people/{id}/reports"),
	GET("/people/{id}/managers"),
	GET("/organizations/{id}/chart"),
	GET("/organizations/{id}/changes"),
	GET("/teams/{id}/members"),
	GET("/teams/{id}/alumni"),
	ROUTE("POST", "/import", OW_ROLE_EDITOR, OW_BODY_STREAM),
	GET("/export"),
	GET("/stats/departures"),
	GET("/stats/flows"),
	GET("/stats/attrition"),
	GET("/organizations/{id}/teams/{team}"),
	ROUTE("PUT", "/x/{a}/{b}/{c}/{d}", OW_ROLE_ADMIN, OW_BODY_JSON),
	RECORD_ROUTES("organizations"),
	RECORD_ROUTES("teams"),
	RECORD_ROUTES("people"),
	RECORD_ROUTES("positions"),
	RECORD_ROUTES("sources"),
	RECORD_ROUTES("departures"),
	RECORD_ROUTES("layoffs"),
	RECORD_ROUTES("reporting-lines"),
};
#define NTABLE (sizeof table / sizeof table[0])

static const char *const METHODS[] = {"GET",	 "HEAD",  "POST",    "PATCH", "DELETE",	 "PUT",
				      "OPTIONS", "get",	  "",	     "TRACE", "CONNECT", "GETX",
				      "POS",	 "HEAD ", "PATCH\n", "DELETE"};

/* ---- Independent reference matcher --------------------------------------------------- */

#define REF_MAX_SEGS 64

/* The segments of a path, each where it starts and how long it is (an array of segments:
 * router.c keeps two arrays, and this matcher is meant to share nothing with it). */
struct rsegs {
	size_t n;
	struct rseg {
		const char *p;
		size_t len;
	} seg[REF_MAX_SEGS];
};

/* Splits on '/', dropping one trailing slash; 0 on a malformed path. */
static int rsplit(const char *s, struct rsegs *out)
{
	size_t n = strlen(s);
	out->n = 0;
	if (n == 0 || s[0] != '/')
		return 0;
	if (n > 2 && s[n - 1] == '/')
		n--; /* one trailing slash ("//" is an empty segment, not "/" plus a slash) */
	if (n == 1)
		return 1;
	size_t i = 1;
	for (;;) {
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		if (j == i || out->n == REF_MAX_SEGS)
			return 0;
		out->seg[out->n].p = s + i;
		out->seg[out->n].len = j - i;
		out->n++;
		if (j >= n)
			return 1;
		i = j + 1;
	}
}

static int rhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes; returns the length or -1 (a bad escape or an encoded NUL). */
static long rdecode(const char *p, size_t len, char *out)
{
	size_t o = 0, i = 0;
	while (i < len) {
		char c = p[i++];
		if (c == '%') {
			if (len - i < 2 || rhex(p[i]) < 0 || rhex(p[i + 1]) < 0)
				return -1;
			c = (char)(rhex(p[i]) * 16 + rhex(p[i + 1]));
			if (c == 0)
				return -1;
			i += 2;
		}
		out[o++] = c;
	}
	return (long)o;
}

static int is_param(const char *p, size_t len)
{
	return len >= 2 && p[0] == '{' && p[len - 1] == '}';
}

/* Whether pattern fits the path segments (a param segment must decode and be short). */
static int rfit(const char *pattern, const struct rsegs *path)
{
	struct rsegs pat;
	if (!rsplit(pattern, &pat) || pat.n != path->n)
		return 0;
	char tmp[4096];
	for (size_t i = 0; i < pat.n; i++) {
		if (is_param(pat.seg[i].p, pat.seg[i].len)) {
			if (path->seg[i].len >= OW_ROUTE_PARAM_MAX ||
			    rdecode(path->seg[i].p, path->seg[i].len, tmp) < 0)
				return 0;
		} else if (pat.seg[i].len != path->seg[i].len ||
			   memcmp(pat.seg[i].p, path->seg[i].p, pat.seg[i].len) != 0) {
			return 0;
		}
	}
	return 1;
}

/* >0 when pattern a is more specific than b: a literal beats a param at the first
 * position where they differ in kind. */
static int more_specific(const char *a, const char *b)
{
	struct rsegs sa, sb;
	CHECK(rsplit(a, &sa) && rsplit(b, &sb) && sa.n == sb.n);
	for (size_t i = 0; i < sa.n; i++) {
		int pa = is_param(sa.seg[i].p, sa.seg[i].len),
		    pb = is_param(sb.seg[i].p, sb.seg[i].len);
		if (pa != pb)
			return pb;
	}
	return 0;
}

static int method_fits(const char *route, const char *m)
{
	return strcmp(route, m) == 0 || (strcmp(m, "HEAD") == 0 && strcmp(route, "GET") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t allowsz = data[1] % 96; /* 0: no Allow buffer */
	const uint8_t *rest = data + 2;
	size_t nrest = size - 2;
	char *method;
	if (data[0] & 0x80) {
		const uint8_t *sp = memchr(rest, ' ', nrest);
		size_t ml = sp ? (size_t)(sp - rest) : 0;
		method = strndup((const char *)rest, ml);
		if (sp) {
			rest += ml + 1;
			nrest -= ml + 1;
		}
	} else {
		method = strdup(METHODS[data[0] % (sizeof METHODS / sizeof METHODS[0])]);
	}
	CHECK(method);
	/* The path, NUL-terminated at its first NUL (as a C string from the HTTP layer). */
	char *path = malloc(nrest + 1);
	CHECK(path);
	memcpy(path, rest, nrest);
	path[nrest] = '\0';

	struct ow_route_params *params = malloc(sizeof *params);
	CHECK(params);
	memset(params, 0xA5, sizeof *params); /* no terminator unless the router writes one */
	char *allow = allowsz ? malloc(allowsz) : NULL;
	if (allow)
		memset(allow, 'Q', allowsz);
	const struct ow_route *route = (const struct ow_route *)1;

	enum ow_match m =
		ow_router_match(table, NTABLE, method, path, &route, params, allow, allowsz);
	CHECK(m == OW_MATCH_OK || m == OW_MATCH_NO_PATH || m == OW_MATCH_NO_METHOD);
	if (allow)
		CHECK(memchr(allow, '\0', allowsz) != NULL);

	/* Reference: the fitting patterns and the most specific of them. */
	struct rsegs ps;
	int path_ok = rsplit(path, &ps);
	const char *best = NULL;
	for (size_t i = 0; path_ok && i < NTABLE; i++) {
		if (!rfit(table[i].pattern, &ps))
			continue;
		if (!best || more_specific(table[i].pattern, best) > 0)
			best = table[i].pattern;
	}

	if (m == OW_MATCH_OK) {
		CHECK(route >= table && route < table + NTABLE);
		CHECK(method_fits(route->method, method));
		CHECK(best != NULL && rfit(route->pattern, &ps));
		CHECK(more_specific(best, route->pattern) == 0);
		/* Params: one per {param}, NUL-terminated, short, equal to the decoded segment. */
		struct rsegs pat;
		CHECK(rsplit(route->pattern, &pat));
		size_t np = 0;
		for (size_t i = 0; i < pat.n; i++) {
			if (!is_param(pat.seg[i].p, pat.seg[i].len))
				continue;
			CHECK(np < OW_ROUTE_MAX_PARAMS);
			const char *v = params->values[np];
			size_t vl = strnlen(v, OW_ROUTE_PARAM_MAX);
			CHECK(vl < OW_ROUTE_PARAM_MAX && vl > 0);
			char dec[OW_ROUTE_PARAM_MAX];
			long dl = rdecode(ps.seg[i].p, ps.seg[i].len, dec);
			CHECK(dl >= 0 && (size_t)dl == vl && memcmp(dec, v, vl) == 0);
			np++;
		}
		CHECK(params->n == np);
	} else {
		CHECK(route == NULL);
		if (m == OW_MATCH_NO_PATH) {
			CHECK(best == NULL);
		} else {
			CHECK(best != NULL);
			for (size_t i = 0; i < NTABLE; i++)
				if (strcmp(table[i].pattern, best) == 0)
					CHECK(!method_fits(table[i].method, method));
			if (allow && allowsz >= 64) {
				/* Every method of the pattern, in table order. */
				char want[128] = "";
				for (size_t i = 0; i < NTABLE; i++) {
					if (strcmp(table[i].pattern, best) != 0)
						continue;
					if (want[0])
						strcat(want, ", ");
					strcat(want, table[i].method);
				}
				CHECK(strcmp(allow, want) == 0);
			} else if (allow) {
				CHECK(strlen(allow) < allowsz);
			}
		}
	}

	/* Same answer without params or allow. */
	const struct ow_route *route2 = NULL;
	enum ow_match m2 = ow_router_match(table, NTABLE, method, path, &route2, NULL, NULL, 0);
	CHECK(m2 == m && route2 == (m == OW_MATCH_OK ? route : NULL));

	free(allow);
	free(params);
	free(path);
	free(method);
	return 0;
}

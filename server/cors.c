/* cors.c — CORS (the Fetch standard's cross-origin protocol) for pages on other sites: a
 * notebook or a newsroom's page may read every public answer (Access-Control-Allow-Origin:
 * *); a write, or a read with a key, only from an origin listed in ORGWATCH_CORS_ORIGINS
 * (its origin is echoed, with Vary: Origin). Credentials (cookies) are never allowed. */
#include "cors.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "req.h"
#include "router.h"

static const char EXPOSE[] = "ETag, Link, X-Request-Id, Content-Disposition, Retry-After, "
			     "Location, Orgwatch-LSN, Orgwatch-Served-By, Orgwatch-Rows, "
			     "Orgwatch-Duplicates-Pending, Orgwatch-Known-At";
static const char ALLOW_HEADERS[] = "Authorization, Content-Type, Accept, If-Match, "
				    "If-None-Match, Idempotency-Key, Orgwatch-LSN, "
				    "X-Request-Id, Cache-Control";

/* 1 when origin is listed in ORGWATCH_CORS_ORIGINS (scheme and host compared without case). */
static int listed(const struct ow_config *cfg, const char *origin)
{
	for (unsigned i = 0; origin && i < cfg->cors_origins_n; i++)
		if (strcasecmp(cfg->cors_origins[i], origin) == 0)
			return 1;
	return 0;
}

/* A read any page may make: GET or HEAD of a route that needs no key (or of no route: its
 * 404 is public too), with public reads on. */
static int public_read(const struct ow_req *r)
{
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return 0;
	return r->cfg->public_reads && (!r->route || r->route->role == OW_ROLE_PUBLIC);
}

int ow_cors_headers(struct ow_req *r, struct MHD_Response *resp)
{
	const char *origin = ow_req_header(r, "Origin");
	int ok = 1;
	if (public_read(r))
		ok &= MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*") == MHD_YES;
	else if (origin && listed(r->cfg, origin))
		ok &= MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin) ==
			      MHD_YES &&
		      MHD_add_response_header(resp, "Vary", "Origin") == MHD_YES;
	else
		return 0;
	ok &= MHD_add_response_header(resp, "Access-Control-Expose-Headers", EXPOSE) == MHD_YES;
	return ok ? 0 : -1;
}

int ow_cors_preflight(struct ow_req *r, const char *allow, int public_read_path)
{
	char methods[160];
	snprintf(methods, sizeof methods, "%s, OPTIONS", allow);
	const char *origin = ow_req_header(r, "Origin");
	const char *want = ow_req_header(r, "Access-Control-Request-Method");
	int read = want && (strcmp(want, "GET") == 0 || strcmp(want, "HEAD") == 0);
	const char *allow_origin = NULL;
	if (origin && listed(r->cfg, origin))
		allow_origin = origin;
	else if (origin && read && public_read_path && r->cfg->public_reads)
		allow_origin = "*";
	const char *h[16] = {"Allow", methods};
	int n = 2;
	if (allow_origin) {
		h[n++] = "Access-Control-Allow-Origin";
		h[n++] = allow_origin;
		h[n++] = "Access-Control-Allow-Methods";
		h[n++] = allow_origin[0] == '*' ? "GET, HEAD, OPTIONS" : methods;
		h[n++] = "Access-Control-Allow-Headers";
		h[n++] = ALLOW_HEADERS;
		h[n++] = "Access-Control-Max-Age";
		h[n++] = "600";
	}
	if (origin) {
		h[n++] = "Vary";
		h[n++] = "Origin";
	}
	h[n] = NULL;
	return ow_reply(r, 204, NULL, "", 0, h);
}

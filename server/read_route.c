/* read_route.c — where a request's reads go when replicas are configured (replicas.c,
 * db_pool.c): the caller's last write read from the Orgwatch-LSN header or the orgwatch_lsn
 * cookie (a bad header is a 400 naming it), and the headers that say where the answer came
 * from (Orgwatch-Served-By) or where a write left the primary (Orgwatch-LSN and its cookie). */
#include "read_route.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "problem.h"
#include "replicas.h"
#include "req.h"
#include "router.h"

/* "X/Y" with X and Y of 1 to 8 hex digits: a WAL position (pg_lsn). */
static int is_lsn(const char *s, size_t n)
{
	size_t slash = 0, digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/' && !slash && digits >= 1 && digits <= 8) {
			slash = 1;
			digits = 0;
		} else if ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
			   (s[i] >= 'a' && s[i] <= 'f')) {
			digits++;
		} else {
			return 0;
		}
	}
	return slash && digits >= 1 && digits <= 8;
}

/* The caller's last write (Orgwatch-LSN header, else the orgwatch_lsn cookie) into out
 * ("" when none); -1 when the header is not a WAL position (a bad cookie is ignored). */
static int caller_lsn(struct ow_req *r, char *out, size_t n)
{
	out[0] = '\0';
	const char *h = ow_req_header(r, "Orgwatch-LSN");
	if (h) {
		if (!is_lsn(h, strlen(h)) || strlen(h) >= n)
			return -1;
		snprintf(out, n, "%s", h);
		return 0;
	}
	const char *c = ow_req_header(r, "Cookie");
	const char *v = c ? strstr(c, "orgwatch_lsn=") : NULL;
	if (v) {
		v += strlen("orgwatch_lsn=");
		size_t len = strcspn(v, "; ");
		if (len < n && is_lsn(v, len))
			snprintf(out, n, "%.*s", (int)len, v);
	}
	return 0;
}

/* Headers of replica routing (r->on_queue), when replicas are configured: after a write, the
 * primary's position (header and cookie, so the caller's next reads see it); on a read,
 * which connection served it. */
int ow_read_routing_headers(struct ow_req *r, struct MHD_Response *resp, unsigned status)
{
	int ok = 1;
	if (ow_replicas_count() == 0)
		return 0; /* no replica: no position to wait for, no query to ask it */
	if (strcmp(r->method, "GET") != 0) {
		char lsn[32], cookie[96];
		if (status < 200 || status >= 300 || ow_db_primary_lsn(lsn, sizeof lsn) != 0)
			return 0;
		snprintf(cookie, sizeof cookie,
			 "orgwatch_lsn=%s; Path=/; Max-Age=300; SameSite=Lax", lsn);
		ok &= MHD_add_response_header(resp, "Orgwatch-LSN", lsn) == MHD_YES;
		ok &= MHD_add_response_header(resp, "Set-Cookie", cookie) == MHD_YES;
	} else if (r->route && r->route->cache != OW_CACHE_NONE) {
		char by[24];
		int i = ow_db_served_by();
		if (r->from_memory)
			snprintf(by, sizeof by, "memory");
		else if (i < 0)
			snprintf(by, sizeof by, "primary");
		else
			snprintf(by, sizeof by, "replica-%d", i);
		ok &= MHD_add_response_header(resp, "Orgwatch-Served-By", by) == MHD_YES;
	}
	return ok ? 0 : -1;
}

/* Reads that may go to a replica: the public reads (route->cache), with the caller's last
 * write to wait for, kept in r->lsn. Returns 0, or 1 after answering a bad Orgwatch-LSN. */
int ow_read_route(struct ow_req *r)
{
	if (strcmp(r->method, "GET") != 0 || !r->route || r->route->cache == OW_CACHE_NONE)
		return 0;
	/* Checked with or without replicas: a client learns of a bad header before it matters. */
	if (caller_lsn(r, r->lsn, sizeof r->lsn) != 0) {
		(void)ow_problem_field(r, OW_P_VALIDATION,
				       "Send back the Orgwatch-LSN a write gave.", "Orgwatch-LSN",
				       "must be a WAL position such as 0/16B3748");
		return 1;
	}
	r->replica_ok = 1;
	return 0;
}

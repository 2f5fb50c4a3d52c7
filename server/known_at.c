/* known_at.c — reads as the database answered them at a past change (issue 29): the known_at=
 * argument of the public reads (a change key, or an RFC 3339 time: the newest change
 * committed at or before it), resolved to its commit (ow_known_at, sql/functions/
 * 21_history.sql), the request's connection pinned to it (ow_db_pin: the history tables as
 * known then, through the asof views), and the answer's headers: which key it used, and
 * immutable when no later commit can change it. docs/KNOWN_AT.md has the design. */
#include "known_at.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "db_problem.h"
#include "filter.h"
#include "problem.h"
#include "req.h"
#include "router.h"

/* How long a key not yet committed here is waited for before the 409, and how often it is
 * looked for meanwhile. */
#define WAIT_MS 2000
#define POLL_MS 100

static int is_key(const char *v)
{
	size_t n = strspn(v, "0123456789");
	return n > 0 && n <= 18 && v[n] == '\0';
}

static int bad_value(struct ow_req *r, const char *why)
{
	(void)ow_problem_field(r, OW_P_VALIDATION, "Give known_at as a change key or a time.",
			       "known_at", "%s", why);
	return 1;
}

/* The reads known_at pins: the public reads answered from the data (the audit log of
 * /changes up to the key's commit: ow_changes_after). Not /export and the streams yet. */
static int pinnable(const struct ow_route *route)
{
	return route && route->cache != OW_CACHE_NONE && strcmp(route->method, "GET") == 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int ow_known_at_take(struct ow_req *r)
{
	const char *v = ow_req_query(r, "known_at");
	if (!v)
		return 0;
	if (!pinnable(r->route))
		return bad_value(r, "is not taken here (yet): /export and the streams answer the "
				    "present");
	static const struct ow_filter as_time = {.name = "known_at", .type = OW_F_TIMESTAMP};
	if (!is_key(v) && ow_filter_check(&as_time, v) != NULL)
		return bad_value(r, "must be a change key (an id GET /changes gave) or an RFC 3339 "
				    "time such as 2025-06-01T12:00:00Z");
	struct ow_db_error err = {0};
	struct ow_db *db = ow_db_acquire(&err);
	if (!db)
		return ow_db_problem(r, &err), 1;
	PGresult *res = NULL;
	for (long waited = 0;; waited += POLL_MS) {
		if (!(res = ow_db_pin(db, v, &err)))
			return ow_db_problem(r, &err), 1;
		if (PQntuples(res) == 1 || waited >= WAIT_MS)
			break;
		PQclear(res);
		sleep_ms(POLL_MS);
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		return ow_problem_replyf(
			       r, OW_P_CONFLICT,
			       "No change %s has been committed here (yet): a newer key than "
			       "this server has seen, or one that never committed.",
			       v),
		       1;
	}
	snprintf(r->known_key, sizeof r->known_key, "%s", PQgetvalue(res, 0, 1));
	snprintf(r->known_time, sizeof r->known_time, "%s", PQgetvalue(res, 0, 2));
	r->known_settled = strcmp(PQgetvalue(res, 0, 3), "true") == 0;
	PQclear(res);
	return 0;
}

void ow_known_at_cache_control(struct ow_req *r)
{
	/* A view bound to an API key stays no-store; any other answer fixed for good is
	 * immutable. */
	if (r->known_key[0] && r->known_settled && r->cache_control &&
	    strcmp(r->cache_control, "no-store") != 0)
		r->cache_control = "public, max-age=31536000, immutable";
}

int ow_known_at_headers(struct ow_req *r, struct MHD_Response *resp)
{
	if (!r->known_key[0])
		return 0;
	char v[96];
	snprintf(v, sizeof v, "%s; %s", r->known_key, r->known_time[0] ? r->known_time : "-");
	return MHD_add_response_header(resp, "Orgwatch-Known-At", v) == MHD_YES ? 0 : -1;
}

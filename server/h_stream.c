/* h_stream.c — GET /changes/stream: the live change stream (stream.c), its arguments checked
 * and its references resolved here, on a worker, before the stream begins. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "db.h"
#include "db_problem.h"
#include "format.h"
#include "handlers.h"
#include "list.h"
#include "netcheck.h"
#include "problem.h"
#include "req.h"
#include "rtypes.h"
#include "stream.h"

static const char *const coalesce_values[] = {"imports", NULL};
static const struct ow_filter filters[] = {
	{"after", OW_F_CHANGE_ID, NULL},
	{"entity", OW_F_ENUM_LIST, ow_rtype_entity_names},
	{"operation", OW_F_ENUM_LIST, ow_change_operations},
	OW_FILTER_ORG,
	OW_FILTER_TEAM,
	OW_FILTER_PERSON,
	{"coalesce", OW_F_ENUM, coalesce_values},
};
enum { F_AFTER, F_ENTITY, F_OPERATION, F_ORG, F_TEAM, F_PERSON, F_COALESCE, NF };

static void client_address(struct ow_req *r, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	unsigned char addr[16];
	if (ci && ow_net_from_sockaddr(ci->client_addr, addr) == 0)
		ow_net_format(addr, out, n);
	else
		snprintf(out, n, "?");
}

static void copy_id(char *dst, size_t n, const PGresult *res, int col)
{
	snprintf(dst, n, "%s", PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

int ow_h_stream(struct ow_req *r)
{
	const char *v[NF];
	if (ow_query_parse(r, filters, NF, v, NULL) != 0)
		return 0;
	/* EventSource resumes with Last-Event-ID, keeping the URL it began with: the header wins
	 * over ?after=. */
	const char *resume = ow_req_header(r, "Last-Event-ID");
	if (resume && resume[0]) {
		const struct ow_filter id = {"Last-Event-ID", OW_F_CHANGE_ID, NULL};
		const char *why = ow_filter_check(&id, resume);
		if (why) {
			struct ow_errors errs;
			ow_errors_init(&errs);
			ow_errors_add(&errs, "Last-Event-ID", "%s", why);
			return ow_problem_reply(r, OW_P_VALIDATION, "Invalid Last-Event-ID header.",
						&errs, NULL);
		}
		v[F_AFTER] = resume;
	}
	struct ow_stream_args a;
	memset(&a, 0, sizeof a);
	if (v[F_ENTITY] &&
	    ow_change_names_bits(v[F_ENTITY], ow_rtype_entity_names, &a.filter.entities) != 0)
		return ow_problem_reply(r, OW_P_VALIDATION, "Unknown entity.", NULL, NULL);
	if (v[F_OPERATION] &&
	    ow_change_names_bits(v[F_OPERATION], ow_change_operations, &a.filter.operations) != 0)
		return ow_problem_reply(r, OW_P_VALIDATION, "Unknown operation.", NULL, NULL);
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *params[] = {v[F_AFTER], v[F_ORG], v[F_TEAM], v[F_PERSON]};
	PGresult *res = db ? ow_db_exec(db, OW_Q_STREAM_START, params, &err) : NULL;
	if (!res)
		return ow_db_problem(r, &err);
	a.after = v[F_AFTER] ? atoll(v[F_AFTER]) : -1;
	a.unknown = v[F_AFTER] && PQgetisnull(res, 0, 0);
	a.newest = atoll(PQgetvalue(res, 0, 1));
	copy_id(a.filter.org, sizeof a.filter.org, res, 2);
	copy_id(a.filter.team, sizeof a.filter.team, res, 3);
	copy_id(a.filter.person, sizeof a.filter.person, res, 4);
	PQclear(res);
	ow_db_release_thread();
	a.ndjson = r->format == OW_FMT_NDJSON;
	a.coalesce_imports = v[F_COALESCE] != NULL;
	if (r->who.role != OW_ROLE_PUBLIC)
		snprintf(a.key, sizeof a.key, "%s", r->who.name);
	client_address(r, a.address, sizeof a.address);
	return ow_stream_reply(r, &a);
}

/* auth.c — bearer keys: lookup by SHA-256 (computed by PostgreSQL), roles, key creation. */
#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "db_problem.h"
#include "log.h"
#include "problem.h"
#include "req.h"

static const char *const role_names[] = {"public", "reader", "editor", "admin"};

const char *ow_role_name(enum ow_role role)
{
	return (unsigned)role < 4 ? role_names[role] : "unknown";
}

int ow_role_parse(const char *s, enum ow_role *out)
{
	for (int i = 1; i < 4; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum ow_role)i;
			return 0;
		}
	return -1;
}

static const char *const challenge[] = {"WWW-Authenticate", "Bearer realm=\"orgwatch\"", NULL};

/* Extracts the token of "Bearer TOKEN"; NULL when the header is not of that form. */
static const char *bearer_token(const char *h)
{
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	size_t n = strlen(h);
	if (n == 0 || n > 200)
		return NULL;
	return h;
}

int ow_auth_check(struct ow_req *r)
{
	enum ow_role need = r->route->role;
	if (need == OW_ROLE_PUBLIC && !r->cfg->public_reads)
		need = OW_ROLE_READER;
	r->who.role = OW_ROLE_PUBLIC;
	snprintf(r->who.name, sizeof r->who.name, "anonymous");
	const char *h = ow_req_header(r, "Authorization");
	if (h) {
		const char *token = bearer_token(h);
		if (!token) {
			ow_problem_reply(r, OW_P_UNAUTHORIZED,
					 "Use the header 'Authorization: Bearer <key>'.", NULL,
					 challenge);
			return -1;
		}
		/* A key is ASCII: anything that is not even UTF-8 is simply not a key (and
		 * PostgreSQL would refuse the text). */
		if (!ow_utf8_valid(token, strlen(token))) {
			ow_problem_reply(r, OW_P_UNAUTHORIZED, "Unknown or revoked API key.", NULL,
					 challenge);
			return -1;
		}
		struct ow_db_error err;
		struct ow_db *db = ow_db_acquire(&err);
		PGresult *res =
			db ? ow_db_exec(db, OW_Q_AUTH_LOOKUP, (const char *[]){token}, &err) : NULL;
		if (!res) {
			ow_db_problem(r, &err);
			return -1;
		}
		if (PQntuples(res) != 1) {
			PQclear(res);
			ow_problem_reply(r, OW_P_UNAUTHORIZED, "Unknown or revoked API key.", NULL,
					 challenge);
			return -1;
		}
		snprintf(r->who.name, sizeof r->who.name, "%s", PQgetvalue(res, 0, 0));
		enum ow_role role;
		r->who.role =
			ow_role_parse(PQgetvalue(res, 0, 1), &role) == 0 ? role : OW_ROLE_PUBLIC;
		PQclear(res);
	}
	if (r->who.role >= need)
		return 0;
	if (r->who.role == OW_ROLE_PUBLIC) {
		char detail[128];
		snprintf(detail, sizeof detail,
			 "This needs an API key with role %s: send 'Authorization: Bearer <key>'.",
			 ow_role_name(need));
		ow_problem_reply(r, OW_P_UNAUTHORIZED, detail, NULL, challenge);
		return -1;
	}
	ow_problem_replyf(r, OW_P_FORBIDDEN, "This needs role %s; the key '%s' has role %s.",
			  ow_role_name(need), r->who.name, ow_role_name(r->who.role));
	return -1;
}

int ow_auth_key_create(PGconn *c, const char *name, enum ow_role role, char key_out[68], char *err,
		       size_t errsz)
{
	unsigned char raw[32];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n <= 0) {
			snprintf(err, errsz, "cannot read random bytes");
			return -1;
		}
		got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	memcpy(key_out, "ow_", 3);
	for (size_t i = 0; i < sizeof raw; i++) {
		key_out[3 + 2 * i] = hex[raw[i] >> 4];
		key_out[4 + 2 * i] = hex[raw[i] & 15];
	}
	key_out[67] = '\0';
	const char *params[] = {name, ow_role_name(role), key_out};
	PGresult *res = ow_stmt_run(c, OW_Q_KEY_CREATE, params);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (st && strcmp(st, "23505") == 0)
			snprintf(err, errsz, "a key named '%s' exists already", name);
		else
			snprintf(err, errsz, "%s", PQresultErrorMessage(res));
	}
	PQclear(res);
	return ok ? 0 : -1;
}

int ow_auth_key_revoke(PGconn *c, const char *name, char *err, size_t errsz)
{
	const char *params[] = {name};
	PGresult *res = ow_stmt_run(c, OW_Q_KEY_REVOKE, params);
	int rc = -1;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		snprintf(err, errsz, "%s", PQresultErrorMessage(res));
	else if (strcmp(PQcmdTuples(res), "1") != 0)
		snprintf(err, errsz, "no active key named '%s'", name);
	else
		rc = 0;
	PQclear(res);
	return rc;
}

/* h_webhooks.c — the admin's webhook endpoints (issue 27): POST/GET /webhooks,
 * GET/DELETE /webhooks/{id}, GET /webhooks/{id}/deliveries, POST /webhooks/{id}/redeliver.
 * Bodies are checked here (names, secret, the URL against the SSRF guard); references and
 * change ids by the SQL functions (20_webhooks.sql), which answer 400 naming the field.
 * Deliveries are made by webhooks.c. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "body.h"
#include "change.h"
#include "config.h"
#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "jspec.h"
#include "problem.h"
#include "req.h"
#include "rtypes.h"
#include "webhooks.h"
#include "whsig.h"

static const struct ow_jfield create_spec[] = {
	{"url", OW_J_URL, OW_JF_REQUIRED, 2048, NULL, 0, 0, NULL},
	{"secret", OW_J_STRING, 0, OW_WHSIG_SECRET_MAX - 1, NULL, 0, 0, NULL},
	{"entity", OW_J_STRING_LIST, 0, 16, NULL, 0, 0, NULL},
	{"operation", OW_J_STRING_LIST, 0, 8, NULL, 0, 0, NULL},
	{"org", OW_J_REF, 0, 0, NULL, 0, 0, NULL},
	{"team", OW_J_REF, 0, 0, NULL, 0, 0, NULL},
	{"person", OW_J_REF, 0, 0, NULL, 0, 0, NULL},
	{"after", OW_J_INT, 0, 0, NULL, 0, 9007199254740991.0, NULL},
};

/* Joins the names of list (each one of names) with commas into out; adds an error for
 * each unknown one. */
static void names_csv(const json_t *list, const char *field, const char *const *names, char *out,
		      size_t size, struct ow_errors *errs)
{
	size_t used = 0;
	size_t i;
	json_t *v;
	out[0] = '\0';
	json_array_foreach(list, i, v)
	{
		const char *s = json_string_value(v);
		unsigned bits = 0;
		if (!s || strchr(s, ',') || ow_change_names_bits(s, names, &bits) != 0) {
			char known[400];
			size_t k = 0;
			for (size_t j = 0; names[j] && k < sizeof known; j++)
				k += (size_t)snprintf(known + k, sizeof known - k, "%s%s",
						      j ? ", " : "", names[j]);
			ow_errors_add(errs, field, "unknown name '%.60s': each must be one of %s",
				      s ? s : "", known);
			continue;
		}
		int n = snprintf(out + used, size - used, "%s%s", used ? "," : "", s);
		if (n < 0 || (size_t)n >= size - used) {
			ow_errors_add(errs, field, "too many names");
			return;
		}
		used += (size_t)n;
	}
}

static const char *str_or_null(const json_t *doc, const char *name)
{
	return json_string_value(json_object_get(doc, name));
}

int ow_h_webhooks_create(struct ow_req *r)
{
	json_t *doc = ow_body_json(r, create_spec, sizeof create_spec / sizeof create_spec[0],
				   OW_JSPEC_CREATE);
	if (!doc)
		return 0;
	struct ow_errors errs;
	ow_errors_init(&errs);
	char entities[512], operations[128], secret[OW_WHSIG_SECRET_MAX], after[32], why[320];
	names_csv(json_object_get(doc, "entity"), "entity", ow_rtype_entity_names, entities,
		  sizeof entities, &errs);
	names_csv(json_object_get(doc, "operation"), "operation", ow_change_operations, operations,
		  sizeof operations, &errs);
	const char *given = str_or_null(doc, "secret");
	unsigned char key[OW_WHSIG_KEY_MAX];
	if (given && ow_whsig_secret_parse(given, key) < 0)
		ow_errors_add(&errs, "secret",
			      "must be \"whsec_\" followed by the base64 of 24 to 64 bytes");
	const char *url = str_or_null(doc, "url");
	struct ow_webhook_target t;
	if (ow_webhook_check_url(url, r->cfg->webhook_allow, r->cfg->webhook_allow_n, &t, why,
				 sizeof why) != 0)
		ow_errors_add(&errs, "url", "%s", why);
	int rc;
	if (errs.n) {
		rc = ow_problem_reply(r, OW_P_VALIDATION, "The webhook cannot be created as given.",
				      &errs, NULL);
		goto out;
	}
	if (given)
		snprintf(secret, sizeof secret, "%s", given);
	else if (ow_whsig_secret_make(secret) != 0) {
		rc = ow_problem_reply(r, OW_P_UNAVAILABLE, "No randomness for a secret; try again.",
				      NULL, NULL);
		goto out;
	}
	json_t *a = json_object_get(doc, "after");
	if (a)
		snprintf(after, sizeof after, "%" JSON_INTEGER_FORMAT, json_integer_value(a));
	const char *params[] = {r->who.name,
				url,
				secret,
				entities,
				operations,
				str_or_null(doc, "org"),
				str_or_null(doc, "team"),
				str_or_null(doc, "person"),
				a ? after : NULL};
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_write(db, OW_Q_WEBHOOK_CREATE, params, &err) : NULL;
	if (!pg) {
		rc = ow_db_problem(r, &err);
		goto out;
	}
	char location[80];
	snprintf(location, sizeof location, "/webhooks/%s", PQgetvalue(pg, 0, 1));
	rc = ow_reply_json(r, 201, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0),
			   (const char *const[]){"Location", location, NULL});
	PQclear(pg);
	ow_webhooks_poke();
out:
	json_decref(doc);
	return rc;
}

/* Runs a read of one webhook (or the list: NULL id) and answers its first column, or 404. */
static int answer_read(struct ow_req *r, enum ow_stmt_id q, const char *id)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_exec(db, q, (const char *const[]){id}, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	int rc = PQntuples(pg) == 0
			 ? ow_problem_replyf(r, OW_P_NOT_FOUND, "No webhook with id '%s'.", id)
			 : ow_reply_json(r, 200, PQgetvalue(pg, 0, 0),
					 (size_t)PQgetlength(pg, 0, 0), NULL);
	PQclear(pg);
	return rc;
}

int ow_h_webhooks_list(struct ow_req *r)
{
	return answer_read(r, OW_Q_WEBHOOKS_LIST, NULL);
}

int ow_h_webhooks_get(struct ow_req *r)
{
	return answer_read(r, OW_Q_WEBHOOK_GET, r->params.values[0]);
}

int ow_h_webhooks_deliveries(struct ow_req *r)
{
	return answer_read(r, OW_Q_WEBHOOK_DELIVERIES, r->params.values[0]);
}

int ow_h_webhooks_delete(struct ow_req *r)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *id = r->params.values[0];
	PGresult *pg =
		db ? ow_db_write(db, OW_Q_WEBHOOK_DELETE, (const char *const[]){id}, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	int rc = PQntuples(pg) == 0
			 ? ow_problem_replyf(r, OW_P_NOT_FOUND, "No webhook with id '%s'.", id)
			 : ow_reply(r, 204, NULL, "", 0, NULL);
	PQclear(pg);
	return rc;
}

int ow_h_webhooks_redeliver(struct ow_req *r)
{
	const char *after = ow_req_query(r, "after");
	size_t n = after ? strlen(after) : 0;
	if (after && (n == 0 || n > 16 || strspn(after, "0123456789") != n)) {
		struct ow_errors errs;
		ow_errors_init(&errs);
		ow_errors_add(&errs, "after",
			      "must be a change id (a whole number, 0 for the first)");
		return ow_problem_reply(r, OW_P_VALIDATION, "Give the change id to start after.",
					&errs, NULL);
	}
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *params[] = {r->params.values[0], after};
	PGresult *pg = db ? ow_db_write(db, OW_Q_WEBHOOK_REDELIVER, params, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	int rc = ow_reply_json(r, 202, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0), NULL);
	PQclear(pg);
	ow_webhooks_poke();
	return rc;
}

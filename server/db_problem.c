/* db_problem.c — the one place a failed statement (struct ow_db_error) becomes a problem
 * reply: SQLSTATEs and our OW4xx codes mapped to statuses and fields; and the 503 for a
 * dedicated connection that could not be had. */
#include "db.h"
#include "db_problem.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "jspec.h"
#include "log.h"
#include "problem.h"
#include "req.h"

int ow_db_dedicated_problem(struct ow_req *r, int busy)
{
	return ow_problem_reply(r, OW_P_UNAVAILABLE,
				busy ? "Too many imports and exports are running "
				       "(ORGWATCH_MAX_STREAMS); retry shortly."
				     : "The database is unavailable; retry shortly.",
				NULL, (const char *const[]){"Retry-After", busy ? "5" : "2", NULL});
}

/* Maps a foreign-key constraint name "<table>_<column>_fkey" to the column. */
static void fk_field(const char *constraint, const char *table, char *out, size_t outsz)
{
	size_t tl = strlen(table);
	const char *c = constraint;
	if (tl && strncmp(c, table, tl) == 0 && c[tl] == '_')
		c += tl + 1;
	snprintf(out, outsz, "%s", c);
	size_t n = strlen(out);
	if (n > 5 && strcmp(out + n - 5, "_fkey") == 0)
		out[n - 5] = '\0';
}

/* The field a failed check names: the column when PostgreSQL gives one, else the
 * constraint name less its table prefix and its "_check"/"_not_..." suffix
 * ("people_slug_not_reserved" → "slug"). */
static void check_field(const struct ow_db_error *e, char *out, size_t outsz)
{
	if (e->column[0]) {
		snprintf(out, outsz, "%s", e->column);
		return;
	}
	fk_field(e->constraint, e->table, out, outsz);
	char *cut = strstr(out, "_check");
	if (!cut)
		cut = strstr(out, "_not_");
	if (cut)
		*cut = '\0';
	if (strcmp(out, "check") == 0)
		out[0] = '\0';
}

static const char *check_message(const struct ow_db_error *e)
{
	if (strcmp(e->constraint, "people_slug_not_reserved") == 0)
		return "is reserved (it names the endpoint /people/duplicates)";
	return e->message;
}

int ow_db_problem(struct ow_req *r, const struct ow_db_error *e)
{
	struct ow_errors errs;
	ow_errors_init(&errs);
	if (e->unavailable && e->busy)
		return ow_problem_reply(r, OW_P_UNAVAILABLE,
					"Every database connection stayed busy while this request "
					"waited for one; retry shortly.",
					NULL, (const char *const[]){"Retry-After", "5", NULL});
	if (e->unavailable)
		return ow_problem_reply(r, OW_P_UNAVAILABLE,
					"The database is unavailable; retry shortly.", NULL,
					(const char *const[]){"Retry-After", "2", NULL});
	const char *st = e->sqlstate;
	if (strcmp(st, "OW400") == 0) {
		/* Several fields at once come as a JSON array in DETAIL (ow_check_refs). */
		json_t *list = e->detail[0] == '[' ? json_loads(e->detail, 0, NULL) : NULL;
		size_t i;
		json_t *item;
		json_array_foreach(list, i, item)
		{
			const char *f = json_string_value(json_object_get(item, "field"));
			const char *m = json_string_value(json_object_get(item, "message"));
			ow_errors_add(&errs, f ? f : "", "%s", m ? m : "invalid");
		}
		json_decref(list);
		if (errs.n == 0)
			ow_errors_add(&errs, e->column, "%s", e->message);
		return ow_problem_reply(r, OW_P_VALIDATION, "Some fields are invalid; see errors.",
					&errs, NULL);
	}
	if (strcmp(st, "OW404") == 0)
		return ow_problem_reply(r, OW_P_NOT_FOUND, e->message, NULL, NULL);
	if (strcmp(st, "OW409") == 0)
		return ow_problem_reply(r, OW_P_CONFLICT, e->message, NULL, NULL);
	if (strcmp(st, "OW412") == 0)
		return ow_problem_reply(r, OW_P_PRECONDITION, e->message, NULL, NULL);
	if (strcmp(st, "23505") == 0 || strcmp(st, "23P01") == 0) {
		char detail[2600];
		snprintf(detail, sizeof detail, "%s%s%s", e->message, e->detail[0] ? ": " : "",
			 e->detail);
		return ow_problem_reply(r, OW_P_CONFLICT, detail, NULL, NULL);
	}
	if (strcmp(st, "23503") == 0) {
		if (strcmp(r->method, "DELETE") == 0)
			return ow_problem_replyf(r, OW_P_CONFLICT,
						 "Other records refer to it (%s).", e->table);
		char field[128];
		fk_field(e->constraint, e->table, field, sizeof field);
		ow_errors_add(&errs, field, "no such record");
		return ow_problem_reply(r, OW_P_VALIDATION, "A referenced record does not exist.",
					&errs, NULL);
	}
	if (strcmp(st, "23514") == 0 || strcmp(st, "23502") == 0 || strncmp(st, "22", 2) == 0) {
		char field[128];
		check_field(e, field, sizeof field);
		ow_errors_add(&errs, field, "%s", check_message(e));
		return ow_problem_reply(r, OW_P_VALIDATION, NULL, &errs, NULL);
	}
	if (strcmp(st, "57014") == 0 || strcmp(st, "55P03") == 0 || strcmp(st, "40001") == 0 ||
	    strcmp(st, "40P01") == 0)
		return ow_problem_reply(r, OW_P_UNAVAILABLE, "The database is busy; retry shortly.",
					NULL, (const char *const[]){"Retry-After", "1", NULL});
	ow_log(OW_LOG_ERROR, "request %s: database error %s: %s %s", r->request_id, st, e->message,
	       e->detail);
	return ow_problem_reply(r, OW_P_INTERNAL, "Unexpected database error; it has been logged.",
				NULL, NULL);
}

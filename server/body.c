/* body.c — parses a request's JSON body and validates it against a field spec. */
#include "body.h"

#include "problem.h"
#include "req.h"

json_t *ow_body_json(struct ow_req *r, const struct ow_jfield *spec, size_t n, enum ow_jmode mode)
{
	if (r->body.len == 0) {
		ow_problem_reply(r, OW_P_BAD_REQUEST, "A JSON object is required as the body.",
				 NULL, NULL);
		return NULL;
	}
	json_error_t jerr;
	json_t *doc = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		ow_problem_replyf(r, OW_P_MALFORMED_JSON, "Line %d, column %d: %s.", jerr.line,
				  jerr.column, jerr.text);
		return NULL;
	}
	struct ow_errors errs;
	ow_errors_init(&errs);
	if (ow_jspec_check(doc, spec, n, mode, &errs) > 0) {
		ow_problem_reply(r, OW_P_VALIDATION, "Some fields are invalid; see errors.", &errs,
				 NULL);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* problem.c — the error catalogue (enum → status, type, title) and problem+json replies. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "req.h"

struct entry {
	unsigned status;
	const char *type;
	const char *title;
};

#define TYPE(x) "https://orgwatch.dev/problems/" x

static const struct entry catalogue[OW_P_COUNT] = {
	[OW_P_BAD_REQUEST] = {400, TYPE("bad-request"), "Bad request"},
	[OW_P_VALIDATION] = {400, TYPE("validation"), "Invalid fields"},
	[OW_P_MALFORMED_JSON] = {400, TYPE("malformed-json"), "Malformed JSON"},
	[OW_P_UNAUTHORIZED] = {401, TYPE("unauthorized"), "Missing or invalid API key"},
	[OW_P_FORBIDDEN] = {403, TYPE("forbidden"), "Role too low"},
	[OW_P_NOT_FOUND] = {404, TYPE("not-found"), "Not found"},
	[OW_P_METHOD] = {405, TYPE("method-not-allowed"), "Method not allowed"},
	[OW_P_CONFLICT] = {409, TYPE("conflict"), "Conflict"},
	[OW_P_PRECONDITION] = {412, TYPE("precondition-failed"), "Precondition failed"},
	[OW_P_TOO_LARGE] = {413, TYPE("payload-too-large"), "Request body too large"},
	[OW_P_MEDIA_TYPE] = {415, TYPE("unsupported-media-type"), "Unsupported media type"},
	[OW_P_TOO_MANY] = {429, TYPE("too-many-requests"), "Too many requests"},
	[OW_P_TE_UNSUPPORTED] = {501, TYPE("not-implemented"), "Not implemented"},
	[OW_P_PNG_UNAVAILABLE] = {501, TYPE("not-implemented"), "Not implemented"},
	[OW_P_UNAVAILABLE] = {503, TYPE("unavailable"), "Service unavailable"},
	[OW_P_INTERNAL] = {500, TYPE("internal"), "Internal error"},
};

static int render(struct ow_buf *b, const struct entry *e, const struct ow_req *r,
		  const char *detail, const struct ow_errors *errors)
{
	int rc = ow_buf_appendf(b, "{\"type\":\"%s\",\"title\":\"%s\",\"status\":%u", e->type,
				e->title, e->status);
	if (detail) {
		rc |= ow_buf_append_str(b, ",\"detail\":");
		rc |= ow_buf_append_json_str(b, detail, strlen(detail));
	}
	rc |= ow_buf_append_str(b, ",\"instance\":");
	rc |= ow_buf_append_json_str(b, r->path, strlen(r->path));
	rc |= ow_buf_appendf(b, ",\"request_id\":\"%s\"", r->request_id);
	if (errors && errors->n) {
		rc |= ow_buf_append_str(b, ",\"errors\":[");
		for (size_t i = 0; i < errors->n; i++) {
			const struct ow_field_error *fe = &errors->items[i];
			rc |= ow_buf_append_str(b, i ? ",{\"field\":" : "{\"field\":");
			rc |= ow_buf_append_json_str(b, fe->field, strlen(fe->field));
			rc |= ow_buf_append_str(b, ",\"message\":");
			rc |= ow_buf_append_json_str(b, fe->message, strlen(fe->message));
			rc |= ow_buf_append_str(b, "}");
		}
		rc |= ow_buf_append_str(b, "]");
	}
	rc |= ow_buf_append_str(b, "}");
	return rc ? -1 : 0;
}

int ow_problem_reply(struct ow_req *r, enum ow_problem p, const char *detail,
		     const struct ow_errors *errors, const char *const *headers)
{
	const struct entry *e = &catalogue[p < OW_P_COUNT ? p : OW_P_INTERNAL];
	struct ow_buf b;
	ow_buf_init(&b, 1 << 20);
	char detail2[512];
	if (errors && errors->dropped) {
		snprintf(detail2, sizeof detail2, "%s (%zu more errors not listed)",
			 detail ? detail : "Invalid fields", errors->dropped);
		detail = detail2;
	}
	int rc = render(&b, e, r, detail, errors);
	if (rc == 0)
		rc = ow_reply(r, e->status, "application/problem+json", b.data, b.len, headers);
	ow_buf_free(&b);
	return rc;
}

int ow_problem_field(struct ow_req *r, enum ow_problem p, const char *detail, const char *field,
		     const char *fmt, ...)
{
	char message[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	struct ow_errors errs;
	ow_errors_init(&errs);
	ow_errors_add(&errs, field, "%s", message);
	return ow_problem_reply(r, p, detail, &errs, NULL);
}

int ow_problem_replyf(struct ow_req *r, enum ow_problem p, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return ow_problem_reply(r, p, detail, NULL, NULL);
}

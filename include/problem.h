/* problem.h — the error catalogue and RFC 9457 problem+json replies. */
#ifndef OW_PROBLEM_H
#define OW_PROBLEM_H
#include <stddef.h>

#include "jspec.h"

struct ow_req;

enum ow_problem {
	OW_P_BAD_REQUEST,     /* 400 bad syntax or values */
	OW_P_VALIDATION,      /* 400 field errors */
	OW_P_MALFORMED_JSON,  /* 400 */
	OW_P_UNAUTHORIZED,    /* 401 */
	OW_P_FORBIDDEN,	      /* 403 */
	OW_P_NOT_FOUND,	      /* 404 */
	OW_P_METHOD,	      /* 405 */
	OW_P_CONFLICT,	      /* 409 */
	OW_P_PRECONDITION,    /* 412 */
	OW_P_TOO_LARGE,	      /* 413 */
	OW_P_MEDIA_TYPE,      /* 415 */
	OW_P_TOO_MANY,	      /* 429 over a rate limit (ratelimit.c) */
	OW_P_TE_UNSUPPORTED,  /* 501 a Transfer-Encoding other than chunked */
	OW_P_PNG_UNAVAILABLE, /* 501 a chart as PNG without rsvg-convert installed (png.c) */
	OW_P_UNAVAILABLE,     /* 503 */
	OW_P_INTERNAL,	      /* 500: our bug, never for client input */
	OW_P_COUNT
};

/* Queues a problem+json reply: type, title and status from the catalogue, the detail
 * given (may be NULL), and `errors` when non-NULL and non-empty. Extra headers as in
 * ow_reply. Returns 0 or -1. */
int ow_problem_reply(struct ow_req *r, enum ow_problem p, const char *detail,
		     const struct ow_errors *errors, const char *const *headers);
/* Same with a printf-style detail. */
int ow_problem_replyf(struct ow_req *r, enum ow_problem p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A problem naming one field: `errors` holds field with the printf-style message. */
int ow_problem_field(struct ow_req *r, enum ow_problem p, const char *detail, const char *field,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif

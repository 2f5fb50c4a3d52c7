/* edge.c — the checks every request passes before routing and authentication:
 *  - framing (RFC 9112 §6): Content-Length values that differ or are not digits, both
 *    Content-Length and Transfer-Encoding, a Transfer-Encoding other than "chunked", and
 *    HTTP/1.1 without Host. A proxy in front could read such a request's length differently
 *    (request smuggling), so the answer also closes the connection;
 *  - a NUL byte in the request line (raw, or %00 in a query value): libmicrohttpd's strings
 *    end there, so the request would be answered as if the rest had not been sent;
 *  - query parameters: each given once (none is documented as repeatable), names and values
 *    valid UTF-8.
 * libmicrohttpd answers some malformed requests itself before any of this runs (a
 * Content-Length that is not a number, a request line or header too large): see README. */
#include "edge.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "jspec.h"
#include "problem.h"
#include "req.h"

#define MAX_ARGS 64

struct header_scan {
	unsigned cl_count, te_count;
	const char *cl_first;
	int cl_bad, cl_differ, te_bad, host;
};

/* "   123  " → 1 when the value is digits between optional spaces and tabs. */
static int digits_only(const char *v)
{
	v += strspn(v, " \t");
	size_t n = strspn(v, "0123456789");
	if (n == 0)
		return 0;
	v += n;
	v += strspn(v, " \t");
	return *v == '\0';
}

/* Compares two Content-Length values as numbers written in digits (leading zeros and
 * surrounding spaces aside). */
static int same_length(const char *a, const char *b)
{
	a += strspn(a, " \t");
	b += strspn(b, " \t");
	while (*a == '0' && a[1] >= '0' && a[1] <= '9')
		a++;
	while (*b == '0' && b[1] >= '0' && b[1] <= '9')
		b++;
	size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
	return na == nb && strncmp(a, b, na) == 0;
}

static int is_chunked(const char *v)
{
	v += strspn(v, " \t");
	if (strncasecmp(v, "chunked", 7) != 0)
		return 0;
	v += 7;
	v += strspn(v, " \t");
	return *v == '\0';
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	(void)key_size;
	struct header_scan *s = cls;
	if (!value)
		value = "";
	if (strcasecmp(key, "Content-Length") == 0) {
		s->cl_count++;
		if (strlen(value) != value_size || !digits_only(value))
			s->cl_bad = 1;
		else if (!s->cl_first)
			s->cl_first = value;
		else if (!same_length(s->cl_first, value))
			s->cl_differ = 1;
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		s->te_count++;
		if (strlen(value) != value_size || !is_chunked(value))
			s->te_bad = 1;
	} else if (strcasecmp(key, "Host") == 0) {
		s->host = 1;
	}
	return MHD_YES;
}

static int refuse_framing(struct ow_req *r, enum ow_problem p, const char *field,
			  const char *message, const char *detail)
{
	r->close_after = 1;
	(void)ow_problem_field(r, p, detail, field, "%s", message);
	return 1;
}

static int check_framing(struct ow_req *r, const char *version)
{
	struct header_scan s = {0};
	MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, scan_header, &s);
	if (s.cl_bad || s.cl_differ)
		return refuse_framing(r, OW_P_BAD_REQUEST, "Content-Length",
				      s.cl_bad ? "must be a number of bytes"
					       : "is given more than once with different values",
				      "The request's length is ambiguous.");
	if (s.te_count && s.cl_count)
		return refuse_framing(r, OW_P_BAD_REQUEST, "Transfer-Encoding",
				      "must not be sent together with Content-Length",
				      "The request's length is ambiguous.");
	if (s.te_bad || s.te_count > 1)
		return refuse_framing(r, OW_P_TE_UNSUPPORTED, "Transfer-Encoding",
				      "only chunked is supported",
				      "Send the body with Content-Length or Transfer-Encoding: "
				      "chunked.");
	if (!s.host && version && strcmp(version, "HTTP/1.0") != 0)
		return refuse_framing(r, OW_P_BAD_REQUEST, "Host", "is required in HTTP/1.1",
				      "Send a Host header.");
	return 0;
}

struct arg_scan {
	const char *keys[MAX_ARGS];
	size_t n;
	struct ow_errors errs;
};

/* 1 when key is already in the error list (a parameter is named once). */
static int named(const struct ow_errors *e, const char *key)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->items[i].field, key) == 0)
			return 1;
	return 0;
}

static enum MHD_Result scan_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	struct arg_scan *s = cls;
	if (strlen(key) != key_size || !ow_utf8_valid(key, key_size)) {
		ow_errors_add(&s->errs, NULL,
			      "a query parameter's name holds a NUL byte or is not valid UTF-8");
		return MHD_YES;
	}
	if (named(&s->errs, key))
		return MHD_YES;
	if (value && strlen(value) != value_size)
		ow_errors_add(&s->errs, key, "must not contain a NUL byte (%%00)");
	else if (value && !ow_utf8_valid(value, value_size))
		ow_errors_add(&s->errs, key, "is not valid UTF-8 (percent-encode the UTF-8 bytes)");
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->keys[i], key) == 0) {
			if (!named(&s->errs, key))
				ow_errors_add(&s->errs, key, "is given more than once");
			return MHD_YES;
		}
	if (s->n < MAX_ARGS)
		s->keys[s->n++] = key;
	return MHD_YES;
}

static int check_query(struct ow_req *r)
{
	struct arg_scan s;
	s.n = 0;
	ow_errors_init(&s.errs);
	MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, scan_arg, &s);
	if (s.errs.n == 0)
		return 0;
	(void)ow_problem_reply(r, OW_P_VALIDATION, "Invalid query parameters.", &s.errs, NULL);
	return 1;
}

/* 1 when the method held a NUL: libmicrohttpd ends it at the space before the target (written
 * over with a NUL) and skips further spaces, so between the method's end and url there must be
 * that NUL and spaces only. */
static int nul_in_method(const char *method, const char *url)
{
	if (!method || !url || url <= method)
		return 0;
	for (const char *p = method + strlen(method) + 1; p < url; p++)
		if (*p != ' ')
			return 1;
	return 0;
}

int ow_edge_check(struct ow_req *r, const char *method, const char *url, const char *version)
{
	if (nul_in_method(method, url))
		return refuse_framing(r, OW_P_BAD_REQUEST, "method", "must not contain a NUL byte",
				      "The request line holds a NUL byte.");
	/* on_uri noted where the raw request target's first NUL is; libmicrohttpd puts the
	 * version right after the target's end, so any other place means a NUL inside it. */
	if (r->target_nul && version && version != r->target_nul + 1)
		return refuse_framing(r, OW_P_BAD_REQUEST, "request-target",
				      "must not contain a NUL byte",
				      "The request line holds a NUL byte.");
	/* %00 in the path: no record or route has a NUL in its name (a raw one is caught above). */
	if (strstr(r->path, "%00")) {
		(void)ow_problem_field(r, OW_P_VALIDATION, "The path holds a NUL byte.", "path",
				       "must not contain a NUL byte (%%00)");
		return 1;
	}
	if (check_framing(r, version) != 0)
		return 1;
	return check_query(r);
}

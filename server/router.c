/* router.c — matches method + path against the route table; 404/405 decisions. */
#include "router.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_SEGMENTS 16

struct segs {
	size_t n;
	const char *p[MAX_SEGMENTS];
	size_t len[MAX_SEGMENTS];
};

/* Splits "/a/b/c" into segments; -1 on empty segments, too many segments or a path
 * not starting with '/'. One trailing slash is ignored ("/people/" == "/people"). */
static int split(const char *path, struct segs *s)
{
	s->n = 0;
	if (path[0] != '/')
		return -1;
	const char *p = path + 1;
	if (*p == '\0')
		return 0;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || s->n == MAX_SEGMENTS)
			return -1;
		s->p[s->n] = p;
		s->len[s->n] = len;
		s->n++;
		if (!slash)
			break;
		p = slash + 1;
		if (*p == '\0')
			break; /* trailing slash */
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes one raw path segment into out (at least len + 1 bytes); -1 on a bad
 * escape or an encoded NUL. */
static int decode(const char *p, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] != '%') {
			out[o++] = p[i];
			continue;
		}
		if (i + 2 >= len)
			return -1;
		int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return 0;
}

/* Returns the specificity of pattern for path (bit set per literal segment, first
 * segment most significant) or 0 when it does not fit. Literal-free patterns fit
 * with specificity 1 so that they are still distinguishable from "no fit". */
static uint32_t fit(const char *pattern, const struct segs *path, struct ow_route_params *params)
{
	struct segs pat;
	if (split(pattern, &pat) != 0 || pat.n != path->n)
		return 0;
	uint32_t score = 1;
	size_t np = 0;
	for (size_t i = 0; i < pat.n; i++) {
		int is_param =
			pat.len[i] >= 2 && pat.p[i][0] == '{' && pat.p[i][pat.len[i] - 1] == '}';
		if (is_param) {
			if (path->len[i] >= OW_ROUTE_PARAM_MAX || np == OW_ROUTE_MAX_PARAMS)
				return 0;
			char tmp[OW_ROUTE_PARAM_MAX];
			if (decode(path->p[i], path->len[i], params ? params->values[np] : tmp) !=
			    0)
				return 0;
			np++;
		} else {
			if (pat.len[i] != path->len[i] ||
			    memcmp(pat.p[i], path->p[i], pat.len[i]) != 0)
				return 0;
			score |= (uint32_t)1 << (31 - i);
		}
	}
	if (params)
		params->n = np;
	return score;
}

static int method_is(const char *route_method, const char *method)
{
	if (strcmp(route_method, method) == 0)
		return 1;
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

enum ow_match ow_router_match(const struct ow_route *table, size_t n, const char *method,
			      const char *path, const struct ow_route **out,
			      struct ow_route_params *params, char *allow, size_t allowsz)
{
	struct segs s;
	*out = NULL;
	if (allow && allowsz)
		allow[0] = '\0';
	if (split(path, &s) != 0)
		return OW_MATCH_NO_PATH;
	uint32_t best = 0;
	const char *best_pattern = NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t sc = fit(table[i].pattern, &s, NULL);
		if (sc > best) {
			best = sc;
			best_pattern = table[i].pattern;
		}
	}
	if (!best_pattern)
		return OW_MATCH_NO_PATH;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].pattern, best_pattern) != 0)
			continue;
		if (method_is(table[i].method, method) && !*out) {
			*out = &table[i];
			if (params)
				(void)fit(table[i].pattern, &s, params);
		}
		if (allow && allowsz > used) {
			int w = snprintf(allow + used, allowsz - used, "%s%s", used ? ", " : "",
					 table[i].method);
			if (w > 0)
				used += (size_t)w < allowsz - used ? (size_t)w : allowsz - used - 1;
		}
	}
	return *out ? OW_MATCH_OK : OW_MATCH_NO_METHOD;
}

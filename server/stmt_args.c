/* stmt_args.c — what a statement of the table (stmts.c) takes and how it runs outside the
 * pool: the arguments callers pass, the variant of a `replan` statement for the arguments
 * given (each NULL one written as the literal NULL), the arguments it takes of the caller's,
 * and an unprepared run. No SQL text of its own; unit-tested (test_stmts.c). */
#include <libpq-fe.h>
#include <string.h>

#include "stmts.h"

int ow_stmt_nargs(enum ow_stmt_id id)
{
	return ow_stmts[id].nparams + __builtin_popcountll(ow_stmts[id].skip);
}

/* After a given argument's "$k" at p: the end of "::type IS NULL" (or " IS NULL") when that
 * follows, else NULL. */
static const char *given_is_null(const char *p)
{
	if (p[0] == ':' && p[1] == ':') {
		p += 2;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
	}
	if (strncmp(p, " IS NULL", 8) != 0)
		return NULL;
	p += 8;
	return (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ? NULL : p;
}

int ow_stmt_variant_sql(enum ow_stmt_id id, unsigned long long nulls, char *out, size_t cap)
{
	const char *sql = ow_stmts[id].sql;
	size_t n = 0;
	for (const char *p = sql; *p;) {
		if (p[0] == '$' && p[1] == '?' && p[2] >= '1' && p[2] <= '9') { /* given? */
			const char *q = p + 2;
			unsigned long k = 0;
			while (*q >= '0' && *q <= '9' && k < 1000)
				k = k * 10 + (unsigned long)(*q++ - '0');
			const char *lit =
				k >= 1 && k <= 64 && (nulls & (1ULL << (k - 1))) ? "false" : "true";
			size_t len = strlen(lit);
			if (n + len >= cap)
				return -1;
			memcpy(out + n, lit, len);
			n += len;
			p = q;
			continue;
		}
		if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
			const char *q = p + 1, *end;
			unsigned long k = 0;
			while (*q >= '0' && *q <= '9' && k < 1000)
				k = k * 10 + (unsigned long)(*q++ - '0');
			const char *lit = NULL;
			if (k >= 1 && k <= 64 && (nulls & (1ULL << (k - 1))))
				lit = "NULL"; /* not given */
			else if ((end = given_is_null(q)) != NULL)
				lit = "false", q = end; /* "$k::type IS NULL" with $k given */
			size_t len = lit ? strlen(lit) : (size_t)(q - p);
			if (n + len >= cap)
				return -1;
			memcpy(out + n, lit ? lit : p, len);
			n += len;
			p = q;
			continue;
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = *p++;
	}
	if (cap == 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

const char *const *ow_stmt_taken_args(enum ow_stmt_id id, const char *const *params,
				      const char **taken)
{
	const struct ow_stmt *s = &ow_stmts[id];
	if (!s->skip)
		return params;
	int n = 0;
	for (int i = 0; n < s->nparams && i < 64; i++)
		if (!(s->skip & (1ULL << i)))
			taken[n++] = params[i];
	return taken;
}

PGresult *ow_stmt_run(PGconn *c, enum ow_stmt_id id, const char *const *params)
{
	const struct ow_stmt *s = &ow_stmts[id];
	if (s->nparams == 0)
		return PQexec(c, s->sql);
	return PQexecParams(c, s->sql, s->nparams, NULL, params, NULL, NULL, 0);
}

/* stmt_args.c — what a statement of the table (stmts.c) is and takes, and how it runs outside
 * the pool: its SQL text (found by name among the texts embedded from sql/statements/), the
 * arguments callers pass, the variant of a `replan` statement for the arguments given (each
 * NULL one written as the literal NULL), the arguments it takes of the caller's, and an
 * unprepared run. No SQL text of its own; unit-tested (test_stmts.c). */
#include <libpq-fe.h>
#include <pthread.h>
#include <string.h>

#include "stmt_texts.h"
#include "stmts.h"

static const char *texts[OW_Q_COUNT];
static pthread_once_t texts_once = PTHREAD_ONCE_INIT;

/* Each statement's text by its name: once, ~100 names against ~100 blocks. */
static void texts_find(void)
{
	for (int id = 0; id < OW_Q_COUNT; id++)
		for (int t = 0; t < ow_stmt_ntexts; t++)
			if (strcmp(ow_stmt_texts[t].name, ow_stmts[id].name) == 0) {
				texts[id] = ow_stmt_texts[t].sql;
				break;
			}
}

const char *ow_stmt_sql(enum ow_stmt_id id)
{
	if ((unsigned)id >= OW_Q_COUNT)
		return NULL;
	pthread_once(&texts_once, texts_find);
	return texts[id];
}

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
	const char *sql = ow_stmt_sql(id);
	if (!sql)
		return -1;
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
		return PQexec(c, ow_stmt_sql(id));
	return PQexecParams(c, ow_stmt_sql(id), s->nparams, NULL, params, NULL, NULL, 0);
}

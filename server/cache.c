/* cache.c — HTTP caching of public reads (see cache.h): ETags from the data version, 304s,
 * Cache-Control and Vary. */
#include "cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "answers.h"
#include "config.h"
#include "db.h"
#include "db_problem.h"
#include "req.h"

/* h continued over s and its NUL (a separator: ("ab", "c") and ("a", "bc") differ). */
static uint64_t fnv(uint64_t h, const char *s)
{
	return ow_fnv1a64(h, s ? s : "", (s ? strlen(s) : 0) + 1);
}

static int hash_arg(void *cls, const char *key, const char *value)
{
	uint64_t *h = cls;
	if (strcmp(key, "format") != 0) /* the format is hashed as settled (format.c) */
		*h = fnv(fnv(*h, key), value);
	return 0;
}

/* Whether If-None-Match (a list of ETags, or *) names etag. */
static int matches(const char *inm, const char *etag)
{
	if (!inm)
		return 0;
	if (strcmp(inm, "*") == 0)
		return 1;
	return strstr(inm, etag) != NULL;
}

int ow_cache_check(struct ow_req *r)
{
	enum ow_cache_kind kind = r->route ? r->route->cache : OW_CACHE_NONE;
	if (kind == OW_CACHE_NONE || strcmp(r->method, "GET") != 0)
		return 0;
	if (!r->cfg->public_reads || ow_req_header(r, "Authorization")) {
		r->cache_control = "no-store"; /* a view bound to a key: no cache keeps it */
		return 0;
	}
	snprintf(r->cache_control_buf, sizeof r->cache_control_buf, "public, max-age=%u",
		 r->cfg->cache_max_age);
	r->cache_control = r->cache_control_buf;
	if (kind == OW_CACHE_RECORD)
		return 0; /* the record's own ETag (its updated_at) is set by its handler */
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_exec(db, OW_Q_DATA_VERSION, NULL, &err) : NULL;
	if (!pg) {
		r->cache_control = NULL;
		(void)ow_db_problem(r, &err);
		return 1;
	}
	uint64_t h = OW_FNV64_INIT;
	/* The representation as settled from the suffix, ?format= or Accept: .csv, ?format=csv
	 * and Accept: text/csv give the same bytes and the same ETag. */
	char fmt[8];
	snprintf(fmt, sizeof fmt, "%d", r->format);
	h = fnv(fnv(h, r->path), fmt);
	ow_req_each_query(r, hash_arg, &h);
	time_t now = time(NULL);
	struct tm day;
	gmtime_r(&now, &day);
	snprintf(r->etag_buf, sizeof r->etag_buf, "\"v%s.%04d%02d%02d.%016llx\"",
		 PQgetvalue(pg, 0, 0), day.tm_year + 1900, day.tm_mon + 1, day.tm_mday,
		 (unsigned long long)h);
	PQclear(pg);
	r->etag = r->etag_buf;
	if (!matches(ow_req_header(r, "If-None-Match"), r->etag))
		return 0;
	(void)ow_reply(r, 304, NULL, "", 0, NULL);
	return 1;
}

/* Whether a request header asks that no stored answer be used ("no-cache" in Cache-Control,
 * "no-cache" in Pragma; "no-store" too). */
static int asks_fresh(struct ow_req *r)
{
	const char *cc = ow_req_header(r, "Cache-Control");
	const char *pragma = ow_req_header(r, "Pragma");
	return (cc && (strcasestr(cc, "no-cache") || strcasestr(cc, "no-store") ||
		       strcasestr(cc, "max-age=0"))) ||
	       (pragma && strcasestr(pragma, "no-cache"));
}

struct key {
	char text[4200];
	size_t len;
	int too_long;
};

static void key_add(struct key *k, const char *s, char sep)
{
	size_t n = s ? strlen(s) : 0;
	if (k->too_long || k->len + n + 2 > sizeof k->text) {
		k->too_long = 1;
		return;
	}
	if (s)
		memcpy(k->text + k->len, s, n);
	else
		k->text[k->len++] = '\x1d'; /* "?flag" (no value) apart from "?flag=" */
	k->len += n;
	k->text[k->len++] = sep;
}

static int key_arg(void *cls, const char *key, const char *value)
{
	struct key *k = cls;
	key_add(k, key, '\x1e');
	key_add(k, value, '\x1f');
	return k->too_long;
}

/* Sends a kept answer (a 304 when If-None-Match names its ETag) and releases it. */
static int send_kept(struct ow_req *r, struct ow_answer *a)
{
	r->from_memory = 1;
	const char *etag = ow_answer_etag(a);
	if (etag) {
		snprintf(r->etag_buf, sizeof r->etag_buf, "%s", etag);
		r->etag = r->etag_buf;
	}
	const char *cc = ow_answer_cache_control(a);
	if (cc) {
		snprintf(r->cache_control_buf, sizeof r->cache_control_buf, "%s", cc);
		r->cache_control = r->cache_control_buf;
	}
	if (etag && matches(ow_req_header(r, "If-None-Match"), etag)) {
		ow_answer_release(a);
		(void)ow_reply(r, 304, NULL, "", 0, NULL);
		return 1;
	}
	(void)ow_reply_answer(r, a);
	return 1;
}

int ow_cache_answer(struct ow_req *r)
{
	if (!r->route || r->route->cache == OW_CACHE_NONE || strcmp(r->method, "GET") != 0 ||
	    !r->cfg->public_reads || r->cfg->answer_cache_mb == 0 ||
	    ow_req_header(r, "Authorization") || asks_fresh(r))
		return 0;
	/* The request as it decides the answer: representation, path (its suffix included),
	 * and every query argument in order. */
	struct key k = {.len = 0, .too_long = 0};
	char fmt[16];
	snprintf(fmt, sizeof fmt, "%d%s", r->format, r->suffix);
	key_add(&k, fmt, '\x1f');
	key_add(&k, r->path, '\x1f');
	ow_req_each_query(r, key_arg, &k);
	if (k.too_long)
		return 0;
	struct ow_answer *a = ow_answers_find(k.text, k.len);
	if (a)
		return send_kept(r, a);
	free(r->answer_key);
	if ((r->answer_key = malloc(k.len)) != NULL) {
		memcpy(r->answer_key, k.text, k.len);
		r->answer_klen = k.len;
	}
	return 0;
}

int ow_cache_turn(struct ow_req *r)
{
	if (!r->answer_key)
		return 0;
	return ow_answers_turn(r->answer_key, r->answer_klen, r, &r->capture) == OW_ANSWER_WAIT;
}

int ow_cache_answer_again(struct ow_req *r)
{
	struct ow_answer *a = r->answer_key ? ow_answers_find(r->answer_key, r->answer_klen) : NULL;
	return a ? send_kept(r, a) : 0;
}

/* answers.c — the in-memory answers of public reads (see answers.h): a hash table of whole
 * answers under one mutex with a least-recently-used list, a data version that every write
 * moves on, and the follower thread that hears of writes made through other processes
 * (LISTEN ow_data_changed; the trigger in sql/functions/18_data_changed.sql notifies at every
 * commit that wrote to the audit log; notifications from this server's own connections are
 * skipped: their writes moved the version on when their requests ended). An answer is kept with the
 * version and the day (UTC) it was made at — answers without as_of= are "today's" — and is served
 * only while both are current. */
#include "answers.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "bgthread.h"
#include "db.h"
#include "log.h"

#define BUCKETS 16384
#define MAX_KEY 4096
#define MAX_HEADERS 8

struct ow_answer {
	struct ow_answer *hnext;	 /* hash chain */
	TAILQ_ENTRY(ow_answer) lru_link; /* least recently used: the first is the newest */
	uint64_t hash, version;
	long day;
	unsigned refs;
	int linked; /* in the table (else freed at its last release) */
	size_t size;
	size_t klen, blen;
	const char *key, *body, *ctype, *etag, *cc;
	const char *hdrs[2 * MAX_HEADERS + 1];
	char data[];
};

/* An answer being made: the requests that asked for the same one meanwhile wait here (their
 * connections suspended), not in the database, and are resumed when it is kept or given up. */
struct flight {
	struct flight *next;
	uint64_t hash;
	char *key;
	size_t klen;
	void **waiting;
	size_t n, cap;
};

struct ow_answer_capture {
	struct flight *flight;
	char *key;
	size_t klen;
	uint64_t version;
	long day;
	struct ow_buf body;
	int too_big;
	char *ctype, *etag, *cc;
	char *hdrs[2 * MAX_HEADERS];
	unsigned nhdrs;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ow_answer **table;
static TAILQ_HEAD(lru_list, ow_answer) lru = TAILQ_HEAD_INITIALIZER(lru);
static size_t max_bytes, bytes, count;
static unsigned long long hits, misses, stale, evictions;
static uint64_t version = 1;
static int following; /* the follower is listening (or there is none to wait for) */

static struct flight *flights;
static void (*flight_done)(void *job);
static unsigned long long coalesced;

static struct ow_bgthread follower;
static char *follow_url;

static long today(void)
{
	return (long)(time(NULL) / 86400);
}

static uint64_t current_version(void)
{
	return __atomic_load_n(&version, __ATOMIC_ACQUIRE);
}

void ow_answers_changed(void)
{
	__atomic_add_fetch(&version, 1, __ATOMIC_ACQ_REL);
}

static int is_following(void)
{
	return __atomic_load_n(&following, __ATOMIC_ACQUIRE);
}

/* Takes a out of the table (under the lock); freed now or at its last release. */
static void unlink_answer(struct ow_answer *a)
{
	struct ow_answer **pp = &table[a->hash % BUCKETS];
	while (*pp && *pp != a)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = a->hnext;
	TAILQ_REMOVE(&lru, a, lru_link);
	a->linked = 0;
	bytes -= a->size;
	count--;
	if (a->refs == 0)
		free(a);
}

static uint64_t hash_key(const char *key, size_t klen)
{
	return ow_fnv1a64(OW_FNV64_INIT, key, klen);
}

struct ow_answer *ow_answers_find(const char *key, size_t klen)
{
	if (!table || !is_following())
		return NULL;
	uint64_t h = hash_key(key, klen), v = current_version();
	long day = today();
	pthread_mutex_lock(&lock);
	struct ow_answer *a = table[h % BUCKETS];
	while (a && !(a->hash == h && a->klen == klen && memcmp(a->key, key, klen) == 0))
		a = a->hnext;
	if (a && (a->version != v || a->day != day)) {
		unlink_answer(a);
		a = NULL;
		stale++;
	}
	if (a) {
		a->refs++;
		TAILQ_REMOVE(&lru, a, lru_link);
		TAILQ_INSERT_HEAD(&lru, a, lru_link);
		hits++;
	} else {
		misses++;
	}
	pthread_mutex_unlock(&lock);
	return a;
}

void ow_answer_release(struct ow_answer *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&lock);
	int gone = --a->refs == 0 && !a->linked;
	pthread_mutex_unlock(&lock);
	if (gone)
		free(a);
}

const char *ow_answer_body(const struct ow_answer *a, size_t *len)
{
	*len = a->blen;
	return a->body;
}

const char *ow_answer_content_type(const struct ow_answer *a)
{
	return a->ctype;
}

const char *ow_answer_etag(const struct ow_answer *a)
{
	return a->etag;
}

const char *ow_answer_cache_control(const struct ow_answer *a)
{
	return a->cc;
}

void ow_answer_headers(const struct ow_answer *a, const char **out, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n && a->hdrs[i]; i++)
		out[i] = a->hdrs[i];
	if (i % 2)
		i--; /* never half a pair */
	out[i] = NULL;
}

void ow_answers_on_flight_done(void (*fn)(void *job))
{
	flight_done = fn;
}

static struct flight *flight_find(uint64_t h, const char *key, size_t klen)
{
	struct flight *f = flights;
	while (f && !(f->hash == h && f->klen == klen && memcmp(f->key, key, klen) == 0))
		f = f->next;
	return f;
}

enum ow_answer_turn ow_answers_turn(const char *key, size_t klen, void *job,
				    struct ow_answer_capture **capture)
{
	*capture = NULL;
	if (!table || klen > MAX_KEY || !is_following())
		return OW_ANSWER_MAKE;
	uint64_t h = hash_key(key, klen);
	pthread_mutex_lock(&lock);
	struct flight *f = flight_find(h, key, klen);
	if (f && flight_done) {
		if (f->n == f->cap) {
			size_t cap = f->cap ? 2 * f->cap : 8;
			void **w = realloc(f->waiting, cap * sizeof *w);
			if (!w) {
				pthread_mutex_unlock(&lock);
				return OW_ANSWER_MAKE; /* no room to wait: made once more */
			}
			f->waiting = w;
			f->cap = cap;
		}
		f->waiting[f->n++] = job;
		coalesced++;
		pthread_mutex_unlock(&lock);
		return OW_ANSWER_WAIT;
	}
	pthread_mutex_unlock(&lock);
	struct ow_answer_capture *c = calloc(1, sizeof *c);
	f = calloc(1, sizeof *f);
	if (!c || !f || !(c->key = malloc(klen)) || !(f->key = malloc(klen))) {
		if (c)
			free(c->key);
		free(c);
		free(f);
		return OW_ANSWER_MAKE;
	}
	memcpy(c->key, key, klen);
	memcpy(f->key, key, klen);
	c->klen = f->klen = klen;
	f->hash = h;
	c->version = current_version();
	c->day = today();
	ow_buf_init(&c->body, max_bytes / 8);
	pthread_mutex_lock(&lock);
	struct flight *other = flight_find(h, key, klen);
	if (other) { /* another request began the same answer meanwhile: make it anyway */
		free(f->key);
		free(f);
	} else {
		f->next = flights;
		flights = f;
		c->flight = f;
	}
	pthread_mutex_unlock(&lock);
	*capture = c;
	return OW_ANSWER_MAKE;
}

void ow_capture_begin(struct ow_answer_capture *c)
{
	if (!c)
		return;
	c->version = current_version();
	c->day = today();
}

/* Ends c's flight (under no lock): the requests waiting for it go on (flight_done). */
static void land(struct ow_answer_capture *c)
{
	struct flight *f = c->flight;
	if (!f)
		return;
	c->flight = NULL;
	pthread_mutex_lock(&lock);
	for (struct flight **pp = &flights; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < f->n; i++)
		flight_done(f->waiting[i]);
	free(f->waiting);
	free(f->key);
	free(f);
}

void ow_capture_append(struct ow_answer_capture *c, const void *data, size_t n)
{
	if (!c || c->too_big || n == 0)
		return;
	if (ow_buf_append(&c->body, data, n) != 0) {
		c->too_big = 1;
		ow_buf_free(&c->body);
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void ow_capture_headers(struct ow_answer_capture *c, const char *content_type,
			const char *const *headers, const char *etag, const char *cache_control)
{
	if (!c)
		return;
	c->ctype = dup_or_null(content_type);
	c->etag = dup_or_null(etag);
	c->cc = dup_or_null(cache_control);
	for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2) {
		if (c->nhdrs + 2 > 2 * MAX_HEADERS) {
			c->too_big = 1; /* more headers than kept: not kept at all */
			break;
		}
		c->hdrs[c->nhdrs++] = strdup(headers[i]);
		c->hdrs[c->nhdrs++] = strdup(headers[i + 1]);
	}
}

void ow_capture_drop(struct ow_answer_capture *c)
{
	if (!c)
		return;
	land(c);
	free(c->key);
	ow_buf_free(&c->body);
	free(c->ctype);
	free(c->etag);
	free(c->cc);
	for (unsigned i = 0; i < c->nhdrs; i++)
		free(c->hdrs[i]);
	free(c);
}

/* Copies s (NULL stays NULL) to *at, moving it on. */
static const char *place(char **at, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *d = *at;
	memcpy(d, s, n);
	d[n] = '\0';
	*at += n + 1;
	return d;
}

static size_t len_or_0(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

void ow_capture_keep(struct ow_answer_capture *c)
{
	if (!c)
		return;
	int ok = !c->too_big && c->ctype;
	for (unsigned i = 0; i < c->nhdrs; i++)
		ok &= c->hdrs[i] != NULL;
	size_t need = sizeof(struct ow_answer) + c->klen + 1 + c->body.len + 1 +
		      len_or_0(c->ctype) + len_or_0(c->etag) + len_or_0(c->cc);
	for (unsigned i = 0; ok && i < c->nhdrs; i++)
		need += strlen(c->hdrs[i]) + 1;
	struct ow_answer *a = ok && need <= max_bytes / 8 ? malloc(need) : NULL;
	if (!a) {
		ow_capture_drop(c);
		return;
	}
	memset(a, 0, sizeof *a);
	char *at = a->data;
	a->key = place(&at, c->key, c->klen);
	a->klen = c->klen;
	a->body = place(&at, c->body.data ? c->body.data : "", c->body.len);
	a->blen = c->body.len;
	a->ctype = place(&at, c->ctype, strlen(c->ctype));
	a->etag = c->etag ? place(&at, c->etag, strlen(c->etag)) : NULL;
	a->cc = c->cc ? place(&at, c->cc, strlen(c->cc)) : NULL;
	for (unsigned i = 0; i < c->nhdrs; i++)
		a->hdrs[i] = place(&at, c->hdrs[i], strlen(c->hdrs[i]));
	a->size = need;
	a->hash = hash_key(c->key, c->klen);
	a->version = c->version;
	a->day = c->day;
	a->linked = 1;
	pthread_mutex_lock(&lock);
	/* Made from data older than a write since: of no use to anyone. */
	if (a->version != current_version() || !is_following()) {
		pthread_mutex_unlock(&lock);
		free(a);
		ow_capture_drop(c); /* those waiting make it anew */
		return;
	}
	struct ow_answer *old = table[a->hash % BUCKETS];
	while (old && !(old->hash == a->hash && old->klen == a->klen &&
			memcmp(old->key, a->key, a->klen) == 0))
		old = old->hnext;
	if (old)
		unlink_answer(old);
	while (bytes + a->size > max_bytes && !TAILQ_EMPTY(&lru)) {
		unlink_answer(TAILQ_LAST(&lru, lru_list));
		evictions++;
	}
	a->hnext = table[a->hash % BUCKETS];
	table[a->hash % BUCKETS] = a;
	TAILQ_INSERT_HEAD(&lru, a, lru_link);
	bytes += a->size;
	count++;
	pthread_mutex_unlock(&lock);
	ow_capture_drop(c); /* after the answer is in: those waiting find it */
}

/* The follower: LISTEN ow_data_changed on a connection of its own; every notification (and
 * every reconnection: writes may have gone unheard) moves the version on. Answers are served
 * only while it listens. */
static void *follow(void *arg)
{
	(void)arg;
	PGconn *c = NULL;
	while (!ow_bgthread_stopping(&follower)) {
		if (!c) {
			char why[256];
			c = ow_db_connect_once(follow_url, why, sizeof why);
			PGresult *res = c ? PQexec(c, "LISTEN ow_data_changed") : NULL;
			int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
			if (!ok) {
				if (c)
					PQfinish(c);
				c = NULL;
				sleep(1);
				continue;
			}
			ow_answers_changed();
			__atomic_store_n(&following, 1, __ATOMIC_RELEASE);
		}
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		int n = poll(&p, 1, 250);
		if (n > 0 && PQconsumeInput(c) != 1)
			n = -1;
		PGnotify *note;
		int changed = 0;
		while (n >= 0 && (note = PQnotifies(c))) {
			/* A write of this server's own was counted when its request ended. */
			if (!ow_db_is_own(note->be_pid))
				changed = 1;
			PQfreemem(note);
		}
		if (changed)
			ow_answers_changed();
		if (n < 0 || PQstatus(c) != CONNECTION_OK) {
			__atomic_store_n(&following, 0, __ATOMIC_RELEASE);
			ow_answers_changed();
			ow_log(OW_LOG_WARN,
			       "answer cache: lost the database's change notifications; "
			       "answering from the database until they are back");
			PQfinish(c);
			c = NULL;
		}
	}
	if (c)
		PQfinish(c);
	return NULL;
}

int ow_answers_start(size_t max, const char *url)
{
	if (max == 0)
		return 0;
	table = calloc(BUCKETS, sizeof *table);
	if (!table)
		return -1;
	max_bytes = max;
	if (!url) {
		following = 1;
		return 0;
	}
	follow_url = strdup(url);
	if (!follow_url || ow_bgthread_start(&follower, follow, NULL) != 0) {
		free(follow_url);
		free(table);
		table = NULL;
		return -1;
	}
	return 0;
}

void ow_answers_stop(void)
{
	ow_bgthread_stop(&follower);
	free(follow_url);
	follow_url = NULL;
	pthread_mutex_lock(&lock);
	while (!TAILQ_EMPTY(&lru))
		unlink_answer(TAILQ_LAST(&lru, lru_list));
	free(table);
	table = NULL;
	following = 0;
	pthread_mutex_unlock(&lock);
}

int ow_answers_render_metrics(struct ow_buf *b)
{
	pthread_mutex_lock(&lock);
	unsigned long long h = hits, m = misses, s = stale, e = evictions, co = coalesced;
	size_t by = bytes, n = count, cap = max_bytes;
	pthread_mutex_unlock(&lock);
	int rc = ow_buf_appendf(
		b,
		"# HELP orgwatch_answer_cache_requests_total Public reads looked up in the answer "
		"cache, by result (stale: kept from before a write or another day).\n"
		"# TYPE orgwatch_answer_cache_requests_total counter\n"
		"orgwatch_answer_cache_requests_total{result=\"hit\"} %llu\n"
		"orgwatch_answer_cache_requests_total{result=\"miss\"} %llu\n"
		"orgwatch_answer_cache_requests_total{result=\"stale\"} %llu\n"
		"# HELP orgwatch_answer_cache_coalesced_total Requests that waited for the same "
		"answer being made by another request instead of asking the database too.\n"
		"# TYPE orgwatch_answer_cache_coalesced_total counter\n"
		"orgwatch_answer_cache_coalesced_total %llu\n"
		"# HELP orgwatch_answer_cache_evictions_total Answers dropped to make room.\n"
		"# TYPE orgwatch_answer_cache_evictions_total counter\n"
		"orgwatch_answer_cache_evictions_total %llu\n"
		"# HELP orgwatch_answer_cache_bytes Memory held by kept answers.\n"
		"# TYPE orgwatch_answer_cache_bytes gauge\n"
		"orgwatch_answer_cache_bytes %zu\n"
		"# HELP orgwatch_answer_cache_max_bytes ORGWATCH_ANSWER_CACHE_MB in bytes.\n"
		"# TYPE orgwatch_answer_cache_max_bytes gauge\n"
		"orgwatch_answer_cache_max_bytes %zu\n"
		"# HELP orgwatch_answer_cache_answers Answers kept.\n"
		"# TYPE orgwatch_answer_cache_answers gauge\n"
		"orgwatch_answer_cache_answers %zu\n"
		"# HELP orgwatch_answer_cache_following 1 while the database's change "
		"notifications are heard (answers are served from memory only then).\n"
		"# TYPE orgwatch_answer_cache_following gauge\n"
		"orgwatch_answer_cache_following %d\n",
		h, m, s, co, e, by, cap, n, is_following());
	return rc;
}

/* webhooks.c — the webhook deliverers (webhooks.h): ORGWATCH_WEBHOOK_WORKERS threads per
 * server, each with a database connection of its own. Each round it lists the enabled webhooks with
 * work due, takes a session advisory lock per webhook (so several servers never deliver for one
 * webhook at once, and a server that dies lets go with its connection), reads the webhook again
 * under the lock, and follows the change feed (ow_change_feed, commit order) from its cursor:
 * changes its filter does not want move the cursor on; the next wanted one is POSTed, signed,
 * and the cursor passes it only after a 2xx (at least once, in order). A failure schedules
 * the retry (whsig.c) or disables the webhook past the retry window (20_webhooks.sql). */
#include "webhooks.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "change.h"
#include "changefeed.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "rtypes.h"
#include "whsig.h"

#define FEED_BATCH 100	    /* feed entries read at once */
#define ROUNDS_PER_CLAIM 20 /* batches one webhook gets before the others have their turn */
#define ATTEMPT_TIMEOUT_MS 10000

#define MAX_DELIVERERS 32
static pthread_t threads[MAX_DELIVERERS];
static unsigned nthreads;
static int running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int poked, stopping;
static char *db_url;
static struct ow_net allow[OW_NET_MAX];
static size_t nallow;
static unsigned window_s;

/* /metrics */
static unsigned long long n_delivered, n_failed, n_retries, n_disabled, n_dur_count;
static unsigned long long n_dur_us;
static const double BUCKETS[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof BUCKETS / sizeof BUCKETS[0])
static unsigned long long n_bucket[NBUCKETS];
static long long n_enabled = -1, n_disabled_now = -1; /* as last counted (-1: not yet) */
static time_t counted_at;

void ow_webhooks_poke(void)
{
	pthread_mutex_lock(&lock);
	poked = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

static int should_stop(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);
}

/* Waits for a poke, the stop, or a second. */
static void nap(void)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&lock);
	while (!poked && !stopping)
		if (pthread_cond_timedwait(&wake, &lock, &until) != 0)
			break;
	poked = 0;
	pthread_mutex_unlock(&lock);
}

static void observe(int delivered, int retry, int disabled, long ms)
{
	__atomic_add_fetch(delivered ? &n_delivered : &n_failed, 1, __ATOMIC_RELAXED);
	if (retry)
		__atomic_add_fetch(&n_retries, 1, __ATOMIC_RELAXED);
	if (disabled)
		__atomic_add_fetch(&n_disabled, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&n_dur_count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&n_dur_us, (unsigned long long)ms * 1000, __ATOMIC_RELAXED);
	for (size_t i = 0; i < NBUCKETS; i++)
		if ((double)ms / 1000.0 <= BUCKETS[i])
			__atomic_add_fetch(&n_bucket[i], 1, __ATOMIC_RELAXED);
}

/* Runs statement id on the deliverer's connection: the result (caller clears it), or NULL
 * after logging the failure. */
static PGresult *run(PGconn *c, enum ow_stmt_id id, const char *const *params)
{
	PGresult *res = ow_stmt_run(c, id, params);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	ow_log(OW_LOG_WARN, "webhooks: %s failed: %s", ow_stmts[id].name,
	       res ? PQresultErrorMessage(res) : PQerrorMessage(c));
	PQclear(res);
	return NULL;
}

/* A webhook as read under its lock. */
struct hook {
	const char *id;
	char url[2049];
	unsigned char key[OW_WHSIG_KEY_MAX];
	int keylen;
	struct ow_change_filter filter;
	long long cursor;
	unsigned failures; /* of the message at the head of its queue */
};

static int load_hook(PGconn *c, const char *id, struct hook *h)
{
	PGresult *res = run(c, OW_Q_WEBHOOK_CLAIM, (const char *const[]){id});
	int ok = res && PQntuples(res) == 1;
	if (ok) {
		memset(h, 0, sizeof *h);
		h->id = id;
		snprintf(h->url, sizeof h->url, "%s", PQgetvalue(res, 0, 0));
		h->keylen = ow_whsig_secret_parse(PQgetvalue(res, 0, 1), h->key);
		const char *ents = PQgetvalue(res, 0, 2), *ops = PQgetvalue(res, 0, 3);
		/* Names the API checked; one no longer known (a renamed type) matches nothing. */
		if ((ents[0] &&
		     ow_change_names_bits(ents, ow_rtype_entity_names, &h->filter.entities) != 0) ||
		    (ops[0] &&
		     ow_change_names_bits(ops, ow_change_operations, &h->filter.operations) != 0)) {
			ow_log(OW_LOG_ERROR, "webhooks: webhook %s has an unknown filter name", id);
			ok = 0;
		}
		snprintf(h->filter.org, sizeof h->filter.org, "%s", PQgetvalue(res, 0, 4));
		snprintf(h->filter.team, sizeof h->filter.team, "%s", PQgetvalue(res, 0, 5));
		snprintf(h->filter.person, sizeof h->filter.person, "%s", PQgetvalue(res, 0, 6));
		h->cursor = atoll(PQgetvalue(res, 0, 7));
		h->failures = (unsigned)atoi(PQgetvalue(res, 0, 8));
		if (h->keylen < 0) {
			ow_log(OW_LOG_ERROR, "webhooks: webhook %s has an unusable secret", id);
			ok = 0;
		}
	}
	PQclear(res);
	return ok;
}

/* One attempt at change ch: 1 delivered (the cursor passed it), 0 failed (retry scheduled
 * or the webhook disabled), -1 the database failed. */
static int attempt(PGconn *c, struct hook *h, const struct ow_change *ch)
{
	char msg_id[128], ts[32], sig[OW_WHSIG_SIG_MAX], why[256];
	char h_id[160], h_ts[64], h_sig[96];
	long long now = (long long)time(NULL);
	snprintf(msg_id, sizeof msg_id, "%s:%lld", h->id, ch->id);
	snprintf(ts, sizeof ts, "%lld", now);
	struct ow_webhook_result out = {0};
	struct ow_webhook_target t;
	int ok = 0;
	if (ow_whsig_sign(h->key, (size_t)h->keylen, msg_id, now, ch->doc, ch->doclen, sig) != 0) {
		snprintf(out.error, sizeof out.error, "could not sign the message");
	} else if (ow_webhook_check_url(h->url, allow, nallow, &t, why, sizeof why) != 0) {
		snprintf(out.error, sizeof out.error, "url refused: %.200s", why);
	} else {
		snprintf(h_id, sizeof h_id, "webhook-id: %s", msg_id);
		snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %s", ts);
		snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", sig);
		const char *const headers[] = {"Content-Type: application/json",
					       "User-Agent: orgwatch-webhooks/1",
					       "Expect:",
					       h_id,
					       h_ts,
					       h_sig,
					       NULL};
		ok = ow_webhook_post(h->url, &t, headers, ch->doc, ch->doclen, ATTEMPT_TIMEOUT_MS,
				     &out);
	}
	char prev[32], cid[32], status[16], ms[16], delay[16], win[16];
	snprintf(prev, sizeof prev, "%lld", h->cursor);
	snprintf(cid, sizeof cid, "%lld", ch->id);
	snprintf(status, sizeof status, "%ld", out.status);
	snprintf(ms, sizeof ms, "%ld", out.ms);
	PGresult *res;
	int disabled = 0;
	if (ok) {
		res = run(c, OW_Q_WEBHOOK_DELIVERED,
			  (const char *const[]){h->id, prev, cid, status, ms});
	} else {
		snprintf(delay, sizeof delay, "%u", ow_whsig_retry_delay(h->failures + 1));
		snprintf(win, sizeof win, "%u", window_s);
		res = run(c, OW_Q_WEBHOOK_FAILED,
			  (const char *const[]){h->id, prev, cid, out.error,
						out.status ? status : NULL, ms, delay, win});
		disabled = res && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
		if (disabled)
			ow_log(OW_LOG_WARN, "webhooks: webhook %s disabled: change %lld: %s", h->id,
			       ch->id, out.error);
	}
	observe(ok, h->failures > 0, disabled, out.ms);
	PQclear(res);
	if (!res)
		return -1;
	if (ok) {
		h->cursor = ch->id;
		h->failures = 0;
	} else {
		h->failures++;
	}
	return ok;
}

/* Moves the cursor over changes the filter does not want: 0, or -1. */
static int skip_to(PGconn *c, struct hook *h, long long to)
{
	if (to == h->cursor)
		return 0;
	char prev[32], next[32];
	snprintf(prev, sizeof prev, "%lld", h->cursor);
	snprintf(next, sizeof next, "%lld", to);
	PGresult *res = run(c, OW_Q_WEBHOOK_SKIP, (const char *const[]){h->id, prev, next});
	if (!res)
		return -1;
	int moved = atoi(PQcmdTuples(res)) == 1;
	PQclear(res);
	if (!moved) /* a redeliver moved it meanwhile: stop; the next round reads it again */
		return -1;
	h->cursor = to;
	return 0;
}

/* Delivers what webhook h has pending, a bounded number of feed batches: 1 when it stopped
 * with work left (more batches, or a failure to retry later), 0 when caught up. */
static int serve_hook(PGconn *c, struct hook *h)
{
	struct ow_change *page[FEED_BATCH];
	for (int round = 0; round < ROUNDS_PER_CLAIM && !should_stop(); round++) {
		int n = ow_changefeed_page(c, h->cursor, FEED_BATCH, page);
		if (n < 0) {
			if (n == -2)
				ow_log(OW_LOG_WARN,
				       "webhooks: webhook %s: change %lld is not in the log", h->id,
				       h->cursor);
			return 1;
		}
		int stop = 0;
		long long last = h->cursor;
		for (int i = 0; i < n; i++) {
			struct ow_change *ch = page[i];
			if (!stop && !should_stop()) {
				if (!ow_change_filter_match(&h->filter, ch))
					last = ch->id;
				else if (skip_to(c, h, last) != 0 || attempt(c, h, ch) != 1)
					stop = 1;
				else
					last = ch->id;
			} else {
				stop = 1;
			}
			ow_change_free(ch);
		}
		if (!stop && skip_to(c, h, last) != 0)
			stop = 1;
		if (stop)
			return 1;
		if (n < FEED_BATCH)
			return 0;
	}
	return 1;
}

/* Counts the enabled and disabled webhooks for /metrics, at most once a second. */
static void count_hooks(PGconn *c)
{
	time_t now = time(NULL), was = __atomic_load_n(&counted_at, __ATOMIC_RELAXED);
	if (now == was || !__atomic_compare_exchange_n(&counted_at, &was, now, 0, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		return; /* counted this second, or another deliverer counts now */
	PGresult *res = run(c, OW_Q_WEBHOOKS_COUNT, NULL);
	if (res && PQntuples(res) == 1) {
		__atomic_store_n(&n_enabled, atoll(PQgetvalue(res, 0, 0)), __ATOMIC_RELAXED);
		__atomic_store_n(&n_disabled_now, atoll(PQgetvalue(res, 0, 1)), __ATOMIC_RELAXED);
	}
	PQclear(res);
}

/* One pass over the webhooks with work due: 1 when some may have more right away. */
static int round_robin(PGconn *c)
{
	count_hooks(c);
	PGresult *due = run(c, OW_Q_WEBHOOKS_DUE, NULL);
	if (!due)
		return 0;
	int more = 0;
	for (int i = 0; i < PQntuples(due) && !should_stop(); i++) {
		const char *id = PQgetvalue(due, i, 0);
		PGresult *got = run(c, OW_Q_WEBHOOK_LOCK, (const char *const[]){id});
		int locked = got && PQntuples(got) == 1 && PQgetvalue(got, 0, 0)[0] == 't';
		PQclear(got);
		if (!locked)
			continue; /* another server delivers for it now */
		struct hook h;
		if (load_hook(c, id, &h) && serve_hook(c, &h) && h.failures == 0)
			more = 1;
		PQclear(run(c, OW_Q_WEBHOOK_UNLOCK, (const char *const[]){id}));
	}
	PQclear(due);
	return more;
}

static void *deliver(void *arg)
{
	(void)arg;
	PGconn *c = NULL;
	int warned = 0; /* the connection failure was logged (once until it is back) */
	while (!should_stop()) {
		if (!c) {
			char why[256];
			if (!(c = ow_changefeed_connect(db_url, why, sizeof why))) {
				if (!warned++)
					ow_log(OW_LOG_WARN,
					       "webhooks: cannot connect (deliveries wait): %s",
					       why);
				nap();
				continue;
			}
			if (warned)
				ow_log(OW_LOG_INFO, "webhooks: connected again; deliveries resume");
			warned = 0;
		}
		int more = round_robin(c);
		if (PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = NULL;
		}
		if (!more)
			nap();
	}
	if (c)
		PQfinish(c);
	return NULL;
}

int ow_webhooks_start(const struct ow_config *cfg)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	memcpy(allow, cfg->webhook_allow, sizeof allow);
	nallow = cfg->webhook_allow_n;
	window_s = cfg->webhook_retry_window_s;
	stopping = 0;
	if (!(db_url = strdup(cfg->database_url))) {
		curl_global_cleanup();
		return -1;
	}
	/* Several deliverers, so that a receiver that hangs holds up only the webhook it
	 * serves (each webhook is served by one deliverer at a time: its advisory lock). */
	unsigned want =
		cfg->webhook_workers < MAX_DELIVERERS ? cfg->webhook_workers : MAX_DELIVERERS;
	for (nthreads = 0; nthreads < want; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, deliver, NULL) != 0)
			break;
	running = 1;
	if (nthreads == 0) {
		ow_webhooks_stop();
		return -1;
	}
	return 0;
}

void ow_webhooks_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
	running = 0;
	free(db_url);
	db_url = NULL;
	curl_global_cleanup();
}

int ow_webhooks_render_metrics(struct ow_buf *b)
{
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
	int rc = ow_buf_appendf(
		b,
		"# HELP orgwatch_webhook_deliveries_total Webhook delivery attempts by outcome.\n"
		"# TYPE orgwatch_webhook_deliveries_total counter\n"
		"orgwatch_webhook_deliveries_total{outcome=\"delivered\"} %llu\n"
		"orgwatch_webhook_deliveries_total{outcome=\"failed\"} %llu\n"
		"# HELP orgwatch_webhook_retries_total Attempts that retried a failed message.\n"
		"# TYPE orgwatch_webhook_retries_total counter\n"
		"orgwatch_webhook_retries_total %llu\n"
		"# HELP orgwatch_webhooks_disabled_total Webhooks this server disabled after the "
		"retry window.\n"
		"# TYPE orgwatch_webhooks_disabled_total counter\n"
		"orgwatch_webhooks_disabled_total %llu\n"
		"# HELP orgwatch_webhooks Webhooks by state, as the deliverer last counted them "
		"(every server's count is of the whole database).\n"
		"# TYPE orgwatch_webhooks gauge\n"
		"orgwatch_webhooks{state=\"enabled\"} %lld\n"
		"orgwatch_webhooks{state=\"disabled\"} %lld\n"
		"# HELP orgwatch_webhook_delivery_seconds Time of one delivery attempt.\n"
		"# TYPE orgwatch_webhook_delivery_seconds histogram\n",
		LOAD(n_delivered), LOAD(n_failed), LOAD(n_retries), LOAD(n_disabled),
		LOAD(n_enabled), LOAD(n_disabled_now));
	for (size_t i = 0; i < NBUCKETS; i++)
		rc |= ow_buf_appendf(b,
				     "orgwatch_webhook_delivery_seconds_bucket{le=\"%g\"} %llu\n",
				     BUCKETS[i], LOAD(n_bucket[i]));
	rc |= ow_buf_appendf(b,
			     "orgwatch_webhook_delivery_seconds_bucket{le=\"+Inf\"} %llu\n"
			     "orgwatch_webhook_delivery_seconds_sum %.6f\n"
			     "orgwatch_webhook_delivery_seconds_count %llu\n",
			     LOAD(n_dur_count), (double)LOAD(n_dur_us) / 1e6, LOAD(n_dur_count));
#undef LOAD
	return rc;
}

/* stream.c — the live change stream's subscribers (stream.h). The follower (changefeed.c)
 * appends every committed entry, in commit order, to a ring kept in memory; a subscriber
 * holds its place in the ring (or, behind the ring, its last key and a page read by the
 * catch-up thread), its compiled filter and the bytes not yet taken by libmicrohttpd. Its
 * events are written only when libmicrohttpd asks for bytes (reader()); with nothing to send
 * the connection is suspended, and resumed when an entry it wants arrives, a keep-alive is
 * due, its lifetime ends or the server stops. One mutex guards the ring and subscribers. */
#include "stream.h"

#include <microhttpd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catchup.h"
#include "change_ring.h"
#include "changefeed.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "problem.h"
#include "req.h"
#include "webhooks.h"

#define FILL_BYTES (32 * 1024)	     /* formatted at a time for one subscriber */
#define RETRY_MS 2000		     /* the reconnection delay EventSource is told */
#define RING_MAX_BYTES (64ULL << 20) /* entries' bytes kept in memory, at most */
#define SLOW_S 5 /* a client taking nothing of its waiting output this long is cut */

enum mode { LIVE, CATCHUP };
enum end { END_NONE, END_LIFETIME, END_SHUTDOWN, END_ERROR };

struct sub {
	LIST_ENTRY(sub) link; /* in subs */
	struct MHD_Connection *conn;
	struct ow_stream_args a;
	enum mode mode;
	unsigned long long pos;	 /* LIVE: the ring position sent next */
	long long last_key;	 /* the last entry passed (sent or not wanted) */
	struct ow_change **page; /* CATCHUP: the page read, and how far it is sent */
	int npage, page_i, page_ready;
	int queued;  /* waiting for or in a catch-up query */
	int on_tick; /* the next catch-up query waits for the follower's tick */
	int suspended;
	int import_matched; /* coalescing: an entry of the import under way was wanted */
	int reset_due;
	enum end end;
	int finished; /* the last bytes are out: end of stream next */
	int gone;     /* the connection is gone while a catch-up query runs for it */
	int fd;	      /* its socket (shut down to cut off a slow client) */
	int cut;
	time_t last_write, deadline;
	struct ow_buf out;
	size_t out_sent;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const struct ow_config *config;

/* The feed's newest entries (change_ring.h); base_key -1 until the follower has started. */
static struct ow_change_ring ring = {.base_key = -1};
static int following;

static LIST_HEAD(, sub) subs = LIST_HEAD_INITIALIZER(subs);
static unsigned nsubs;
static int closing;
static unsigned long long m_disconnect_slow, m_disconnect_lifetime, m_resets, m_refused;

static time_t now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

static struct ow_change *at(unsigned long long p)
{
	return ow_change_ring_at(&ring, p);
}

/* Whether s writes something for c, and the state it keeps when it does not. */
static int wants(const struct sub *s, const struct ow_change *c)
{
	int match = ow_change_filter_match(&s->a.filter, c);
	if (s->a.coalesce_imports && c->import)
		return c->tx_last && (s->import_matched || match);
	return match;
}

static void pass(struct sub *s, const struct ow_change *c)
{
	s->last_key = c->id;
	if (s->a.coalesce_imports && c->import)
		s->import_matched =
			c->tx_last ? 0
				   : s->import_matched || ow_change_filter_match(&s->a.filter, c);
}

static int write_event(struct sub *s, long long id, const char *event, const char *data)
{
	if (s->a.ndjson)
		return ow_buf_appendf(&s->out, "%s\n", data);
	return ow_buf_appendf(&s->out, "id: %lld\nevent: %s\ndata: %s\n\n", id, event, data);
}

/* Writes c for s (it wants it). */
static int emit(struct sub *s, const struct ow_change *c)
{
	s->last_key = c->id;
	if (s->a.coalesce_imports && c->import) {
		s->import_matched = 0;
		char data[8192];
		snprintf(data, sizeof data, "{\"event\":\"import.done\",\"id\":%lld,\"counts\":%s}",
			 c->id, c->import_counts ? c->import_counts : "{}");
		return write_event(s, c->id, "import.done", data);
	}
	return write_event(s, c->id, c->event, c->doc);
}

static void queue_catchup(struct sub *s)
{
	if (s->queued)
		return;
	if (ow_catchup_ask(s, s->last_key) == 0)
		s->queued = 1;
	else
		s->on_tick = 1; /* out of memory: asked again on the follower's next tick */
}

static void free_page(struct sub *s)
{
	for (int i = s->page_i; i < s->npage; i++)
		ow_change_free(s->page[i]);
	free(s->page);
	s->page = NULL;
	s->npage = s->page_i = 0;
	s->page_ready = 0;
}

static void sub_destroy(struct sub *s)
{
	free_page(s);
	ow_buf_free(&s->out);
	free(s);
}

/* The next entry for s, or NULL when it has none now (a catch-up page may be queued). A
 * catch-up entry is handed over (*owned set: the caller frees it). */
static struct ow_change *next_entry(struct sub *s, int *owned)
{
	*owned = 0;
	for (;;) {
		if (s->mode == LIVE) {
			if (s->pos < ring.tail) { /* fell behind the ring: from the database */
				s->mode = CATCHUP;
				continue;
			}
			return s->pos < ring.head ? at(s->pos++) : NULL;
		}
		if (s->page_ready && s->page_i < s->npage) {
			*owned = 1;
			return s->page[s->page_i++];
		}
		if (s->page_ready && s->npage < OW_CATCHUP_PAGE)
			s->on_tick = 1; /* the end of the log as the query saw it */
		if (s->page_ready)
			free_page(s);
		int found;
		unsigned long long p =
			ring.base_key >= 0 ? ow_change_ring_after(&ring, s->last_key, &found) : 0;
		if (ring.base_key >= 0 && found) {
			s->mode = LIVE;
			s->pos = p;
			continue;
		}
		/* At the end of the log but not yet in the ring (the follower is behind), or the
		 * query failed: asked again on the follower's next tick. */
		if (!s->on_tick && !s->queued)
			queue_catchup(s);
		return NULL;
	}
}

/* Formats up to FILL_BYTES of what s has to send into s->out. */
static void fill(struct sub *s)
{
	if (s->reset_due) {
		s->reset_due = 0;
		/* At the start, the newest change the request saw (the ring may lag it); later (the
		 * log replaced under a catch-up), the ring's newest. */
		long long k = s->a.newest > ow_change_ring_newest(&ring)
				      ? s->a.newest
				      : ow_change_ring_newest(&ring);
		s->a.newest = -1;
		char data[256];
		snprintf(data, sizeof data,
			 "{\"event\":\"reset\",\"after\":%lld,\"id\":%lld,\"detail\":\"No change "
			 "has "
			 "that id; the stream goes on after the newest change.\"}",
			 s->a.after, k);
		if (write_event(s, k, "reset", data) != 0)
			s->end = END_ERROR;
		int found;
		s->pos = ow_change_ring_after(&ring, k, &found);
		s->mode = found ? LIVE : CATCHUP;
		s->last_key = k;
		m_resets++;
	}
	while (s->out.len < FILL_BYTES) {
		int owned;
		struct ow_change *c = next_entry(s, &owned);
		if (!c)
			break;
		int failed = wants(s, c) ? emit(s, c) != 0 : (pass(s, c), 0);
		if (owned)
			ow_change_free(c);
		if (failed) {
			s->end = END_ERROR; /* out of memory for its bytes */
			break;
		}
	}
}

/* Bytes of the feed not yet sent to s (LIVE), an upper bound on its unsent output. */
static unsigned long long unsent(const struct sub *s)
{
	return s->mode == LIVE ? ow_change_ring_bytes_from(&ring, s->pos) : 0;
}

static void resume(struct sub *s)
{
	if (s->suspended) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct sub *s = cls;
	pthread_mutex_lock(&lock);
	for (;;) {
		if (s->out_sent < s->out.len) {
			size_t n = s->out.len - s->out_sent;
			if (n > max)
				n = max;
			memcpy(buf, s->out.data + s->out_sent, n);
			s->out_sent += n;
			s->last_write = now_s();
			pthread_mutex_unlock(&lock);
			return (ssize_t)n;
		}
		if (s->out.cap > 4096) { /* an idle subscriber keeps no large buffer */
			size_t bound = s->out.max;
			ow_buf_free(&s->out);
			ow_buf_init(&s->out, bound);
		}
		ow_buf_reset(&s->out);
		s->out_sent = 0;
		if (s->finished) {
			int failed = s->end == END_ERROR;
			pthread_mutex_unlock(&lock);
			return failed ? MHD_CONTENT_READER_END_WITH_ERROR
				      : MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (s->end == END_ERROR) {
			s->finished = 1;
			continue;
		}
		if (s->end != END_NONE) {
			char data[160];
			snprintf(data, sizeof data,
				 "{\"event\":\"reconnect\",\"id\":%lld,\"detail\":\"%s\"}",
				 s->last_key,
				 s->end == END_LIFETIME
					 ? "The stream reached its lifetime; resume from id."
					 : "The server is stopping; resume from id.");
			if (write_event(s, s->last_key, "reconnect", data) != 0)
				s->end = END_ERROR;
			s->finished = 1;
			continue;
		}
		fill(s);
		if (s->out.len)
			continue;
		time_t t = now_s();
		if (t >= s->deadline) {
			s->end = END_LIFETIME;
			m_disconnect_lifetime++;
			continue;
		}
		if (t - s->last_write >= (time_t)config->stream_keepalive_s) {
			if (ow_buf_append_str(&s->out, s->a.ndjson ? "\n" : ": keep-alive\n\n") !=
			    0)
				s->end = END_ERROR;
			continue;
		}
		s->suspended = 1;
		MHD_suspend_connection(s->conn);
		pthread_mutex_unlock(&lock);
		return 0;
	}
}

/* The most streams open from a's key or a's address. */
static unsigned count_client(const struct ow_stream_args *a)
{
	unsigned key = 0, address = 0;
	struct sub *s;
	LIST_FOREACH(s, &subs, link)
	{
		key += a->key[0] && strcmp(s->a.key, a->key) == 0;
		address += strcmp(s->a.address, a->address) == 0;
	}
	return key > address ? key : address;
}

static void sub_free(void *cls)
{
	struct sub *s = cls;
	pthread_mutex_lock(&lock);
	LIST_REMOVE(s, link);
	nsubs--;
	if (s->queued) { /* the catch-up thread frees it when its query is done */
		s->gone = 1;
		pthread_mutex_unlock(&lock);
		return;
	}
	pthread_mutex_unlock(&lock);
	sub_destroy(s);
}

int ow_stream_reply(struct ow_req *r, const struct ow_stream_args *a)
{
	struct sub *s = calloc(1, sizeof *s);
	if (!s)
		return ow_problem_reply(r, OW_P_UNAVAILABLE, "Out of memory; retry shortly.", NULL,
					(const char *const[]){"Retry-After", "2", NULL});
	s->a = *a;
	s->conn = r->conn;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	s->fd = ci ? ci->connect_fd : -1;
	ow_buf_init(&s->out, (size_t)FILL_BYTES + 2 * 1024 * 1024);
	pthread_mutex_lock(&lock);
	unsigned same = count_client(a);
	const char *over = nsubs >= config->stream_max	       ? "the server's"
			   : same >= config->stream_per_client ? "this client's"
							       : NULL;
	if (over || ring.base_key < 0 || closing) {
		m_refused += over != NULL;
		pthread_mutex_unlock(&lock);
		free(s);
		if (!over)
			return ow_problem_reply(
				r, OW_P_UNAVAILABLE,
				closing ? "The server is stopping; retry shortly."
					: "The change stream is starting; retry shortly.",
				NULL, (const char *const[]){"Retry-After", "1", NULL});
		char detail[128];
		snprintf(detail, sizeof detail,
			 "Too many open streams (%s limit); close one or retry later.", over);
		return ow_problem_reply(r, OW_P_TOO_MANY, detail, NULL,
					(const char *const[]){"Retry-After", "10", NULL});
	}
	time_t t = now_s();
	s->last_write = t;
	s->deadline = t + (time_t)config->stream_lifetime_s;
	if (a->unknown) {
		s->reset_due = 1;
	} else {
		/* From now on means after the newest change the database had when the request was
		 * checked (the ring may not have it yet: the follower can be behind). */
		long long from = a->after < 0 ? a->newest : a->after;
		int found;
		unsigned long long p = ow_change_ring_after(&ring, from, &found);
		s->mode = found ? LIVE : CATCHUP;
		s->pos = p;
		s->last_key = from;
	}
	/* The first bytes (the reconnection delay) go out with the headers. */
	if (!a->ndjson && ow_buf_appendf(&s->out, "retry: %d\n\n", RETRY_MS) != 0)
		s->end = END_ERROR;
	LIST_INSERT_HEAD(&subs, s, link);
	nsubs++;
	pthread_mutex_unlock(&lock);
	static const char *const headers[] = {"Cache-Control", "no-cache", "X-Accel-Buffering",
					      "no", NULL};
	return ow_reply_reader(
		r, 200, a->ndjson ? "application/x-ndjson" : "text/event-stream; charset=utf-8",
		reader, s, sub_free, headers);
}

/* Wakes the suspended subscribers that have something to do now. Under the lock. */
static void wake(int tick)
{
	time_t t = now_s();
	struct sub *s;
	LIST_FOREACH(s, &subs, link)
	{
		if (!s->suspended) {
			/* Output waiting that the client does not take: cut off (it resumes from
			 * its last id). A socket that takes nothing at all is closed by
			 * libmicrohttpd's 30 s timeout. */
			if (tick && !s->cut && s->mode == LIVE && t - s->last_write >= SLOW_S &&
			    unsent(s) > (unsigned long long)config->stream_max_unsent_kb * 1024) {
				s->cut = 1;
				m_disconnect_slow++;
				if (s->fd >= 0)
					shutdown(s->fd, SHUT_RDWR);
			}
			continue;
		}
		if (s->end != END_NONE || s->reset_due) {
			resume(s);
			continue;
		}
		if (s->mode == LIVE) {
			while (s->pos >= ring.tail && s->pos < ring.head && !wants(s, at(s->pos)))
				pass(s, at(s->pos++));
			if (s->pos < ring.head || s->pos < ring.tail)
				resume(s);
		} else if (s->page_ready || (tick && !s->queued)) {
			if (tick)
				s->on_tick = 0;
			resume(s);
		}
		if (tick && s->suspended &&
		    (t >= s->deadline || t - s->last_write >= (time_t)config->stream_keepalive_s))
			resume(s);
	}
}

static void on_start(long long key)
{
	pthread_mutex_lock(&lock);
	ow_change_ring_restart(&ring, key);
	pthread_mutex_unlock(&lock);
}

static void on_deliver(struct ow_change **entries, int n)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < n; i++)
		ow_change_ring_append(&ring, entries[i]);
	wake(0);
	pthread_mutex_unlock(&lock);
	ow_webhooks_poke(); /* the deliverer looks now rather than at its next second */
}

static void on_tick(int up)
{
	pthread_mutex_lock(&lock);
	following = up;
	wake(1);
	pthread_mutex_unlock(&lock);
}

/* A catch-up page for s (catchup.c's thread), or why there is none. */
static void on_page(void *who, struct ow_change **page, int n)
{
	struct sub *s = who;
	pthread_mutex_lock(&lock);
	s->queued = 0;
	if (s->gone) { /* its connection ended while it waited */
		pthread_mutex_unlock(&lock);
		for (int i = 0; i < n; i++)
			ow_change_free(page[i]);
		free(page);
		sub_destroy(s);
		return;
	}
	if (n >= 0) {
		s->page = page;
		s->npage = n;
		s->page_i = 0;
		s->page_ready = 1;
	} else if (n == OW_CATCHUP_UNKNOWN) {
		s->reset_due = 1;
	} else if (n == OW_CATCHUP_LATER) {
		s->on_tick = 1;
	}
	if (n != OW_CATCHUP_STOPPED)
		resume(s);
	pthread_mutex_unlock(&lock);
}

int ow_stream_start(const struct ow_config *cfg, const char *url)
{
	config = cfg;
	const char *replica = cfg->nreplicas > 0 ? cfg->replica_urls[0] : NULL;
	static const struct ow_changefeed_sink sink = {on_start, on_deliver, on_tick};
	if (ow_change_ring_init(&ring, cfg->stream_ring, RING_MAX_BYTES) != 0 ||
	    ow_catchup_start(url, replica, on_page) != 0)
		return -1;
	return ow_changefeed_start(url, replica, &sink);
}

void ow_stream_end_all(void)
{
	pthread_mutex_lock(&lock);
	closing = 1; /* no stream begins after this: none may be left suspended */
	struct sub *s;
	LIST_FOREACH(s, &subs, link)
	{
		if (s->end == END_NONE)
			s->end = END_SHUTDOWN;
		resume(s);
	}
	pthread_mutex_unlock(&lock);
}

void ow_stream_stop(void)
{
	ow_changefeed_stop();
	ow_catchup_stop(); /* subscribers gone while waiting for a page are freed by on_page */
	ow_change_ring_free(&ring);
}

int ow_stream_render_metrics(struct ow_buf *b)
{
	pthread_mutex_lock(&lock);
	unsigned long long lag_max = 0, lag_sum = 0;
	unsigned behind = 0;
	struct sub *s;
	LIST_FOREACH(s, &subs, link)
	{
		unsigned long long lag =
			s->mode == LIVE && s->pos < ring.head && s->pos >= ring.tail
				? ring.head - s->pos
				: 0;
		behind += s->mode == CATCHUP;
		lag_sum += lag;
		if (lag > lag_max)
			lag_max = lag;
	}
	int rc = ow_buf_appendf(
		b,
		"# HELP orgwatch_stream_subscribers Open change streams (GET /changes/stream).\n"
		"# TYPE orgwatch_stream_subscribers gauge\n"
		"orgwatch_stream_subscribers{state=\"live\"} %u\n"
		"orgwatch_stream_subscribers{state=\"catching_up\"} %u\n"
		"# HELP orgwatch_stream_lag_entries Entries in memory not yet sent, most and in "
		"all.\n"
		"# TYPE orgwatch_stream_lag_entries gauge\n"
		"orgwatch_stream_lag_entries{of=\"max\"} %llu\n"
		"orgwatch_stream_lag_entries{of=\"sum\"} %llu\n"
		"# HELP orgwatch_stream_disconnects_total Streams the server ended.\n"
		"# TYPE orgwatch_stream_disconnects_total counter\n"
		"orgwatch_stream_disconnects_total{reason=\"slow\"} %llu\n"
		"orgwatch_stream_disconnects_total{reason=\"lifetime\"} %llu\n"
		"# HELP orgwatch_stream_resets_total Streams begun with a key no change has.\n"
		"# TYPE orgwatch_stream_resets_total counter\n"
		"orgwatch_stream_resets_total %llu\n"
		"# HELP orgwatch_stream_refused_total Streams refused over the per-client or total "
		"limit.\n"
		"# TYPE orgwatch_stream_refused_total counter\n"
		"orgwatch_stream_refused_total %llu\n"
		"# HELP orgwatch_stream_catchup_queries_total Pages read for subscribers behind "
		"memory.\n"
		"# TYPE orgwatch_stream_catchup_queries_total counter\n"
		"orgwatch_stream_catchup_queries_total %llu\n"
		"# HELP orgwatch_stream_ring_entries Changes kept in memory for the streams.\n"
		"# TYPE orgwatch_stream_ring_entries gauge\n"
		"orgwatch_stream_ring_entries %llu\n"
		"# HELP orgwatch_stream_following 1 while the change feed follows the database.\n"
		"# TYPE orgwatch_stream_following gauge\n"
		"orgwatch_stream_following %d\n",
		nsubs - behind, behind, lag_max, lag_sum, m_disconnect_slow, m_disconnect_lifetime,
		m_resets, m_refused, ow_catchup_queries(), ring.head - ring.tail, following);
	pthread_mutex_unlock(&lock);
	return rc;
}

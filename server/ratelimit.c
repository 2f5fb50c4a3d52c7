/* ratelimit.c — token buckets (one per client and kind) so that one scraper cannot starve the
 * other readers: reads without a key count per client address, keyed reads, writes and
 * imports per key. A bucket holds a minute's quota and refills continuously (quota / 60 a
 * second), so a client may burst up to its quota, then goes at its rate. Over it: 429 with
 * Retry-After (seconds until one token is back). Every counted answer carries the IETF
 * httpapi draft's RateLimit-Policy ("reads";q=600;w=60) and RateLimit ("reads";r=599;t=0)
 * headers. The buckets live in a fixed table of slots hashed by (kind, client), under a
 * mutex per shard; a full shard reuses its most idle slot, so memory stays bounded. */
#include "ratelimit.h"

#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "problem.h"
#include "req.h"
#include "router.h"

#define SHARDS 64
#define SLOTS_PER_SHARD 256 /* 16,384 clients tracked at once */
#define WAYS 8		    /* slots a client may occupy in its shard (probed in order) */

struct slot {
	uint64_t key; /* hash of (kind, client); 0 = free */
	double tokens;
	double at; /* when tokens was computed (monotonic seconds) */
};

struct shard {
	pthread_mutex_t lock;
	struct slot slots[SLOTS_PER_SHARD];
};

static struct shard shards[SHARDS];
static unsigned quota[OW_RATE_KINDS];
static unsigned long long refused[OW_RATE_KINDS];
static const char *const names[OW_RATE_KINDS] = {"reads", "writes", "imports"};

void ow_ratelimit_init(const struct ow_config *cfg)
{
	quota[OW_RATE_READS] = cfg->rate_reads;
	quota[OW_RATE_WRITES] = cfg->rate_writes;
	quota[OW_RATE_IMPORTS] = cfg->rate_imports;
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&shards[i].lock, NULL);
}

unsigned long long ow_ratelimit_refused(enum ow_rate_kind kind)
{
	return __atomic_load_n(&refused[kind], __ATOMIC_RELAXED);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The kind r counts as, or -1 when it is not counted. */
static int kind_of(const struct ow_req *r)
{
	if (!r->route || strcmp(r->method, "OPTIONS") == 0)
		return -1;
	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)
		return r->route->cache == OW_CACHE_NONE && r->route->role == OW_ROLE_PUBLIC &&
				       strcmp(r->route->pattern, "/export") != 0
			       ? -1 /* operations, the dashboard and its assets */
			       : OW_RATE_READS;
	return r->route->body == OW_BODY_STREAM ? OW_RATE_IMPORTS : OW_RATE_WRITES;
}

/* The client a request counts against: its key's name, else its address. */
static uint64_t client_hash(const struct ow_req *r, int kind)
{
	uint64_t h = ow_fnv1a64(OW_FNV64_INIT, names[kind], strlen(names[kind]) + 1);
	if (r->who.role != OW_ROLE_PUBLIC)
		return ow_fnv1a64(ow_fnv1a64(h, "k", 1), r->who.name, strlen(r->who.name)) | 1;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	h = ow_fnv1a64(h, "a", 1);
	if (sa && sa->sa_family == AF_INET)
		h = ow_fnv1a64(h, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa && sa->sa_family == AF_INET6)
		h = ow_fnv1a64(h, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	return h | 1;
}

/* Takes a token from the bucket of key (quota q a minute): the tokens left (>= 0), or, when
 * none was there, minus the seconds until one is. */
static double take(uint64_t key, unsigned q)
{
	struct shard *s = &shards[key % SHARDS];
	double t = now_s(), rate = q / 60.0, out;
	pthread_mutex_lock(&s->lock);
	size_t base = (size_t)(key / SHARDS) % SLOTS_PER_SHARD, pick = base;
	double idlest = t + 1;
	struct slot *slot = NULL;
	for (size_t w = 0; w < WAYS; w++) {
		struct slot *c = &s->slots[(base + w) % SLOTS_PER_SHARD];
		if (c->key == key) {
			slot = c;
			break;
		}
		double seen = c->key ? c->at : -1; /* a free slot is the idlest of all */
		if (seen < idlest) {
			idlest = seen;
			pick = (base + w) % SLOTS_PER_SHARD;
		}
	}
	if (!slot) { /* new here (or forgotten): a full bucket */
		slot = &s->slots[pick];
		*slot = (struct slot){.key = key, .tokens = q, .at = t};
	}
	slot->tokens = fmin((double)q, slot->tokens + (t - slot->at) * rate);
	slot->at = t;
	if (slot->tokens >= 1.0) {
		slot->tokens -= 1.0;
		out = slot->tokens;
	} else {
		out = -((1.0 - slot->tokens) / rate);
	}
	pthread_mutex_unlock(&s->lock);
	return out;
}

int ow_ratelimit_take(struct ow_req *r)
{
	int kind = kind_of(r);
	if (kind < 0 || quota[kind] == 0)
		return 0;
	double left = take(client_hash(r, kind), quota[kind]);
	r->rate_kind = kind + 1;
	if (left >= 0) {
		r->rate_remaining = (long)floor(left);
		r->rate_reset = (long)ceil((quota[kind] - left) * 60.0 / quota[kind]);
		return 0;
	}
	__atomic_fetch_add(&refused[kind], 1, __ATOMIC_RELAXED);
	long wait = (long)ceil(-left);
	if (wait < 1)
		wait = 1;
	r->rate_remaining = 0;
	r->rate_reset = wait;
	char retry[24], detail[160];
	snprintf(retry, sizeof retry, "%ld", wait);
	snprintf(detail, sizeof detail,
		 "More than %u %s a minute from this %s; retry in %ld s (Retry-After).",
		 quota[kind], names[kind], r->who.role != OW_ROLE_PUBLIC ? "key" : "address", wait);
	(void)ow_problem_reply(r, OW_P_TOO_MANY, detail, NULL,
			       (const char *const[]){"Retry-After", retry, NULL});
	return 1;
}

int ow_ratelimit_headers(struct ow_req *r, struct MHD_Response *resp)
{
	if (!r->rate_kind)
		return 0;
	int kind = r->rate_kind - 1;
	char policy[64], state[64];
	snprintf(policy, sizeof policy, "\"%s\";q=%u;w=60", names[kind], quota[kind]);
	snprintf(state, sizeof state, "\"%s\";r=%ld;t=%ld", names[kind], r->rate_remaining,
		 r->rate_reset);
	return MHD_add_response_header(resp, "RateLimit-Policy", policy) == MHD_YES &&
			       MHD_add_response_header(resp, "RateLimit", state) == MHD_YES
		       ? 0
		       : -1;
}

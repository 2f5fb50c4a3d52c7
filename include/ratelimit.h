/* ratelimit.h — fair share: token buckets per client address for reads without a key, per
 * key for keyed reads, writes and imports; 429 with Retry-After past them, and the IETF
 * RateLimit-Policy / RateLimit headers on every counted answer. */
#ifndef OW_RATELIMIT_H
#define OW_RATELIMIT_H

struct ow_req;
struct ow_config;
struct MHD_Response;

/* What a request is counted as. */
enum ow_rate_kind { OW_RATE_READS = 0, OW_RATE_WRITES, OW_RATE_IMPORTS, OW_RATE_KINDS };

/* Sets the quotas (requests per minute per client for each kind; 0 turns that kind off). */
void ow_ratelimit_init(const struct ow_config *cfg);

/* Takes one token for r (after routing and authentication): 0 when it may go on, or 1 after
 * answering 429 (Retry-After, RateLimit-Policy, RateLimit). Operations (/health, /ready,
 * /metrics), the dashboard and preflights are not counted. */
int ow_ratelimit_take(struct ow_req *r);

/* Adds RateLimit-Policy and RateLimit to a counted answer; 0 or -1. */
int ow_ratelimit_headers(struct ow_req *r, struct MHD_Response *resp);

/* Requests answered 429 since start, by kind (/metrics). */
unsigned long long ow_ratelimit_refused(enum ow_rate_kind kind);

#endif

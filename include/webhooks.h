/* webhooks.h — signed webhooks (issue 27): the deliverer thread of each server
 * (webhooks.c), the HTTP side of one delivery and the SSRF check of a URL (webhook_send.c).
 * The admin's endpoints are in h_webhooks.c (handlers.h). */
#ifndef OW_WEBHOOKS_H
#define OW_WEBHOOKS_H
#include <stddef.h>

#include "buf.h"
#include "netcheck.h"

struct ow_config;

/* Starts the deliverer: one thread with a database connection of its own, which delivers
 * the changes every enabled webhook wants, in order, at least once (see webhooks.c). Calls
 * curl_global_init, so it must run before other threads use libcurl. 0, or -1. */
int ow_webhooks_start(const struct ow_config *cfg) OW_WUR;
/* Stops the deliverer and waits for it (an attempt in flight ends within its timeout). */
void ow_webhooks_stop(void);
/* Wakes the deliverer now: new changes have committed, or a webhook was (re)started.
 * Without it, the deliverer looks every second. Safe from any thread; cheap. */
void ow_webhooks_poke(void);
/* Prometheus lines: deliveries by outcome, retries, webhooks disabled, delivery time. */
int ow_webhooks_render_metrics(struct ow_buf *b) OW_WUR;

/* What a URL may be delivered to, checked against the SSRF guard. */
struct ow_webhook_target {
	char host[256]; /* the URL's host (an IPv6 literal without its brackets) */
	char pin[320];	/* "host:port:address" for CURLOPT_RESOLVE; "" when host is an address */
};
/* Checks url: an absolute http or https URL whose host is, or resolves (getaddrinfo) only to,
 * addresses ow_net_refused lets through with the allow list. 0 with *t filled, or -1 with a
 * one-line reason in why ("resolves to 10.0.0.1, a private address"). Blocks on DNS. */
int ow_webhook_check_url(const char *url, const struct ow_net *allow, size_t nallow,
			 struct ow_webhook_target *t, char *why, size_t whysz);

/* The outcome of one POST. */
struct ow_webhook_result {
	long status;	 /* the HTTP status, 0 when none came */
	long ms;	 /* how long the attempt took */
	char error[256]; /* "" on a 2xx; else why it failed ("HTTP 500", "timed out ...") */
};
/* POSTs body (JSON) to url, connecting only to the pinned address of t, with the extra
 * header lines given (NULL-terminated, "Name: value"); no redirects, no proxy, the response
 * read and discarded up to 64 kB, at most timeout_ms in all. 1 on a 2xx, else 0. */
int ow_webhook_post(const char *url, const struct ow_webhook_target *t, const char *const *headers,
		    const char *body, size_t len, long timeout_ms, struct ow_webhook_result *out);

#endif

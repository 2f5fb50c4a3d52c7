/* webhook_send.c — the HTTP side of a webhook delivery (webhooks.h): a URL checked against
 * the SSRF guard (every address its host resolves to) and pinned to the address checked, and
 * one bounded POST with libcurl. Knows nothing of the database. */
#include "webhooks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define RESPONSE_MAX 65536 /* response bytes read (and dropped) before the transfer is cut */

/* The scheme, host (brackets removed) and port of url; 0 or -1 with why. */
static int split_url(const char *url, char *host, size_t hostsz, long *port, char *why,
		     size_t whysz)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *p = NULL;
	int rc = -1;
	if (!u) {
		snprintf(why, whysz, "cannot be checked now (out of memory)");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		snprintf(why, whysz, "is not an absolute URL with a host");
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(why, whysz, "must use http or https, not %.20s", scheme);
		goto out;
	}
	size_t n = strlen(h);
	const char *start = h;
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
		start++, n -= 2;
	if (n == 0 || n >= hostsz || memchr(start, '%', n)) { /* no zone ids */
		snprintf(why, whysz, "has no usable host");
		goto out;
	}
	memcpy(host, start, n);
	host[n] = '\0';
	*port = strtol(p, NULL, 10);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

int ow_webhook_check_url(const char *url, const struct ow_net *allow, size_t nallow,
			 struct ow_webhook_target *t, char *why, size_t whysz)
{
	long port = 0;
	memset(t, 0, sizeof *t);
	if (split_url(url, t->host, sizeof t->host, &port, why, whysz) != 0)
		return -1;
	unsigned char lit[16];
	int literal = ow_net_parse_addr(t->host, lit) == 0;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int g = getaddrinfo(t->host, NULL, &hints, &res);
	if (g != 0 || !res) {
		snprintf(why, whysz, "host %.200s does not resolve (%s)", t->host, gai_strerror(g));
		return -1;
	}
	char first[64] = "";
	int rc = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		unsigned char a[16];
		char text[64];
		if (ow_net_from_sockaddr(ai->ai_addr, a) != 0)
			continue;
		const char *bad = ow_net_refused(a, allow, nallow);
		if (bad) {
			if (literal)
				snprintf(why, whysz, "%.200s is a %s address", t->host, bad);
			else
				snprintf(why, whysz, "%.200s resolves to %s, a %s address", t->host,
					 ow_net_format(a, text, sizeof text), bad);
			rc = -1;
			break;
		}
		if (!first[0])
			ow_net_format(a, first, sizeof first);
	}
	freeaddrinfo(res);
	if (rc == 0 && !first[0]) {
		snprintf(why, whysz, "host %.200s has no IPv4 or IPv6 address", t->host);
		rc = -1;
	}
	if (rc == 0 && !literal)
		snprintf(t->pin, sizeof t->pin, strchr(first, ':') ? "%s:%ld:[%s]" : "%s:%ld:%s",
			 t->host, port, first);
	return rc;
}

static size_t discard(char *data, size_t size, size_t n, void *cls)
{
	size_t *got = cls;
	(void)data;
	*got += size * n;
	return *got > RESPONSE_MAX ? 0 : size * n; /* 0 ends the transfer */
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int ow_webhook_post(const char *url, const struct ow_webhook_target *t, const char *const *headers,
		    const char *body, size_t len, long timeout_ms, struct ow_webhook_result *out)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, sizeof *out);
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL, *pin = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	size_t got = 0;
	int ok = 0;
	if (!c) {
		snprintf(out->error, sizeof out->error, "out of memory");
		return 0;
	}
	for (size_t i = 0; headers[i]; i++) {
		struct curl_slist *n = curl_slist_append(hl, headers[i]);
		if (!n)
			goto out;
		hl = n;
	}
	if (t->pin[0] && !(pin = curl_slist_append(NULL, t->pin)))
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (pin)
		curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && got > RESPONSE_MAX)) {
		snprintf(out->error, sizeof out->error, "%s%.200s",
			 rc == CURLE_OPERATION_TIMEDOUT ? "timed out: " : "",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (out->status < 200 || out->status > 299) {
		snprintf(out->error, sizeof out->error, "HTTP %ld", out->status);
	} else {
		ok = 1;
	}
out:
	out->ms = ms_since(&t0);
	if (!ok && !out->error[0])
		snprintf(out->error, sizeof out->error, "out of memory");
	curl_slist_free_all(pin);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return ok;
}

/* config.c — the ORGWATCH_* settings: defaults, the table of them (a whole number checked
 * against its bounds, any other by its own parser), one-line errors. */
#include "config.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Where a parse error goes: the setting's name and the caller's buffer. */
struct errout {
	const char *name;
	char *buf;
	size_t size;
};

/* Writes `NAME: expected WHAT, got "VALUE"` with VALUE escaped onto one line and cut short. */
static int bad(const struct errout *e, const char *what, const char *value)
{
	char shown[4 * 60 + 4];
	size_t o = 0, i = 0;

	for (; value[i] && i < 60; i++) {
		unsigned char ch = (unsigned char)value[i];
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
			o += (size_t)snprintf(shown + o, sizeof(shown) - o, "\\x%02x", ch);
		else
			shown[o++] = (char)ch;
	}
	if (value[i])
		o += (size_t)snprintf(shown + o, sizeof(shown) - o, "...");
	shown[o] = '\0';
	if (e->buf && e->size)
		snprintf(e->buf, e->size, "%s: expected %s, got \"%s\"", e->name, what, shown);
	return -1;
}

/* Parses all of s as decimal digits into *out; -1 if empty, not all digits or above max. */
static int parse_uint(const char *s, size_t n, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int copy_str(const struct errout *e, char *dst, size_t dstsz, const char *v)
{
	size_t n = strnlen(v, dstsz);
	if (n >= dstsz) {
		char what[64];
		snprintf(what, sizeof(what), "at most %zu bytes", dstsz - 1);
		return bad(e, what, v);
	}
	memcpy(dst, v, n + 1);
	return 0;
}

static int set_database_url(struct ow_config *c, const struct errout *e, const char *v)
{
	return copy_str(e, c->database_url, sizeof(c->database_url), v);
}

static int set_home(struct ow_config *c, const struct errout *e, const char *v)
{
	return copy_str(e, c->home, sizeof(c->home), v);
}

/* Checks the host part of ORGWATCH_LISTEN (brackets removed) and stores it. */
static int store_host(struct ow_config *c, const char *host, size_t n, int v6)
{
	char tmp[64];
	unsigned char addr[16];
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, host, n);
	tmp[n] = '\0';
	if (v6) {
		if (inet_pton(AF_INET6, tmp, addr) != 1)
			return -1;
	} else if (strcmp(tmp, "localhost") != 0 && inet_pton(AF_INET, tmp, addr) != 1) {
		return -1;
	}
	memcpy(c->listen_host, tmp, n + 1);
	return 0;
}

static int set_listen(struct ow_config *c, const struct errout *e, const char *v)
{
	static const char what[] = "HOST:PORT with HOST an IPv4 address, localhost or [IPv6] "
				   "and PORT 1-65535";
	const char *host = v, *port;
	size_t hostlen;
	int v6 = v[0] == '[';
	unsigned long long p;

	if (v6) {
		const char *close = strchr(v, ']');
		if (!close || close[1] != ':')
			return bad(e, what, v);
		host = v + 1;
		hostlen = (size_t)(close - host);
		port = close + 2;
	} else {
		const char *colon = strchr(v, ':');
		if (!colon)
			return bad(e, what, v);
		hostlen = (size_t)(colon - v);
		port = colon + 1;
	}
	if (parse_uint(port, strlen(port), 65535, &p) != 0 || p == 0 ||
	    store_host(c, host, hostlen, v6) != 0)
		return bad(e, what, v);
	c->listen_port = (unsigned short)p;
	return 0;
}

/* *out = v when it is a whole number from 1 to max; else the setting's error. */
static int whole_1_to(const struct errout *e, const char *v, unsigned max, unsigned *out)
{
	unsigned long long n;
	if (parse_uint(v, strlen(v), max, &n) != 0 || n < 1) {
		char what[48];
		snprintf(what, sizeof what, "a whole number from 1 to %u", max);
		return bad(e, what, v);
	}
	*out = (unsigned)n;
	return 0;
}

/* *out = v when it is a whole number of units (e.g. "seconds") from 0 to max; else the
 * setting's error. */
static int whole_0_to(const struct errout *e, const char *v, unsigned max, const char *units,
		      unsigned *out)
{
	unsigned long long n;
	if (parse_uint(v, strlen(v), max, &n) != 0) {
		char what[64];
		snprintf(what, sizeof what, "a whole number of %s from 0 to %u", units, max);
		return bad(e, what, v);
	}
	*out = (unsigned)n;
	return 0;
}

/* 1 when o is an origin as browsers send it: http(s)://host[:port], nothing after. */
static int is_origin(const char *o, size_t n)
{
	size_t p = n >= 8 && strncmp(o, "https://", 8) == 0  ? 8
		   : n >= 7 && strncmp(o, "http://", 7) == 0 ? 7
							     : 0;
	if (!p || p == n)
		return 0;
	for (size_t i = p; i < n; i++) {
		char c = o[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return 0;
	}
	return 1;
}

static int set_cors_origins(struct ow_config *c, const struct errout *e, const char *v)
{
	static const char what[] = "origins such as https://news.example or "
				   "http://127.0.0.1:8090, comma-separated (at most 16; no path, "
				   "no *)";
	c->cors_origins_n = 0;
	while (*v) {
		while (*v == ' ' || *v == ',')
			v++;
		size_t n = strcspn(v, ", ");
		if (n == 0)
			break;
		if (c->cors_origins_n == OW_CONFIG_MAX_CORS_ORIGINS ||
		    n >= sizeof c->cors_origins[0] || !is_origin(v, n))
			return bad(e, what, v);
		memcpy(c->cors_origins[c->cors_origins_n], v, n);
		c->cors_origins[c->cors_origins_n++][n] = '\0';
		v += n;
	}
	return 0;
}

static int set_replica_urls(struct ow_config *c, const struct errout *e, const char *v)
{
	const char *p = v;
	c->nreplicas = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		while (n && p[0] == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n == 0 || n >= sizeof c->replica_urls[0] ||
		    c->nreplicas == OW_CONFIG_MAX_REPLICAS)
			return bad(e, "up to 8 comma-separated libpq URIs, each under 1024 bytes",
				   v);
		memcpy(c->replica_urls[c->nreplicas], p, n);
		c->replica_urls[c->nreplicas++][n] = '\0';
		p += strcspn(p, ",");
		if (!*p)
			return 0;
		p++;
	}
}

static int set_max_body(struct ow_config *c, const struct errout *e, const char *v)
{
	static const char what[] = "a byte count from 1024 to 1073741824, optionally with "
				   "suffix k, m or g";
	const unsigned long long lo = 1024, hi = 1073741824;
	size_t n = strlen(v);
	unsigned long long mult = 1, bytes;

	if (n > 0) {
		switch (v[n - 1]) {
		case 'k':
		case 'K': mult = 1024; break;
		case 'm':
		case 'M': mult = 1024 * 1024; break;
		case 'g':
		case 'G': mult = 1024 * 1024 * 1024; break;
		}
	}
	if (mult != 1)
		n--;
	if (parse_uint(v, n, hi, &bytes) != 0 || bytes > hi / mult || bytes * mult < lo)
		return bad(e, what, v);
	c->max_body = (size_t)(bytes * mult);
	return 0;
}

static int set_public_reads(struct ow_config *c, const struct errout *e, const char *v)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
		c->public_reads = 1;
	else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
		c->public_reads = 0;
	else
		return bad(e, "0, 1, true or false", v);
	return 0;
}

static int set_log(struct ow_config *c, const struct errout *e, const char *v)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(v, names[i]) == 0) {
			c->log_level = i;
			return 0;
		}
	}
	return bad(e, "error, warn, info or debug", v);
}

static int set_webhook_allow_nets(struct ow_config *c, const struct errout *e, const char *v)
{
	size_t at;
	if (ow_net_parse_list(v, c->webhook_allow, OW_NET_MAX, &c->webhook_allow_n, &at) != 0)
		return bad(e,
			   "up to 32 comma-separated CIDRs such as 127.0.0.0/8 or fd00::/8 (host "
			   "bits zero)",
			   v);
	return 0;
}

/* A setting that is a whole number: where it goes (AT), its largest value, and the units it
 * counts from 0 in (NULL: it counts from 1; with off, "0" is taken too and means off). */
struct whole {
	size_t at;
	unsigned max;
	const char *units;
	int off;
};

/* The place of an unsigned member of struct ow_config (any other type does not compile). */
#define AT(member)                                                                                 \
	(offsetof(struct ow_config, member) +                                                      \
	 0 * sizeof(_Generic(((struct ow_config *)0)->member, unsigned : 1)))

static int set_whole(struct ow_config *c, const struct errout *e, const char *v,
		     const struct whole *w)
{
	unsigned *out = (unsigned *)(void *)((char *)c + w->at);
	if (w->off && strcmp(v, "0") == 0) {
		*out = 0;
		return 0;
	}
	return w->units ? whole_0_to(e, v, w->max, w->units, out) : whole_1_to(e, v, w->max, out);
}

/* The settings, in the order they are checked: parsed by set, else a whole number (n). */
static const struct setting {
	const char *name;
	int (*set)(struct ow_config *c, const struct errout *e, const char *v);
	struct whole n;
} SETTINGS[] = {
	{"ORGWATCH_DATABASE_URL", .set = set_database_url},
	{"ORGWATCH_LISTEN", .set = set_listen},
	{"ORGWATCH_THREADS", .n = {AT(db_connections), 256}}, /* the earlier name, kept working */
	{"ORGWATCH_DB_CONNECTIONS", .n = {AT(db_connections), 256}},
	{"ORGWATCH_ANSWER_CACHE_MB", .n = {AT(answer_cache_mb), 65536, "megabytes"}},
	{"ORGWATCH_MAX_BODY", .set = set_max_body},
	{"ORGWATCH_PUBLIC_READS", .set = set_public_reads},
	{"ORGWATCH_LOG", .set = set_log},
	{"ORGWATCH_MAX_CONNECTIONS", .n = {AT(max_connections), 100000}},
	{"ORGWATCH_MAX_CONNECTIONS_PER_IP", .n = {AT(max_connections_per_ip), 100000}},
	{"ORGWATCH_MAX_DOWNLOAD_ROWS", .n = {AT(max_download_rows), 100000000}},
	{"ORGWATCH_CORS_ORIGINS", .set = set_cors_origins},
	/* quotas a minute, 0 turning one off */
	{"ORGWATCH_RATE_READS", .n = {AT(rate_reads), 10000000, .off = 1}},
	{"ORGWATCH_RATE_WRITES", .n = {AT(rate_writes), 10000000, .off = 1}},
	{"ORGWATCH_RATE_IMPORTS", .n = {AT(rate_imports), 10000000, .off = 1}},
	{"ORGWATCH_MAX_STREAMS", .n = {AT(max_streams), 1000}},
	{"ORGWATCH_CACHE_MAX_AGE", .n = {AT(cache_max_age), 86400, "seconds"}},
	{"ORGWATCH_REPLICA_URLS", .set = set_replica_urls},
	{"ORGWATCH_REPLICA_MAX_LAG", .n = {AT(replica_max_lag), 3600}},
	{"ORGWATCH_REPLICA_WAIT_MS", .n = {AT(replica_wait_ms), 10000, "milliseconds"}},
	{"ORGWATCH_STREAMS_PER_CLIENT", .n = {AT(stream_per_client), 100000}},
	{"ORGWATCH_STREAMS_MAX", .n = {AT(stream_max), 100000}},
	{"ORGWATCH_STREAM_LIFETIME_S", .n = {AT(stream_lifetime_s), 7 * 86400}},
	{"ORGWATCH_STREAM_KEEPALIVE_S", .n = {AT(stream_keepalive_s), 3600}},
	{"ORGWATCH_STREAM_RING", .n = {AT(stream_ring), 10000000}},
	{"ORGWATCH_STREAM_MAX_UNSENT_KB", .n = {AT(stream_max_unsent_kb), 1048576}},
	{"ORGWATCH_HOME", .set = set_home},
	{"ORGWATCH_WEBHOOK_ALLOW_NETS", .set = set_webhook_allow_nets},
	{"ORGWATCH_WEBHOOK_RETRY_WINDOW_S", .n = {AT(webhook_retry_window_s), 2592000}},
	{"ORGWATCH_WEBHOOK_WORKERS", .n = {AT(webhook_workers), 32}},
};

static const char *real_getenv(const char *name)
{
	return getenv(name);
}

static void set_defaults(struct ow_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
	c->listen_port = 8080;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	c->db_connections = cores < 1 ? 2 : cores > 128 ? 256 : 2 * (unsigned)cores;
	c->answer_cache_mb = 64;
	c->max_body = 1048576;
	c->public_reads = 1;
	c->log_level = OW_LOG_INFO;
	c->max_connections = 1024;
	c->max_connections_per_ip = 64;
	c->max_download_rows = 1000000;
	c->rate_reads = 1200;
	c->rate_writes = 600;
	c->rate_imports = 60;
	c->max_streams = 8;
	c->replica_max_lag = 10;
	c->replica_wait_ms = 200;
	c->stream_per_client = 16;
	c->stream_max = 900; /* under the 1,024 connections, leaving room for requests */
	c->stream_lifetime_s = 3600;
	c->stream_keepalive_s = 15;
	c->stream_ring = 100000;
	c->stream_max_unsent_kb = 256;
	snprintf(c->home, sizeof(c->home), ".");
	c->webhook_retry_window_s = 72 * 3600;
	c->webhook_workers = 2;
}

int ow_config_load(struct ow_config *c, ow_getenv_fn get, char *err, size_t errsz)
{
	if (err && errsz)
		err[0] = '\0';
	set_defaults(c);
	if (!get)
		get = real_getenv;
	for (size_t i = 0; i < sizeof(SETTINGS) / sizeof(SETTINGS[0]); i++) {
		const char *v = get(SETTINGS[i].name);
		if (!v || !v[0])
			continue;
		const struct setting *s = &SETTINGS[i];
		struct errout e = {s->name, err, errsz};
		if ((s->set ? s->set(c, &e, v) : set_whole(c, &e, v, &s->n)) != 0)
			return -1;
	}
	return 0;
}

/* config.c — the ORGWATCH_* settings: defaults, one parser per setting, one-line errors. */
#include "config.h"

#include <arpa/inet.h>
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

static int set_db_connections(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 256, &c->db_connections);
}

static int set_answer_cache_mb(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_0_to(e, v, 65536, "megabytes", &c->answer_cache_mb);
}

static int set_max_connections(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 100000, &c->max_connections);
}

static int set_stream_per_client(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 100000, &c->stream_per_client);
}

static int set_stream_max(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 100000, &c->stream_max);
}

static int set_stream_lifetime(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 7 * 86400, &c->stream_lifetime_s);
}

static int set_stream_keepalive(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 3600, &c->stream_keepalive_s);
}

static int set_stream_ring(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 10000000, &c->stream_ring);
}

static int set_stream_max_unsent(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 1048576, &c->stream_max_unsent_kb);
}

/* A quota a minute: 0 (off) or a whole number up to 10,000,000. */
static int rate(const struct errout *e, const char *v, unsigned *out)
{
	if (strcmp(v, "0") == 0) {
		*out = 0;
		return 0;
	}
	return whole_1_to(e, v, 10000000, out);
}

static int set_rate_reads(struct ow_config *c, const struct errout *e, const char *v)
{
	return rate(e, v, &c->rate_reads);
}

static int set_rate_writes(struct ow_config *c, const struct errout *e, const char *v)
{
	return rate(e, v, &c->rate_writes);
}

static int set_rate_imports(struct ow_config *c, const struct errout *e, const char *v)
{
	return rate(e, v, &c->rate_imports);
}

static int set_max_download_rows(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 100000000, &c->max_download_rows);
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

static int set_max_connections_per_ip(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 100000, &c->max_connections_per_ip);
}

static int set_max_streams(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 1000, &c->max_streams);
}

static int set_cache_max_age(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_0_to(e, v, 86400, "seconds", &c->cache_max_age);
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

static int set_replica_max_lag(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 3600, &c->replica_max_lag);
}

static int set_replica_wait_ms(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_0_to(e, v, 10000, "milliseconds", &c->replica_wait_ms);
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

static int set_webhook_workers(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 32, &c->webhook_workers);
}

static int set_webhook_retry_window(struct ow_config *c, const struct errout *e, const char *v)
{
	return whole_1_to(e, v, 2592000, &c->webhook_retry_window_s);
}

/* The settings, in the order they are checked. */
static const struct setting {
	const char *name;
	int (*set)(struct ow_config *c, const struct errout *e, const char *v);
} SETTINGS[] = {
	{"ORGWATCH_DATABASE_URL", set_database_url},
	{"ORGWATCH_LISTEN", set_listen},
	{"ORGWATCH_THREADS", set_db_connections}, /* the earlier name, kept working */
	{"ORGWATCH_DB_CONNECTIONS", set_db_connections},
	{"ORGWATCH_ANSWER_CACHE_MB", set_answer_cache_mb},
	{"ORGWATCH_MAX_BODY", set_max_body},
	{"ORGWATCH_PUBLIC_READS", set_public_reads},
	{"ORGWATCH_LOG", set_log},
	{"ORGWATCH_MAX_CONNECTIONS", set_max_connections},
	{"ORGWATCH_MAX_CONNECTIONS_PER_IP", set_max_connections_per_ip},
	{"ORGWATCH_MAX_DOWNLOAD_ROWS", set_max_download_rows},
	{"ORGWATCH_CORS_ORIGINS", set_cors_origins},
	{"ORGWATCH_RATE_READS", set_rate_reads},
	{"ORGWATCH_RATE_WRITES", set_rate_writes},
	{"ORGWATCH_RATE_IMPORTS", set_rate_imports},
	{"ORGWATCH_MAX_STREAMS", set_max_streams},
	{"ORGWATCH_CACHE_MAX_AGE", set_cache_max_age},
	{"ORGWATCH_REPLICA_URLS", set_replica_urls},
	{"ORGWATCH_REPLICA_MAX_LAG", set_replica_max_lag},
	{"ORGWATCH_REPLICA_WAIT_MS", set_replica_wait_ms},
	{"ORGWATCH_STREAMS_PER_CLIENT", set_stream_per_client},
	{"ORGWATCH_STREAMS_MAX", set_stream_max},
	{"ORGWATCH_STREAM_LIFETIME_S", set_stream_lifetime},
	{"ORGWATCH_STREAM_KEEPALIVE_S", set_stream_keepalive},
	{"ORGWATCH_STREAM_RING", set_stream_ring},
	{"ORGWATCH_STREAM_MAX_UNSENT_KB", set_stream_max_unsent},
	{"ORGWATCH_HOME", set_home},
	{"ORGWATCH_WEBHOOK_ALLOW_NETS", set_webhook_allow_nets},
	{"ORGWATCH_WEBHOOK_RETRY_WINDOW_S", set_webhook_retry_window},
	{"ORGWATCH_WEBHOOK_WORKERS", set_webhook_workers},
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
		struct errout e = {SETTINGS[i].name, err, errsz};
		if (SETTINGS[i].set(c, &e, v) != 0)
			return -1;
	}
	return 0;
}

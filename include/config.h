/* config.h — the server's settings, read from ORGWATCH_* environment variables. */
#ifndef OW_CONFIG_H
#define OW_CONFIG_H
#include <stddef.h>

#include "buf.h"
#include "log.h" /* enum ow_log_level */
#include "netcheck.h"

#define OW_CONFIG_MAX_REPLICAS 8

#define OW_CONFIG_MAX_CORS_ORIGINS 16

struct ow_config {
	char database_url[1024]; /* "" when unset: commands needing the database check it */
	char listen_host[64];	 /* dotted quad, "localhost" (verbatim) or an IPv6 address
				    without its brackets ("::1") */
	unsigned short listen_port;
	unsigned db_connections;  /* request connections per pool (ORGWATCH_DB_CONNECTIONS) */
	unsigned answer_cache_mb; /* in-memory answers of public reads (0 = none) */
	size_t max_body;
	int public_reads;
	int log_level; /* enum ow_log_level: 0 error, 1 warn, 2 info, 3 debug */
	unsigned max_connections;
	unsigned max_connections_per_ip; /* open at once from one client address */
	unsigned max_download_rows;	 /* rows one ?all=true download may send */
	/* Requests a minute per client (ratelimit.c; 0 = no limit): reads without a key per
	 * address, keyed reads, writes and imports per key. */
	unsigned rate_reads, rate_writes, rate_imports;
	/* Origins whose browser pages may write (and read with a key): "https://host[:port]". */
	char cors_origins[OW_CONFIG_MAX_CORS_ORIGINS][256];
	unsigned cors_origins_n;
	unsigned max_streams;	/* imports and exports at once (each its own database connection) */
	unsigned cache_max_age; /* seconds HTTP caches may keep public reads (Cache-Control) */
	char replica_urls[OW_CONFIG_MAX_REPLICAS][1024]; /* read replicas (libpq URIs) */
	unsigned nreplicas;
	unsigned replica_max_lag; /* seconds a replica may be behind and still take reads */
	unsigned replica_wait_ms; /* how long a read waits for a replica to catch up */
	/* The live change stream (stream.c): streams open at once from one key or address, in
	 * all; the longest a stream lives; seconds between keep-alives; entries kept in memory;
	 * the unsent output after which a subscriber is cut off. */
	unsigned stream_per_client, stream_max, stream_lifetime_s, stream_keepalive_s;
	unsigned stream_ring, stream_max_unsent_kb;
	char home[1024];
	/* Webhooks: networks they may reach although private or loopback, and how long a
	 * failing message is retried before its webhook is disabled. */
	struct ow_net webhook_allow[OW_NET_MAX];
	size_t webhook_allow_n;
	unsigned webhook_retry_window_s;
	unsigned webhook_workers; /* webhook deliverers (threads, each a connection) */
};

/* Looks up a setting by name like getenv(3): the value, or NULL when unset. */
typedef const char *(*ow_getenv_fn)(const char *name);

/* Fills *c with the defaults, then with each setting that get (NULL: getenv) returns; a set
 * but empty value counts as unset. Settings and what they accept:
 *   ORGWATCH_DATABASE_URL    libpq conninfo or URI, < 1024 bytes (default "")
 *   ORGWATCH_LISTEN          HOST:PORT, HOST a dotted-quad IPv4 address or "localhost", or
 *                            [IPv6]:PORT; PORT 1..65535 (default 127.0.0.1:8080)
 *   ORGWATCH_THREADS         1..256 (default: online cores, clamped to that range)
 *   ORGWATCH_MAX_BODY        bytes 1024..1073741824, optional suffix k/K (KiB), m/M (MiB) or
 *                            g/G (GiB) (default 1048576)
 *   ORGWATCH_PUBLIC_READS    0, 1, true or false, any case (default 1)
 *   ORGWATCH_LOG             error, warn, info or debug, any case (default info)
 *   ORGWATCH_MAX_CONNECTIONS 1..100000 (default 1024)
 *   ORGWATCH_MAX_STREAMS     1..1000 (default 8)
 *   ORGWATCH_CACHE_MAX_AGE   seconds 0..86400 (default 0: caches keep answers but ask
 *                            again each time, and get 304 while nothing changed)
 *   ORGWATCH_REPLICA_URLS    up to 8 libpq URIs or conninfo strings, comma-separated, each
 *                            < 1024 bytes (default none)
 *   ORGWATCH_REPLICA_MAX_LAG seconds 1..3600 (default 10)
 *   ORGWATCH_REPLICA_WAIT_MS milliseconds 0..10000 (default 200)
 *   ORGWATCH_HOME            folder holding sql/, openapi.yaml and web/, < 1024 bytes
 *                            (default ".")
 *   ORGWATCH_WEBHOOK_ALLOW_NETS     up to 32 comma-separated CIDRs, IPv4 or IPv6 (default none)
 *   ORGWATCH_WEBHOOK_RETRY_WINDOW_S seconds 1..2592000 (default 259200: 72 h)
 * Numbers are plain decimal digits (no sign, no spaces). Returns 0 on success. On the first
 * bad value returns -1 and writes into err (errsz bytes, may be 0) one line naming the setting,
 * what it accepts and the value given (quoted, control bytes escaped, cut after 60 bytes), e.g.
 * `ORGWATCH_THREADS: expected a whole number from 1 to 256, got "x"`. A value longer than its
 * buffer is an error, never truncated. *c is fully initialised either way. */
int ow_config_load(struct ow_config *c, ow_getenv_fn get, char *err, size_t errsz) OW_WUR;

#endif

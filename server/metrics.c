/* metrics.c — request counters and latency histograms, rendered as Prometheus text. */
#include "metrics.h"

#include <stdint.h>
#include <stdlib.h>

#include "answers.h"
#include "stream.h"
#include "conns.h"
#include "db.h"
#include "ratelimit.h"
#include "replicas.h"
#include "workers.h"

#define NSTATUS 500 /* statuses 100..599 */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1,	0.25,  0.5,    1.0,   2.5,  10.0};
#define NBUCKETS (sizeof bounds / sizeof bounds[0])

struct route_stats {
	uint64_t status[NSTATUS];
	uint64_t bucket[NBUCKETS + 1]; /* last = +Inf */
	uint64_t sum_us;
	uint64_t count;
};

static const struct ow_route *table;
static size_t ntable;
static struct route_stats *stats; /* ntable + 1 entries; the last counts unmatched */

int ow_metrics_init(const struct ow_route *routes, size_t nroutes)
{
	table = routes;
	ntable = nroutes;
	stats = calloc(nroutes + 1, sizeof *stats);
	return stats ? 0 : -1;
}

void ow_metrics_free(void)
{
	free(stats);
	stats = NULL;
}

void ow_metrics_observe(int route_index, unsigned status, double seconds)
{
	if (!stats)
		return;
	struct route_stats *s =
		&stats[route_index >= 0 && (size_t)route_index < ntable ? (size_t)route_index
									: ntable];
	if (status >= 100 && status < 600)
		__atomic_fetch_add(&s->status[status - 100], 1, __ATOMIC_RELAXED);
	size_t b = 0;
	while (b < NBUCKETS && seconds > bounds[b])
		b++;
	__atomic_fetch_add(&s->bucket[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->sum_us, (uint64_t)(seconds * 1e6), __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
}

static void labels(size_t i, const char **method, const char **route)
{
	*method = i < ntable ? table[i].method : "";
	*route = i < ntable ? table[i].pattern : "unmatched";
}

static int render_requests(struct ow_buf *b)
{
	int rc = ow_buf_append_str(
		b, "# HELP orgwatch_http_requests_total HTTP requests by route and status.\n"
		   "# TYPE orgwatch_http_requests_total counter\n");
	for (size_t i = 0; i <= ntable; i++) {
		const char *m, *route;
		labels(i, &m, &route);
		for (unsigned st = 0; st < NSTATUS; st++) {
			uint64_t v = __atomic_load_n(&stats[i].status[st], __ATOMIC_RELAXED);
			if (v)
				rc |= ow_buf_appendf(b,
						     "orgwatch_http_requests_total{method=\"%s\","
						     "route=\"%s\",status=\"%u\"} %llu\n",
						     m, route, st + 100, (unsigned long long)v);
		}
	}
	return rc;
}

static int render_latency(struct ow_buf *b)
{
	int rc = ow_buf_append_str(
		b, "# HELP orgwatch_http_request_duration_seconds Request latency by route.\n"
		   "# TYPE orgwatch_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= ntable; i++) {
		uint64_t count = __atomic_load_n(&stats[i].count, __ATOMIC_RELAXED);
		if (!count)
			continue;
		const char *m, *route;
		labels(i, &m, &route);
		uint64_t cum = 0;
		for (size_t k = 0; k <= NBUCKETS; k++) {
			cum += __atomic_load_n(&stats[i].bucket[k], __ATOMIC_RELAXED);
			if (k < NBUCKETS)
				rc |= ow_buf_appendf(
					b,
					"orgwatch_http_request_duration_seconds_bucket{method=\"%"
					"s\",route=\"%s\",le=\"%g\"} %llu\n",
					m, route, bounds[k], (unsigned long long)cum);
			else
				rc |= ow_buf_appendf(
					b,
					"orgwatch_http_request_duration_seconds_bucket{method=\"%"
					"s\",route=\"%s\",le=\"+Inf\"} %llu\n",
					m, route, (unsigned long long)cum);
		}
		rc |= ow_buf_appendf(
			b,
			"orgwatch_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} "
			"%.6f\n"
			"orgwatch_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} "
			"%llu\n",
			m, route, (double)__atomic_load_n(&stats[i].sum_us, __ATOMIC_RELAXED) / 1e6,
			m, route, (unsigned long long)count);
	}
	return rc;
}

int ow_metrics_render(struct ow_buf *b, unsigned inflight)
{
	if (!stats)
		return -1;
	int rc = render_requests(b);
	rc |= render_latency(b);
	unsigned connected, broken;
	unsigned long reconnects;
	ow_db_stats(&connected, &broken, &reconnects);
	rc |= ow_buf_appendf(
		b,
		"# HELP orgwatch_db_connections Request database connections of the primary pool "
		"by state.\n"
		"# TYPE orgwatch_db_connections gauge\n"
		"orgwatch_db_connections{state=\"connected\"} %u\n"
		"orgwatch_db_connections{state=\"down\"} %u\n"
		"# HELP orgwatch_db_connects_total Database connections opened.\n"
		"# TYPE orgwatch_db_connects_total counter\n"
		"orgwatch_db_connects_total %lu\n"
		"# HELP orgwatch_http_requests_in_flight Requests being served.\n"
		"# TYPE orgwatch_http_requests_in_flight gauge\n"
		"orgwatch_http_requests_in_flight %u\n"
		"# HELP orgwatch_http_connections_open Client connections open.\n"
		"# TYPE orgwatch_http_connections_open gauge\n"
		"orgwatch_http_connections_open %u\n"
		"# HELP orgwatch_http_connections_closed_total Client connections the server "
		"closed, "
		"by reason: refused over ORGWATCH_MAX_CONNECTIONS, header not complete in time, "
		"client gone while its body was awaited, body slower than the minimum rate.\n"
		"# TYPE orgwatch_http_connections_closed_total counter\n"
		"orgwatch_http_connections_closed_total{reason=\"refused\"} %llu\n"
		"orgwatch_http_connections_closed_total{reason=\"header_timeout\"} %llu\n"
		"orgwatch_http_connections_closed_total{reason=\"client_gone\"} %llu\n"
		"orgwatch_http_connections_closed_total{reason=\"body_too_slow\"} %llu\n"
		"# HELP orgwatch_connections_refused_total Connections refused at accept, by "
		"reason: over ORGWATCH_MAX_CONNECTIONS in all, over "
		"ORGWATCH_MAX_CONNECTIONS_PER_IP "
		"from one address.\n"
		"# TYPE orgwatch_connections_refused_total counter\n"
		"orgwatch_connections_refused_total{reason=\"limit\"} %llu\n"
		"orgwatch_connections_refused_total{reason=\"per_ip\"} %llu\n",
		connected, broken, reconnects, inflight, ow_conns_open(), ow_conns_refused(),
		ow_conns_timed_out(), ow_conns_abandoned(), ow_conns_too_slow(), ow_conns_refused(),
		ow_conns_refused_per_ip());
	unsigned streams;
	unsigned long long streams_refused;
	ow_db_dedicated_stats(&streams, &streams_refused);
	rc |= ow_buf_appendf(
		b,
		"# HELP orgwatch_streams_open Imports and exports running (each holds a database "
		"connection of its own).\n"
		"# TYPE orgwatch_streams_open gauge\n"
		"orgwatch_streams_open %u\n"
		"# HELP orgwatch_streams_refused_total Imports and exports answered 503 over "
		"ORGWATCH_MAX_STREAMS.\n"
		"# TYPE orgwatch_streams_refused_total counter\n"
		"orgwatch_streams_refused_total %llu\n"
		"# HELP orgwatch_db_tx_retries_total Transactions run again after a serialization "
		"failure or a deadlock.\n"
		"# TYPE orgwatch_db_tx_retries_total counter\n"
		"orgwatch_db_tx_retries_total %lu\n"
		"# HELP orgwatch_rate_limited_total Requests answered 429 over a rate limit "
		"(ORGWATCH_RATE_READS, _WRITES, _IMPORTS).\n"
		"# TYPE orgwatch_rate_limited_total counter\n"
		"orgwatch_rate_limited_total{kind=\"reads\"} %llu\n"
		"orgwatch_rate_limited_total{kind=\"writes\"} %llu\n"
		"orgwatch_rate_limited_total{kind=\"imports\"} %llu\n",
		streams, streams_refused, ow_db_tx_retries(), ow_ratelimit_refused(OW_RATE_READS),
		ow_ratelimit_refused(OW_RATE_WRITES), ow_ratelimit_refused(OW_RATE_IMPORTS));
	rc |= ow_db_render_pool_metrics(b);
	rc |= ow_workers_render_metrics(b);
	rc |= ow_answers_render_metrics(b);
	rc |= ow_stream_render_metrics(b);
	rc |= ow_replicas_render_metrics(b);
	return rc ? -1 : 0;
}

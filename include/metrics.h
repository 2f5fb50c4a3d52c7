/* metrics.h — request counters and latency histograms in Prometheus text format. */
#ifndef OW_METRICS_H
#define OW_METRICS_H
#include <stddef.h>

#include "buf.h"
#include "router.h"

/* Sizes the counters for the route table (call once before serving). */
int ow_metrics_init(const struct ow_route *routes, size_t nroutes) OW_WUR;
void ow_metrics_free(void);
/* Counts one finished request; route_index -1 = no route matched. Lock-free. */
void ow_metrics_observe(int route_index, unsigned status, double seconds);
/* Appends the whole exposition (requests, latency, DB pool, in-flight). */
int ow_metrics_render(struct ow_buf *b, unsigned inflight) OW_WUR;

#endif

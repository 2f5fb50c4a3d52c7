/* handlers.h — every request handler the route table (server/routes.c) points at. */
#ifndef OW_HANDLERS_H
#define OW_HANDLERS_H
#include <stddef.h>

#include "router.h"

struct ow_req;

/* The route table and its length. */
/* The route table, made by ow_routes_init (0, or -1 when the registry does not fit). */
extern const struct ow_route *ow_routes;
extern size_t ow_routes_n;
int ow_routes_init(void);
/* The representations a route answers (format.h's OW_FMT_* bits): lists JSON, CSV and
 * NDJSON; records and statistics JSON and CSV; the export all three; other reads JSON
 * (their .json suffix); 0 for what is no read (writes, /health, the dashboard). */
unsigned ow_route_formats(const struct ow_route *route);

/* h_ops.c: operations endpoints. ow_ops_init loads openapi.yaml and counts migrations
 * under `home`; 0 ok, -1 with a message logged. */
int ow_ops_init(const char *home);
void ow_ops_free(void);
int ow_h_health(struct ow_req *r);
int ow_h_ready(struct ow_req *r);
int ow_h_metrics(struct ow_req *r);
int ow_h_openapi(struct ow_req *r);

/* h_records.c: the generic record endpoints; route arg = struct ow_resource. */
int ow_h_record_list(struct ow_req *r);
int ow_h_record_get(struct ow_req *r);
int ow_h_record_create(struct ow_req *r);
int ow_h_record_patch(struct ow_req *r);
int ow_h_record_delete(struct ow_req *r);

/* h_people.c */
int ow_h_people_duplicates(struct ow_req *r);
int ow_h_people_merge(struct ow_req *r);
/* h_history.c */
int ow_h_person_timeline(struct ow_req *r);
int ow_h_person_reports(struct ow_req *r);
int ow_h_person_managers(struct ow_req *r);
int ow_h_org_chart(struct ow_req *r);
int ow_h_org_changes(struct ow_req *r);
int ow_h_team_members(struct ow_req *r);
int ow_h_team_alumni(struct ow_req *r);
/* h_stats.c */
int ow_h_stats_departures(struct ow_req *r);
int ow_h_stats_flows(struct ow_req *r);
int ow_h_stats_layoffs(struct ow_req *r);
/* h_charts.c: route arg is the chart's kind (charts.h) */
int ow_h_chart(struct ow_req *r);
/* h_embed.c */
int ow_h_embed_chart(struct ow_req *r);
int ow_h_embed_org_chart(struct ow_req *r);
int ow_h_oembed(struct ow_req *r);
int ow_h_stats_attrition(struct ow_req *r);
/* h_static.c: the dashboard page and its assets under ORGWATCH_HOME/web */
void ow_static_init(const char *home);
int ow_h_dashboard(struct ow_req *r);
int ow_h_asset(struct ow_req *r);
/* h_import.c, h_export.c */
int ow_h_import(struct ow_req *r);
int ow_h_export(struct ow_req *r);
/* h_changes.c */
int ow_h_changes(struct ow_req *r);
int ow_h_stream(struct ow_req *r); /* GET /changes/stream (h_stream.c) */
/* h_webhooks.c (admin) */
int ow_h_webhooks_create(struct ow_req *r);
int ow_h_webhooks_list(struct ow_req *r);
int ow_h_webhooks_get(struct ow_req *r);
int ow_h_webhooks_delete(struct ow_req *r);
int ow_h_webhooks_deliveries(struct ow_req *r);
int ow_h_webhooks_redeliver(struct ow_req *r);

#endif

/* routes.c — the route table: every endpoint, its least role and body kind; the five
 * routes of each record type come from the registry (rtypes.c). Literal segments win over
 * {params} (router.c), so order here is for readers only. */
#include <string.h>

#include "charts.h"
#include "handlers.h"
#include "format.h"
#include "resource.h"
#include "rtypes.h"

/* The kinds most routes are of: a public read answered from the data (kept in the answer
 * cache while the data has not changed: OW_CACHE_DATA), the same with handler data (arg), a
 * public GET never kept (health, assets, streams), and an admin's request. */
/* clang-format off */
#define READ(path, handler) \
	{"GET", path, handler, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL, OW_CACHE_DATA}
#define READ_ARG(path, handler, arg) \
	{"GET", path, handler, OW_ROLE_PUBLIC, OW_BODY_NONE, arg, OW_CACHE_DATA}
#define PLAIN(path, handler) \
	{"GET", path, handler, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL, OW_CACHE_NONE}
#define ADMIN(method, path, handler, body) \
	{method, path, handler, OW_ROLE_ADMIN, body, NULL, OW_CACHE_NONE}
/* clang-format on */

/* Every route that is not a record route; those are made from the registry (rtypes.c). */
static const struct ow_route fixed[] = {
	PLAIN("/health", ow_h_health),
	PLAIN("/ready", ow_h_ready),
	PLAIN("/metrics", ow_h_metrics),
	PLAIN("/openapi.yaml", ow_h_openapi),
	PLAIN("/", ow_h_dashboard),
	PLAIN("/assets/{file}", ow_h_asset),
	PLAIN("/people/duplicates", ow_h_people_duplicates),
	{"POST", "/people/{id}/merge", ow_h_people_merge, OW_ROLE_EDITOR, OW_BODY_JSON, NULL,
	 OW_CACHE_NONE},
	READ("/changes", ow_h_changes),
	PLAIN("/changes/stream", ow_h_stream),
	READ("/people/{id}/timeline", ow_h_person_timeline),
	READ("/people/{id}/reports", ow_h_person_reports),
	READ("/people/{id}/managers", ow_h_person_managers),
	READ("/organizations/{id}/chart", ow_h_org_chart),
	READ("/organizations/{id}/changes", ow_h_org_changes),
	READ("/teams/{id}/members", ow_h_team_members),
	READ("/teams/{id}/alumni", ow_h_team_alumni),
	{"POST", "/import", ow_h_import, OW_ROLE_EDITOR, OW_BODY_STREAM, NULL, OW_CACHE_NONE},
	PLAIN("/export", ow_h_export),
	READ("/stats/departures", ow_h_stats_departures),
	READ("/stats/flows", ow_h_stats_flows),
	READ("/stats/layoffs", ow_h_stats_layoffs),
	READ("/stats/attrition", ow_h_stats_attrition),
	READ_ARG("/charts/departures-by-month", ow_h_chart, &ow_chart_kinds[0]),
	READ_ARG("/charts/layoffs-by-month", ow_h_chart, &ow_chart_kinds[1]),
	READ_ARG("/charts/flows", ow_h_chart, &ow_chart_kinds[2]),
	READ("/embed/charts/{name}", ow_h_embed_chart),
	READ("/embed/organizations/{id}/chart", ow_h_embed_org_chart),
	PLAIN("/oembed", ow_h_oembed),
	ADMIN("POST", "/webhooks", ow_h_webhooks_create, OW_BODY_JSON),
	ADMIN("GET", "/webhooks", ow_h_webhooks_list, OW_BODY_NONE),
	ADMIN("GET", "/webhooks/{id}", ow_h_webhooks_get, OW_BODY_NONE),
	ADMIN("DELETE", "/webhooks/{id}", ow_h_webhooks_delete, OW_BODY_NONE),
	ADMIN("GET", "/webhooks/{id}/deliveries", ow_h_webhooks_deliveries, OW_BODY_NONE),
	ADMIN("POST", "/webhooks/{id}/redeliver", ow_h_webhooks_redeliver, OW_BODY_NONE),
};

#define NFIXED (sizeof fixed / sizeof fixed[0])
#define PER_TYPE 5

static struct ow_route table[NFIXED + PER_TYPE * OW_RTYPE_MAX];
static char collection[OW_RTYPE_MAX][64], member[OW_RTYPE_MAX][72];
const struct ow_route *ow_routes = table;
size_t ow_routes_n;

int ow_routes_init(void)
{
	ow_rtypes_init();
	size_t n = 0;
	for (size_t i = 0; i < NFIXED; i++)
		table[n++] = fixed[i];
	for (size_t i = 0; i < ow_nrtypes; i++) {
		const struct ow_rtype *t = &ow_rtypes[i];
		if (i == OW_RTYPE_MAX || (size_t)snprintf(collection[i], sizeof collection[i],
							  "/%s", t->path) >= sizeof collection[i])
			return -1;
		snprintf(member[i], sizeof member[i], "/%s/{id}", t->path);
		const struct ow_route routes[PER_TYPE] = {
			{"GET", collection[i], ow_h_record_list, OW_ROLE_PUBLIC, OW_BODY_NONE,
			 t->res, OW_CACHE_DATA},
			{"POST", collection[i], ow_h_record_create, OW_ROLE_EDITOR, OW_BODY_JSON,
			 t->res, OW_CACHE_NONE},
			{"GET", member[i], ow_h_record_get, OW_ROLE_PUBLIC, OW_BODY_NONE, t->res,
			 OW_CACHE_RECORD},
			{"PATCH", member[i], ow_h_record_patch, OW_ROLE_EDITOR, OW_BODY_JSON,
			 t->res, OW_CACHE_NONE},
			{"DELETE", member[i], ow_h_record_delete, OW_ROLE_EDITOR, OW_BODY_NONE,
			 t->res, OW_CACHE_NONE},
		};
		for (size_t k = 0; k < PER_TYPE; k++)
			table[n++] = routes[k];
	}
	ow_routes_n = n;
	return 0;
}

/* The handlers that answer more than JSON; every other read with a cache kind answers JSON. */
static const struct {
	ow_handler_fn handler;
	unsigned formats;
} FORMATS[] = {
	{ow_h_record_list, OW_FMTS_LIST},	{ow_h_changes, OW_FMTS_LIST},
	{ow_h_team_members, OW_FMTS_LIST},	{ow_h_team_alumni, OW_FMTS_LIST},
	{ow_h_people_duplicates, OW_FMTS_LIST}, {ow_h_export, OW_FMTS_LIST},
	{ow_h_record_get, OW_FMTS_TABLE},	{ow_h_stats_departures, OW_FMTS_TABLE},
	{ow_h_stats_flows, OW_FMTS_TABLE},	{ow_h_stats_layoffs, OW_FMTS_TABLE},
	{ow_h_stats_attrition, OW_FMTS_TABLE},	{ow_h_chart, OW_FMTS_CHART},
	{ow_h_org_chart, OW_FMTS_CHART},	{ow_h_stream, OW_FMT_JSON | OW_FMT_NDJSON},
};

unsigned ow_route_formats(const struct ow_route *route)
{
	if (!route || strcmp(route->method, "GET") != 0)
		return 0;
	for (size_t i = 0; i < sizeof FORMATS / sizeof FORMATS[0]; i++)
		if (FORMATS[i].handler == route->handler)
			return FORMATS[i].formats;
	return route->cache != OW_CACHE_NONE ? OW_FMT_JSON : 0;
}

/* routes.c — the route table: every endpoint, its least role and body kind. Literal
 * segments win over {params} (router.c), so order here is for readers only. */
#include "handlers.h"
#include "resource.h"

/* clang-format off */
#define RECORD_ROUTES(plural, res)                                                           \
	{"GET",    "/" plural,          ow_h_record_list,   OW_ROLE_PUBLIC, OW_BODY_NONE, &res}, \
	{"POST",   "/" plural,          ow_h_record_create, OW_ROLE_EDITOR, OW_BODY_JSON, &res}, \
	{"GET",    "/" plural "/{id}",  ow_h_record_get,    OW_ROLE_PUBLIC, OW_BODY_NONE, &res}, \
	{"PATCH",  "/" plural "/{id}",  ow_h_record_patch,  OW_ROLE_EDITOR, OW_BODY_JSON, &res}, \
	{"DELETE", "/" plural "/{id}",  ow_h_record_delete, OW_ROLE_EDITOR, OW_BODY_NONE, &res}
/* clang-format on */

const struct ow_route ow_routes[] = {
	{"GET", "/health", ow_h_health, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/ready", ow_h_ready, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/metrics", ow_h_metrics, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/openapi.yaml", ow_h_openapi, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/", ow_h_dashboard, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/assets/{file}", ow_h_asset, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	RECORD_ROUTES("organizations", ow_res_organizations),
	RECORD_ROUTES("teams", ow_res_teams),
	RECORD_ROUTES("people", ow_res_people),
	{"GET", "/people/duplicates", ow_h_people_duplicates, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"POST", "/people/{id}/merge", ow_h_people_merge, OW_ROLE_EDITOR, OW_BODY_JSON, NULL},
	{"GET", "/changes", ow_h_changes, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/people/{id}/timeline", ow_h_person_timeline, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/people/{id}/reports", ow_h_person_reports, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/people/{id}/managers", ow_h_person_managers, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/organizations/{id}/chart", ow_h_org_chart, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/organizations/{id}/changes", ow_h_org_changes, OW_ROLE_PUBLIC, OW_BODY_NONE,
	 NULL},
	{"GET", "/teams/{id}/members", ow_h_team_members, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/teams/{id}/alumni", ow_h_team_alumni, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"POST", "/import", ow_h_import, OW_ROLE_EDITOR, OW_BODY_STREAM, NULL},
	{"GET", "/export", ow_h_export, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/stats/departures", ow_h_stats_departures, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/stats/flows", ow_h_stats_flows, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/stats/attrition", ow_h_stats_attrition, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	RECORD_ROUTES("positions", ow_res_positions),
	RECORD_ROUTES("sources", ow_res_sources),
	RECORD_ROUTES("departures", ow_res_departures),
	RECORD_ROUTES("layoffs", ow_res_layoffs),
	RECORD_ROUTES("reporting-lines", ow_res_reporting_lines),
};

const size_t ow_routes_n = sizeof ow_routes / sizeof ow_routes[0];

/* routes.c — the route table: every endpoint, its least role and body kind. */
#include "handlers.h"

const struct ow_route ow_routes[] = {
	{"GET", "/health", ow_h_health, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/ready", ow_h_ready, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/metrics", ow_h_metrics, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
	{"GET", "/openapi.yaml", ow_h_openapi, OW_ROLE_PUBLIC, OW_BODY_NONE, NULL},
};

const size_t ow_routes_n = sizeof ow_routes / sizeof ow_routes[0];

/* h_chart.c — GET /organizations/{id}/chart: the head and the flat rows of ow_chart_flat in
 * one snapshot, written as a nested tree by tree_reply.c. */
#include <stdlib.h>

#include "handlers.h"
#include "list.h"
#include "req.h"
#include "tree_reply.h"

static const struct ow_filter chart_filters[] = {
	{"as_of", OW_F_DAY, NULL},
	{"root", OW_F_REF, ow_ref_person},
	{"depth", OW_F_DEPTH, NULL},
};

int ow_h_org_chart(struct ow_req *r)
{
	const char *params[4] = {r->params.values[0]};
	if (ow_list_parse(r, chart_filters, 3, params + 1, NULL) != 0)
		return 0;
	/* The chart's head resolves the organization itself (a 404 by construction); with a root,
	 * both are resolved first, the organization's 404 before the root's 400. */
	if (params[2] && ow_query_verify_refs(r, chart_filters, 3, params + 1, "organization") != 0)
		return 0;
	return ow_reply_tree_read(r, OW_Q_CHART_HEAD, OW_Q_CHART_FLAT, params,
				  params[3] ? atoi(params[3]) : -1, -1);
}

/* rtypes.c — the registry of record types (see rtypes.h): one entry a type, in import and
 * export order. Adding a record type starts here (docs/ARCHITECTURE.md, "Adding a record
 * type"). */
#include "rtypes.h"

#include <stdio.h>
#include <string.h>

const struct ow_rtype ow_rtypes[] = {
	{.name = "source",
	 .plural = "sources",
	 .path = "sources",
	 .res = &ow_res_sources,
	 .columns = {"url", "title", "publisher", "author", "published_on", NULL},
	 .table = "sources",
	 .own_key = 1},
	{.name = "organization",
	 .plural = "organizations",
	 .path = "organizations",
	 .res = &ow_res_organizations,
	 .columns = {"slug", "name", "kind", "website", "founded_on", "parent", "description",
		     "industry", "headquarters", "country", "stage", NULL},
	 .table = "organizations",
	 .refs = {"organization:parent", NULL},
	 .own_key = 1,
	 .input = 1},
	{.name = "team",
	 .plural = "teams",
	 .path = "teams",
	 .res = &ow_res_teams,
	 .columns = {"org", "slug", "parent", "name", "description", "formed_on", "dissolved_on",
		     "reported_headcount", NULL},
	 .table = "teams",
	 .refs = {"organization:org", "team:parent", NULL},
	 .own_key = 1},
	{.name = "person",
	 .plural = "people",
	 .path = "people",
	 .aliases = {"persons", NULL},
	 .res = &ow_res_people,
	 .columns = {"slug", "full_name", "aliases", "bio", "links", "tags", NULL},
	 .table = "people",
	 .import_set = 1,
	 .own_key = 1},
	{.name = "layoff",
	 .plural = "layoffs",
	 .path = "layoffs",
	 .res = &ow_res_layoffs,
	 .columns = {"id", "org", "team", "announced_on", "effective_on", "location", "count",
		     "percentage", "description", "sources", NULL},
	 .import_id = 1,
	 .table = "layoffs",
	 .sources_table = "layoff_sources",
	 .refs = {"organization:org", "team:team", "sources:", NULL},
	 .input = 1},
	{.name = "departure",
	 .plural = "departures",
	 .path = "departures",
	 .res = &ow_res_departures,
	 .columns = {"person", "org", "team", "title", "departed_on", "announced_on", "kind",
		     "reason_category", "reason", "destination_org", "destination_title",
		     "destination_kind", "layoff", "returned_on", "sources", "notes", "status",
		     NULL},
	 .table = "departures",
	 .sources_table = "departure_sources",
	 .refs = {"person:person", "organization:org", "team:team", "organization:destination_org",
		  "layoff:layoff", "sources:", NULL},
	 .import_set = 1},
	{.name = "position",
	 .plural = "positions",
	 .path = "positions",
	 .res = &ow_res_positions,
	 .columns = {"person", "org", "team", "title", "started_on", "ended_on", "sources", NULL},
	 .table = "positions",
	 .sources_table = "position_sources",
	 .refs = {"person:person", "organization:org", "team:team", "sources:", NULL},
	 .import_set = 1},
	{.name = "reporting_line",
	 .plural = "reporting_lines",
	 .path = "reporting-lines",
	 .aliases = {"reporting-line", NULL},
	 .res = &ow_res_reporting_lines,
	 .columns = {"report", "manager", "valid_from", "valid_to", "sources", NULL},
	 .table = "reporting_lines",
	 .sources_table = "reporting_line_sources",
	 .refs = {"person:report", "person:manager", "sources:", NULL},
	 .import_set = 1},
};
const size_t ow_nrtypes = sizeof ow_rtypes / sizeof ow_rtypes[0];
const char *ow_rtype_entity_names[OW_RTYPE_MAX + 1];

void ow_rtypes_init(void)
{
	for (size_t i = 0; i < ow_nrtypes && i < OW_RTYPE_MAX; i++)
		ow_rtype_entity_names[i] = ow_rtypes[i].name;
}

const struct ow_rtype *ow_rtype_find(const char *s)
{
	for (size_t i = 0; s && i < ow_nrtypes; i++) {
		const struct ow_rtype *t = &ow_rtypes[i];
		if (!strcmp(s, t->name) || !strcmp(s, t->plural) || !strcmp(s, t->path))
			return t;
		for (size_t k = 0; k < 3 && t->aliases[k]; k++)
			if (!strcmp(s, t->aliases[k]))
				return t;
	}
	return NULL;
}

const char *ow_rtype_names(char *out, size_t n, int singular)
{
	size_t used = 0;
	if (n)
		out[0] = '\0';
	for (size_t i = 0; i < ow_nrtypes && used < n; i++) {
		int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "",
				 singular ? ow_rtypes[i].name : ow_rtypes[i].plural);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return out;
}

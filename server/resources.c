/* resources.c — descriptors of organizations, teams, people, positions and sources:
 * their writable fields (validated before any SQL runs), list filters and CSV columns. */
#include "resource.h"

#include <string.h>


static const char *const org_kinds[] = {"company", "startup", "lab", "university", "government",
					"nonprofit", "other", NULL};
static const char *const bools[] = {"true", "false", NULL};

#define NULLABLE OW_JF_NULLABLE
#define REQUIRED OW_JF_REQUIRED
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct ow_jfield org_fields[] = {
	{.name = "slug", .type = OW_J_SLUG},
	{.name = "name", .type = OW_J_STRING, .flags = REQUIRED},
	{.name = "kind", .type = OW_J_ENUM, .values = org_kinds},
	{.name = "website", .type = OW_J_URL, .flags = NULLABLE},
	{.name = "founded_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "parent_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "parent"},
	{.name = "description", .type = OW_J_TEXT, .flags = NULLABLE},
};
static const struct ow_filter org_filters[] = {
	{"q", OW_F_TEXT, NULL},
	{"kind", OW_F_ENUM, org_kinds},
	{"parent", OW_F_REF, NULL},
	{"updated_since", OW_F_TIMESTAMP, NULL},
};
static const char *const org_csv[] = {"id", "slug", "name", "kind", "website", "founded_on",
				      "parent_id", "description", "created_at", "updated_at", NULL};
const struct ow_resource ow_res_organizations = {
	"organizations", "organization", org_fields, N(org_fields), org_filters, N(org_filters),
	OW_Q_ORGANIZATIONS_LIST, 0, OW_Q_ORGANIZATIONS_GET, OW_Q_ORGANIZATIONS_WRITE, org_csv,
};

static const struct ow_jfield team_fields[] = {
	{.name = "slug", .type = OW_J_SLUG},
	{.name = "org_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "org"},
	{.name = "parent_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "parent"},
	{.name = "name", .type = OW_J_STRING, .flags = REQUIRED},
	{.name = "description", .type = OW_J_TEXT, .flags = NULLABLE},
	{.name = "formed_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "dissolved_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "reported_headcount", .type = OW_J_INT, .flags = NULLABLE, .min = 0, .maxv = 10000000},
};
static const struct ow_filter team_filters[] = {
	{"q", OW_F_TEXT, NULL},
	{"org", OW_F_REF, NULL},
	{"parent", OW_F_REF, NULL},
	{"updated_since", OW_F_TIMESTAMP, NULL},
};
static const char *const team_csv[] = {"id", "slug", "org_id", "org", "parent_id", "name",
				       "description", "formed_on", "dissolved_on",
				       "reported_headcount", "created_at", "updated_at", NULL};
const struct ow_resource ow_res_teams = {
	"teams", "team", team_fields, N(team_fields), team_filters, N(team_filters),
	OW_Q_TEAMS_LIST, 0, OW_Q_TEAMS_GET, OW_Q_TEAMS_WRITE, team_csv,
};

static const struct ow_jfield person_fields[] = {
	{.name = "slug", .type = OW_J_SLUG},
	{.name = "full_name", .type = OW_J_STRING, .flags = REQUIRED},
	{.name = "aliases", .type = OW_J_STRING_LIST},
	{.name = "bio", .type = OW_J_TEXT, .flags = NULLABLE},
	{.name = "links", .type = OW_J_STRING_MAP},
	{.name = "tags", .type = OW_J_STRING_LIST},
};
static const struct ow_filter person_filters[] = {
	{"q", OW_F_TEXT, NULL},
	{"org", OW_F_REF, NULL},
	{"team", OW_F_REF, NULL},
	{"tag", OW_F_TEXT, NULL},
	{"updated_since", OW_F_TIMESTAMP, NULL},
};
static const char *const person_csv[] = {"id", "slug", "full_name", "aliases", "bio", "links",
					 "tags", "current_positions", "created_at", "updated_at", NULL};
const struct ow_resource ow_res_people = {
	"people", "person", person_fields, N(person_fields), person_filters, N(person_filters),
	OW_Q_PEOPLE_LIST, OW_Q_PEOPLE_SEARCH, OW_Q_PEOPLE_GET, OW_Q_PEOPLE_WRITE, person_csv,
};

static const struct ow_jfield position_fields[] = {
	{.name = "person_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "person"},
	{.name = "org_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "org"},
	{.name = "team_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "team"},
	{.name = "title", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "started_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "ended_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "source_ids", .type = OW_J_UUID_LIST, .alias = "sources"},
};
static const struct ow_filter position_filters[] = {
	{"person", OW_F_REF, NULL},
	{"org", OW_F_REF, NULL},
	{"team", OW_F_REF, NULL},
	{"current", OW_F_BOOL, bools},
	{"updated_since", OW_F_TIMESTAMP, NULL},
};
static const char *const position_csv[] = {"id", "person_id", "person", "org_id", "org",
					   "team_id", "team", "title", "started_on", "ended_on",
					   "source_ids", "created_at", "updated_at", NULL};
const struct ow_resource ow_res_positions = {
	"positions", "position", position_fields, N(position_fields), position_filters,
	N(position_filters), OW_Q_POSITIONS_LIST, 0, OW_Q_POSITIONS_GET, OW_Q_POSITIONS_WRITE,
	position_csv,
};

static const struct ow_jfield source_fields[] = {
	{.name = "url", .type = OW_J_URL, .flags = REQUIRED},
	{.name = "title", .type = OW_J_STRING, .flags = NULLABLE, .max = 1000},
	{.name = "publisher", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "author", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "published_on", .type = OW_J_PDATE, .flags = NULLABLE},
};
static const struct ow_filter source_filters[] = {
	{"q", OW_F_TEXT, NULL},
	{"publisher", OW_F_TEXT, NULL},
	{"updated_since", OW_F_TIMESTAMP, NULL},
};
static const char *const source_csv[] = {"id", "url", "title", "publisher", "author",
					 "published_on", "created_at", "updated_at", NULL};
const struct ow_resource ow_res_sources = {
	"sources", "source", source_fields, N(source_fields), source_filters, N(source_filters),
	OW_Q_SOURCES_LIST, 0, OW_Q_SOURCES_GET, OW_Q_SOURCES_WRITE, source_csv,
};


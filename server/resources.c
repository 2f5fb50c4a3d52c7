/* resources.c — descriptors of organizations, teams, people, positions and sources:
 * their writable fields (validated before any SQL runs), list filters and CSV columns. */
#include "resource.h"

#include <string.h>

static const char *const org_kinds[] = {"company",    "startup",   "lab",   "university",
					"government", "nonprofit", "other", NULL};
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
	/* Normalised by the SQL (ow_organization_input): trimmed; country to its code (a name is
	 * accepted); stage from a tracker's spelling. */
	{.name = "industry", .type = OW_J_STRING, .flags = NULLABLE, .max = 200},
	{.name = "headquarters", .type = OW_J_STRING, .flags = NULLABLE, .max = 200},
	{.name = "country", .type = OW_J_STRING, .flags = NULLABLE, .max = 100},
	{.name = "stage", .type = OW_J_STRING, .flags = NULLABLE, .max = 40},
};
static const struct ow_filter org_filters[] = {
	OW_FILTER_Q,
	{"kind", OW_F_ENUM, org_kinds},
	{"parent", OW_F_REF, ow_ref_organization},
	OW_FILTER_UPDATED_SINCE,
	OW_ORG_ATTRIBUTE_FILTERS,
};
static const char *const org_csv[] = {"id",	    "slug",	    "name",	 "kind",
				      "website",    "founded_on",   "parent_id", "description",
				      "industry",   "headquarters", "country",	 "stage",
				      "created_at", "updated_at",   NULL};
const struct ow_resource ow_res_organizations = {
	.plural = "organizations",
	.entity = "organization",
	.fields = org_fields,
	.nfields = N(org_fields),
	.filters = org_filters,
	.nfilters = N(org_filters),
	.q_list = OW_Q_ORGANIZATIONS_LIST,
	.q_get = OW_Q_ORGANIZATIONS_GET,
	.q_get_id = OW_Q_ORGANIZATIONS_GET_ID,
	.q_write = OW_Q_ORGANIZATIONS_WRITE,
	.csv_columns = org_csv,
};

static const struct ow_jfield team_fields[] = {
	{.name = "slug", .type = OW_J_SLUG},
	{.name = "org_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "org"},
	{.name = "parent_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "parent"},
	{.name = "name", .type = OW_J_STRING, .flags = REQUIRED},
	{.name = "description", .type = OW_J_TEXT, .flags = NULLABLE},
	{.name = "formed_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "dissolved_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "reported_headcount",
	 .type = OW_J_INT,
	 .flags = NULLABLE,
	 .min = 0,
	 .maxv = 10000000},
};
static const struct ow_filter team_filters[] = {
	OW_FILTER_Q,
	OW_FILTER_ORG,
	{"parent", OW_F_REF, ow_ref_team},
	OW_FILTER_UPDATED_SINCE,
};
static const char *const team_csv[] = {
	"id",	      "slug",	     "org_id",	  "org",	  "parent_id",
	"name",	      "description", "formed_on", "dissolved_on", "reported_headcount",
	"created_at", "updated_at",  NULL};
const struct ow_resource ow_res_teams = {
	.plural = "teams",
	.entity = "team",
	.fields = team_fields,
	.nfields = N(team_fields),
	.filters = team_filters,
	.nfilters = N(team_filters),
	.q_list = OW_Q_TEAMS_LIST,
	.q_get = OW_Q_TEAMS_GET,
	.q_get_id = OW_Q_TEAMS_GET_ID,
	.q_write = OW_Q_TEAMS_WRITE,
	.csv_columns = team_csv,
};

static const struct ow_jfield person_fields[] = {
	{.name = "slug", .type = OW_J_SLUG},
	{.name = "full_name", .type = OW_J_STRING, .flags = REQUIRED},
	{.name = "aliases", .type = OW_J_STRING_LIST, .flags = NULLABLE},
	{.name = "bio", .type = OW_J_TEXT, .flags = NULLABLE},
	{.name = "links", .type = OW_J_STRING_MAP, .flags = NULLABLE},
	{.name = "tags", .type = OW_J_STRING_LIST, .flags = NULLABLE},
};
static const struct ow_filter person_filters[] = {
	OW_FILTER_Q,
	OW_FILTER_ORG,
	OW_FILTER_TEAM,
	{"tag", OW_F_TEXT, NULL},
	OW_FILTER_UPDATED_SINCE,
};
static const char *const person_csv[] = {
	"id",	      "slug",	    "full_name", "aliases",
	"bio",	      "links",	    "tags",	 "current_positions",
	"created_at", "updated_at", NULL};
const struct ow_resource ow_res_people = {
	.plural = "people",
	.entity = "person",
	.fields = person_fields,
	.nfields = N(person_fields),
	.filters = person_filters,
	.nfilters = N(person_filters),
	.q_list = OW_Q_PEOPLE_LIST,
	.q_search = OW_Q_PEOPLE_SEARCH,
	.q_get = OW_Q_PEOPLE_GET,
	.q_get_id = OW_Q_PEOPLE_GET_ID,
	.q_moved = OW_Q_PEOPLE_MOVED,
	.q_write = OW_Q_PEOPLE_WRITE,
	.csv_columns = person_csv,
};

static const struct ow_jfield position_fields[] = {
	{.name = "person_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "person"},
	{.name = "org_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "org"},
	{.name = "team_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "team"},
	{.name = "title", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "started_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "ended_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "source_ids", .type = OW_J_UUID_LIST, .flags = NULLABLE, .alias = "sources"},
};
static const struct ow_filter position_filters[] = {
	OW_FILTER_PERSON,	 OW_FILTER_ORG, OW_FILTER_TEAM, {"current", OW_F_BOOL, bools},
	OW_FILTER_UPDATED_SINCE,
};
static const char *const position_csv[] = {
	"id",	 "person_id",  "person",   "org_id",	 "org",	       "team_id",    "team",
	"title", "started_on", "ended_on", "source_ids", "created_at", "updated_at", NULL};
const struct ow_resource ow_res_positions = {
	.plural = "positions",
	.entity = "position",
	.fields = position_fields,
	.nfields = N(position_fields),
	.filters = position_filters,
	.nfilters = N(position_filters),
	.q_list = OW_Q_POSITIONS_LIST,
	.q_get = OW_Q_POSITIONS_GET,
	.q_write = OW_Q_POSITIONS_WRITE,
	.csv_columns = position_csv,
};

static const struct ow_jfield source_fields[] = {
	{.name = "url", .type = OW_J_URL, .flags = REQUIRED},
	{.name = "title", .type = OW_J_STRING, .flags = NULLABLE, .max = 1000},
	{.name = "publisher", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "author", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "published_on", .type = OW_J_PDATE, .flags = NULLABLE},
};
static const struct ow_filter source_filters[] = {
	OW_FILTER_Q,
	{"publisher", OW_F_TEXT, NULL},
	OW_FILTER_UPDATED_SINCE,
};
static const char *const source_csv[] = {"id",	       "url",	     "title",
					 "publisher",  "author",     "published_on",
					 "created_at", "updated_at", NULL};
const struct ow_resource ow_res_sources = {
	.plural = "sources",
	.entity = "source",
	.fields = source_fields,
	.nfields = N(source_fields),
	.filters = source_filters,
	.nfilters = N(source_filters),
	.q_list = OW_Q_SOURCES_LIST,
	.q_get = OW_Q_SOURCES_GET,
	.q_get_id = OW_Q_SOURCES_GET_ID,
	.q_write = OW_Q_SOURCES_WRITE,
	.csv_columns = source_csv,
};

const char *const ow_departure_kinds[] = {"resigned",	    "laid_off", "fired",   "retired",
					  "contract_ended", "deceased", "unknown", NULL};
const char *const ow_reason_categories[] = {"startup", "competitor",   "burnout",  "reorganization",
					    "layoff",  "compensation", "academia", "personal",
					    "other",   "unknown",      NULL};
const char *const ow_destination_kinds[] = {"founded", "joined",  "academia", "government",
					    "none",    "unknown", NULL};
const char *const ow_org_stages[] = {
	"seed",	    "series_a", "series_b", "series_c",	  "series_d", "series_e",
	"series_f", "series_g", "series_h", "series_i",	  "series_j", "private_equity",
	"post_ipo", "public",	"acquired", "subsidiary", "unknown",  NULL};
static const char *const statuses[] = {"reported", "confirmed", "disputed", "retracted", NULL};
/* ?status=: a comma-separated list of statuses, or "all". */
const char *const ow_status_filter_values[] = {"reported",  "confirmed", "disputed",
					       "retracted", "all",	 NULL};
static const char *const departure_sort_values[] = {"departed_on", "-departed_on", "announced_on",
						    "-announced_on", NULL};

static const struct ow_jfield departure_fields[] = {
	{.name = "person_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "person"},
	{.name = "org_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "org"},
	{.name = "team_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "team"},
	{.name = "title", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "departed_on", .type = OW_J_PDATE, .flags = REQUIRED},
	{.name = "announced_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "kind", .type = OW_J_ENUM, .values = ow_departure_kinds},
	{.name = "reason_category", .type = OW_J_ENUM, .values = ow_reason_categories},
	{.name = "reason", .type = OW_J_TEXT, .flags = NULLABLE},
	{.name = "destination_org_id",
	 .type = OW_J_UUID,
	 .flags = NULLABLE,
	 .alias = "destination_org"},
	{.name = "destination_title", .type = OW_J_STRING, .flags = NULLABLE},
	{.name = "destination_kind", .type = OW_J_ENUM, .values = ow_destination_kinds},
	{.name = "layoff_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "layoff"},
	{.name = "returned_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "source_ids", .type = OW_J_UUID_LIST, .flags = NULLABLE, .alias = "sources"},
	{.name = "notes", .type = OW_J_TEXT, .flags = NULLABLE},
	{.name = "status", .type = OW_J_ENUM, .values = statuses},
};
static const struct ow_filter departure_filters[] = {
	OW_DEPARTURE_FILTERS,
	{"sort", OW_F_ENUM, departure_sort_values}, /* picks the statement (ow_stmt skip) */
};
static const struct ow_sort departure_sorts[] = {
	{"departed_on", OW_Q_DEPARTURES_LIST},
	{"-departed_on", OW_Q_DEPARTURES_LIST_DESC},
	{"announced_on", OW_Q_DEPARTURES_LIST_ANNOUNCED},
	{"-announced_on", OW_Q_DEPARTURES_LIST_ANNOUNCED_DESC},
	{NULL, 0},
};
static const char *const departure_csv[] = {"id",
					    "person_id",
					    "person",
					    "org_id",
					    "org",
					    "team_id",
					    "team",
					    "title",
					    "departed_on",
					    "announced_on",
					    "kind",
					    "reason_category",
					    "reason",
					    "destination_org_id",
					    "destination_org",
					    "destination_title",
					    "destination_kind",
					    "layoff_id",
					    "layoff",
					    "returned_on",
					    "source_ids",
					    "sources",
					    "notes",
					    "status",
					    "created_at",
					    "updated_at",
					    NULL};
/* A departure of a list, written from the list statement's flat columns (departures_sorted,
 * sql/statements/departures.sql): the same document as ow_departure_json (08_departures.sql),
 * which single reads and writes send; tests/api/plans.test.mjs compares the two. */
#define STR(k, c)                                                                                  \
	{                                                                                          \
		OW_DOCF_STR, k, c                                                                  \
	}
#define RAW(k, c)                                                                                  \
	{                                                                                          \
		OW_DOCF_RAW, k, c                                                                  \
	}
#define OBJ(k, c)                                                                                  \
	{                                                                                          \
		OW_DOCF_OBJ, k, c                                                                  \
	}
#define TS(k, c)                                                                                   \
	{                                                                                          \
		OW_DOCF_TS, k, c                                                                   \
	}
#define ARR(k, c)                                                                                  \
	{                                                                                          \
		OW_DOCF_ARR, k, c                                                                  \
	}
#define ROWS(k, c)                                                                                 \
	{                                                                                          \
		OW_DOCF_ROWS, k, c                                                                 \
	}
#define END                                                                                        \
	{                                                                                          \
		OW_DOCF_END, NULL, 0                                                               \
	}
static const struct ow_docf departure_doc_fields[] = {
	STR("id", 0),
	STR("person_id", 3),
	OBJ("person", 4),
	STR("id", 4),
	STR("slug", 5),
	STR("full_name", 6),
	END,
	STR("org_id", 7),
	OBJ("org", 8),
	STR("id", 8),
	STR("slug", 9),
	STR("name", 10),
	END,
	STR("team_id", 11),
	OBJ("team", 12),
	STR("id", 12),
	STR("slug", 13),
	STR("name", 14),
	END,
	STR("title", 15),
	STR("departed_on", 16),
	STR("announced_on", 17),
	STR("kind", 18),
	STR("reason_category", 19),
	STR("reason", 20),
	STR("destination_org_id", 21),
	OBJ("destination_org", 22),
	STR("id", 22),
	STR("slug", 23),
	STR("name", 24),
	END,
	STR("destination_title", 25),
	STR("destination_kind", 26),
	STR("layoff_id", 27),
	OBJ("layoff", 28),
	STR("id", 28),
	STR("announced_on", 29),
	RAW("count", 30),
	END,
	STR("returned_on", 31),
	ARR("source_ids", 32),
	ROWS("sources", 32),
	ARR("id", 32),
	ARR("url", 33),
	ARR("publisher", 34),
	ARR("title", 35),
	END,
	STR("notes", 36),
	STR("status", 37),
	TS("created_at", 38),
	TS("updated_at", 39),
};
static const struct ow_docspec departure_doc = {departure_doc_fields, N(departure_doc_fields)};

const struct ow_resource ow_res_departures = {
	.plural = "departures",
	.entity = "departure",
	.fields = departure_fields,
	.nfields = N(departure_fields),
	.filters = departure_filters,
	.nfilters = N(departure_filters),
	.q_list = OW_Q_DEPARTURES_LIST,
	.q_get = OW_Q_DEPARTURES_GET,
	.q_write = OW_Q_DEPARTURES_WRITE,
	.csv_columns = departure_csv,
	.sorts = departure_sorts,
	.list_doc = &departure_doc,
};

static const char *const layoff_sort_values[] = {"-count", NULL};

static const struct ow_jfield layoff_fields[] = {
	{.name = "org_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "org"},
	{.name = "team_id", .type = OW_J_UUID, .flags = NULLABLE, .alias = "team"},
	{.name = "announced_on", .type = OW_J_PDATE, .flags = REQUIRED},
	{.name = "effective_on", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "location", .type = OW_J_STRING, .flags = NULLABLE, .max = 200},
	{.name = "count", .type = OW_J_INT, .flags = NULLABLE, .min = 0, .maxv = 10000000},
	{.name = "percentage", .type = OW_J_NUMBER, .flags = NULLABLE, .min = 0, .maxv = 100},
	{.name = "description", .type = OW_J_TEXT, .flags = NULLABLE},
	{.name = "source_ids", .type = OW_J_UUID_LIST, .flags = NULLABLE, .alias = "sources"},
};
static const struct ow_filter layoff_filters[] = {
	OW_FILTER_ORG,
	OW_FILTER_TEAM,
	OW_FILTER_PERIOD,
	OW_FILTER_UPDATED_SINCE,
	OW_ORG_ATTRIBUTE_FILTERS,
	{"sort", OW_F_ENUM, layoff_sort_values}, /* picks the statement (not passed to it) */
};
static const struct ow_sort layoff_sorts[] = {
	{"-count", OW_Q_LAYOFFS_LIST_COUNT_DESC},
	{NULL, 0},
};
static const char *const layoff_csv[] = {
	"id",	   "org_id",	       "org",	       "team_id",
	"team",	   "announced_on",     "effective_on", "location",
	"count",   "percentage",       "description",  "source_ids",
	"sources", "named_departures", "created_at",   "updated_at",
	NULL};
const struct ow_resource ow_res_layoffs = {
	.plural = "layoffs",
	.entity = "layoff",
	.fields = layoff_fields,
	.nfields = N(layoff_fields),
	.filters = layoff_filters,
	.nfilters = N(layoff_filters),
	.q_list = OW_Q_LAYOFFS_LIST,
	.q_get = OW_Q_LAYOFFS_GET,
	.q_write = OW_Q_LAYOFFS_WRITE,
	.csv_columns = layoff_csv,
	.sorts = layoff_sorts,
};

static const struct ow_jfield line_fields[] = {
	{.name = "report_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "report"},
	{.name = "manager_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "manager"},
	{.name = "valid_from", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "valid_to", .type = OW_J_PDATE, .flags = NULLABLE},
	{.name = "source_ids", .type = OW_J_UUID_LIST, .flags = NULLABLE, .alias = "sources"},
};
static const struct ow_filter line_filters[] = {
	{"report", OW_F_REF, ow_ref_person},
	{"manager", OW_F_REF, ow_ref_person},
	OW_FILTER_AS_OF,
	OW_FILTER_UPDATED_SINCE,
};
static const char *const line_csv[] = {"id",	  "report_id",	"report",     "manager_id",
				       "manager", "valid_from", "valid_to",   "source_ids",
				       "sources", "created_at", "updated_at", NULL};
const struct ow_resource ow_res_reporting_lines = {
	.plural = "reporting-lines",
	.entity = "reporting_line",
	.fields = line_fields,
	.nfields = N(line_fields),
	.filters = line_filters,
	.nfilters = N(line_filters),
	.q_list = OW_Q_REPORTING_LINES_LIST,
	.q_get = OW_Q_REPORTING_LINES_GET,
	.q_write = OW_Q_REPORTING_LINES_WRITE,
	.csv_columns = line_csv,
};

/* resource.h — descriptors of the record resources: writable fields, list filters,
 * statements and CSV columns. One generic set of handlers (h_records.c) serves them. */
#ifndef OW_RESOURCE_H
#define OW_RESOURCE_H
#include <stddef.h>

#include "docrow.h"
#include "jspec.h"
#include "list.h"
#include "stmts.h"

/* A list order chosen with ?sort=: its value and the statement that lists in it. */
struct ow_sort {
	const char *value;
	enum ow_stmt_id stmt;
};

struct ow_resource {
	const char *plural; /* path segment: "people" */
	const char *entity; /* "person": audit log entity, import type */
	const struct ow_jfield *fields;
	size_t nfields;
	/* List filters, in the order of the list statements' first parameters; the
	 * statements then take the cursor's two parts and the limit. */
	const struct ow_filter *filters;
	size_t nfilters;
	enum ow_stmt_id q_list;	  /* keyset on (created_at, id) */
	enum ow_stmt_id q_search; /* ranked by similarity when filter 0 ("q") is given; 0 = none */
	enum ow_stmt_id q_get;	  /* (key) → doc, etag, moved_to */
	/* (id) → the same, for a key shaped like a UUID, when q_get takes slugs only (so
	 * each has one plan that goes straight to its index); 0 = q_get takes both */
	enum ow_stmt_id q_get_id;
	/* (key) → NULL, NULL, moved_to: asked only when q_get found nothing (merged people);
	 * 0 = none */
	enum ow_stmt_id q_moved;
	enum ow_stmt_id q_write;	/* (actor, key|NULL, doc, if_match) → doc, etag, id */
	const char *const *csv_columns; /* NULL-terminated document keys */
	const struct ow_sort *sorts;	/* NULL-terminated by value; the "sort" filter picks one */
	/* How the server writes a list's documents from the statements' flat columns; NULL:
	 * the statements return each document whole, in column 0. */
	const struct ow_docspec *list_doc;
};

/* Enum values shared by departures and the statistics endpoints. */
extern const char *const ow_departure_kinds[], *const ow_reason_categories[],
						       *const ow_destination_kinds[],
							       *const ow_status_filter_values[];

/* The stages an organization may be at (organizations.stage). */
extern const char *const ow_org_stages[];

/* Filters on the organization a record belongs to (/organizations, /layoffs, /departures,
 * the statistics), in this order: industry (case-insensitive), country (ISO 3166-1 alpha-2
 * code), stage. */
/* clang-format off */
#define OW_ORG_ATTRIBUTE_FILTERS \
	{"industry", OW_F_TEXT, NULL}, \
	{"country", OW_F_COUNTRY, NULL}, \
	{"stage", OW_F_ENUM, ow_org_stages}
/* clang-format on */

/* The /departures filters, in the order ow_departures_filtered (sql/functions/
 * 08_departures.sql) takes them: the one list the departure lists and the statistics share. */
/* clang-format off */
#define OW_DEPARTURE_FILTERS                                   \
	OW_FILTER_PERSON,                                      \
	OW_FILTER_ORG,                                         \
	OW_FILTER_TEAM,                                        \
	{"destination_org", OW_F_REF, ow_ref_organization},    \
	{"kind", OW_F_ENUM, ow_departure_kinds},               \
	{"reason_category", OW_F_ENUM, ow_reason_categories},  \
	{"destination_kind", OW_F_ENUM, ow_destination_kinds}, \
	OW_FILTER_PERIOD,                                      \
	{"layoff", OW_F_REF, ow_ref_layoff},                   \
	OW_FILTER_UPDATED_SINCE,                               \
	{"status", OW_F_ENUM_LIST, ow_status_filter_values},   \
	OW_ORG_ATTRIBUTE_FILTERS
/* clang-format on */
#define OW_DEPARTURE_NFILTERS 15

/* The filters of the flows (/stats/flows, /charts/flows), as ow_stats_flows and
 * ow_chart_flows take them. */
/* clang-format off */
#define OW_FLOW_FILTERS \
	OW_FILTER_ORG, \
	OW_FILTER_PERIOD, \
	{"status", OW_F_ENUM_LIST, ow_status_filter_values}, \
	OW_ORG_ATTRIBUTE_FILTERS
/* clang-format on */

extern const struct ow_resource ow_res_organizations, ow_res_teams, ow_res_people, ow_res_positions,
	ow_res_sources, ow_res_departures, ow_res_layoffs, ow_res_reporting_lines;

#endif

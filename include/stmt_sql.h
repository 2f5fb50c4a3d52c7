/* stmt_sql.h — the SQL fragments the statement table (stmts.c) composes its statements from:
 * keyset pages, a record's document, the writes, the filters of people, departures and
 * layoffs, the departures' orders. SQL text only; included by stmts.c alone. */
#ifndef OW_STMT_SQL_H
#define OW_STMT_SQL_H

/* Keyset condition and order shared by the created-order lists ($c1 = created_at, $c2 = id). */
#define KEYSET(t, c1, c2, lim)                                                                     \
	" AND ($" #c1 "::timestamptz IS NULL OR (" t ".created_at, " t ".id) > ($" #c1             \
	"::timestamptz, $" #c2 "::uuid)) ORDER BY " t ".created_at, " t ".id LIMIT $" #lim "::int"

#define GET(fn) "SELECT r_doc, r_etag, r_moved FROM " fn "($1)"
/* A record by id, its document from a set-returning SQL function joined LATERAL (inlined:
 * what the document refers to is joined, not looked up by a call). */
#define ROW_GET(table, x, docrow)                                                                  \
	"SELECT d.doc::text, ow_etag(" x ".updated_at), NULL FROM " table " " x                    \
	", LATERAL " docrow " d WHERE " x ".id = ow_uuid_or_null($1)"
/* A list page chosen first (filters, keyset, limit), then each row's document from a
 * set-returning SQL function joined LATERAL (inlined). */
#define ROW_PAGE(table, x)                                                                         \
	"SELECT d.doc::text, pg.created_at::text, pg.id::text FROM (SELECT " x " AS r, " x         \
	".created_at, " x ".id FROM " table " " x " WHERE"
#define ROW_DOCS(docrow) ") pg, LATERAL " docrow " d ORDER BY pg.created_at, pg.id"
/* Every record write goes through ow_write(), which first names every unknown reference. */
#define WRITE(entity)                                                                              \
	"SELECT r_doc, r_etag, r_id FROM ow_write('" entity "', $1, $2, $3::jsonb, $4)"

#define PERSON_GET                                                                                 \
	"SELECT ow_person_json(p, cp.list)::text, ow_etag(p.updated_at), NULL"                     \
	" FROM people p, LATERAL ow_person_positions(p.id) cp WHERE "

/* People filters $2 org, $3 team (current members), $4 tag, $5 updated_since. Written as
 * IN (...) so that, with the argument given, the members are one hashed set that the scan in
 * list order probes. */
#define PEOPLE_FILTERS                                                                             \
	" AND ($2::text IS NULL OR p.id IN (SELECT po.person_id FROM positions po"                 \
	" WHERE po.ended_on IS NULL AND po.org_id = (SELECT ow_key_strict('organization', $2, "    \
	"'org'))))"                                                                                \
	" AND ($3::text IS NULL OR p.id IN (SELECT po.person_id FROM positions po"                 \
	" WHERE po.ended_on IS NULL AND po.team_id = (SELECT ow_key_strict('team', $3, 'team'))))" \
	" AND ($4::text IS NULL OR p.tags @> ARRAY[$4::text])"                                     \
	" AND ($5::timestamptz IS NULL OR p.updated_at >= $5::timestamptz)"

/* The record's organization (column col) has the industry, country and stage of the arguments
 * i, c, s (NULL: any): ow_orgs_with_attrs (03_organizations.sql), inlined; the whole test
 * folds away in the variants where the three are NULL. */
#define ORG_ATTRS(col, i, c, s)                                                                    \
	" (" i "::text IS NULL AND " c "::text IS NULL AND " s "::text IS NULL OR " col            \
	" IN (SELECT a.id FROM ow_orgs_with_attrs(" i ", " c ", " s ") a))"

/* Departures: filters $1..$15 (person, org, team, destination_org, kind, reason_category,
 * destination_kind, from, to, layoff, updated_since, status, and the organization's
 * industry, country, stage (ORG_ATTRS); the sort filter picks the
 * statement and is not passed: see SKIP_SORT), applied by ow_departures_filtered
 * (sql/functions/08_departures.sql), the one definition the statistics use too; plain SQL,
 * inlined into each statement by the planner. */
#define DEPARTURE_FILTERS                                                                          \
	" FROM ow_departures_filtered($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz,"  \
	" $12, ARRAY[$?1, $?2, $?3, $?4, $?5, $?6, $?7, $?8, $?9, $?10, $?11, $?12]) d"            \
	" WHERE" ORG_ATTRS("d.org_id", "$13", "$14", "$15")

/* Sorted by the start of the date's range, then its end (a "2016-01-01" departure before
 * "2016-01" before "2016"), then id. The cursor's first part is "start|end". The page is
 * chosen first (the filters, the keyset, the limit: its rows whole, so no second lookup by
 * id), then joined to what its rows refer to (no lookup per row) and returned as flat
 * columns, which the server writes as documents (departure_doc in resources.c; the same
 * document as ow_departure_json of sql/functions/08_departures.sql, which single reads and
 * writes use): columns 0 id, 1-2 the cursor's parts, then the fields in the document's
 * order; the sources as four arrays (ids, urls, publishers, titles) aggregated from one
 * stream sorted by url (so the four agree; an ORDER BY in each aggregate sorted four times)
 * and the times as UTC timestamps, which the server writes (docrow.c): made as JSON here, they
 * cost ~15 % of the statement (W2 of bench/reads.sh, pgbench). */
#define DEPARTURES_SORTED(lo, hi, cmp, dir)                                                        \
	"SELECT d.id, d.k_lo::text || '|' || d.k_hi::text, d.id, d.person_id, p.id, p.slug,"       \
	" p.full_name, d.org_id, o.id, o.slug, o.name, d.team_id, t.id, t.slug, t.name, d.title,"  \
	" d.departed_on, d.announced_on, d.kind, d.reason_category, d.reason,"                     \
	" d.destination_org_id, dst.id, dst.slug, dst.name, d.destination_title,"                  \
	" d.destination_kind, d.layoff_id, l.id, l.announced_on, l.count, d.returned_on,"          \
	" src.ids, src.urls, src.publishers, src.titles, d.notes, d.status,"                       \
	" d.created_at AT TIME ZONE 'UTC', d.updated_at AT TIME ZONE 'UTC'"                        \
	" FROM (SELECT d.*, " lo " AS k_lo, " hi " AS k_hi" DEPARTURE_FILTERS                      \
	" AND ($16::text IS NULL OR ((" lo "), (" hi "), d.id) " cmp                               \
	" (split_part($16, '|', 1)::date, split_part($16, '|', 2)::date, $17::uuid))"              \
	" ORDER BY (" lo ") " dir ", (" hi ") " dir ", d.id " dir " LIMIT $18::int) d"             \
	" JOIN people p ON p.id = d.person_id JOIN organizations o ON o.id = d.org_id"             \
	" LEFT JOIN teams t ON t.id = d.team_id"                                                   \
	" LEFT JOIN organizations dst ON dst.id = d.destination_org_id"                            \
	" LEFT JOIN layoffs l ON l.id = d.layoff_id"                                               \
	" LEFT JOIN LATERAL (SELECT array_agg(s.id) AS ids, array_agg(s.url) AS urls,"             \
	" array_agg(s.publisher) AS publishers, array_agg(s.title) AS titles"                      \
	" FROM (SELECT s.id, s.url, s.publisher, s.title FROM departure_sources x"                 \
	" JOIN sources s ON s.id = x.source_id WHERE x.departure_id = d.id ORDER BY s.url) s)"     \
	" src ON true"                                                                             \
	" ORDER BY d.k_lo " dir ", d.k_hi " dir ", d.id " dir

/* The C argument a statement does not take (bit i = argument i): the departures' sort
 * filter (it chose the statement); a cursor's second part where one part is enough. */
#define SKIP_SORT (1ULL << 15)
#define SKIP_ARG(i) (1ULL << (i))

/* Layoffs: filters $1..$8 (org, team, from, to, updated_since, the organization's industry,
 * country, stage); the sort filter (C argument 8) picks the statement and is not passed. */
#define LAYOFF_FILTERS                                                                             \
	" ($1::text IS NULL OR l.org_id = (SELECT ow_key_strict('organization', $1, 'org')))"      \
	" AND ($2::text IS NULL OR l.team_id = (SELECT ow_key_strict('team', $2, 'team')))"        \
	" AND ($3::text IS NULL AND $4::text IS NULL OR l.announced_range && daterange("           \
	" lower(ow_pdate_range($3::text)), upper(ow_pdate_range($4::text))))"                      \
	" AND ($5::timestamptz IS NULL OR l.updated_at >= $5::timestamptz)"                        \
	" AND" ORG_ATTRS("l.org_id", "$6", "$7", "$8")
#define SKIP_LAYOFF_SORT (1ULL << 8)

#define DEPARTED_LO "lower(d.departed_range)"
#define DEPARTED_HI "upper(d.departed_range)"
#define ANNOUNCED_LO "coalesce(lower(d.announced_range), 'infinity'::date)"
#define ANNOUNCED_HI "coalesce(upper(d.announced_range), 'infinity'::date)"

#endif

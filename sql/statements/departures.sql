-- departures.sql — departures and layoffs: the lists in each order, reads, writes.

-- The departure lists, sorted by {{lo}} then {{hi}} (the start and end of a date's range: a
-- "2016-01-01" departure before "2016-01" before "2016"), then id, each {{dir}} ({{cmp}} the
-- keyset's comparison); the cursor's first part is "lo|hi". Filters $1..$15 (person, org,
-- team, destination_org, kind, reason_category, destination_kind, from, to, layoff,
-- updated_since, status, then the organization's industry, country, stage through
-- ow_orgs_with_attrs, 03_organizations.sql: the test folds away where the three are NULL); the
-- sort filter picks the statement and is not passed (SKIP_SORT in stmts.c). ow_departures_filtered
-- (08_departures.sql) applies them: the one definition the statistics use too, plain SQL
-- inlined by the planner. The page is chosen first (filters, keyset, limit: its rows whole, so
-- no second lookup by id), then joined to what its rows refer to (no lookup per row) and
-- returned as flat columns, which the server writes as documents (departure_doc in
-- resources.c; the same document as ow_departure_json of 08_departures.sql, which single reads
-- and writes use): columns 0 id, 1-2 the cursor's parts, then the fields in the document's
-- order; the sources as four arrays (ids, urls, publishers, titles) aggregated from one stream
-- sorted by url (so the four agree; an ORDER BY in each aggregate sorted four times) and the
-- times as UTC timestamps, which the server writes (docrow.c): made as JSON here, they cost
-- ~15 % of the statement (W2 of bench/reads.sh, pgbench).
-- fragment: departures_sorted
SELECT d.id, d.k_lo::text || '|' || d.k_hi::text, d.id, d.person_id, p.id, p.slug,
 p.full_name, d.org_id, o.id, o.slug, o.name, d.team_id, t.id, t.slug, t.name, d.title,
 d.departed_on, d.announced_on, d.kind, d.reason_category, d.reason,
 d.destination_org_id, dst.id, dst.slug, dst.name, d.destination_title,
 d.destination_kind, d.layoff_id, l.id, l.announced_on, l.count, d.returned_on,
 src.ids, src.urls, src.publishers, src.titles, d.notes, d.status,
 d.created_at AT TIME ZONE 'UTC', d.updated_at AT TIME ZONE 'UTC'
FROM (SELECT d.*, {{lo}} AS k_lo, {{hi}} AS k_hi
 FROM ow_departures_filtered($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz,
 $12, ARRAY[$?1, $?2, $?3, $?4, $?5, $?6, $?7, $?8, $?9, $?10, $?11, $?12]) d
 WHERE ($13::text IS NULL AND $14::text IS NULL AND $15::text IS NULL
 OR d.org_id IN (SELECT a.id FROM ow_orgs_with_attrs($13, $14, $15) a))
 AND ($16::text IS NULL OR (({{lo}}), ({{hi}}), d.id) {{cmp}}
 (split_part($16, '|', 1)::date, split_part($16, '|', 2)::date, $17::uuid))
 ORDER BY ({{lo}}) {{dir}}, ({{hi}}) {{dir}}, d.id {{dir}} LIMIT $18::int) d
JOIN people p ON p.id = d.person_id JOIN organizations o ON o.id = d.org_id
LEFT JOIN teams t ON t.id = d.team_id
LEFT JOIN organizations dst ON dst.id = d.destination_org_id
LEFT JOIN layoffs l ON l.id = d.layoff_id
LEFT JOIN LATERAL (SELECT array_agg(s.id) AS ids, array_agg(s.url) AS urls,
 array_agg(s.publisher) AS publishers, array_agg(s.title) AS titles
 FROM (SELECT s.id, s.url, s.publisher, s.title FROM departure_sources x
 JOIN sources s ON s.id = x.source_id WHERE x.departure_id = d.id ORDER BY s.url) s)
 src ON true
ORDER BY d.k_lo {{dir}}, d.k_hi {{dir}}, d.id {{dir}}

-- ?sort=departed_on (the default) and ?sort=-departed_on.
-- name: departures_list
{{departures_sorted lo: lower(d.departed_range); hi: upper(d.departed_range); cmp: >; dir: ASC}}

-- name: departures_list_desc
{{departures_sorted lo: lower(d.departed_range); hi: upper(d.departed_range); cmp: <; dir: DESC}}

-- ?sort=announced_on and ?sort=-announced_on: departures never announced last.
-- name: departures_list_announced
{{departures_sorted lo: coalesce(lower(d.announced_range), 'infinity'::date);
 hi: coalesce(upper(d.announced_range), 'infinity'::date); cmp: >; dir: ASC}}

-- name: departures_list_announced_desc
{{departures_sorted lo: coalesce(lower(d.announced_range), 'infinity'::date);
 hi: coalesce(upper(d.announced_range), 'infinity'::date); cmp: <; dir: DESC}}

-- name: departures_get
SELECT ow_departure_doc(d)::text, ow_etag(d.updated_at), NULL
FROM departures d WHERE d.id = ow_uuid_or_null($1)

-- name: departures_write
SELECT r_doc, r_etag, r_id FROM ow_write('departure', $1, $2, $3::jsonb, $4)

-- The layoff filters $1..$8 (org, team, from, to, updated_since, then the organization's
-- industry, country, stage as for departures); the sort filter (C argument 8) picks the
-- statement and is not passed (SKIP_LAYOFF_SORT in stmts.c).
-- fragment: layoff_filters
($1::text IS NULL OR l.org_id = (SELECT ow_key_strict('organization', $1, 'org')))
AND ($2::text IS NULL OR l.team_id = (SELECT ow_key_strict('team', $2, 'team')))
AND ($3::text IS NULL AND $4::text IS NULL OR l.announced_range && daterange(
 lower(ow_pdate_range($3::text)), upper(ow_pdate_range($4::text))))
AND ($5::timestamptz IS NULL OR l.updated_at >= $5::timestamptz)
AND ($6::text IS NULL AND $7::text IS NULL AND $8::text IS NULL
 OR l.org_id IN (SELECT a.id FROM ow_orgs_with_attrs($6, $7, $8) a))

-- name: layoffs_list
SELECT d.doc::text, pg.created_at::text, pg.id::text
FROM (SELECT l AS r, l.created_at, l.id FROM layoffs l WHERE {{layoff_filters}}
 AND ($9::timestamptz IS NULL OR (l.created_at, l.id) > ($9::timestamptz, $10::uuid))
 ORDER BY l.created_at, l.id LIMIT $11::int) pg,
LATERAL ow_layoff_doc_row(pg.r, false) d ORDER BY pg.created_at, pg.id

-- ?sort=-count: the largest first, layoffs without a count last (as -1), then id.
-- name: layoffs_list_count_desc
SELECT d.doc::text, pg.k::text, pg.id::text
FROM (SELECT l AS r, coalesce(l.count, -1) AS k, l.id FROM layoffs l WHERE {{layoff_filters}}
 AND ($9::int IS NULL OR (coalesce(l.count, -1), l.id) < ($9::int, $10::uuid))
 ORDER BY coalesce(l.count, -1) DESC, l.id DESC LIMIT $11::int) pg,
LATERAL ow_layoff_doc_row(pg.r, false) d ORDER BY pg.k DESC, pg.id DESC

-- name: layoffs_get
SELECT d.doc::text, ow_etag(l.updated_at), NULL
FROM layoffs l, LATERAL ow_layoff_doc_row(l, true) d WHERE l.id = ow_uuid_or_null($1)

-- name: layoffs_write
SELECT r_doc, r_etag, r_id FROM ow_write('layoff', $1, $2, $3::jsonb, $4)

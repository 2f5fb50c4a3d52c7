-- records.sql — organizations, teams, positions, sources, reporting lines: lists, reads, writes.

-- The lists take their filters first (NULL: not filtering), then the cursor's two parts, then
-- the limit, and answer a page in created order (the keyset: created_at, then id).

-- name: organizations_list
SELECT ow_organization_doc(o)::text, o.created_at::text, o.id::text
FROM organizations o WHERE
 ($1::text IS NULL OR strpos(ow_fold(o.name), ow_fold($1)) > 0
 OR strpos(o.slug, lower($1)) > 0)
 AND ($2::text IS NULL OR o.kind = $2)
 AND ($3::text IS NULL OR o.parent_id = (SELECT ow_key_strict('organization', $3, 'parent')))
 AND ($4::timestamptz IS NULL OR o.updated_at >= $4::timestamptz)
 AND ($5::text IS NULL OR lower(o.industry) = lower(ow_trimmed($5)))
 AND ($6::text IS NULL OR o.country = upper($6))
 AND ($7::text IS NULL OR o.stage = $7)
 AND ($8::timestamptz IS NULL OR (o.created_at, o.id) > ($8::timestamptz, $9::uuid))
ORDER BY o.created_at, o.id LIMIT $10::int

-- name: teams_list
SELECT ow_team_json(t, o)::text, t.created_at::text, t.id::text FROM teams t
LEFT JOIN organizations o ON o.id = t.org_id WHERE
 ($1::text IS NULL OR strpos(ow_fold(t.name), ow_fold($1)) > 0
 OR strpos(t.slug, lower($1)) > 0)
 AND ($2::text IS NULL OR t.org_id = (SELECT ow_key_strict('organization', $2, 'org')))
 AND ($3::text IS NULL OR t.parent_id = (SELECT ow_key_strict('team', $3, 'parent')))
 AND ($4::timestamptz IS NULL OR t.updated_at >= $4::timestamptz)
 AND ($5::timestamptz IS NULL OR (t.created_at, t.id) > ($5::timestamptz, $6::uuid))
ORDER BY t.created_at, t.id LIMIT $7::int

-- name: sources_list
SELECT ow_source_doc(s)::text, s.created_at::text, s.id::text FROM sources s WHERE
 ($1::text IS NULL OR strpos(ow_fold(coalesce(s.title, '') || ' ' || s.url), ow_fold($1)) > 0)
 AND ($2::text IS NULL OR s.publisher = $2)
 AND ($3::timestamptz IS NULL OR s.updated_at >= $3::timestamptz)
 AND ($4::timestamptz IS NULL OR (s.created_at, s.id) > ($4::timestamptz, $5::uuid))
ORDER BY s.created_at, s.id LIMIT $6::int

-- Positions and reporting lines choose the page first (filters, keyset, limit), then take each
-- row's document from a set-returning SQL function joined LATERAL (inlined: what the document
-- refers to is joined, not looked up by a call).
-- name: positions_list
SELECT d.doc::text, pg.created_at::text, pg.id::text
FROM (SELECT x AS r, x.created_at, x.id FROM positions x WHERE
 ($1::text IS NULL OR x.person_id = (SELECT ow_key_strict('person', $1, 'person')))
 AND ($2::text IS NULL OR x.org_id = (SELECT ow_key_strict('organization', $2, 'org')))
 AND ($3::text IS NULL OR x.team_id = (SELECT ow_key_strict('team', $3, 'team')))
 AND ($4::boolean IS NULL OR (x.ended_on IS NULL) = $4::boolean)
 AND ($5::timestamptz IS NULL OR x.updated_at >= $5::timestamptz)
 AND ($6::timestamptz IS NULL OR (x.created_at, x.id) > ($6::timestamptz, $7::uuid))
 ORDER BY x.created_at, x.id LIMIT $8::int) pg,
LATERAL ow_position_doc_row(pg.r) d ORDER BY pg.created_at, pg.id

-- name: reporting_lines_list
SELECT d.doc::text, pg.created_at::text, pg.id::text
FROM (SELECT x AS r, x.created_at, x.id FROM reporting_lines x WHERE
 ($1::text IS NULL OR x.report_id = (SELECT ow_key_strict('person', $1, 'report')))
 AND ($2::text IS NULL OR x.manager_id = (SELECT ow_key_strict('person', $2, 'manager')))
 AND ($3::date IS NULL OR x.period @> $3::date)
 AND ($4::timestamptz IS NULL OR x.updated_at >= $4::timestamptz)
 AND ($5::timestamptz IS NULL OR (x.created_at, x.id) > ($5::timestamptz, $6::uuid))
 ORDER BY x.created_at, x.id LIMIT $7::int) pg,
LATERAL ow_reporting_line_doc_row(pg.r) d ORDER BY pg.created_at, pg.id

-- A record by its key: a slug (a source's url) or an id (h_records.c picks by the key's shape).
-- A team's key may be "org/team" or a slug unique across organizations: ow_teams_get (ow_key)
-- reads those; an id goes straight to the table. Positions and reporting lines are read by id
-- only, their documents from the lists' functions.

-- name: organizations_get
SELECT ow_organization_doc(o)::text, ow_etag(o.updated_at), NULL
FROM organizations o WHERE o.slug = $1

-- name: organizations_get_id
SELECT ow_organization_doc(o)::text, ow_etag(o.updated_at), NULL
FROM organizations o WHERE o.id = $1::uuid

-- name: teams_get
SELECT r_doc, r_etag, r_moved FROM ow_teams_get($1)

-- name: teams_get_id
SELECT ow_team_json(t, o)::text, ow_etag(t.updated_at), NULL FROM teams t
LEFT JOIN organizations o ON o.id = t.org_id WHERE t.id = $1::uuid

-- name: positions_get
SELECT d.doc::text, ow_etag(x.updated_at), NULL
FROM positions x, LATERAL ow_position_doc_row(x) d WHERE x.id = ow_uuid_or_null($1)

-- name: sources_get
SELECT ow_source_doc(s)::text, ow_etag(s.updated_at), NULL FROM sources s WHERE s.url = $1

-- name: sources_get_id
SELECT ow_source_doc(s)::text, ow_etag(s.updated_at), NULL FROM sources s WHERE s.id = $1::uuid

-- name: reporting_lines_get
SELECT d.doc::text, ow_etag(x.updated_at), NULL
FROM reporting_lines x, LATERAL ow_reporting_line_doc_row(x) d WHERE x.id = ow_uuid_or_null($1)

-- The writes: every record write goes through ow_write() (10_records.sql), which first names
-- every unknown reference; its arguments are the actor, the key (NULL: a new record), the
-- document and the If-Match value.

-- name: organizations_write
SELECT r_doc, r_etag, r_id FROM ow_write('organization', $1, $2, $3::jsonb, $4)

-- name: teams_write
SELECT r_doc, r_etag, r_id FROM ow_write('team', $1, $2, $3::jsonb, $4)

-- name: positions_write
SELECT r_doc, r_etag, r_id FROM ow_write('position', $1, $2, $3::jsonb, $4)

-- name: sources_write
SELECT r_doc, r_etag, r_id FROM ow_write('source', $1, $2, $3::jsonb, $4)

-- name: reporting_lines_write
SELECT r_doc, r_etag, r_id FROM ow_write('reporting_line', $1, $2, $3::jsonb, $4)

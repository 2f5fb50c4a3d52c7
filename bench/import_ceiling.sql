-- import_ceiling.sql — the schema's own ceiling for the import benchmark (issue 6, 13): the
-- departure rows of bench_copy, their references resolved beforehand (not timed), written by
-- the smallest hand-written statement that yields the same facts as the import: one
-- INSERT ... SELECT into departures (ids from the table's own default, as the import's) with
-- their audit rows and their source links, every index, foreign key and check of the real
-- tables in force, the audit rows written by the statement triggers as for every write
-- (ow_audit); then rolled back. run before the import, on the same empty table. Years
-- are moved back a century so that no row meets a departure already there. Prints
-- "ceiling-departures <ms>" (the one timed statement) and "ceiling-links <n>".
\ir ceiling/write_begin.sql
CREATE TEMP TABLE ceiling_stage ON COMMIT DROP AS
SELECT row_number() OVER () AS line, p.id AS person_id, o.id AS org_id, t.id AS team_id, b.title,
       ('19' || substr(b.departed_on, 3))::pdate AS departed_on, b.kind, b.reason_category,
       d.id AS destination_org_id, b.destination_kind, b.status, s.id AS source_id
FROM bench_copy b
JOIN people p ON p.slug = b.person
JOIN organizations o ON o.slug = b.org
LEFT JOIN (SELECT t.id, o2.slug || '/' || t.slug AS k FROM teams t JOIN organizations o2 ON o2.id = t.org_id) t
	ON t.k = b.team
LEFT JOIN organizations d ON d.slug = b.destination_org
LEFT JOIN sources s ON s.url = b.sources;
ANALYZE ceiling_stage;
SELECT clock_timestamp() AS t0 \gset
WITH ins AS (
	INSERT INTO departures (person_id, org_id, team_id, title, departed_on, kind, reason_category,
		destination_org_id, destination_kind, status)
	SELECT person_id, org_id, team_id, title, departed_on, kind, reason_category, destination_org_id,
		destination_kind, status
	FROM ceiling_stage ORDER BY line
	RETURNING *
)
INSERT INTO departure_sources (departure_id, source_id)
SELECT i.id, c.source_id FROM ins i
JOIN ceiling_stage c ON c.person_id = i.person_id AND c.org_id = i.org_id AND c.departed_on = i.departed_on
WHERE c.source_id IS NOT NULL;
SELECT 'ceiling-departures ' || round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000);
SELECT 'ceiling-links ' || count(*) FROM departure_sources;
ROLLBACK;

-- import_ceiling.sql — the schema's own ceiling for the import benchmark (issue 6): the
-- departure rows of bench_copy, their references resolved beforehand (not timed), written by
-- one INSERT ... SELECT into departures (with its audit rows, as the import writes them) and one
-- into departure_sources, with every index, foreign key and check of the real tables, then
-- rolled back. Years are moved back a century so that no row meets a departure the import
-- wrote. The two timed
-- statements print "ceiling-departures <ms>" and "ceiling-links <ms>".
\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;
SELECT ow_begin_write('bench-ceiling');
CREATE TEMP TABLE ceiling_stage ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, p.id AS person_id, o.id AS org_id, t.id AS team_id, b.title,
       ('19' || substr(b.departed_on, 3))::pdate AS departed_on, b.kind, b.reason_category,
       d.id AS destination_org_id, b.destination_kind, b.status, s.id AS source_id
FROM bench_copy b
JOIN people p ON p.slug = b.person
JOIN organizations o ON o.slug = b.org
LEFT JOIN (SELECT t.id, o2.slug || '/' || t.slug AS k FROM teams t JOIN organizations o2 ON o2.id = t.org_id) t
	ON t.k = b.team
LEFT JOIN organizations d ON d.slug = b.destination_org
LEFT JOIN sources s ON s.url = b.sources;
-- The audit rows written by the statement itself, as ow_import_new_departures does (0013).
SELECT set_config('orgwatch.audit_rows', 'off', true);
SELECT clock_timestamp() AS t0 \gset
WITH ins AS (
	INSERT INTO departures (id, person_id, org_id, team_id, title, departed_on, kind, reason_category,
		destination_org_id, destination_kind, status)
	SELECT id, person_id, org_id, team_id, title, departed_on, kind, reason_category, destination_org_id,
		destination_kind, status
	FROM ceiling_stage
	RETURNING *
)
INSERT INTO audit_log (actor, entity, entity_id, operation, after)
SELECT 'bench-ceiling', 'departure', i.id, 'create', to_jsonb(i) FROM ins i;
SELECT 'ceiling-departures ' || round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000);
SELECT clock_timestamp() AS t1 \gset
INSERT INTO departure_sources (departure_id, source_id)
SELECT id, source_id FROM ceiling_stage WHERE source_id IS NOT NULL;
SELECT 'ceiling-links ' || round(extract(epoch FROM clock_timestamp() - :'t1'::timestamptz) * 1000);
ROLLBACK;

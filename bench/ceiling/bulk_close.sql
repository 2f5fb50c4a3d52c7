-- bulk_close.sql — the ceiling of section bulk's last step (issue 13): 100,000 departures, each
-- closing the open position its person leaves and the open reporting lines the person is in,
-- written by the smallest hand-written statements that yield the same facts as the import —
-- the departures and their audit rows; the positions closed and their audit rows (before and
-- after); the reporting lines closed (as report or as manager, when the other person has a
-- position at the organization left) and their audit rows — with references resolved
-- beforehand (not timed), every index, foreign key and check in force, the audit rows written
-- by the statement triggers as for every write (ow_audit), the row triggers standing aside as
-- they do for the import's statements. Run on the database the import then
-- starts from, rolled back. Reads the resolved rows from standard input (CSV: person id, org id,
-- departed_on, kind). Prints "ceiling-close <ms>" (the three statements) and the rows of each.
\ir write_begin.sql
CREATE TEMP TABLE cc (person_id uuid, org_id uuid, departed_on text, kind text) ON COMMIT DROP;
\copy cc FROM pstdin WITH (FORMAT csv)
ANALYZE cc;
SELECT set_config('orgwatch.touched', 'on', true),
	set_config('orgwatch.lines_checked', 'on', true);
SELECT clock_timestamp() AS t0 \gset
INSERT INTO departures (person_id, org_id, departed_on, kind)
SELECT person_id, org_id, departed_on, kind FROM cc;
UPDATE positions p SET ended_on = c.departed_on, updated_at = clock_timestamp()
FROM cc c
WHERE p.person_id = c.person_id AND p.org_id = c.org_id AND p.ended_on IS NULL;
WITH c AS (
	SELECT DISTINCT ON (x.id) x.id, x.departed_on FROM (
		SELECT l.id, cc.departed_on FROM cc JOIN reporting_lines l ON l.report_id = cc.person_id AND l.valid_to IS NULL
		WHERE EXISTS (SELECT 1 FROM positions p WHERE p.org_id = cc.org_id AND p.person_id = l.manager_id)
		UNION ALL
		SELECT l.id, cc.departed_on FROM cc JOIN reporting_lines l ON l.manager_id = cc.person_id AND l.valid_to IS NULL
		WHERE EXISTS (SELECT 1 FROM positions p WHERE p.org_id = cc.org_id AND p.person_id = l.report_id)) x
	ORDER BY x.id
)
UPDATE reporting_lines l SET valid_to = c.departed_on, updated_at = clock_timestamp()
FROM c WHERE l.id = c.id;
SELECT 'ceiling-close ' || round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000);
SELECT 'ceiling-rows ' || count(*) FILTER (WHERE entity = 'departure') || ' ' || count(*) FILTER (WHERE entity = 'position')
	|| ' ' || count(*) FILTER (WHERE entity = 'reporting_line')
FROM audit_log WHERE actor = 'bench-ceiling';
ROLLBACK;

-- 13_import_sets.sql — the set-based writes of an import (issue 13): the new people,
-- positions, reporting lines and departures of a batch, each type in a few statements. Only
-- the orchestration is here (references by joins, which lines are new, results): every rule
-- is the one the single write calls (ow_position_broken, ow_reporting_line_broken,
-- ow_reporting_lines_conflicts, ow_departure_broken, ow_departures_close,
-- ow_person_slug_merged), here over the whole batch, and the audit rows are the statement
-- triggers' (ow_audit). ow_import_spool_apply (13_import.sql) runs them;
-- tests/api/write_paths.test.mjs checks that both paths give the same rows, audit rows and
-- errors.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- What a set-based write of type p_type left (ow_import_n: the lines matching a record already
-- there, or repeating an earlier line's natural key), record by record through ow_import_each.
CREATE OR REPLACE FUNCTION public.ow_import_rest(p_actor text, p_type text, p_lo integer, p_hi integer)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	INSERT INTO ow_import_later SELECT n.line FROM ow_import_n n WHERE n.existing IS NOT NULL OR n.nth > 1;
	PERFORM ow_import_each(p_actor, p_type, true, p_lo, p_hi);
	TRUNCATE ow_import_later;
END $function$;

-- People, set-based: the new slugs of the file (first line of each) inserted in one
-- statement; the rest record by record.
CREATE OR REPLACE FUNCTION public.ow_import_people(p_actor text, p_lo integer, p_hi integer)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	DROP TABLE IF EXISTS pg_temp.ow_import_n;
	CREATE TEMP TABLE ow_import_n ON COMMIT DROP AS
	SELECT s.line, s.doc, k.slug, x.id AS existing,
		row_number() OVER (PARTITION BY k.slug ORDER BY s.line) AS nth,
		EXISTS (SELECT 1 FROM people_redirects r WHERE r.old_slug = k.slug) AS merged
	FROM ow_import_spool s
	CROSS JOIN LATERAL (SELECT coalesce(s.doc ->> 'slug', ow_slugify(s.doc ->> 'full_name')) AS slug) k
	LEFT JOIN people x ON x.slug = k.slug
	WHERE s.type = 'person' AND s.line BETWEEN p_lo AND p_hi;
	ANALYZE pg_temp.ow_import_n (line, slug, existing, nth);
	INSERT INTO ow_import_result
	SELECT n.line, 'error', 'slug', 'conflict: ' || ow_person_slug_merged(n.slug)
	FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND n.merged;
	WITH ins AS (
		INSERT INTO people (slug, full_name, aliases, bio, links, tags)
		SELECT n.slug, v.full_name, coalesce(v.aliases, '{}'), v.bio, coalesce(v.links, '{}'),
			coalesce(v.tags, '{}')
		FROM ow_import_n n CROSS JOIN LATERAL jsonb_populate_record(NULL::people, n.doc) v
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.merged
		ORDER BY n.line
		RETURNING 1
	)
	INSERT INTO ow_import_result SELECT NULL, 'created', NULL, NULL FROM ins;
	PERFORM ow_import_rest(p_actor, 'person', p_lo, p_hi);
END $function$;

-- Positions, set-based: references by joins, the record rules in one statement, the new
-- natural keys (first line of each) inserted with their source links; the rules are
-- ow_position_broken's.
CREATE OR REPLACE FUNCTION public.ow_import_positions(p_actor text, p_lo integer, p_hi integer)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM ow_import_stage('position', p_lo, p_hi);
	DROP TABLE IF EXISTS pg_temp.ow_import_n;
	CREATE TEMP TABLE ow_import_n ON COMMIT DROP AS
	SELECT r.line, r.person_id, r.org_id, r.team_id, v.title, v.started_on, v.ended_on, x.id AS existing,
		row_number() OVER (PARTITION BY r.person_id, r.org_id, coalesce(v.started_on::text, '') ORDER BY r.line) AS nth,
		ow_position_broken(r.team_id, r.team_org, r.org_id, v.started_on, v.ended_on) AS bad
	FROM ow_import_r r CROSS JOIN LATERAL jsonb_populate_record(NULL::positions, r.d) v
	LEFT JOIN positions x ON x.person_id = r.person_id AND x.org_id = r.org_id
		AND coalesce(x.started_on::text, '') = coalesce(v.started_on::text, '')
	WHERE NOT EXISTS (SELECT 1 FROM ow_import_result e WHERE e.line = r.line);
	ANALYZE pg_temp.ow_import_n (line, person_id, org_id, started_on, existing, nth);
	INSERT INTO ow_import_result
	SELECT n.line, 'error', n.bad[1], n.bad[2]
	FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NOT NULL;
	WITH ins AS (
		INSERT INTO positions (person_id, org_id, team_id, title, started_on, ended_on)
		SELECT n.person_id, n.org_id, n.team_id, n.title, n.started_on, n.ended_on FROM ow_import_n n
		WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL
		ORDER BY n.line
		RETURNING 1
	)
	INSERT INTO ow_import_result SELECT NULL, 'created', NULL, NULL FROM ins;
	-- Their sources, found by the natural key of the rows just inserted (positions_natural_key).
	INSERT INTO position_sources (position_id, source_id)
	SELECT DISTINCT x.id, s.id FROM ow_import_src s
	JOIN ow_import_n n ON n.line = s.line AND n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL
	JOIN positions x ON x.person_id = n.person_id AND x.org_id = n.org_id
		AND coalesce(x.started_on::text, '') = coalesce(n.started_on::text, '');
	PERFORM ow_import_rest(p_actor, 'position', p_lo, p_hi);
END $function$;

-- Reporting lines, set-based: the rules of each line's values (ow_reporting_line_broken) and
-- the rules among lines (ow_reporting_lines_conflicts: one manager at a time, no cycle) over
-- the batch's new lines in file order, then the lines that keep them inserted with the row
-- trigger's check standing aside (orgwatch.lines_checked, this statement only; the exclusion
-- constraint still stands behind the first rule).
CREATE OR REPLACE FUNCTION public.ow_import_reporting_lines(p_actor text, p_lo integer, p_hi integer)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM ow_import_stage('reporting_line', p_lo, p_hi);
	-- Reporting-line writers take turns (as ow_reporting_lines_write does).
	PERFORM pg_advisory_xact_lock(7406118);
	DROP TABLE IF EXISTS pg_temp.ow_import_n;
	CREATE TEMP TABLE ow_import_n ON COMMIT DROP AS
	SELECT r.line, r.person_id AS report_id, r.manager_id, v.valid_from, v.valid_to, x.id AS existing,
		row_number() OVER (PARTITION BY r.person_id, coalesce(v.valid_from::text, '') ORDER BY r.line) AS nth,
		ow_reporting_line_broken(r.person_id, r.manager_id, v.valid_from, v.valid_to) AS bad,
		false AS failed
	FROM ow_import_r r CROSS JOIN LATERAL jsonb_populate_record(NULL::reporting_lines, r.d) v
	LEFT JOIN reporting_lines x ON x.report_id = r.person_id
		AND coalesce(x.valid_from::text, '') = coalesce(v.valid_from::text, '')
	WHERE NOT EXISTS (SELECT 1 FROM ow_import_result e WHERE e.line = r.line);
	ANALYZE pg_temp.ow_import_n (line, report_id, manager_id, valid_from, existing, nth);
	UPDATE ow_import_n n SET failed = true WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NOT NULL;
	INSERT INTO ow_import_result SELECT n.line, 'error', n.bad[1], n.bad[2] FROM ow_import_n n WHERE n.failed;
	WITH cand AS (
		SELECT array_agg(jsonb_populate_record(NULL::reporting_lines, jsonb_build_object('report_id', n.report_id,
			'manager_id', n.manager_id, 'valid_from', n.valid_from, 'valid_to', n.valid_to)) ORDER BY n.line) AS c,
			array_agg(n.line ORDER BY n.line) AS lines
		FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.failed
	), hit AS (
		SELECT cand.lines[f.k] AS line, f.message FROM cand, ow_reporting_lines_conflicts(cand.c, cand.lines) f
	), marked AS (
		UPDATE ow_import_n n SET failed = true FROM hit WHERE n.line = hit.line
	)
	INSERT INTO ow_import_result SELECT hit.line, 'error', NULL, 'conflict: ' || hit.message FROM hit;
	PERFORM set_config('orgwatch.lines_checked', 'on', true);
	WITH ins AS (
		INSERT INTO reporting_lines (report_id, manager_id, valid_from, valid_to)
		SELECT n.report_id, n.manager_id, n.valid_from, n.valid_to FROM ow_import_n n
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.failed
		ORDER BY n.line
		RETURNING 1
	)
	INSERT INTO ow_import_result SELECT NULL, 'created', NULL, NULL FROM ins;
	-- Their sources, found by the natural key of the rows just inserted (reporting_lines_natural_key).
	INSERT INTO reporting_line_sources (reporting_line_id, source_id)
	SELECT DISTINCT x.id, s.id FROM ow_import_src s
	JOIN ow_import_n n ON n.line = s.line AND n.existing IS NULL AND n.nth = 1 AND NOT n.failed
	JOIN reporting_lines x ON x.report_id = n.report_id
		AND coalesce(x.valid_from::text, '') = coalesce(n.valid_from::text, '');
	PERFORM set_config('orgwatch.lines_checked', 'off', true);
	PERFORM ow_import_rest(p_actor, 'reporting_line', p_lo, p_hi);
END $function$;

-- Departures, set-based: the rules of each one's values (ow_departure_broken), the new ones
-- inserted, then what they end (ow_departures_close, the single write's rule, over the batch
-- in line order), and their source links.
CREATE OR REPLACE FUNCTION public.ow_import_departures(p_actor text, p_lo integer, p_hi integer)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM ow_import_stage('departure', p_lo, p_hi);
	DROP TABLE IF EXISTS pg_temp.ow_import_n;
	CREATE TEMP TABLE ow_import_n ON COMMIT DROP AS
	SELECT r.line, r.person_id, r.org_id, r.team_id, r.dest_id, r.layoff_id, v, x.id AS existing,
		row_number() OVER (PARTITION BY r.person_id, r.org_id, v.departed_on ORDER BY r.line) AS nth,
		ow_departure_broken(r.team_id, r.team_org, r.org_id, v.departed_on, v.returned_on, r.layoff_id, r.layoff_org) AS bad
	FROM ow_import_r r CROSS JOIN LATERAL jsonb_populate_record(NULL::departures, r.d) v
	LEFT JOIN departures x ON x.person_id = r.person_id AND x.org_id = r.org_id AND x.departed_on = v.departed_on
	WHERE NOT EXISTS (SELECT 1 FROM ow_import_result e WHERE e.line = r.line);
	ANALYZE pg_temp.ow_import_n (line, person_id, org_id, existing, nth);
	INSERT INTO ow_import_result
	SELECT n.line, 'error', n.bad[1], n.bad[2]
	FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NOT NULL;
	WITH ins AS (
		INSERT INTO departures (person_id, org_id, team_id, title, departed_on, announced_on, kind,
			reason_category, reason, destination_org_id, destination_title, destination_kind, layoff_id,
			returned_on, notes, status)
		SELECT n.person_id, n.org_id, n.team_id, (n.v).title, (n.v).departed_on, (n.v).announced_on,
			coalesce((n.v).kind, 'unknown'), coalesce((n.v).reason_category, 'unknown'), (n.v).reason,
			n.dest_id, (n.v).destination_title, coalesce((n.v).destination_kind, 'unknown'),
			n.layoff_id, (n.v).returned_on, (n.v).notes, coalesce((n.v).status, 'reported')
		FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL
		ORDER BY n.line
		RETURNING 1
	)
	INSERT INTO ow_import_result SELECT NULL, 'created', NULL, NULL FROM ins;
	-- What they end, as a single write's departure ends it, in line order: the rows just
	-- inserted, found by their natural key (departures_natural_key).
	PERFORM ow_departures_close(array_agg(x ORDER BY n.line))
	FROM ow_import_n n
	JOIN departures x ON x.person_id = n.person_id AND x.org_id = n.org_id AND x.departed_on = (n.v).departed_on
	WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL;
	-- Their sources, found by the natural key of the rows just inserted
	-- (departures_natural_key).
	INSERT INTO departure_sources (departure_id, source_id)
	SELECT DISTINCT x.id, s.id FROM ow_import_src s
	JOIN ow_import_n n ON n.line = s.line AND n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL
	JOIN departures x ON x.person_id = n.person_id AND x.org_id = n.org_id AND x.departed_on = (n.v).departed_on;
	PERFORM ow_import_rest(p_actor, 'departure', p_lo, p_hi);
END $function$;

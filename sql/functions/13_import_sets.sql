-- 13_import_sets.sql — the set-based writes of an import (issue 13): the new people,
-- positions, reporting lines and departures of a batch, each type in a few statements
-- (references by joins, the record rules over the whole batch, audit rows and source links
-- written with the rows). ow_import_spool_apply (13_import.sql) runs them; the record-by-record
-- path and the API write the same rules through ow_write (tests/api/write_paths.test.mjs
-- checks that both give the same rows, audit rows and errors).
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- What a set-based write of type p_type left (ow_import_n: the lines matching a record already
-- there, or repeating an earlier line's natural key), record by record through ow_import_each,
-- with audit rows written by the row triggers again.
CREATE OR REPLACE FUNCTION public.ow_import_rest(p_actor text, p_type text, p_lo integer, p_hi integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
	PERFORM set_config('orgwatch.audit_rows', 'on', true);
	INSERT INTO ow_import_later SELECT n.line FROM ow_import_n n WHERE n.existing IS NOT NULL OR n.nth > 1;
	PERFORM ow_import_each(p_actor, p_type, true, p_lo, p_hi);
	TRUNCATE ow_import_later;
END $function$;

-- People, set-based: the new slugs of the file (first line of each) inserted in one
-- statement with their audit rows; the rest record by record.
CREATE OR REPLACE FUNCTION public.ow_import_people(p_actor text, p_lo integer, p_hi integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
	SELECT n.line, 'error', 'slug', format('conflict: the slug %L belonged to a merged person', n.slug)
	FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND n.merged;
	PERFORM set_config('orgwatch.audit_rows', 'off', true);
	WITH ins AS (
		INSERT INTO people (slug, full_name, aliases, bio, links, tags)
		SELECT n.slug, v.full_name, coalesce(v.aliases, '{}'), v.bio, coalesce(v.links, '{}'),
			coalesce(v.tags, '{}')
		FROM ow_import_n n CROSS JOIN LATERAL jsonb_populate_record(NULL::people, n.doc) v
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.merged
		ORDER BY n.line
		RETURNING *
	), audited AS (
		INSERT INTO audit_log (actor, entity, entity_id, operation, after)
		SELECT ow_import_actor(), 'person', i.id, 'create', to_jsonb(i) FROM ins i
	)
	INSERT INTO ow_import_result SELECT NULL, 'created', NULL, NULL FROM ins;
	PERFORM ow_import_rest(p_actor, 'person', p_lo, p_hi);
END $function$;

-- Positions, set-based: references by joins, the record rules in one statement, the new
-- natural keys (first line of each) inserted with their audit rows and source links.
CREATE OR REPLACE FUNCTION public.ow_import_positions(p_actor text, p_lo integer, p_hi integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
	PERFORM ow_import_stage('position', p_lo, p_hi);
	DROP TABLE IF EXISTS pg_temp.ow_import_n;
	CREATE TEMP TABLE ow_import_n ON COMMIT DROP AS
	SELECT r.line, r.person_id, r.org_id, r.team_id, v.title, v.started_on, v.ended_on, x.id AS existing,
		row_number() OVER (PARTITION BY r.person_id, r.org_id, coalesce(v.started_on::text, '') ORDER BY r.line) AS nth,
		CASE WHEN r.team_id IS NOT NULL AND r.team_org <> r.org_id THEN 'team_id'
		     WHEN v.ended_on IS NOT NULL AND v.started_on IS NOT NULL
		          AND ow_pdate_lower(v.ended_on) < ow_pdate_lower(v.started_on) THEN 'ended_on' END AS bad
	FROM ow_import_r r CROSS JOIN LATERAL jsonb_populate_record(NULL::positions, r.d) v
	LEFT JOIN positions x ON x.person_id = r.person_id AND x.org_id = r.org_id
		AND coalesce(x.started_on::text, '') = coalesce(v.started_on::text, '')
	WHERE NOT EXISTS (SELECT 1 FROM ow_import_result e WHERE e.line = r.line);
	ANALYZE pg_temp.ow_import_n (line, person_id, org_id, started_on, existing, nth);
	INSERT INTO ow_import_result
	SELECT n.line, 'error', n.bad, CASE n.bad WHEN 'team_id' THEN 'the team belongs to another organization'
		ELSE 'must not be before started_on' END
	FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NOT NULL;
	PERFORM set_config('orgwatch.audit_rows', 'off', true);
	WITH ins AS (
		INSERT INTO positions (person_id, org_id, team_id, title, started_on, ended_on)
		SELECT n.person_id, n.org_id, n.team_id, n.title, n.started_on, n.ended_on FROM ow_import_n n
		WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL
		ORDER BY n.line
		RETURNING *
	), audited AS (
		INSERT INTO audit_log (actor, entity, entity_id, operation, after)
		SELECT ow_import_actor(), 'position', i.id, 'create', to_jsonb(i) FROM ins i
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

-- Reporting lines, set-based. The rules of ow_reporting_lines_write, for the whole batch in
-- one statement each: one manager at a time (each new line against the table, and against
-- the earlier lines of the file), and no cycle (a recursive walk up the managers that starts
-- only from the batch's new lines, over the table's lines and the file's earlier ones). The
-- lines so checked are inserted with the row trigger's walk skipped (orgwatch.lines_checked,
-- this statement only); the exclusion constraint still stands behind the first rule.
CREATE OR REPLACE FUNCTION public.ow_import_lines(p_actor text, p_lo integer, p_hi integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
	PERFORM ow_import_stage('reporting_line', p_lo, p_hi);
	-- Reporting-line writers take turns (as ow_reporting_lines_write does).
	PERFORM pg_advisory_xact_lock(7406118);
	DROP TABLE IF EXISTS pg_temp.ow_import_n;
	CREATE TEMP TABLE ow_import_n ON COMMIT DROP AS
	SELECT r.line, r.person_id AS report_id, r.manager_id, v.valid_from, v.valid_to,
		ow_period(v.valid_from, v.valid_to) AS period, x.id AS existing,
		row_number() OVER (PARTITION BY r.person_id, coalesce(v.valid_from::text, '') ORDER BY r.line) AS nth,
		CASE WHEN r.person_id = r.manager_id THEN 'manager_id'
		     WHEN v.valid_to IS NOT NULL AND v.valid_from IS NOT NULL
		          AND ow_pdate_lower(v.valid_to) <= ow_pdate_lower(v.valid_from) THEN 'valid_to' END AS bad,
		false AS failed
	FROM ow_import_r r CROSS JOIN LATERAL jsonb_populate_record(NULL::reporting_lines, r.d) v
	LEFT JOIN reporting_lines x ON x.report_id = r.person_id
		AND coalesce(x.valid_from::text, '') = coalesce(v.valid_from::text, '')
	WHERE NOT EXISTS (SELECT 1 FROM ow_import_result e WHERE e.line = r.line);
	ANALYZE pg_temp.ow_import_n (line, report_id, manager_id, valid_from, existing, nth);
	UPDATE ow_import_n n SET failed = true WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NOT NULL;
	INSERT INTO ow_import_result
	SELECT n.line, 'error', n.bad, CASE n.bad WHEN 'manager_id' THEN 'a person cannot report to themself'
		ELSE 'must be after valid_from (a line ends on the first day of valid_to)' END
	FROM ow_import_n n WHERE n.failed;
	-- One manager at a time: against the table...
	WITH hit AS (
		SELECT DISTINCT ON (n.line) n.line, format('conflict: %s already reports to %s from %s to %s (reporting line %s): one manager at a time',
			rp.slug, mp.slug, coalesce(x.valid_from, 'the start'), coalesce(x.valid_to, 'now'), x.id) AS message
		FROM ow_import_n n
		JOIN reporting_lines x ON x.report_id = n.report_id AND x.period && n.period
		JOIN people rp ON rp.id = x.report_id JOIN people mp ON mp.id = x.manager_id
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.failed
		ORDER BY n.line, x.id
	), marked AS (
		UPDATE ow_import_n n SET failed = true FROM hit WHERE n.line = hit.line
	)
	INSERT INTO ow_import_result SELECT hit.line, 'error', NULL, hit.message FROM hit;
	-- ... and against the earlier lines of the file.
	WITH hit AS (
		SELECT DISTINCT ON (n.line) n.line, format('conflict: %s already reports to %s from %s to %s (line %s of this import): one manager at a time',
			rp.slug, mp.slug, coalesce(o.valid_from, 'the start'), coalesce(o.valid_to, 'now'), o.line) AS message
		FROM ow_import_n n
		JOIN ow_import_n o ON o.report_id = n.report_id AND o.period && n.period AND o.line < n.line
			AND o.existing IS NULL AND o.nth = 1 AND NOT o.failed
		JOIN people rp ON rp.id = o.report_id JOIN people mp ON mp.id = o.manager_id
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.failed
		ORDER BY n.line, o.line
	), marked AS (
		UPDATE ow_import_n n SET failed = true FROM hit WHERE n.line = hit.line
	)
	INSERT INTO ow_import_result SELECT hit.line, 'error', NULL, hit.message FROM hit;
	-- No cycle: from each new line (report → manager), up the managers at a common instant,
	-- over the table's lines and the lines of the file before it; a new line can close a
	-- cycle only when someone reports to its report, so the walk starts from those alone.
	WITH RECURSIVE edges AS MATERIALIZED (
		SELECT x.report_id, x.manager_id, x.period, NULL::int AS line FROM reporting_lines x
		UNION ALL
		SELECT n.report_id, n.manager_id, n.period, n.line FROM ow_import_n n
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.failed
	), up (line, target, person, span, path, depth) AS (
		SELECT n.line, n.report_id, n.manager_id, n.period, ARRAY[n.manager_id], 0
		FROM ow_import_n n
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.failed
		  AND EXISTS (SELECT 1 FROM edges e WHERE e.manager_id = n.report_id)
		UNION ALL
		SELECT up.line, up.target, e.manager_id, up.span * e.period, up.path || e.manager_id, up.depth + 1
		FROM up JOIN edges e ON e.report_id = up.person AND e.period && up.span
			AND (e.line IS NULL OR e.line < up.line)
		WHERE up.person <> up.target AND up.depth < 200 AND NOT e.manager_id = ANY (up.path[2:])
	), hit AS (
		SELECT DISTINCT ON (up.line) up.line, up.target, up.path FROM up
		WHERE up.person = up.target AND NOT isempty(up.span)
		ORDER BY up.line, up.depth
	), marked AS (
		UPDATE ow_import_n n SET failed = true FROM hit WHERE n.line = hit.line
	)
	INSERT INTO ow_import_result
	SELECT hit.line, 'error', NULL, 'conflict: this line would close a reporting cycle: '
		|| (SELECT string_agg(p.slug, ' → ' ORDER BY u.o) FROM unnest(hit.target || hit.path) WITH ORDINALITY AS u(pid, o)
		    JOIN people p ON p.id = u.pid)
	FROM hit;
	PERFORM set_config('orgwatch.audit_rows', 'off', true);
	PERFORM set_config('orgwatch.lines_checked', 'on', true);
	WITH ins AS (
		INSERT INTO reporting_lines (report_id, manager_id, valid_from, valid_to)
		SELECT n.report_id, n.manager_id, n.valid_from, n.valid_to FROM ow_import_n n
		WHERE n.existing IS NULL AND n.nth = 1 AND NOT n.failed
		ORDER BY n.line
		RETURNING *
	), audited AS (
		INSERT INTO audit_log (actor, entity, entity_id, operation, after)
		SELECT ow_import_actor(), 'reporting_line', i.id, 'create', to_jsonb(i) FROM ins i
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

-- Departures, set-based: the new ones inserted with their audit rows and source links,
-- then what they end (ow_departure_close) in two statements: each open position or
-- reporting line that some of them close is closed by the first of those in line order,
-- as one departure after another would (a later one finds it closed), with its audit row.
CREATE OR REPLACE FUNCTION public.ow_import_departures(p_actor text, p_lo integer, p_hi integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
	PERFORM ow_import_stage('departure', p_lo, p_hi);
	DROP TABLE IF EXISTS pg_temp.ow_import_n;
	CREATE TEMP TABLE ow_import_n ON COMMIT DROP AS
	SELECT r.line, r.person_id, r.org_id, r.team_id, r.dest_id, r.layoff_id, v, x.id AS existing,
		row_number() OVER (PARTITION BY r.person_id, r.org_id, v.departed_on ORDER BY r.line) AS nth,
		CASE WHEN r.team_id IS NOT NULL AND r.team_org <> r.org_id THEN 'team_id'
		     WHEN v.returned_on IS NOT NULL AND ow_pdate_lower(v.returned_on) < ow_pdate_lower(v.departed_on) THEN 'returned_on'
		     WHEN r.layoff_id IS NOT NULL AND r.layoff_org <> r.org_id THEN 'layoff_id' END AS bad
	FROM ow_import_r r CROSS JOIN LATERAL jsonb_populate_record(NULL::departures, r.d) v
	LEFT JOIN departures x ON x.person_id = r.person_id AND x.org_id = r.org_id AND x.departed_on = v.departed_on
	WHERE NOT EXISTS (SELECT 1 FROM ow_import_result e WHERE e.line = r.line);
	ANALYZE pg_temp.ow_import_n (line, person_id, org_id, existing, nth);
	INSERT INTO ow_import_result
	SELECT n.line, 'error', n.bad, CASE n.bad WHEN 'team_id' THEN 'the team belongs to another organization'
		WHEN 'returned_on' THEN 'must not be before departed_on' ELSE 'the layoff is at another organization' END
	FROM ow_import_n n WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NOT NULL;
	PERFORM set_config('orgwatch.audit_rows', 'off', true);
	DROP TABLE IF EXISTS pg_temp.ow_import_gone;
	CREATE TEMP TABLE ow_import_gone (line int, person_id uuid, org_id uuid, departed_on text, gone date) ON COMMIT DROP;
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
		RETURNING *
	), audited AS (
		INSERT INTO audit_log (actor, entity, entity_id, operation, after)
		SELECT ow_import_actor(), 'departure', i.id, 'create', to_jsonb(i) FROM ins i
	)
	INSERT INTO ow_import_result SELECT NULL, 'created', NULL, NULL FROM ins;
	-- Their sources, found by the natural key of the rows just inserted
	-- (departures_natural_key).
	INSERT INTO departure_sources (departure_id, source_id)
	SELECT DISTINCT x.id, s.id FROM ow_import_src s
	JOIN ow_import_n n ON n.line = s.line AND n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL
	JOIN departures x ON x.person_id = n.person_id AND x.org_id = n.org_id AND x.departed_on = (n.v).departed_on;
	-- The ones that end something: the rows just inserted that are not retracted, as the
	-- INSERT above wrote them (no trigger on departures changes a value it inserts).
	INSERT INTO ow_import_gone
	SELECT n.line, n.person_id, n.org_id, (n.v).departed_on, ow_pdate_lower((n.v).departed_on)
	FROM ow_import_n n
	WHERE n.existing IS NULL AND n.nth = 1 AND n.bad IS NULL
		AND coalesce((n.v).status, 'reported') <> 'retracted';
	ANALYZE pg_temp.ow_import_gone;
	-- The positions they close. The statement sets updated_at itself (ow_touch stands aside)
	-- and writes the audit rows the row trigger would.
	PERFORM set_config('orgwatch.touched', 'on', true);
	WITH f AS (
		SELECT DISTINCT ON (p.id) p.id, g.departed_on, to_jsonb(p) AS before
		FROM ow_import_gone g
		JOIN positions p ON p.person_id = g.person_id AND p.org_id = g.org_id AND p.ended_on IS NULL
			AND (p.started_on IS NULL OR ow_pdate_lower(p.started_on) <= g.gone)
		ORDER BY p.id, g.line
	), upd AS (
		UPDATE positions p SET ended_on = f.departed_on, updated_at = clock_timestamp()
		FROM f WHERE p.id = f.id
		RETURNING p.*, f.before AS ow_before
	)
	INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
	SELECT ow_import_actor(), 'position', u.id, 'update', u.ow_before, to_jsonb(u) - 'ow_before' FROM upd u;
	-- The reporting lines they close (as report or as manager), when the other person of the
	-- line has a position at the organization left. Ending a line earlier can close no cycle
	-- and overlap nothing: the row trigger's walk stands aside for this statement.
	PERFORM set_config('orgwatch.lines_checked', 'on', true);
	WITH c AS (
		SELECT l.id, g.line, g.departed_on FROM ow_import_gone g
		JOIN reporting_lines l ON l.report_id = g.person_id AND l.valid_to IS NULL
			AND (l.valid_from IS NULL OR ow_pdate_lower(l.valid_from) < g.gone)
		WHERE EXISTS (SELECT 1 FROM positions p WHERE p.org_id = g.org_id AND p.person_id = l.manager_id)
		UNION ALL
		SELECT l.id, g.line, g.departed_on FROM ow_import_gone g
		JOIN reporting_lines l ON l.manager_id = g.person_id AND l.valid_to IS NULL
			AND (l.valid_from IS NULL OR ow_pdate_lower(l.valid_from) < g.gone)
		WHERE EXISTS (SELECT 1 FROM positions p WHERE p.org_id = g.org_id AND p.person_id = l.report_id)
	), f AS (
		SELECT DISTINCT ON (c.id) c.id, c.departed_on, to_jsonb(l) AS before
		FROM c JOIN reporting_lines l ON l.id = c.id
		ORDER BY c.id, c.line
	), upd AS (
		UPDATE reporting_lines l SET valid_to = f.departed_on, updated_at = clock_timestamp()
		FROM f WHERE l.id = f.id
		RETURNING l.*, f.before AS ow_before
	)
	INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
	SELECT ow_import_actor(), 'reporting_line', u.id, 'update', u.ow_before, to_jsonb(u) - 'ow_before' FROM upd u;
	PERFORM set_config('orgwatch.lines_checked', 'off', true);
	PERFORM set_config('orgwatch.touched', 'off', true);
	PERFORM ow_import_rest(p_actor, 'departure', p_lo, p_hi);
END $function$;

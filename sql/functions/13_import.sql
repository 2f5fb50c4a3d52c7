-- 13_import.sql — Bulk import: the apply step's orchestration (the staged records, type by type,
-- record by record or set-based: 13_import_sets.sql) and the staged references.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_import_uuid(k text)
 RETURNS uuid LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE WHEN ow_is_uuid(k) THEN k::uuid END
$function$;

-- ---------------------------------------------------------------------------------------
-- The apply step of an import (issue 13). import.c streams every validated record with its
-- line into the session's temporary table ow_import_spool (line, type, doc) with COPY while
-- the body arrives; once it has ended, ow_import_spool_apply() writes them in the one
-- transaction of the import, under the import lock, type by type in dependency order.
-- People, positions, reporting lines and departures go set-based (ow_import_people,
-- ow_import_positions, ow_import_reporting_lines, ow_import_departures): references resolved by joins
-- (an unresolved one is an error row naming its line and field), the batch rules checked in
-- one statement each, new rows inserted with their source links in a few
-- statements. The rest (sources, organizations, teams, layoffs: little volume), the
-- records whose natural key already exists (updates and `unchanged`) and a natural key's
-- second and later lines in the file go record by record (ow_import_each), in line order,
-- after the new rows of their type; so does a whole type when a set-based statement fails
-- on something it did not foresee (the record-by-record path then names it).
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION public.ow_import_spool_apply(p_actor text, p_create text)
 RETURNS TABLE(r_line integer, r_outcome text, r_field text, r_message text, r_count bigint) LANGUAGE plpgsql AS $function$
DECLARE
	t text;
	run record;
	t0 timestamptz;
BEGIN
	PERFORM pg_advisory_xact_lock(7406119);
	PERFORM set_config('orgwatch.import', 'on', true);
	PERFORM set_config('client_min_messages', 'warning', true);
	-- Sorts and hashes over a whole file's rows stay in memory; no JIT: the statements'
	-- estimates are large enough to compile each one, which costs more (0.5 to 1 s a
	-- statement, measured) than it saves on a few hundred thousand rows.
	PERFORM set_config('work_mem', '64MB', true);
	PERFORM set_config('jit', 'off', true);
	PERFORM ow_begin_write(p_actor);
	DROP TABLE IF EXISTS pg_temp.ow_import_result;
	CREATE TEMP TABLE ow_import_result (line int, outcome text, field text, message text) ON COMMIT DROP;
	DROP TABLE IF EXISTS pg_temp.ow_import_later;
	CREATE TEMP TABLE ow_import_later (line int PRIMARY KEY) ON COMMIT DROP;
	-- Statistics of the join columns only: sampling the documents costs more than it tells.
	ANALYZE pg_temp.ow_import_spool (line, type);
	-- The rules over the whole file (16_import_same_record.sql): organizations by name, then
	-- lines naming one record.
	PERFORM ow_import_org_names(p_actor, p_create = 'organizations');
	PERFORM ow_import_same_records();
	-- The file in runs of consecutive records of one type, in file order: a record sees
	-- what the lines before it wrote, as one write after another would.
	FOR run IN SELECT g.type, min(g.line) AS lo, max(g.line) AS hi, count(*) AS n FROM (
			SELECT s.line, s.type, row_number() OVER (ORDER BY s.line)
				- row_number() OVER (PARTITION BY s.type ORDER BY s.line) AS grp
			FROM ow_import_spool s) g
		GROUP BY g.type, g.grp ORDER BY min(g.line) LOOP
		t := run.type;
		t0 := clock_timestamp();
		IF ow_import_set_based(t) AND run.n > 1 THEN
			BEGIN
				PERFORM ow_import_set(t, p_actor, run.lo, run.hi);
			EXCEPTION WHEN OTHERS THEN
				IF SQLSTATE IN ('55P03', '40001', '40P01', '53200', '53100') THEN
					RAISE;
				END IF;
				PERFORM set_config('orgwatch.lines_checked', 'off', true);
				PERFORM set_config('orgwatch.touched', 'off', true);
				TRUNCATE ow_import_later;
				PERFORM ow_import_each(p_actor, t, false, run.lo, run.hi);
			END;
		ELSE
			PERFORM ow_import_each(p_actor, t, false, run.lo, run.hi);
		END IF;
		RAISE DEBUG 'ow_import run % % lines %-%: % ms', t, run.n, run.lo, run.hi, round(extract(epoch FROM clock_timestamp() - t0) * 1000);
		CONTINUE WHEN run.n < 1000;
		-- Fresh statistics for what the next types join against.
		EXECUTE format('ANALYZE %s', ow_rtype_tables(t));
	END LOOP;
	RETURN QUERY
		SELECT NULL::int, x.outcome, NULL::text, NULL::text, count(*)
		FROM ow_import_result x WHERE x.outcome IN ('created', 'updated', 'unchanged') GROUP BY x.outcome
		UNION ALL
		-- What the answer lists besides errors, as one JSON text (the first 1000 of each).
		SELECT NULL::int, 'notes', NULL::text, json_build_object(
			'duplicates', coalesce((SELECT json_agg(json_build_object('line', y.line, 'same_as', y.message::int)
				ORDER BY y.line) FROM (SELECT * FROM ow_import_result x WHERE x.outcome = 'duplicate'
				ORDER BY x.line LIMIT 1000) y), '[]'),
			'created_organizations', coalesce((SELECT json_agg(json_build_object('line', y.line, 'field', y.field,
				'slug', y.message) ORDER BY y.line) FROM (SELECT * FROM ow_import_result x
				WHERE x.outcome = 'created_organization' ORDER BY x.line LIMIT 1000) y), '[]'))::text, 0::bigint
		UNION ALL
		(SELECT x.line, x.outcome, x.field, x.message, 1::bigint
		 FROM ow_import_result x WHERE x.outcome = 'error' ORDER BY x.line LIMIT 1000)
		UNION ALL
		SELECT NULL::int, 'errors', NULL::text, NULL::text, count(*)
		FROM ow_import_result x WHERE x.outcome = 'error';
END $function$;

-- Record by record, in line order: the staged records of type p_type (only those listed in
-- ow_import_later when p_later), each through ow_check_refs and ow_import_one as a single
-- write would go, its failure caught and named with its line.
CREATE OR REPLACE FUNCTION public.ow_import_each(p_actor text, p_type text, p_later boolean, p_lo integer, p_hi integer)
 RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
	rec record;
	e jsonb;
	st text; msg text; col text; detail text; cons text;
	fld text;
BEGIN
	FOR rec IN SELECT s.line, s.doc FROM ow_import_spool s
	           WHERE s.type = p_type AND s.line BETWEEN p_lo AND p_hi
	             AND (NOT p_later OR s.line IN (SELECT l.line FROM ow_import_later l))
	           ORDER BY s.line LOOP
		BEGIN
			PERFORM ow_check_refs(rec.doc, ow_entity_refs(p_type));
			INSERT INTO ow_import_result VALUES (rec.line, ow_import_one(p_actor, p_type, rec.doc), NULL, NULL);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, col = COLUMN_NAME,
				detail = PG_EXCEPTION_DETAIL, cons = CONSTRAINT_NAME;
			IF st IN ('55P03', '40001', '40P01') THEN
				RAISE;
			END IF;
			IF st = 'OW400' AND left(detail, 1) = '[' THEN
				INSERT INTO ow_import_result
				SELECT rec.line, 'error', x ->> 'field', x ->> 'message' FROM jsonb_array_elements(detail::jsonb) x;
				CONTINUE;
			END IF;
			fld := coalesce(nullif(col, ''), nullif(cons, ''));
			INSERT INTO ow_import_result VALUES (rec.line, 'error', fld, CASE
				WHEN st = '23505' THEN 'duplicate: ' || coalesce(nullif(detail, ''), msg)
				WHEN st IN ('23P01', 'OW409') THEN 'conflict: ' || msg
				ELSE msg END);
		END;
	END LOOP;
END $function$;

-- The staged references of type p_type resolved as ow_key resolves them (a UUID is an id;
-- otherwise a slug, "org/team" or a team slug unique across organizations), by joins; one
-- row a record: its line, its document, and for each reference field the key given, the
-- field it was given in (f or f_id) and the id found (NULL when none).
CREATE OR REPLACE FUNCTION public.ow_import_refs(p_type text, p_lo integer, p_hi integer)
 RETURNS TABLE(line integer, d jsonb, f_person text, k_person text, person_id uuid, f_org text, k_org text, org_id uuid, f_team text, k_team text, team_id uuid, team_org uuid, f_manager text, k_manager text, manager_id uuid, f_dest text, k_dest text, dest_id uuid, f_layoff text, k_layoff text, layoff_id uuid, layoff_org uuid) LANGUAGE sql STABLE AS $function$
	-- Narrow rows (line and keys) through the joins; the document joins back at the end.
	WITH s AS MATERIALIZED (
		SELECT x.line,
			CASE WHEN x.doc ? 'person_id' THEN 'person_id' WHEN x.doc ? 'person' THEN 'person'
			     WHEN x.doc ? 'report_id' THEN 'report_id' WHEN x.doc ? 'report' THEN 'report' END AS f_person,
			CASE WHEN x.doc ? 'org_id' THEN 'org_id' WHEN x.doc ? 'org' THEN 'org' END AS f_org,
			CASE WHEN x.doc ? 'team_id' THEN 'team_id' WHEN x.doc ? 'team' THEN 'team' END AS f_team,
			CASE WHEN x.doc ? 'manager_id' THEN 'manager_id' WHEN x.doc ? 'manager' THEN 'manager' END AS f_manager,
			CASE WHEN x.doc ? 'destination_org_id' THEN 'destination_org_id'
			     WHEN x.doc ? 'destination_org' THEN 'destination_org' END AS f_dest,
			CASE WHEN x.doc ? 'layoff_id' THEN 'layoff_id' WHEN x.doc ? 'layoff' THEN 'layoff' END AS f_layoff,
			x.doc
		FROM ow_import_spool x WHERE x.type = p_type AND x.line BETWEEN p_lo AND p_hi
	), k0 AS (
		SELECT s.line, s.f_person, s.f_org, s.f_team, s.f_manager, s.f_dest, s.f_layoff,
			s.doc ->> s.f_person AS k_person, s.doc ->> s.f_org AS k_org, s.doc ->> s.f_team AS k_team,
			s.doc ->> s.f_manager AS k_manager, s.doc ->> s.f_dest AS k_dest, s.doc ->> s.f_layoff AS k_layoff
		FROM s
	), k AS MATERIALIZED (
		-- Each key once as a UUID (NULL when it is not one): the joins by id use these.
		SELECT k0.*, ow_import_uuid(k0.k_person) AS u_person, ow_import_uuid(k0.k_org) AS u_org,
			ow_import_uuid(k0.k_team) AS u_team, ow_import_uuid(k0.k_manager) AS u_manager,
			ow_import_uuid(k0.k_dest) AS u_dest, ow_import_uuid(k0.k_layoff) AS u_layoff
		FROM k0
	), teams_by_key AS (
		SELECT o.slug || '/' || t.slug AS k, t.id, t.org_id FROM teams t JOIN organizations o ON o.id = t.org_id
	), teams_by_slug AS (
		SELECT t.slug AS k, (array_agg(t.id))[1] AS id, (array_agg(t.org_id))[1] AS org_id
		FROM teams t GROUP BY t.slug HAVING count(*) = 1
	), res AS MATERIALIZED (
		SELECT k.line,
			k.f_person, k.k_person, CASE WHEN k.u_person IS NOT NULL THEN pu.id ELSE ps.id END AS person_id,
			k.f_org, k.k_org, CASE WHEN k.u_org IS NOT NULL THEN ou.id ELSE os.id END AS org_id,
			k.f_team, k.k_team,
			CASE WHEN k.u_team IS NOT NULL THEN tu.id WHEN position('/' IN k.k_team) > 0 THEN tk.id ELSE tb.id END AS team_id,
			CASE WHEN k.u_team IS NOT NULL THEN tu.org_id WHEN position('/' IN k.k_team) > 0 THEN tk.org_id ELSE tb.org_id END AS team_org,
			k.f_manager, k.k_manager, CASE WHEN k.u_manager IS NOT NULL THEN mu.id ELSE ms.id END AS manager_id,
			k.f_dest, k.k_dest, CASE WHEN k.u_dest IS NOT NULL THEN du.id ELSE ds.id END AS dest_id,
			k.f_layoff, k.k_layoff, lu.id AS layoff_id, lu.org_id AS layoff_org
		FROM k
		LEFT JOIN people pu ON pu.id = k.u_person
		LEFT JOIN people ps ON ps.slug = k.k_person AND k.u_person IS NULL
		LEFT JOIN organizations ou ON ou.id = k.u_org
		LEFT JOIN organizations os ON os.slug = k.k_org
		LEFT JOIN teams tu ON tu.id = k.u_team
		LEFT JOIN teams_by_key tk ON tk.k = k.k_team
		LEFT JOIN teams_by_slug tb ON tb.k = k.k_team
		-- Only the types that have these fields look them up (the rest join nothing).
		LEFT JOIN people mu ON mu.id = k.u_manager AND p_type = 'reporting_line'
		LEFT JOIN people ms ON ms.slug = k.k_manager AND k.u_manager IS NULL AND p_type = 'reporting_line'
		LEFT JOIN organizations du ON du.id = k.u_dest AND p_type = 'departure'
		LEFT JOIN organizations ds ON ds.slug = k.k_dest AND p_type = 'departure'
		LEFT JOIN layoffs lu ON lu.id = k.u_layoff AND p_type = 'departure'
	)
	SELECT r.line, s.doc, r.f_person, r.k_person, r.person_id, r.f_org, r.k_org, r.org_id, r.f_team, r.k_team,
		r.team_id, r.team_org, r.f_manager, r.k_manager, r.manager_id, r.f_dest, r.k_dest, r.dest_id,
		r.f_layoff, r.k_layoff, r.layoff_id, r.layoff_org
	FROM res r JOIN s ON s.line = r.line
$function$;

-- The reference errors of the staged records of p_type (read from ow_import_r) and their
-- sources (ow_import_src), worded by ow_ref_missing as a single write words them: (line,
-- field, message).
CREATE OR REPLACE FUNCTION public.ow_import_ref_errors()
 RETURNS TABLE(line integer, field text, message text) LANGUAGE sql STABLE AS $function$
	SELECT r.line, r.f_person, ow_ref_missing('person', r.k_person) FROM ow_import_r r
	WHERE r.k_person IS NOT NULL AND r.person_id IS NULL
	UNION ALL SELECT r.line, r.f_org, ow_ref_missing('organization', r.k_org) FROM ow_import_r r
	WHERE r.k_org IS NOT NULL AND r.org_id IS NULL
	UNION ALL SELECT r.line, r.f_team, ow_ref_missing('team', r.k_team) FROM ow_import_r r
	WHERE r.k_team IS NOT NULL AND r.team_id IS NULL
	UNION ALL SELECT r.line, r.f_manager, ow_ref_missing('person', r.k_manager) FROM ow_import_r r
	WHERE r.k_manager IS NOT NULL AND r.manager_id IS NULL
	UNION ALL SELECT r.line, r.f_dest, ow_ref_missing('organization', r.k_dest) FROM ow_import_r r
	WHERE r.k_dest IS NOT NULL AND r.dest_id IS NULL
	UNION ALL SELECT r.line, r.f_layoff, ow_ref_missing('layoff', r.k_layoff) FROM ow_import_r r
	WHERE r.k_layoff IS NOT NULL AND r.layoff_id IS NULL
	UNION ALL SELECT s.line, s.field, ow_ref_missing('source', s.k) FROM ow_import_src s
	WHERE s.id IS NULL
$function$;

-- The staged records of p_type with their resolved references (ow_import_r) and their
-- sources (ow_import_src: line, key, field, id), as temporary tables of the transaction.
CREATE OR REPLACE FUNCTION public.ow_import_stage(p_type text, p_lo integer, p_hi integer)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	DROP TABLE IF EXISTS pg_temp.ow_import_r;
	CREATE TEMP TABLE ow_import_r ON COMMIT DROP AS SELECT * FROM ow_import_refs(p_type, p_lo, p_hi);
	DROP TABLE IF EXISTS pg_temp.ow_import_src;
	CREATE TEMP TABLE ow_import_src ON COMMIT DROP AS
	SELECT s.line, i.k, CASE WHEN s.doc ? 'source_ids' THEN 'source_ids' ELSE 'sources' END AS field,
		CASE WHEN ow_is_uuid(i.k) THEN su.id ELSE ss.id END AS id
	FROM ow_import_spool s
	CROSS JOIN LATERAL jsonb_array_elements_text(CASE
		WHEN jsonb_typeof(s.doc -> 'source_ids') = 'array' THEN s.doc -> 'source_ids'
		WHEN s.doc ? 'source_ids' THEN '[]'
		WHEN jsonb_typeof(s.doc -> 'sources') = 'array' THEN s.doc -> 'sources'
		ELSE '[]' END) AS i(k)
	LEFT JOIN sources su ON su.id = ow_import_uuid(i.k)
	LEFT JOIN sources ss ON ss.url = i.k
	WHERE s.type = p_type AND s.line BETWEEN p_lo AND p_hi AND (s.doc ? 'source_ids' OR s.doc ? 'sources');
	INSERT INTO ow_import_result SELECT e.line, 'error', e.field, e.message FROM ow_import_ref_errors() e;
	ANALYZE pg_temp.ow_import_r (line, person_id, org_id, manager_id);
END $function$;

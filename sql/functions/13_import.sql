-- 13_import.sql — Bulk import.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_import_one(p_actor text, p_type text, d jsonb)
 RETURNS text
 LANGUAGE plpgsql
AS $function$
DECLARE
	existing uuid;
	before timestamptz;
	after_etag text;
	org_ uuid;
	person_ uuid;
BEGIN
	CASE p_type
	WHEN 'organization' THEN
		d := jsonb_set(d, '{slug}', to_jsonb(coalesce(d ->> 'slug', ow_slugify(d ->> 'name'))));
		SELECT id, updated_at INTO existing, before FROM organizations WHERE slug = d ->> 'slug';
	WHEN 'person' THEN
		d := jsonb_set(d, '{slug}', to_jsonb(coalesce(d ->> 'slug', ow_slugify(d ->> 'full_name'))));
		SELECT id, updated_at INTO existing, before FROM people WHERE slug = d ->> 'slug';
	WHEN 'team' THEN
		org_ := ow_ref(d, 'organization', 'org');
		d := jsonb_set(d, '{slug}', to_jsonb(coalesce(d ->> 'slug', ow_slugify(d ->> 'name'))));
		SELECT id, updated_at INTO existing, before FROM teams WHERE org_id = org_ AND slug = d ->> 'slug';
	WHEN 'source' THEN
		SELECT id, updated_at INTO existing, before FROM sources WHERE url = d ->> 'url';
	WHEN 'position' THEN
		SELECT id, updated_at INTO existing, before FROM positions
		WHERE person_id = ow_ref(d, 'person', 'person') AND org_id = ow_ref(d, 'organization', 'org')
		  AND coalesce(started_on, '') = coalesce(d ->> 'started_on', '');
	WHEN 'reporting_line' THEN
		SELECT id, updated_at INTO existing, before FROM reporting_lines
		WHERE report_id = ow_ref(d, 'person', 'report') AND coalesce(valid_from, '') = coalesce(d ->> 'valid_from', '');
	WHEN 'departure' THEN
		person_ := ow_ref(d, 'person', 'person');
		SELECT id, updated_at INTO existing, before FROM departures
		WHERE person_id = person_ AND org_id = ow_ref(d, 'organization', 'org') AND departed_on = d ->> 'departed_on';
	WHEN 'layoff' THEN
		IF d ? 'id' THEN
			SELECT id, updated_at INTO existing, before FROM layoffs WHERE id = (d ->> 'id')::uuid;
		ELSE
			SELECT id, updated_at INTO existing, before FROM layoffs
			WHERE org_id = ow_ref(d, 'organization', 'org') AND team_id IS NOT DISTINCT FROM ow_ref(d, 'team', 'team')
			  AND announced_on IS NOT DISTINCT FROM d ->> 'announced_on'
			  AND lower(coalesce(location, '')) = lower(coalesce(ow_trimmed(d ->> 'location'), ''))
			ORDER BY created_at, id
			LIMIT 1;
		END IF;
	ELSE
		PERFORM ow_raise('OW400', 'type', format('unknown record type %L', p_type));
	END CASE;

	IF existing IS NULL THEN
		PERFORM ow_write_record(p_type, p_actor, NULL, d, NULL);
		RETURN 'created';
	END IF;
	d := d - 'id';
	SELECT w.r_etag INTO after_etag FROM ow_write_record(p_type, p_actor, existing::text, d, NULL) w;
	RETURN CASE WHEN after_etag = ow_etag(before) THEN 'unchanged' ELSE 'updated' END;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_import_uuid(k text)
 RETURNS uuid
 LANGUAGE sql
 IMMUTABLE
AS $function$
	SELECT CASE WHEN ow_is_uuid(k) THEN k::uuid END
$function$;

-- ---------------------------------------------------------------------------------------
-- The apply step of an import (issue 13). import.c streams every validated record with its
-- line into the session's temporary table ow_import_spool (line, type, doc) with COPY while
-- the body arrives; once it has ended, ow_import_spool_apply() writes them in the one
-- transaction of the import, under the import lock, type by type in dependency order.
-- People, positions, reporting lines and departures go set-based (ow_import_people,
-- ow_import_positions, ow_import_lines, ow_import_departures): references resolved by joins
-- (an unresolved one is an error row naming its line and field), the batch rules checked in
-- one statement each, new rows inserted with their audit rows and source links in a few
-- statements. The rest (sources, organizations, teams, layoffs: little volume), the
-- records whose natural key already exists (updates and `unchanged`) and a natural key's
-- second and later lines in the file go record by record (ow_import_each), in line order,
-- after the new rows of their type; so does a whole type when a set-based statement fails
-- on something it did not foresee (the record-by-record path then names it).
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION public.ow_import_spool_apply(p_actor text, p_create text)
 RETURNS TABLE(r_line integer, r_outcome text, r_field text, r_message text, r_count bigint)
 LANGUAGE plpgsql
AS $function$
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
		IF t IN ('person', 'position', 'reporting_line', 'departure') AND run.n > 1 THEN
			BEGIN
				CASE t
				WHEN 'person' THEN PERFORM ow_import_people(p_actor, run.lo, run.hi);
				WHEN 'position' THEN PERFORM ow_import_positions(p_actor, run.lo, run.hi);
				WHEN 'reporting_line' THEN PERFORM ow_import_lines(p_actor, run.lo, run.hi);
				ELSE PERFORM ow_import_departures(p_actor, run.lo, run.hi);
				END CASE;
			EXCEPTION WHEN OTHERS THEN
				IF SQLSTATE IN ('55P03', '40001', '40P01', '53200', '53100') THEN
					RAISE;
				END IF;
				PERFORM set_config('orgwatch.audit_rows', 'on', true);
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
		EXECUTE format('ANALYZE %s', (SELECT r.tables FROM (VALUES ('source', 'sources'),
			('organization', 'organizations'), ('team', 'teams'), ('person', 'people'),
			('layoff', 'layoffs, layoff_sources'), ('position', 'positions, position_sources'),
			('reporting_line', 'reporting_lines, reporting_line_sources'),
			('departure', 'departures, departure_sources')) r(rtype, tables) WHERE r.rtype = t));
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
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
 RETURNS TABLE(line integer, d jsonb, f_person text, k_person text, person_id uuid, f_org text, k_org text, org_id uuid, f_team text, k_team text, team_id uuid, team_org uuid, f_manager text, k_manager text, manager_id uuid, f_dest text, k_dest text, dest_id uuid, f_layoff text, k_layoff text, layoff_id uuid, layoff_org uuid)
 LANGUAGE sql
 STABLE
AS $function$
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

-- The reference errors of the staged records of p_type (read from ow_import_r), as
-- ow_check_refs words them, and their sources (ow_import_src): (line, field, message).
CREATE OR REPLACE FUNCTION public.ow_import_ref_errors()
 RETURNS TABLE(line integer, field text, message text)
 LANGUAGE sql
 STABLE
AS $function$
	SELECT r.line, r.f_person, format('no person with id or slug %L', r.k_person) FROM ow_import_r r
	WHERE r.k_person IS NOT NULL AND r.person_id IS NULL
	UNION ALL SELECT r.line, r.f_org, format('no organization with id or slug %L', r.k_org) FROM ow_import_r r
	WHERE r.k_org IS NOT NULL AND r.org_id IS NULL
	UNION ALL SELECT r.line, r.f_team, format('no team with id or org/team slug %L', r.k_team) FROM ow_import_r r
	WHERE r.k_team IS NOT NULL AND r.team_id IS NULL
	UNION ALL SELECT r.line, r.f_manager, format('no person with id or slug %L', r.k_manager) FROM ow_import_r r
	WHERE r.k_manager IS NOT NULL AND r.manager_id IS NULL
	UNION ALL SELECT r.line, r.f_dest, format('no organization with id or slug %L', r.k_dest) FROM ow_import_r r
	WHERE r.k_dest IS NOT NULL AND r.dest_id IS NULL
	UNION ALL SELECT r.line, r.f_layoff, format('no layoff with id or slug %L', r.k_layoff) FROM ow_import_r r
	WHERE r.k_layoff IS NOT NULL AND r.layoff_id IS NULL
	UNION ALL SELECT s.line, s.field, format('no source with id or url %L', s.k) FROM ow_import_src s
	WHERE s.id IS NULL
$function$;

-- The staged records of p_type with their resolved references (ow_import_r) and their
-- sources (ow_import_src: line, key, field, id), as temporary tables of the transaction.
CREATE OR REPLACE FUNCTION public.ow_import_stage(p_type text, p_lo integer, p_hi integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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

-- The audit actor of the import's transaction, as ow_audit() writes it.
CREATE OR REPLACE FUNCTION public.ow_import_actor()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
	SELECT coalesce(nullif(current_setting('orgwatch.actor', true), ''), 'system')
$function$;

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
	PERFORM set_config('orgwatch.audit_rows', 'on', true);
	INSERT INTO ow_import_later SELECT n.line FROM ow_import_n n WHERE n.existing IS NOT NULL OR n.nth > 1;
	PERFORM ow_import_each(p_actor, 'person', true, p_lo, p_hi);
	TRUNCATE ow_import_later;
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
	PERFORM set_config('orgwatch.audit_rows', 'on', true);
	INSERT INTO ow_import_later SELECT n.line FROM ow_import_n n WHERE n.existing IS NOT NULL OR n.nth > 1;
	PERFORM ow_import_each(p_actor, 'position', true, p_lo, p_hi);
	TRUNCATE ow_import_later;
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
	PERFORM set_config('orgwatch.audit_rows', 'on', true);
	INSERT INTO ow_import_later SELECT n.line FROM ow_import_n n WHERE n.existing IS NOT NULL OR n.nth > 1;
	PERFORM ow_import_each(p_actor, 'reporting_line', true, p_lo, p_hi);
	TRUNCATE ow_import_later;
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
	PERFORM set_config('orgwatch.audit_rows', 'on', true);
	INSERT INTO ow_import_later SELECT n.line FROM ow_import_n n WHERE n.existing IS NOT NULL OR n.nth > 1;
	PERFORM ow_import_each(p_actor, 'departure', true, p_lo, p_hi);
	TRUNCATE ow_import_later;
END $function$;

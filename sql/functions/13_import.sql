-- 13_import.sql — Bulk import.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_import_batch(p_actor text, records jsonb)
 RETURNS TABLE(r_line integer, r_outcome text, r_field text, r_message text)
 LANGUAGE plpgsql
AS $function$
DECLARE
	rec jsonb;
	e jsonb;
	st text; msg text; col text; detail text; cons text;
BEGIN
	PERFORM pg_advisory_xact_lock(7406119);
	PERFORM set_config('orgwatch.import', 'on', true);
	IF jsonb_array_length(records) > 1 AND ow_import_new_departures(p_actor, records) THEN
		RETURN QUERY SELECT (x ->> 'line')::int, 'created'::text, NULL::text, NULL::text
			FROM jsonb_array_elements(records) x;
		RETURN;
	END IF;
	FOR rec IN SELECT * FROM jsonb_array_elements(records) LOOP
		r_line := (rec ->> 'line')::int;
		BEGIN
			PERFORM ow_check_refs(rec -> 'doc', ow_entity_refs(rec ->> 'type'));
			r_outcome := ow_import_one(p_actor, rec ->> 'type', rec -> 'doc');
			r_field := NULL;
			r_message := NULL;
			RETURN NEXT;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, col = COLUMN_NAME,
				detail = PG_EXCEPTION_DETAIL, cons = CONSTRAINT_NAME;
			r_outcome := 'error';
			IF st = 'OW400' AND left(detail, 1) = '[' THEN
				FOR e IN SELECT * FROM jsonb_array_elements(detail::jsonb) LOOP
					r_field := e ->> 'field';
					r_message := e ->> 'message';
					RETURN NEXT;
				END LOOP;
				CONTINUE;
			END IF;
			r_field := coalesce(nullif(col, ''), nullif(cons, ''));
			r_message := CASE
				WHEN st = '23505' THEN 'duplicate: ' || coalesce(nullif(detail, ''), msg)
				WHEN st IN ('23P01', 'OW409') THEN 'conflict: ' || msg
				ELSE msg END;
			RETURN NEXT;
		END;
	END LOOP;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_import_fallback()
 RETURNS uuid
 LANGUAGE plpgsql
AS $function$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'OWFBK', MESSAGE = 'the batch needs the record-by-record path';
END $function$;

CREATE OR REPLACE FUNCTION public.ow_import_new_departures(p_actor text, records jsonb)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
DECLARE
	ids uuid[];
	leavers uuid[];
	separate boolean;
	dep departures;
	n int;
BEGIN
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(records) x
	           WHERE x ->> 'type' IS DISTINCT FROM 'departure') THEN
		RETURN false;
	END IF;
	PERFORM ow_begin_write(p_actor);
	BEGIN
		-- The INSERT below writes its own audit rows (one INSERT ... SELECT); the row trigger
		-- stands aside for that statement only.
		PERFORM set_config('orgwatch.audit_rows', 'off', true);
		-- Every reference as ow_key resolves it (a UUID is an id; otherwise a slug, a source's
		-- URL, "org/team" or a team slug unique across organizations), by joins over the batch.
		WITH src AS MATERIALIZED (
			SELECT (x ->> 'line')::int AS line, x -> 'doc' AS d,
				jsonb_populate_record(NULL::departures, x -> 'doc') AS v,
				ow_import_refkey(x -> 'doc', 'person') AS k_person,
				ow_import_refkey(x -> 'doc', 'org') AS k_org,
				ow_import_refkey(x -> 'doc', 'team') AS k_team,
				ow_import_refkey(x -> 'doc', 'destination_org') AS k_dest,
				ow_import_refkey(x -> 'doc', 'layoff') AS k_layoff
			FROM jsonb_array_elements(records) x
		), res AS MATERIALIZED (
			SELECT s.line, s.v,
				CASE WHEN ow_is_uuid(s.k_person) THEN pu.id ELSE ps.id END AS person_id,
				CASE WHEN ow_is_uuid(s.k_org) THEN ou.id ELSE os.id END AS org_id,
				CASE WHEN ow_is_uuid(s.k_team) THEN tu.id WHEN position('/' IN s.k_team) > 0 THEN tk.id
					ELSE tb.id END AS team_id,
				CASE WHEN ow_is_uuid(s.k_dest) THEN du.id ELSE ds.id END AS destination_org_id,
				lu.id AS layoff_id,
				s.k_person, s.k_org, s.k_team, s.k_dest, s.k_layoff
			FROM src s
			LEFT JOIN people pu ON pu.id = ow_import_uuid(s.k_person)
			LEFT JOIN people ps ON ps.slug = s.k_person
			LEFT JOIN organizations ou ON ou.id = ow_import_uuid(s.k_org)
			LEFT JOIN organizations os ON os.slug = s.k_org
			LEFT JOIN teams tu ON tu.id = ow_import_uuid(s.k_team)
			LEFT JOIN (SELECT o.slug || '/' || t.slug AS k, t.id FROM teams t
				JOIN organizations o ON o.id = t.org_id) tk ON tk.k = s.k_team
			LEFT JOIN (SELECT t.slug, (array_agg(t.id))[1] AS id FROM teams t GROUP BY t.slug
				HAVING count(*) = 1) tb ON tb.slug = s.k_team
			LEFT JOIN organizations du ON du.id = ow_import_uuid(s.k_dest)
			LEFT JOIN organizations ds ON ds.slug = s.k_dest
			LEFT JOIN layoffs lu ON lu.id = ow_import_uuid(s.k_layoff)
		), src_sources AS MATERIALIZED (
			SELECT s.line, i.k, CASE WHEN ow_is_uuid(i.k) THEN su.id ELSE ss.id END AS id
			FROM src s
			CROSS JOIN LATERAL jsonb_array_elements_text(CASE
				WHEN jsonb_typeof(s.d -> 'source_ids') = 'array' THEN s.d -> 'source_ids'
				WHEN s.d ? 'source_ids' THEN '[]'
				WHEN jsonb_typeof(s.d -> 'sources') = 'array' THEN s.d -> 'sources'
				ELSE '[]' END) AS i(k)
			LEFT JOIN sources su ON su.id = ow_import_uuid(i.k)
			LEFT JOIN sources ss ON ss.url = i.k
		), checked AS MATERIALIZED (
			-- Anything unresolved or inconsistent: the record-by-record path names it.
			SELECT r.*, CASE WHEN (r.k_person IS NOT NULL AND r.person_id IS NULL)
				OR (r.k_org IS NOT NULL AND r.org_id IS NULL)
				OR (r.k_team IS NOT NULL AND r.team_id IS NULL)
				OR (r.k_dest IS NOT NULL AND r.destination_org_id IS NULL)
				OR (r.k_layoff IS NOT NULL AND r.layoff_id IS NULL)
				OR (r.team_id IS NOT NULL
					AND (SELECT t.org_id FROM teams t WHERE t.id = r.team_id) <> r.org_id)
				OR (r.layoff_id IS NOT NULL
					AND (SELECT l.org_id FROM layoffs l WHERE l.id = r.layoff_id) <> r.org_id)
				THEN ow_import_fallback() END AS failed
			FROM res r
		), unresolved AS (
			SELECT ow_import_fallback() FROM src_sources WHERE id IS NULL
		), ins AS (
			INSERT INTO departures (person_id, org_id, team_id, title, departed_on, announced_on, kind,
				reason_category, reason, destination_org_id, destination_title, destination_kind, layoff_id,
				returned_on, notes, status)
			SELECT c.person_id, c.org_id, c.team_id, (c.v).title, (c.v).departed_on, (c.v).announced_on,
				coalesce((c.v).kind, 'unknown'), coalesce((c.v).reason_category, 'unknown'), (c.v).reason,
				c.destination_org_id, (c.v).destination_title, coalesce((c.v).destination_kind, 'unknown'),
				c.layoff_id, (c.v).returned_on, (c.v).notes, coalesce((c.v).status, 'reported')
			FROM checked c WHERE c.failed IS NULL AND NOT EXISTS (SELECT 1 FROM unresolved)
			ORDER BY c.line
			RETURNING *
		), audited AS (
			INSERT INTO audit_log (actor, entity, entity_id, operation, after)
			SELECT coalesce(nullif(current_setting('orgwatch.actor', true), ''), 'system'),
				'departure', i.id, 'create', to_jsonb(i)
			FROM ins i
		), linked AS (
			SELECT c.line, i.id FROM ins i
			JOIN checked c ON c.person_id = i.person_id AND c.org_id = i.org_id
				AND (c.v).departed_on = i.departed_on
		), links AS (
			INSERT INTO departure_sources (departure_id, source_id)
			SELECT DISTINCT l.id, ss.id FROM linked l JOIN src_sources ss ON ss.line = l.line
		)
		SELECT array_agg(l.id ORDER BY l.line), count(*) INTO ids, n FROM linked l;
		PERFORM set_config('orgwatch.audit_rows', 'on', true);
		IF n IS DISTINCT FROM jsonb_array_length(records) THEN
			PERFORM ow_import_fallback();
		END IF;
		-- What the departures end (ow_departure_close). When no two of them can touch the same
		-- position or reporting line (each person leaves once in the batch, and no open line
		-- joins two of the leavers), two set-based updates do it; otherwise one departure at a
		-- time in line order, as the record-by-record path does (a later one sees what an
		-- earlier one closed).
		SELECT array_agg(d.person_id), count(*) = count(DISTINCT d.person_id) INTO leavers, separate
		FROM departures d WHERE d.id = ANY (ids) AND d.status <> 'retracted';
		IF separate AND leavers IS NOT NULL THEN
			separate := NOT EXISTS (SELECT 1 FROM reporting_lines l WHERE l.valid_to IS NULL
				AND l.report_id = ANY (leavers) AND l.manager_id = ANY (leavers));
		END IF;
		IF leavers IS NULL THEN
			NULL; -- all retracted: nothing ends
		ELSIF separate THEN
			UPDATE positions p SET ended_on = d.departed_on
			FROM departures d
			WHERE d.id = ANY (ids) AND d.status <> 'retracted'
			  AND p.person_id = d.person_id AND p.org_id = d.org_id AND p.ended_on IS NULL
			  AND (p.started_on IS NULL OR ow_pdate_lower(p.started_on) <= ow_pdate_lower(d.departed_on));
			UPDATE reporting_lines l SET valid_to = d.departed_on
			FROM departures d
			WHERE d.id = ANY (ids) AND d.status <> 'retracted'
			  AND (l.report_id = d.person_id OR l.manager_id = d.person_id) AND l.valid_to IS NULL
			  AND (l.valid_from IS NULL OR ow_pdate_lower(l.valid_from) < ow_pdate_lower(d.departed_on))
			  AND EXISTS (SELECT 1 FROM positions p
				WHERE p.org_id = d.org_id
				  AND p.person_id = CASE WHEN l.report_id = d.person_id THEN l.manager_id ELSE l.report_id END);
		ELSE
			FOR dep IN SELECT d.* FROM unnest(ids) WITH ORDINALITY AS u(id, ord)
			           JOIN departures d ON d.id = u.id ORDER BY u.ord LOOP
				IF dep.status <> 'retracted' THEN
					PERFORM ow_departure_close(dep);
				END IF;
			END LOOP;
		END IF;
		RETURN true;
	EXCEPTION WHEN OTHERS THEN
		RETURN false;
	END;
END $function$;

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

CREATE OR REPLACE FUNCTION public.ow_import_refkey(d jsonb, f text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
	SELECT CASE WHEN d ? (f || '_id') THEN d ->> (f || '_id') ELSE d ->> f END
$function$;

CREATE OR REPLACE FUNCTION public.ow_import_uuid(k text)
 RETURNS uuid
 LANGUAGE sql
 IMMUTABLE
AS $function$
	SELECT CASE WHEN ow_is_uuid(k) THEN k::uuid END
$function$;

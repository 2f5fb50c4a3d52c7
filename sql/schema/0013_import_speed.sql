-- 0013_import_speed.sql — faster imports (issue 6).
--
-- 1. Imports stop rendering documents nobody reads (bench finding 5). Every ow_<resource>_write function ends by rendering the record's JSON document
-- for the API's answer; the import engine calls the same functions and throws the document
-- away, and rendering was 42 % of a departure import and 61 % of a people import.
--
-- ow_docs_wanted() is false inside an import's transaction (ow_import_batch sets the
-- transaction-local setting orgwatch.import), and the write functions' last statement renders
-- the document only when it is true. The write functions are many and long; rather than copy
-- each body here, the block below takes each one's current definition from the catalogue,
-- replaces its final "RETURN QUERY SELECT ow_X_doc(...)::text," with the conditional form and
-- re-creates it, failing the migration unless exactly that one statement changed.
-- (`\sf ow_departures_write` shows the result.)
CREATE FUNCTION ow_docs_wanted() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('orgwatch.import', true), '') <> 'on'
$$;

DO $$
DECLARE
	fn text;
	def text;
	fixed text;
	pattern constant text := 'RETURN QUERY SELECT (ow_[a-z_]+_doc\([a-z]+(, true)?\))::text,';
BEGIN
	FOREACH fn IN ARRAY ARRAY['ow_organizations_write', 'ow_teams_write', 'ow_people_write',
		'ow_sources_write', 'ow_positions_write', 'ow_layoffs_write', 'ow_departures_write',
		'ow_reporting_lines_write'] LOOP
		SELECT pg_get_functiondef(p.oid) INTO STRICT def
		FROM pg_proc p WHERE p.proname = fn AND p.pronamespace = 'public'::regnamespace;
		IF (SELECT count(*) FROM regexp_matches(def, pattern, 'g')) <> 1 THEN
			RAISE EXCEPTION '0013: % does not end with exactly one document to render', fn;
		END IF;
		fixed := regexp_replace(def, pattern,
			'RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN \1::text END,');
		EXECUTE fixed;
	END LOOP;
END $$;

-- 2. New departures in bulk. A batch made only of departures that are all new (no record
-- with their natural key yet, none repeated in the batch), whose references all resolve and
-- whose checks pass, is written by a few set-based statements instead of record by record:
-- one INSERT for the batch, the source links in one INSERT, then (in line order, as the
-- record-by-record path does) the closing of the positions and reporting lines each departure
-- ends. Anything else in the batch, and any error at all, rolls the attempt back (it runs in
-- its own subtransaction) and the batch goes through the record-by-record path, which names
-- every error with its line: the fast path never decides what is an error, it only takes the
-- batches that have none.

-- The audit log of set-based departure imports is written with one INSERT ... SELECT
-- instead of one trigger call a row: the row trigger ow_audit (0001) cost 31 µs a departure in
-- ow_import_new_departures (25 % of a departure import). Statement-level triggers with
-- transition tables were tried and dropped: bulk inserts gained as much, but every single-row
-- write (the API, the record-by-record import) paid 74 µs a statement instead of 35 µs a row.
-- So the row trigger stays, and stands aside while the transaction setting
-- orgwatch.audit_rows is 'off', which only ow_import_new_departures sets, around its INSERT
-- whose audit rows it writes itself — the same rows: actor, 'departure', id, 'create', the new
-- row as JSON (the RETURNING * row has every column, generated ones too).
CREATE OR REPLACE FUNCTION ow_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	who text;
	op text;
BEGIN
	IF current_setting('orgwatch.audit_rows', true) = 'off' THEN
		RETURN NULL;
	END IF;
	who := coalesce(nullif(current_setting('orgwatch.actor', true), ''), 'system');
	op := coalesce(nullif(current_setting('orgwatch.operation', true), ''), lower(TG_OP));
	IF TG_OP = 'INSERT' THEN
		INSERT INTO audit_log (actor, entity, entity_id, operation, after)
		VALUES (who, TG_ARGV[0], NEW.id, 'create', to_jsonb(NEW));
		RETURN NEW;
	ELSIF TG_OP = 'UPDATE' THEN
		IF to_jsonb(OLD) - 'updated_at' = to_jsonb(NEW) - 'updated_at' THEN
			RETURN NEW;
		END IF;
		INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
		VALUES (who, TG_ARGV[0], NEW.id, CASE WHEN op = 'merge' THEN 'merge' ELSE 'update' END,
			to_jsonb(OLD), to_jsonb(NEW));
		RETURN NEW;
	ELSE
		INSERT INTO audit_log (actor, entity, entity_id, operation, before)
		VALUES (who, TG_ARGV[0], OLD.id, CASE WHEN op = 'merge' THEN 'merge' ELSE 'delete' END,
			to_jsonb(OLD));
		RETURN OLD;
	END IF;
END $$;

-- Raised (and caught by ow_import_new_departures) when the fast path cannot take a batch.
CREATE FUNCTION ow_import_fallback() RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'OWFBK', MESSAGE = 'the batch needs the record-by-record path';
END $$;

-- The key of reference f in d, as ow_ref reads it: field f_id, else f.
CREATE FUNCTION ow_import_refkey(d jsonb, f text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN d ? (f || '_id') THEN d ->> (f || '_id') ELSE d ->> f END
$$;

-- k as a UUID when it is one, else NULL (never an error).
CREATE FUNCTION ow_import_uuid(k text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN ow_is_uuid(k) THEN k::uuid END
$$;

-- True when it wrote the whole batch (every record created); false when it wrote nothing.
CREATE FUNCTION ow_import_new_departures(p_actor text, records jsonb) RETURNS boolean
LANGUAGE plpgsql AS $$
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
END $$;

-- As in 0009, plus the setting that turns document rendering off for the transaction, and
-- the fast path for new departures.
CREATE OR REPLACE FUNCTION ow_import_batch(p_actor text, records jsonb)
RETURNS TABLE (r_line int, r_outcome text, r_field text, r_message text)
LANGUAGE plpgsql AS $$
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
END $$;

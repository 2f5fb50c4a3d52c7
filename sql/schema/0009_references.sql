-- 0009_references.sql — every unknown reference of a write is named at once; one entry
-- point for record writes; merged-person lookups safe under generic plans; what still
-- cites a source is named by kind.

-- Raises one OW400 naming every reference in d that does not resolve. refs lists
-- "entity:field" pairs: the field may be given as field_id (a UUID) or field (a slug or
-- natural key); "sources" checks source_ids / sources items. The DETAIL is a JSON
-- array of {field, message}, which the server turns into the problem's errors.
CREATE FUNCTION ow_check_refs(d jsonb, refs text[]) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r text;
	entity text;
	f text;
	given text;
	name text;
	item text;
	errs jsonb := '[]';
BEGIN
	FOREACH r IN ARRAY refs LOOP
		entity := split_part(r, ':', 1);
		f := split_part(r, ':', 2);
		IF entity = 'sources' THEN
			name := CASE WHEN d ? 'source_ids' THEN 'source_ids' WHEN d ? 'sources' THEN 'sources' END;
			IF name IS NOT NULL AND jsonb_typeof(d -> name) = 'array' THEN
				FOR item IN SELECT jsonb_array_elements_text(d -> name) LOOP
					IF ow_key('source', item) IS NULL THEN
						errs := errs || jsonb_build_object('field', name,
							'message', format('no source with id or url %L', item));
					END IF;
				END LOOP;
			END IF;
			CONTINUE;
		END IF;
		name := CASE WHEN d ? (f || '_id') THEN f || '_id' WHEN d ? f THEN f END;
		given := d ->> name;
		IF given IS NOT NULL AND ow_key(entity, given) IS NULL THEN
			errs := errs || jsonb_build_object('field', name, 'message',
				format('no %s with id or %s %L', ow_entity_label(entity),
					CASE entity WHEN 'team' THEN 'org/team slug' ELSE 'slug' END, given));
		END IF;
	END LOOP;
	IF jsonb_array_length(errs) > 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'OW400', MESSAGE = errs -> 0 ->> 'message',
			COLUMN = errs -> 0 ->> 'field', DETAIL = errs::text;
	END IF;
END $$;

CREATE FUNCTION ow_entity_refs(entity text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE entity
		WHEN 'organization' THEN ARRAY['organization:parent']
		WHEN 'team' THEN ARRAY['organization:org', 'team:parent']
		WHEN 'position' THEN ARRAY['person:person', 'organization:org', 'team:team', 'sources:']
		WHEN 'reporting_line' THEN ARRAY['person:report', 'person:manager', 'sources:']
		WHEN 'departure' THEN ARRAY['person:person', 'organization:org', 'team:team',
			'organization:destination_org', 'layoff:layoff', 'sources:']
		WHEN 'layoff' THEN ARRAY['organization:org', 'team:team', 'sources:']
		ELSE '{}'::text[] END
$$;

-- The one entry point for record writes (create when p_key is NULL).
CREATE FUNCTION ow_write(entity text, p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM ow_check_refs(d, ow_entity_refs(entity));
	CASE entity
	WHEN 'organization' THEN RETURN QUERY SELECT * FROM ow_organizations_write(p_actor, p_key, d, p_if_match);
	WHEN 'team' THEN RETURN QUERY SELECT * FROM ow_teams_write(p_actor, p_key, d, p_if_match);
	WHEN 'person' THEN RETURN QUERY SELECT * FROM ow_people_write(p_actor, p_key, d, p_if_match);
	WHEN 'source' THEN RETURN QUERY SELECT * FROM ow_sources_write(p_actor, p_key, d, p_if_match);
	WHEN 'position' THEN RETURN QUERY SELECT * FROM ow_positions_write(p_actor, p_key, d, p_if_match);
	WHEN 'reporting_line' THEN RETURN QUERY SELECT * FROM ow_reporting_lines_write(p_actor, p_key, d, p_if_match);
	WHEN 'departure' THEN RETURN QUERY SELECT * FROM ow_departures_write(p_actor, p_key, d, p_if_match);
	WHEN 'layoff' THEN RETURN QUERY SELECT * FROM ow_layoffs_write(p_actor, p_key, d, p_if_match);
	END CASE;
END $$;

-- Merged people: decide uuid-or-slug in PL/pgSQL, never by a cast inside one query
-- (a generic plan would cast every slug to uuid).
CREATE OR REPLACE FUNCTION ow_people_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	rid uuid := ow_key('person', p_key);
BEGIN
	IF rid IS NOT NULL THEN
		RETURN QUERY SELECT ow_person_doc(p)::text, ow_etag(p.updated_at), NULL::text
			FROM people p WHERE p.id = rid;
	ELSIF ow_is_uuid(p_key) THEN
		RETURN QUERY SELECT NULL::text, NULL::text, p.slug FROM people_redirects r
			JOIN people p ON p.id = r.survivor_id WHERE r.old_id = p_key::uuid;
	ELSE
		RETURN QUERY SELECT NULL::text, NULL::text, p.slug FROM people_redirects r
			JOIN people p ON p.id = r.survivor_id WHERE r.old_slug = p_key;
	END IF;
END $$;

-- What still refers to a record, by kind ("2 positions, 1 departure").
CREATE OR REPLACE FUNCTION ow_refs(entity text, rid uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	counts text;
BEGIN
	SELECT string_agg(n || ' ' || CASE WHEN n = 1 THEN one ELSE many END, ', ') INTO counts FROM (
		SELECT count(*) AS n, 'position' AS one, 'positions' AS many FROM positions
			WHERE (entity = 'person' AND person_id = rid) OR (entity = 'organization' AND org_id = rid)
			   OR (entity = 'team' AND team_id = rid)
		UNION ALL SELECT count(*), 'reporting line', 'reporting lines' FROM reporting_lines
			WHERE entity = 'person' AND (report_id = rid OR manager_id = rid)
		UNION ALL SELECT count(*), 'departure', 'departures' FROM departures
			WHERE (entity = 'person' AND person_id = rid)
			   OR (entity = 'organization' AND (org_id = rid OR destination_org_id = rid))
			   OR (entity = 'team' AND team_id = rid) OR (entity = 'layoff' AND layoff_id = rid)
		UNION ALL SELECT count(*), 'layoff', 'layoffs' FROM layoffs
			WHERE (entity = 'organization' AND org_id = rid) OR (entity = 'team' AND team_id = rid)
		UNION ALL SELECT count(*), 'team', 'teams' FROM teams
			WHERE (entity = 'organization' AND org_id = rid) OR (entity = 'team' AND parent_id = rid)
		UNION ALL SELECT count(*), 'child organization', 'child organizations' FROM organizations
			WHERE entity = 'organization' AND parent_id = rid
		UNION ALL SELECT count(*), 'position citing it', 'positions citing it' FROM position_sources
			WHERE entity = 'source' AND source_id = rid
		UNION ALL SELECT count(*), 'reporting line citing it', 'reporting lines citing it' FROM reporting_line_sources
			WHERE entity = 'source' AND source_id = rid
		UNION ALL SELECT count(*), 'departure citing it', 'departures citing it' FROM departure_sources
			WHERE entity = 'source' AND source_id = rid
		UNION ALL SELECT count(*), 'layoff citing it', 'layoffs citing it' FROM layoff_sources
			WHERE entity = 'source' AND source_id = rid
	) c WHERE n > 0;
	RETURN counts;
END $$;

-- Imports name every bad reference of a line too.
CREATE OR REPLACE FUNCTION ow_import_batch(p_actor text, records jsonb)
RETURNS TABLE (r_line int, r_outcome text, r_field text, r_message text)
LANGUAGE plpgsql AS $$
DECLARE
	rec jsonb;
	e jsonb;
	st text; msg text; col text; detail text; cons text;
BEGIN
	PERFORM pg_advisory_xact_lock(7406119);
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

-- RFC 7396 merge patch; a JSON null patch yields SQL NULL (the caller's default applies).
CREATE OR REPLACE FUNCTION ow_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text; v jsonb; result jsonb;
BEGIN
	IF patch IS NULL OR jsonb_typeof(patch) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(patch) <> 'object' THEN RETURN patch; END IF;
	result := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
	FOR k, v IN SELECT * FROM jsonb_each(patch) LOOP
		IF jsonb_typeof(v) = 'null' THEN
			result := result - k;
		ELSE
			result := jsonb_set(result, ARRAY[k], ow_merge_patch(result -> k, v));
		END IF;
	END LOOP;
	RETURN result;
END $$;

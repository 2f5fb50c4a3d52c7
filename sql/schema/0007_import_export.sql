-- 0007_import_export.sql — bulk import (upsert by natural key, every bad record named,
-- the caller's transaction decides all or nothing) and export in the import format,
-- in dependency order, references by natural key, so export → import → export is stable.

-- A fact whose sources change gets a new updated_at (and ETag) even when no column did.
CREATE OR REPLACE FUNCTION ow_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	derived text[] := ARRAY['updated_at', 'period', 'search_text', 'departed_range',
		'announced_range', 'published_range'];
BEGIN
	IF to_jsonb(NEW) - derived IS DISTINCT FROM to_jsonb(OLD) - derived
	   OR current_setting('orgwatch.force_touch', true) = '1' THEN
		NEW.updated_at := clock_timestamp();
	ELSE
		NEW.updated_at := OLD.updated_at;
	END IF;
	RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION ow_link_sources(entity text, fact uuid, d jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	field text := CASE WHEN d ? 'source_ids' THEN 'source_ids' WHEN d ? 'sources' THEN 'sources' END;
	ids uuid[] := '{}';
	old_ids uuid[];
	item text;
BEGIN
	IF field IS NULL THEN RETURN; END IF;
	IF jsonb_typeof(d -> field) = 'array' THEN
		FOR item IN SELECT jsonb_array_elements_text(d -> field) LOOP
			ids := ids || ow_key_strict('source', item, field);
		END LOOP;
	END IF;
	ids := ARRAY(SELECT DISTINCT unnest(ids) ORDER BY 1);
	IF entity = 'position' THEN
		old_ids := ARRAY(SELECT source_id FROM position_sources WHERE position_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM position_sources WHERE position_id = fact;
		INSERT INTO position_sources SELECT fact, unnest(ids);
	ELSIF entity = 'reporting_line' THEN
		old_ids := ARRAY(SELECT source_id FROM reporting_line_sources WHERE reporting_line_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM reporting_line_sources WHERE reporting_line_id = fact;
		INSERT INTO reporting_line_sources SELECT fact, unnest(ids);
	ELSIF entity = 'departure' THEN
		old_ids := ARRAY(SELECT source_id FROM departure_sources WHERE departure_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM departure_sources WHERE departure_id = fact;
		INSERT INTO departure_sources SELECT fact, unnest(ids);
	ELSE
		old_ids := ARRAY(SELECT source_id FROM layoff_sources WHERE layoff_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM layoff_sources WHERE layoff_id = fact;
		INSERT INTO layoff_sources SELECT fact, unnest(ids);
	END IF;
	IF old_ids <> '{}' OR ids <> '{}' THEN
		PERFORM set_config('orgwatch.force_touch', '1', true);
		CASE entity
		WHEN 'position' THEN UPDATE positions SET updated_at = updated_at WHERE id = fact;
		WHEN 'reporting_line' THEN UPDATE reporting_lines SET updated_at = updated_at WHERE id = fact;
		WHEN 'departure' THEN UPDATE departures SET updated_at = updated_at WHERE id = fact;
		ELSE UPDATE layoffs SET updated_at = updated_at WHERE id = fact;
		END CASE;
		PERFORM set_config('orgwatch.force_touch', '0', true);
	END IF;
END $$;

-- Layoffs may be created with a given id (imports keep the ids departures refer to).
CREATE OR REPLACE FUNCTION ow_layoffs_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur layoffs;
	n layoffs;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::layoffs, d);
		n.org_id := ow_ref(d, 'organization', 'org');
		n.team_id := ow_ref(d, 'team', 'team');
	ELSE
		SELECT * INTO cur FROM layoffs WHERE id = ow_key_404('layoff', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		n.org_id := ow_ref_patch(d, 'organization', 'org', cur.org_id);
		n.team_id := ow_ref_patch(d, 'team', 'team', cur.team_id);
	END IF;
	IF n.team_id IS NOT NULL AND (SELECT org_id FROM teams WHERE id = n.team_id) <> n.org_id THEN
		PERFORM ow_raise('OW400', 'team_id', 'the team belongs to another organization');
	END IF;
	IF p_key IS NULL THEN
		INSERT INTO layoffs (id, org_id, team_id, announced_on, effective_on, count, percentage, description)
		VALUES (coalesce(n.id, gen_random_uuid()), n.org_id, n.team_id, n.announced_on, n.effective_on,
			n.count, n.percentage, n.description)
		RETURNING * INTO n;
	ELSE
		UPDATE layoffs SET org_id = n.org_id, team_id = n.team_id, announced_on = n.announced_on,
			effective_on = n.effective_on, count = n.count, percentage = n.percentage, description = n.description
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('layoff', n.id, d);
	RETURN QUERY SELECT ow_layoff_doc(l, true)::text, ow_etag(l.updated_at), l.id FROM layoffs l WHERE l.id = n.id;
END $$;

-- ---------------------------------------------------------------------------
-- Import
-- ---------------------------------------------------------------------------
-- Upserts one record by its natural key; 'created', 'updated' or 'unchanged'.
CREATE FUNCTION ow_import_one(p_actor text, p_type text, d jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	existing uuid;
	before timestamptz;
	after timestamptz;
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
		CASE p_type
		WHEN 'organization' THEN PERFORM ow_organizations_write(p_actor, NULL, d, NULL);
		WHEN 'person' THEN PERFORM ow_people_write(p_actor, NULL, d, NULL);
		WHEN 'team' THEN PERFORM ow_teams_write(p_actor, NULL, d, NULL);
		WHEN 'source' THEN PERFORM ow_sources_write(p_actor, NULL, d, NULL);
		WHEN 'position' THEN PERFORM ow_positions_write(p_actor, NULL, d, NULL);
		WHEN 'reporting_line' THEN PERFORM ow_reporting_lines_write(p_actor, NULL, d, NULL);
		WHEN 'departure' THEN PERFORM ow_departures_write(p_actor, NULL, d, NULL);
		ELSE PERFORM ow_layoffs_write(p_actor, NULL, d, NULL);
		END CASE;
		RETURN 'created';
	END IF;
	d := d - 'id';
	CASE p_type
	WHEN 'organization' THEN PERFORM ow_organizations_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM organizations WHERE id = existing;
	WHEN 'person' THEN PERFORM ow_people_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM people WHERE id = existing;
	WHEN 'team' THEN PERFORM ow_teams_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM teams WHERE id = existing;
	WHEN 'source' THEN PERFORM ow_sources_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM sources WHERE id = existing;
	WHEN 'position' THEN PERFORM ow_positions_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM positions WHERE id = existing;
	WHEN 'reporting_line' THEN PERFORM ow_reporting_lines_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM reporting_lines WHERE id = existing;
	WHEN 'departure' THEN PERFORM ow_departures_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM departures WHERE id = existing;
	ELSE PERFORM ow_layoffs_write(p_actor, existing::text, d, NULL);
		SELECT updated_at INTO after FROM layoffs WHERE id = existing;
	END CASE;
	RETURN CASE WHEN after = before THEN 'unchanged' ELSE 'updated' END;
END $$;

-- Imports a batch: records = [{"line": n, "type": t, "doc": {...}}, ...]. Each record runs
-- in its own subtransaction so that every bad record is reported (line, field, message)
-- and the others go on; the caller rolls the whole import back when any failed.
CREATE FUNCTION ow_import_batch(p_actor text, records jsonb)
RETURNS TABLE (r_line int, r_outcome text, r_field text, r_message text)
LANGUAGE plpgsql AS $$
DECLARE
	rec jsonb;
	st text; msg text; col text; detail text; cons text;
BEGIN
	PERFORM pg_advisory_xact_lock(7406119);
	FOR rec IN SELECT * FROM jsonb_array_elements(records) LOOP
		r_line := (rec ->> 'line')::int;
		BEGIN
			r_outcome := ow_import_one(p_actor, rec ->> 'type', rec -> 'doc');
			r_field := NULL;
			r_message := NULL;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, col = COLUMN_NAME,
				detail = PG_EXCEPTION_DETAIL, cons = CONSTRAINT_NAME;
			r_outcome := 'error';
			r_field := nullif(col, '');
			r_message := CASE
				WHEN st = '23505' THEN 'duplicate: ' || coalesce(nullif(detail, ''), msg)
				WHEN st IN ('23P01', 'OW409') THEN 'conflict: ' || msg
				ELSE msg END;
			IF r_field IS NULL AND cons <> '' THEN
				r_field := cons;
			END IF;
		END;
		RETURN NEXT;
	END LOOP;
END $$;

-- ---------------------------------------------------------------------------
-- Export: one import-format JSON line per record, in dependency order.
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_source_urls(entity text, fact uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(s.url ORDER BY s.url), '[]') FROM sources s WHERE s.id IN (
		SELECT source_id FROM position_sources WHERE entity = 'position' AND position_id = fact
		UNION ALL SELECT source_id FROM reporting_line_sources WHERE entity = 'reporting_line' AND reporting_line_id = fact
		UNION ALL SELECT source_id FROM departure_sources WHERE entity = 'departure' AND departure_id = fact
		UNION ALL SELECT source_id FROM layoff_sources WHERE entity = 'layoff' AND layoff_id = fact)
$$;

CREATE FUNCTION ow_team_key(t_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT o.slug || '/' || t.slug FROM teams t JOIN organizations o ON o.id = t.org_id WHERE t.id = t_id
$$;

CREATE FUNCTION ow_person_slug(p_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT slug FROM people WHERE id = p_id $$;

CREATE FUNCTION ow_org_slug(o_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT slug FROM organizations WHERE id = o_id $$;

-- Every record of one type (or of all types when p_type is NULL) as export lines:
-- (ord, key, line) ordered by type rank, then depth (parents first), then natural key.
-- Layoffs and departures come before positions and reporting lines: importing a
-- departure closes the open positions and lines it ends, so on a round trip they must
-- arrive afterwards, exactly as exported.
CREATE FUNCTION ow_export_rows(p_type text) RETURNS TABLE (rank int, depth int, key text, line text)
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE org_depth (id, depth) AS (
		SELECT id, 0 FROM organizations WHERE parent_id IS NULL
		UNION ALL SELECT o.id, d.depth + 1 FROM organizations o JOIN org_depth d ON o.parent_id = d.id
	), team_depth (id, depth) AS (
		SELECT id, 0 FROM teams WHERE parent_id IS NULL
		UNION ALL SELECT t.id, d.depth + 1 FROM teams t JOIN team_depth d ON t.parent_id = d.id
	)
	SELECT 1, 0, s.url, jsonb_strip_nulls(jsonb_build_object('type', 'source', 'url', s.url, 'title', s.title,
		'publisher', s.publisher, 'author', s.author, 'published_on', s.published_on))::text
	FROM sources s WHERE p_type IS NULL OR p_type = 'source'
	UNION ALL
	SELECT 2, d.depth, o.slug, jsonb_strip_nulls(jsonb_build_object('type', 'organization', 'slug', o.slug,
		'name', o.name, 'kind', o.kind, 'website', o.website, 'founded_on', o.founded_on,
		'parent', ow_org_slug(o.parent_id), 'description', o.description))::text
	FROM organizations o JOIN org_depth d ON d.id = o.id WHERE p_type IS NULL OR p_type = 'organization'
	UNION ALL
	SELECT 3, d.depth, ow_team_key(t.id), jsonb_strip_nulls(jsonb_build_object('type', 'team',
		'org', ow_org_slug(t.org_id), 'slug', t.slug, 'parent', ow_team_key(t.parent_id), 'name', t.name,
		'description', t.description, 'formed_on', t.formed_on, 'dissolved_on', t.dissolved_on,
		'reported_headcount', t.reported_headcount))::text
	FROM teams t JOIN team_depth d ON d.id = t.id WHERE p_type IS NULL OR p_type = 'team'
	UNION ALL
	SELECT 4, 0, p.slug, jsonb_strip_nulls(jsonb_build_object('type', 'person', 'slug', p.slug,
		'full_name', p.full_name, 'aliases', to_jsonb(p.aliases), 'bio', p.bio, 'links', p.links,
		'tags', to_jsonb(p.tags)))::text
	FROM people p WHERE p_type IS NULL OR p_type = 'person'
	UNION ALL
	SELECT 7, 0, ow_person_slug(x.person_id) || '|' || ow_org_slug(x.org_id) || '|' || coalesce(x.started_on, ''),
		jsonb_strip_nulls(jsonb_build_object('type', 'position', 'person', ow_person_slug(x.person_id),
		'org', ow_org_slug(x.org_id), 'team', ow_team_key(x.team_id), 'title', x.title,
		'started_on', x.started_on, 'ended_on', x.ended_on, 'sources', ow_source_urls('position', x.id)))::text
	FROM positions x WHERE p_type IS NULL OR p_type = 'position'
	UNION ALL
	SELECT 8, 0, ow_person_slug(l.report_id) || '|' || coalesce(l.valid_from, ''),
		jsonb_strip_nulls(jsonb_build_object('type', 'reporting_line', 'report', ow_person_slug(l.report_id),
		'manager', ow_person_slug(l.manager_id), 'valid_from', l.valid_from, 'valid_to', l.valid_to,
		'sources', ow_source_urls('reporting_line', l.id)))::text
	FROM reporting_lines l WHERE p_type IS NULL OR p_type = 'reporting_line'
	UNION ALL
	SELECT 5, 0, l.id::text, jsonb_strip_nulls(jsonb_build_object('type', 'layoff', 'id', l.id,
		'org', ow_org_slug(l.org_id), 'team', ow_team_key(l.team_id), 'announced_on', l.announced_on,
		'effective_on', l.effective_on, 'count', l.count, 'percentage', l.percentage,
		'description', l.description, 'sources', ow_source_urls('layoff', l.id)))::text
	FROM layoffs l WHERE p_type IS NULL OR p_type = 'layoff'
	UNION ALL
	SELECT 6, 0, ow_person_slug(d.person_id) || '|' || ow_org_slug(d.org_id) || '|' || d.departed_on,
		jsonb_strip_nulls(jsonb_build_object('type', 'departure', 'person', ow_person_slug(d.person_id),
		'org', ow_org_slug(d.org_id), 'team', ow_team_key(d.team_id), 'title', d.title,
		'departed_on', d.departed_on, 'announced_on', d.announced_on, 'kind', d.kind,
		'reason_category', d.reason_category, 'reason', d.reason,
		'destination_org', ow_org_slug(d.destination_org_id), 'destination_title', d.destination_title,
		'destination_kind', d.destination_kind, 'layoff', d.layoff_id, 'returned_on', d.returned_on,
		'sources', ow_source_urls('departure', d.id), 'notes', d.notes, 'status', d.status))::text
	FROM departures d WHERE p_type IS NULL OR p_type = 'departure'
$$;

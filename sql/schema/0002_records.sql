-- 0002_records.sql — behaviour of the record API: key resolution (id or slug),
-- JSON documents, create / merge-patch / delete with If-Match, source links,
-- slugs, idempotency keys. Errors are raised with our own SQLSTATEs, which the
-- server maps to HTTP: OW400 (bad field: COLUMN names it), OW404, OW409, OW412.

-- ---------------------------------------------------------------------------
-- Small helpers
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_raise(code text, field text, msg text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg, COLUMN = coalesce(field, '');
END $$;

CREATE FUNCTION ow_is_uuid(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT t ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$$;

-- RFC 3339 UTC timestamp text (seconds precision, as the API shows it).
CREATE FUNCTION ow_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Strong ETag from the row's last change (microseconds).
CREATE FUNCTION ow_etag(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT '"' || to_hex((extract(epoch FROM t) * 1000000)::bigint) || '"'
$$;

-- Starts a write: the acting key's name goes to the audit trigger.
CREATE FUNCTION ow_begin_write(actor text, operation text DEFAULT '') RETURNS void
LANGUAGE sql AS $$
	SELECT set_config('orgwatch.actor', coalesce(actor, 'system'), true),
	       set_config('orgwatch.operation', coalesce(operation, ''), true)
$$;

-- Raises OW412 unless If-Match (NULL = not sent, "*" = any) names the current ETag.
CREATE FUNCTION ow_check_if_match(updated timestamptz, if_match text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	tag text;
BEGIN
	IF if_match IS NULL OR btrim(if_match) = '*' THEN RETURN; END IF;
	FOREACH tag IN ARRAY string_to_array(if_match, ',') LOOP
		tag := regexp_replace(btrim(tag), '^W/', '');
		IF tag = ow_etag(updated) THEN RETURN; END IF;
	END LOOP;
	PERFORM ow_raise('OW412', NULL, 'If-Match does not match the current ETag ' || ow_etag(updated)
		|| '; read the record again and retry.');
END $$;

-- RFC 7396 merge patch of a JSON object.
CREATE FUNCTION ow_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text; v jsonb; result jsonb;
BEGIN
	IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN RETURN patch; END IF;
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

-- "Chi-Hao Wu" → "chi-hao-wu"; accents folded; never empty.
CREATE FUNCTION ow_slugify(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(nullif(left(btrim(regexp_replace(ow_fold(coalesce(t, '')), '[^a-z0-9]+', '-', 'g'), '-'), 80), ''), 'x')
$$;

-- A slug not yet used in `tbl` (within org_id for teams): base, base-2, base-3, ...
CREATE FUNCTION ow_unique_slug(tbl text, name text, org uuid DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	base text := btrim(left(ow_slugify(name), 80), '-');
	candidate text := base;
	n int := 1;
	taken boolean;
BEGIN
	LOOP
		IF tbl = 'people' THEN
			SELECT EXISTS (SELECT 1 FROM people WHERE slug = candidate)
			    OR EXISTS (SELECT 1 FROM people_redirects WHERE old_slug = candidate) INTO taken;
		ELSIF tbl = 'organizations' THEN
			SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = candidate) INTO taken;
		ELSE
			SELECT EXISTS (SELECT 1 FROM teams WHERE org_id = org AND slug = candidate) INTO taken;
		END IF;
		EXIT WHEN NOT taken;
		n := n + 1;
		candidate := base || '-' || n;
	END LOOP;
	RETURN candidate;
END $$;

-- ---------------------------------------------------------------------------
-- Keys: a path {id} or a reference may be a UUID or the record's slug / natural key
-- (teams: "org-slug/team-slug" or a slug unique across organizations; sources: URL).
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_key(entity text, k text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r uuid;
	u uuid;
BEGIN
	IF k IS NULL THEN RETURN NULL; END IF;
	IF ow_is_uuid(k) THEN
		u := k::uuid;
		CASE entity
		WHEN 'person' THEN SELECT id INTO r FROM people WHERE id = u;
		WHEN 'organization' THEN SELECT id INTO r FROM organizations WHERE id = u;
		WHEN 'team' THEN SELECT id INTO r FROM teams WHERE id = u;
		WHEN 'source' THEN SELECT id INTO r FROM sources WHERE id = u;
		WHEN 'position' THEN SELECT id INTO r FROM positions WHERE id = u;
		WHEN 'reporting_line' THEN SELECT id INTO r FROM reporting_lines WHERE id = u;
		WHEN 'departure' THEN SELECT id INTO r FROM departures WHERE id = u;
		WHEN 'layoff' THEN SELECT id INTO r FROM layoffs WHERE id = u;
		ELSE r := NULL;
		END CASE;
		RETURN r;
	END IF;
	CASE entity
	WHEN 'person' THEN SELECT id INTO r FROM people WHERE slug = k;
	WHEN 'organization' THEN SELECT id INTO r FROM organizations WHERE slug = k;
	WHEN 'source' THEN SELECT id INTO r FROM sources WHERE url = k;
	WHEN 'team' THEN
		IF position('/' IN k) > 0 THEN
			SELECT t.id INTO r FROM teams t JOIN organizations o ON o.id = t.org_id
			WHERE o.slug = split_part(k, '/', 1) AND t.slug = substr(k, position('/' IN k) + 1);
		ELSE
			SELECT t.id INTO r FROM teams t WHERE t.slug = k
			AND (SELECT count(*) FROM teams t2 WHERE t2.slug = k) = 1;
		END IF;
	ELSE r := NULL;
	END CASE;
	RETURN r;
END $$;

CREATE FUNCTION ow_entity_label(entity text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT replace(entity, '_', ' ')
$$;

-- The record a request path names, or OW404.
CREATE FUNCTION ow_key_404(entity text, k text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r uuid := ow_key(entity, k);
BEGIN
	IF r IS NULL THEN
		PERFORM ow_raise('OW404', NULL, format('No %s with id or slug %L.', ow_entity_label(entity), k));
	END IF;
	RETURN r;
END $$;

-- A reference given in a field or filter: NULL stays NULL, unknown → OW400 on `field`.
CREATE FUNCTION ow_key_strict(entity text, k text, field text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r uuid := ow_key(entity, k);
BEGIN
	IF k IS NOT NULL AND r IS NULL THEN
		PERFORM ow_raise('OW400', field, format('no %s with id or %s %L', ow_entity_label(entity),
			CASE entity WHEN 'source' THEN 'url' WHEN 'team' THEN 'org/team slug' ELSE 'slug' END, k));
	END IF;
	RETURN r;
END $$;

-- The reference in d: field `f_id` (a UUID) or its import-style alternative `f`.
CREATE FUNCTION ow_ref(d jsonb, entity text, f text) RETURNS uuid
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN d ? (f || '_id') THEN ow_key_strict(entity, d ->> (f || '_id'), f || '_id')
	            ELSE ow_key_strict(entity, d ->> f, f) END
$$;

-- For a patch: the reference if d mentions it, else `current`.
CREATE FUNCTION ow_ref_patch(d jsonb, entity text, f text, current uuid) RETURNS uuid
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN d ? (f || '_id') OR d ? f THEN ow_ref(d, entity, f) ELSE current END
$$;

-- ---------------------------------------------------------------------------
-- Summaries embedded in documents
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_org_summary(o_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', o.id, 'slug', o.slug, 'name', o.name)
	FROM organizations o WHERE o.id = o_id
$$;

CREATE FUNCTION ow_team_summary(t_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', t.id, 'slug', t.slug, 'name', t.name)
	FROM teams t WHERE t.id = t_id
$$;

CREATE FUNCTION ow_person_summary(p_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', p.id, 'slug', p.slug, 'full_name', p.full_name)
	FROM people p WHERE p.id = p_id
$$;

-- Sources of a fact: {"source_ids": [...], "sources": [{id, url, publisher, title}]}
CREATE FUNCTION ow_fact_sources(entity text, fact uuid) RETURNS TABLE (ids json, summaries json)
LANGUAGE sql STABLE AS $$
	WITH links AS (
		SELECT source_id FROM position_sources WHERE entity = 'position' AND position_id = fact
		UNION ALL SELECT source_id FROM reporting_line_sources WHERE entity = 'reporting_line' AND reporting_line_id = fact
		UNION ALL SELECT source_id FROM departure_sources WHERE entity = 'departure' AND departure_id = fact
		UNION ALL SELECT source_id FROM layoff_sources WHERE entity = 'layoff' AND layoff_id = fact
	)
	SELECT coalesce(json_agg(s.id ORDER BY s.url), '[]'),
	       coalesce(json_agg(json_build_object('id', s.id, 'url', s.url, 'publisher', s.publisher,
			'title', s.title) ORDER BY s.url), '[]')
	FROM links l JOIN sources s ON s.id = l.source_id
$$;

-- Replaces a fact's sources when d names them (source_ids: UUIDs, or sources: URLs/ids).
CREATE FUNCTION ow_link_sources(entity text, fact uuid, d jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	field text := CASE WHEN d ? 'source_ids' THEN 'source_ids' WHEN d ? 'sources' THEN 'sources' END;
	ids uuid[] := '{}';
	item text;
BEGIN
	IF field IS NULL THEN RETURN; END IF;
	IF jsonb_typeof(d -> field) = 'array' THEN
		FOR item IN SELECT jsonb_array_elements_text(d -> field) LOOP
			ids := ids || ow_key_strict('source', item, field);
		END LOOP;
	END IF;
	IF entity = 'position' THEN
		DELETE FROM position_sources WHERE position_id = fact;
		INSERT INTO position_sources SELECT DISTINCT fact, unnest(ids);
	ELSIF entity = 'reporting_line' THEN
		DELETE FROM reporting_line_sources WHERE reporting_line_id = fact;
		INSERT INTO reporting_line_sources SELECT DISTINCT fact, unnest(ids);
	ELSIF entity = 'departure' THEN
		DELETE FROM departure_sources WHERE departure_id = fact;
		INSERT INTO departure_sources SELECT DISTINCT fact, unnest(ids);
	ELSE
		DELETE FROM layoff_sources WHERE layoff_id = fact;
		INSERT INTO layoff_sources SELECT DISTINCT fact, unnest(ids);
	END IF;
END $$;

-- What still refers to a record ("2 positions, 1 departure"), NULL when nothing does.
CREATE FUNCTION ow_refs(entity text, rid uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	counts text;
BEGIN
	SELECT string_agg(n || ' ' || what, ', ') INTO counts FROM (
		SELECT count(*) AS n, 'positions' AS what FROM positions
			WHERE (entity = 'person' AND person_id = rid) OR (entity = 'organization' AND org_id = rid)
			   OR (entity = 'team' AND team_id = rid)
		UNION ALL SELECT count(*), 'reporting lines' FROM reporting_lines
			WHERE entity = 'person' AND (report_id = rid OR manager_id = rid)
		UNION ALL SELECT count(*), 'departures' FROM departures
			WHERE (entity = 'person' AND person_id = rid)
			   OR (entity = 'organization' AND (org_id = rid OR destination_org_id = rid))
			   OR (entity = 'team' AND team_id = rid) OR (entity = 'layoff' AND layoff_id = rid)
		UNION ALL SELECT count(*), 'layoffs' FROM layoffs
			WHERE (entity = 'organization' AND org_id = rid) OR (entity = 'team' AND team_id = rid)
		UNION ALL SELECT count(*), 'teams' FROM teams
			WHERE (entity = 'organization' AND org_id = rid) OR (entity = 'team' AND parent_id = rid)
		UNION ALL SELECT count(*), 'child organizations' FROM organizations
			WHERE entity = 'organization' AND parent_id = rid
		UNION ALL SELECT count(*), 'fact links' FROM (
			SELECT source_id FROM position_sources UNION ALL SELECT source_id FROM reporting_line_sources
			UNION ALL SELECT source_id FROM departure_sources UNION ALL SELECT source_id FROM layoff_sources) l
			WHERE entity = 'source' AND source_id = rid
	) c WHERE n > 0;
	RETURN counts;
END $$;

-- Deletes a record after If-Match, refusing (OW409) while anything refers to it.
CREATE FUNCTION ow_record_delete(entity text, p_actor text, p_key text, p_if_match text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	rid uuid;
	updated timestamptz;
	refs text;
BEGIN
	PERFORM ow_begin_write(p_actor);
	rid := ow_key_404(entity, p_key);
	CASE entity
	WHEN 'person' THEN SELECT updated_at INTO updated FROM people WHERE id = rid FOR UPDATE;
	WHEN 'organization' THEN SELECT updated_at INTO updated FROM organizations WHERE id = rid FOR UPDATE;
	WHEN 'team' THEN SELECT updated_at INTO updated FROM teams WHERE id = rid FOR UPDATE;
	WHEN 'source' THEN SELECT updated_at INTO updated FROM sources WHERE id = rid FOR UPDATE;
	WHEN 'position' THEN SELECT updated_at INTO updated FROM positions WHERE id = rid FOR UPDATE;
	WHEN 'reporting_line' THEN SELECT updated_at INTO updated FROM reporting_lines WHERE id = rid FOR UPDATE;
	WHEN 'departure' THEN SELECT updated_at INTO updated FROM departures WHERE id = rid FOR UPDATE;
	WHEN 'layoff' THEN SELECT updated_at INTO updated FROM layoffs WHERE id = rid FOR UPDATE;
	END CASE;
	PERFORM ow_check_if_match(updated, p_if_match);
	refs := ow_refs(entity, rid);
	IF refs IS NOT NULL THEN
		PERFORM ow_raise('OW409', NULL, format('Other records refer to this %s: %s. Delete or change them first.',
			ow_entity_label(entity), refs));
	END IF;
	CASE entity
	WHEN 'person' THEN DELETE FROM people WHERE id = rid;
	WHEN 'organization' THEN DELETE FROM organizations WHERE id = rid;
	WHEN 'team' THEN DELETE FROM teams WHERE id = rid;
	WHEN 'source' THEN DELETE FROM sources WHERE id = rid;
	WHEN 'position' THEN DELETE FROM positions WHERE id = rid;
	WHEN 'reporting_line' THEN DELETE FROM reporting_lines WHERE id = rid;
	WHEN 'departure' THEN DELETE FROM departures WHERE id = rid;
	WHEN 'layoff' THEN DELETE FROM layoffs WHERE id = rid;
	END CASE;
END $$;

-- ---------------------------------------------------------------------------
-- Organizations
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_organization_doc(o organizations) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'kind', o.kind,
		'website', o.website, 'founded_on', o.founded_on, 'parent_id', o.parent_id,
		'description', o.description, 'created_at', ow_ts(o.created_at), 'updated_at', ow_ts(o.updated_at))
$$;

CREATE FUNCTION ow_organizations_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE sql STABLE AS $$
	SELECT ow_organization_doc(o)::text, ow_etag(o.updated_at), NULL::text
	FROM organizations o WHERE o.id = ow_key('organization', p_key)
$$;

CREATE FUNCTION ow_organizations_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur organizations;
	n organizations;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::organizations, d);
		INSERT INTO organizations (slug, name, kind, website, founded_on, parent_id, description)
		VALUES (coalesce(n.slug, ow_unique_slug('organizations', n.name)), n.name, coalesce(n.kind, 'other'),
			n.website, n.founded_on, ow_ref(d, 'organization', 'parent'), n.description)
		RETURNING * INTO n;
	ELSE
		SELECT * INTO cur FROM organizations WHERE id = ow_key_404('organization', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		UPDATE organizations SET slug = n.slug, name = n.name, kind = n.kind, website = n.website,
			founded_on = n.founded_on, parent_id = ow_ref_patch(d, 'organization', 'parent', cur.parent_id),
			description = n.description
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	IF n.parent_id = n.id THEN
		PERFORM ow_raise('OW400', 'parent_id', 'an organization cannot be its own parent');
	END IF;
	RETURN QUERY SELECT ow_organization_doc(n)::text, ow_etag(n.updated_at), n.id;
END $$;

-- ---------------------------------------------------------------------------
-- Teams
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_team_doc(t teams) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', t.id, 'slug', t.slug, 'org_id', t.org_id, 'org', ow_org_summary(t.org_id),
		'parent_id', t.parent_id, 'name', t.name, 'description', t.description,
		'formed_on', t.formed_on, 'dissolved_on', t.dissolved_on,
		'reported_headcount', t.reported_headcount,
		'created_at', ow_ts(t.created_at), 'updated_at', ow_ts(t.updated_at))
$$;

CREATE FUNCTION ow_teams_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE sql STABLE AS $$
	SELECT ow_team_doc(t)::text, ow_etag(t.updated_at), NULL::text
	FROM teams t WHERE t.id = ow_key('team', p_key)
$$;

CREATE FUNCTION ow_teams_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur teams;
	n teams;
	parent_org uuid;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::teams, d);
		n.org_id := ow_ref(d, 'organization', 'org');
		INSERT INTO teams (org_id, slug, parent_id, name, description, formed_on, dissolved_on, reported_headcount)
		VALUES (n.org_id, coalesce(n.slug, ow_unique_slug('teams', n.name, n.org_id)), ow_ref(d, 'team', 'parent'),
			n.name, n.description, n.formed_on, n.dissolved_on, n.reported_headcount)
		RETURNING * INTO n;
	ELSE
		SELECT * INTO cur FROM teams WHERE id = ow_key_404('team', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		UPDATE teams SET org_id = ow_ref_patch(d, 'organization', 'org', cur.org_id), slug = n.slug,
			parent_id = ow_ref_patch(d, 'team', 'parent', cur.parent_id), name = n.name,
			description = n.description, formed_on = n.formed_on, dissolved_on = n.dissolved_on,
			reported_headcount = n.reported_headcount
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	IF n.parent_id IS NOT NULL THEN
		SELECT org_id INTO parent_org FROM teams WHERE id = n.parent_id;
		IF n.parent_id = n.id OR parent_org <> n.org_id THEN
			PERFORM ow_raise('OW400', 'parent_id', 'the parent team must be another team of the same organization');
		END IF;
	END IF;
	IF n.dissolved_on IS NOT NULL AND n.formed_on IS NOT NULL
	   AND ow_pdate_lower(n.dissolved_on) < ow_pdate_lower(n.formed_on) THEN
		PERFORM ow_raise('OW400', 'dissolved_on', 'must not be before formed_on');
	END IF;
	RETURN QUERY SELECT ow_team_doc(n)::text, ow_etag(n.updated_at), n.id;
END $$;

-- ---------------------------------------------------------------------------
-- People
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_person_doc(p people) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', p.id, 'slug', p.slug, 'full_name', p.full_name,
		'aliases', to_json(p.aliases), 'bio', p.bio, 'links', p.links, 'tags', to_json(p.tags),
		'current_positions', coalesce((
			SELECT json_agg(json_build_object('id', po.id, 'org', ow_org_summary(po.org_id),
				'team', ow_team_summary(po.team_id), 'title', po.title, 'started_on', po.started_on)
				ORDER BY ow_pdate_lower(po.started_on) NULLS FIRST, po.id)
			FROM positions po WHERE po.person_id = p.id AND po.ended_on IS NULL), '[]'),
		'created_at', ow_ts(p.created_at), 'updated_at', ow_ts(p.updated_at))
$$;

-- Merged people answer with the survivor's slug in r_moved (the server sends 301).
CREATE FUNCTION ow_people_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	rid uuid := ow_key('person', p_key);
BEGIN
	IF rid IS NOT NULL THEN
		RETURN QUERY SELECT ow_person_doc(p)::text, ow_etag(p.updated_at), NULL::text
			FROM people p WHERE p.id = rid;
		RETURN;
	END IF;
	RETURN QUERY SELECT NULL::text, NULL::text, p.slug FROM people_redirects r JOIN people p ON p.id = r.survivor_id
		WHERE (ow_is_uuid(p_key) AND r.old_id = p_key::uuid) OR r.old_slug = p_key LIMIT 1;
END $$;

CREATE FUNCTION ow_people_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur people;
	n people;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::people, d);
		IF n.slug IS NOT NULL AND EXISTS (SELECT 1 FROM people_redirects WHERE old_slug = n.slug) THEN
			PERFORM ow_raise('OW409', 'slug', format('the slug %L belonged to a merged person', n.slug));
		END IF;
		INSERT INTO people (slug, full_name, aliases, bio, links, tags)
		VALUES (coalesce(n.slug, ow_unique_slug('people', n.full_name)), n.full_name, coalesce(n.aliases, '{}'),
			n.bio, coalesce(n.links, '{}'), coalesce(n.tags, '{}'))
		RETURNING * INTO n;
	ELSE
		SELECT * INTO cur FROM people WHERE id = ow_key_404('person', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		UPDATE people SET slug = n.slug, full_name = n.full_name, aliases = coalesce(n.aliases, '{}'),
			bio = n.bio, links = CASE WHEN d ? 'links' THEN coalesce(ow_merge_patch(cur.links, d -> 'links'), '{}') ELSE cur.links END,
			tags = coalesce(n.tags, '{}')
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	RETURN QUERY SELECT ow_person_doc(n)::text, ow_etag(n.updated_at), n.id;
END $$;

-- ---------------------------------------------------------------------------
-- Sources
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_source_doc(s sources) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', s.id, 'url', s.url, 'title', s.title, 'publisher', s.publisher,
		'author', s.author, 'published_on', s.published_on,
		'created_at', ow_ts(s.created_at), 'updated_at', ow_ts(s.updated_at))
$$;

CREATE FUNCTION ow_sources_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE sql STABLE AS $$
	SELECT ow_source_doc(s)::text, ow_etag(s.updated_at), NULL::text
	FROM sources s WHERE s.id = ow_key('source', p_key)
$$;

CREATE FUNCTION ow_sources_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur sources;
	n sources;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::sources, d);
		INSERT INTO sources (url, title, publisher, author, published_on)
		VALUES (n.url, n.title, n.publisher, n.author, n.published_on)
		RETURNING * INTO n;
	ELSE
		SELECT * INTO cur FROM sources WHERE id = ow_key_404('source', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		UPDATE sources SET url = n.url, title = n.title, publisher = n.publisher, author = n.author,
			published_on = n.published_on
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	RETURN QUERY SELECT ow_source_doc(n)::text, ow_etag(n.updated_at), n.id;
END $$;

-- ---------------------------------------------------------------------------
-- Positions
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_position_doc(po positions) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', po.id, 'person_id', po.person_id, 'person', ow_person_summary(po.person_id),
		'org_id', po.org_id, 'org', ow_org_summary(po.org_id), 'team_id', po.team_id,
		'team', ow_team_summary(po.team_id), 'title', po.title, 'started_on', po.started_on,
		'ended_on', po.ended_on, 'source_ids', s.ids, 'sources', s.summaries,
		'created_at', ow_ts(po.created_at), 'updated_at', ow_ts(po.updated_at))
	FROM ow_fact_sources('position', po.id) s
$$;

CREATE FUNCTION ow_positions_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE sql STABLE AS $$
	SELECT ow_position_doc(po)::text, ow_etag(po.updated_at), NULL::text
	FROM positions po WHERE po.id = ow_key('position', p_key)
$$;

CREATE FUNCTION ow_positions_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur positions;
	n positions;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::positions, d);
		n.person_id := ow_ref(d, 'person', 'person');
		n.org_id := ow_ref(d, 'organization', 'org');
		n.team_id := ow_ref(d, 'team', 'team');
	ELSE
		SELECT * INTO cur FROM positions WHERE id = ow_key_404('position', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		n.person_id := ow_ref_patch(d, 'person', 'person', cur.person_id);
		n.org_id := ow_ref_patch(d, 'organization', 'org', cur.org_id);
		n.team_id := ow_ref_patch(d, 'team', 'team', cur.team_id);
	END IF;
	IF n.team_id IS NOT NULL AND (SELECT org_id FROM teams WHERE id = n.team_id) <> n.org_id THEN
		PERFORM ow_raise('OW400', 'team_id', 'the team belongs to another organization');
	END IF;
	IF n.ended_on IS NOT NULL AND n.started_on IS NOT NULL
	   AND ow_pdate_lower(n.ended_on) < ow_pdate_lower(n.started_on) THEN
		PERFORM ow_raise('OW400', 'ended_on', 'must not be before started_on');
	END IF;
	IF p_key IS NULL THEN
		INSERT INTO positions (person_id, org_id, team_id, title, started_on, ended_on)
		VALUES (n.person_id, n.org_id, n.team_id, n.title, n.started_on, n.ended_on)
		RETURNING * INTO n;
	ELSE
		UPDATE positions SET person_id = n.person_id, org_id = n.org_id, team_id = n.team_id,
			title = n.title, started_on = n.started_on, ended_on = n.ended_on
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('position', n.id, d);
	RETURN QUERY SELECT ow_position_doc(p)::text, ow_etag(p.updated_at), p.id FROM positions p WHERE p.id = n.id;
END $$;

-- ---------------------------------------------------------------------------
-- Idempotency keys: the first answer to a POST is kept 24 h per (key name, key).
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_idem_claim(p_actor text, p_key text, p_method text, p_path text, p_body text)
RETURNS TABLE (r_state text, r_status int, r_location text, r_etag text, r_response text)
LANGUAGE plpgsql AS $$
DECLARE
	h text := encode(sha256(convert_to(p_body, 'UTF8')), 'hex');
	row idempotency_keys;
BEGIN
	DELETE FROM idempotency_keys WHERE actor = p_actor AND key = p_key AND created_at < now() - interval '24 hours';
	INSERT INTO idempotency_keys (actor, key, method, path, body_hash, status, response)
	VALUES (p_actor, p_key, p_method, p_path, h, 0, '')
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		RETURN QUERY SELECT 'new'::text, 0, NULL::text, NULL::text, NULL::text;
		RETURN;
	END IF;
	SELECT * INTO row FROM idempotency_keys WHERE actor = p_actor AND key = p_key;
	IF row.method <> p_method OR row.path <> p_path OR row.body_hash <> h THEN
		RETURN QUERY SELECT 'mismatch'::text, 0, NULL::text, NULL::text, NULL::text;
		RETURN;
	END IF;
	RETURN QUERY SELECT 'replay'::text, row.status, row.location, row.etag, row.response;
END $$;

CREATE FUNCTION ow_idem_store(p_actor text, p_key text, p_status int, p_location text, p_etag text, p_response text)
RETURNS void LANGUAGE sql AS $$
	UPDATE idempotency_keys SET status = p_status, location = p_location, etag = p_etag, response = p_response
	WHERE actor = p_actor AND key = p_key
$$;

-- 05_people.sql — People, merges and likely duplicates.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- A person's current positions as one JSON array, in one row: a set-returning SQL function, so
-- a statement that joins it LATERAL gets its query inlined (planned with the statement, no
-- call per row); reads (sql/statements/people.sql) and ow_person_doc both use it.
CREATE OR REPLACE FUNCTION public.ow_person_positions(p_id uuid)
 RETURNS TABLE(list json) LANGUAGE sql STABLE AS $function$
	SELECT coalesce(json_agg(json_build_object('id', po.id,
			'org', ow_org_ref(o),
			'team', ow_team_ref(t),
			'title', po.title, 'started_on', po.started_on)
			ORDER BY lower(po.period) NULLS FIRST, po.id), '[]')
	FROM positions po JOIN organizations o ON o.id = po.org_id LEFT JOIN teams t ON t.id = po.team_id
	WHERE po.person_id = p_id AND po.ended_on IS NULL
$function$;

-- The document of a person, given its current positions (ow_person_positions): an
-- expression the planner inlines.
CREATE OR REPLACE FUNCTION public.ow_person_json(p people, current_positions json)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', p.id, 'slug', p.slug, 'full_name', p.full_name,
		'aliases', to_json(p.aliases), 'bio', p.bio, 'links', p.links, 'tags', to_json(p.tags),
		'current_positions', current_positions,
		'created_at', ow_ts(p.created_at), 'updated_at', ow_ts(p.updated_at))
$function$;

CREATE OR REPLACE FUNCTION public.ow_person_doc(p people)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT ow_person_json(p, (SELECT list FROM ow_person_positions(p.id)))
$function$;

-- The rule that a merged person's slug names no new person, worded once: the single write
-- (ow_people_write) and the import (ow_import_people) each find the slugs it refuses.
CREATE OR REPLACE FUNCTION public.ow_person_slug_merged(slug text)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT format('the slug %L belonged to a merged person', slug)
$function$;

CREATE OR REPLACE FUNCTION public.ow_people_write(cur people, n people, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
BEGIN
	IF cur.id IS NULL THEN
		IF n.slug IS NOT NULL AND EXISTS (SELECT 1 FROM people_redirects WHERE old_slug = n.slug) THEN
			PERFORM ow_raise('OW409', 'slug', ow_person_slug_merged(n.slug));
		END IF;
		INSERT INTO people (slug, full_name, aliases, bio, links, tags)
		VALUES (coalesce(n.slug, ow_unique_slug('people', n.full_name)), n.full_name, coalesce(n.aliases, '{}'),
			n.bio, coalesce(n.links, '{}'), coalesce(n.tags, '{}'))
		RETURNING * INTO n;
	ELSE
		UPDATE people SET slug = n.slug, full_name = n.full_name, aliases = coalesce(n.aliases, '{}'),
			bio = n.bio, links = CASE WHEN d ? 'links' THEN coalesce(ow_merge_patch(cur.links, d -> 'links'), '{}') ELSE cur.links END,
			tags = coalesce(n.tags, '{}')
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_person_doc(n)::text END, ow_etag(n.updated_at), n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_person_summary(p_id uuid)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT ow_person_ref(p)
	FROM people p WHERE p.id = p_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_people_merge(p_actor text, p_key text, p_duplicate text, p_if_match text)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
DECLARE
	keep people;
	dup people;
	names text[];
	merged_tags text[];
	merged_links jsonb;
BEGIN
	PERFORM ow_begin_write(p_actor, 'merge');
	SELECT * INTO keep FROM people WHERE id = ow_key_404('person', p_key) FOR UPDATE;
	IF NOT FOUND THEN PERFORM ow_not_found('person', p_key); END IF;
	SELECT * INTO dup FROM people WHERE id = ow_key_strict('person', p_duplicate, 'duplicate') FOR UPDATE;
	IF NOT FOUND THEN PERFORM ow_key_strict('person', p_duplicate, 'duplicate'); PERFORM ow_not_found('person', p_duplicate); END IF;
	IF dup.id = keep.id THEN
		PERFORM ow_raise('OW400', 'duplicate', 'a person cannot be merged into themself');
	END IF;
	PERFORM ow_check_if_match(keep.updated_at, p_if_match);

	SELECT coalesce(array_agg(DISTINCT n), '{}') INTO names
	FROM unnest(keep.aliases || dup.full_name || dup.aliases) n WHERE n <> keep.full_name;
	merged_tags := ARRAY(SELECT DISTINCT unnest(keep.tags || dup.tags) ORDER BY 1);
	merged_links := dup.links || keep.links;
	-- The survivor stays a record a write (and so an import of the export) accepts: the
	-- limits of people's list and map fields (server/jspec.c: 100 items, 50 entries).
	PERFORM ow_raise('OW409', f.field, format('merging %s into %s would give it %s %s; at most %s. '
		'Remove some from either first.', dup.slug, keep.slug, f.n, f.field, f.max))
	FROM (VALUES ('aliases', cardinality(names), 100), ('tags', cardinality(merged_tags), 100),
		('links', (SELECT count(*)::int FROM jsonb_object_keys(merged_links)), 50)) f(field, n, max)
	WHERE f.n > f.max;

	-- Positions: a stint both records hold (same org and start) keeps the survivor's row
	-- and gains the duplicate's sources.
	INSERT INTO position_sources (position_id, source_id)
	SELECT k.id, ps.source_id FROM positions d
	JOIN positions k ON k.person_id = keep.id AND k.org_id = d.org_id
		AND coalesce(k.started_on, '') = coalesce(d.started_on, '')
	JOIN position_sources ps ON ps.position_id = d.id
	WHERE d.person_id = dup.id ON CONFLICT DO NOTHING;
	DELETE FROM positions d USING positions k
	WHERE d.person_id = dup.id AND k.person_id = keep.id AND k.org_id = d.org_id
		AND coalesce(k.started_on, '') = coalesce(d.started_on, '');
	UPDATE positions SET person_id = keep.id WHERE person_id = dup.id;

	-- Departures: the same departure recorded twice keeps the survivor's row.
	INSERT INTO departure_sources (departure_id, source_id)
	SELECT k.id, ds.source_id FROM departures d
	JOIN departures k ON k.person_id = keep.id AND k.org_id = d.org_id AND k.departed_on = d.departed_on
	JOIN departure_sources ds ON ds.departure_id = d.id
	WHERE d.person_id = dup.id ON CONFLICT DO NOTHING;
	DELETE FROM departures d USING departures k
	WHERE d.person_id = dup.id AND k.person_id = keep.id AND k.org_id = d.org_id AND k.departed_on = d.departed_on;
	UPDATE departures SET person_id = keep.id WHERE person_id = dup.id;

	-- Reporting lines: lines between the two become meaningless; the rest move.
	DELETE FROM reporting_lines
	WHERE (report_id = dup.id AND manager_id = keep.id) OR (report_id = keep.id AND manager_id = dup.id);
	BEGIN
		UPDATE reporting_lines SET manager_id = keep.id WHERE manager_id = dup.id;
		UPDATE reporting_lines SET report_id = keep.id WHERE report_id = dup.id;
	EXCEPTION WHEN exclusion_violation OR unique_violation THEN
		PERFORM ow_raise('OW409', NULL, format('%s and %s both have a manager over the same period; '
			'end one of the reporting lines before merging.', keep.slug, dup.slug));
	END;

	UPDATE people SET aliases = names, tags = merged_tags, links = merged_links,
		bio = coalesce(keep.bio, dup.bio)
	WHERE id = keep.id;
	UPDATE people_redirects SET survivor_id = keep.id WHERE survivor_id = dup.id;
	INSERT INTO people_redirects (old_id, old_slug, survivor_id) VALUES (dup.id, dup.slug, keep.id);
	DELETE FROM people WHERE id = dup.id;

	RETURN QUERY SELECT ow_person_doc(p)::text, ow_etag(p.updated_at), p.id FROM people p WHERE p.id = keep.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_people_similar_refresh(budget interval)
 RETURNS bigint LANGUAGE plpgsql AS $function$
DECLARE
	t0 timestamptz := clock_timestamp();
	stale uuid[];
	ids uuid[];
	i int := 1;
BEGIN
	-- The % operator's threshold for this transaction (pg_trgm loaded first, so that the
	-- setting is its own and not a placeholder).
	PERFORM similarity('', '');
	PERFORM set_config('pg_trgm.similarity_threshold', '0.45', true);
	-- One pass over people finds the stale (at most 100,000 a call); then 200 at a time.
	stale := ARRAY(SELECT person_id FROM people_similar_stale LIMIT 100000);
	IF cardinality(stale) = 0 THEN
		RETURN 0;
	END IF;
	IF pg_try_advisory_xact_lock(hashtext('orgwatch.people_similar')) THEN
		WHILE i <= cardinality(stale) LOOP
			ids := stale[i:i + 199];
			i := i + 200;
			DELETE FROM people_similar WHERE a = ANY (ids) OR b = ANY (ids);
			INSERT INTO people_similar (a, b, score)
			SELECT DISTINCT ON (least(p.id, q.id), greatest(p.id, q.id))
				least(p.id, q.id), greatest(p.id, q.id), q.score
			FROM people p
			CROSS JOIN LATERAL (
				SELECT c.id, similarity(p.search_text, c.search_text)::float8 AS score
				FROM people c
				WHERE c.search_text % p.search_text AND c.id <> p.id
					AND similarity(p.search_text, c.search_text) >= 0.45
				ORDER BY 2 DESC, c.id
				LIMIT 50
			) q
			WHERE p.id = ANY (ids)
			ORDER BY least(p.id, q.id), greatest(p.id, q.id)
			ON CONFLICT (a, b) DO UPDATE SET score = EXCLUDED.score;
			INSERT INTO people_similar_done (person_id, search_text)
			SELECT id, search_text FROM people WHERE id = ANY (ids)
			ON CONFLICT (person_id) DO UPDATE SET search_text = EXCLUDED.search_text;
			EXIT WHEN clock_timestamp() - t0 >= budget;
		END LOOP;
		IF i > cardinality(stale) AND cardinality(stale) < 100000 THEN
			RETURN 0;
		END IF;
	END IF;
	RETURN (SELECT count(*) FROM people_similar_stale);
END $function$;

CREATE OR REPLACE FUNCTION public.ow_person_search_text(full_name text, aliases text[])
 RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $function$
BEGIN
	RETURN ow_fold(full_name || ' ' || coalesce(array_to_string(aliases, ' '), ''));
END $function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): its id by its own key, the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_person_by_key(k text) RETURNS uuid
 LANGUAGE sql STABLE AS $function$
	SELECT id FROM people WHERE slug = k
$function$;

CREATE OR REPLACE FUNCTION public.ow_person_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_set(d, '{slug}', to_jsonb(k.slug)), x.id, x.updated_at
	FROM (SELECT coalesce(d ->> 'slug', ow_slugify(d ->> 'full_name')) AS slug) k
	LEFT JOIN people x ON x.slug = k.slug
$function$;

CREATE OR REPLACE FUNCTION public.ow_person_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	SELECT 0, p.slug, p.id FROM people p
$function$;

CREATE OR REPLACE FUNCTION public.ow_person_export_line(p people) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'person', 'slug', p.slug,
		'full_name', p.full_name, 'aliases', to_jsonb(p.aliases), 'bio', p.bio, 'links', p.links,
		'tags', to_jsonb(p.tags)))::text
$function$;

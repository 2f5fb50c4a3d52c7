-- 09_layoffs.sql — Layoffs.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- A layoff's document in one row, with its organization, team and sources joined (inlined
-- when joined LATERAL; see ow_position_doc_row); with_departures adds the named departures
-- (a single layoff's read).
CREATE OR REPLACE FUNCTION public.ow_layoff_doc_row(l layoffs, with_departures boolean)
 RETURNS TABLE(doc json) LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', l.id, 'org_id', l.org_id, 'org', ow_org_ref(o),
		'team_id', l.team_id, 'team', ow_team_ref(t), 'announced_on', l.announced_on,
		'effective_on', l.effective_on, 'location', l.location, 'count', l.count, 'percentage', l.percentage,
		'description', l.description, 'source_ids', s.ids, 'sources', s.summaries,
		'named_departures', (SELECT count(*) FROM departures d WHERE d.layoff_id = l.id AND d.status <> 'retracted'),
		'departures', CASE WHEN with_departures THEN coalesce((
			SELECT json_agg(json_build_object('id', d.id,
				'person', ow_person_ref(dp),
				'team', ow_team_ref(dt), 'title', d.title, 'departed_on', d.departed_on,
				'status', d.status) ORDER BY lower(d.departed_range), d.id)
			FROM departures d LEFT JOIN people dp ON dp.id = d.person_id LEFT JOIN teams dt ON dt.id = d.team_id
			WHERE d.layoff_id = l.id AND d.status <> 'retracted'), '[]') END,
		'created_at', ow_ts(l.created_at), 'updated_at', ow_ts(l.updated_at))
	FROM ow_fact_sources('layoff', l.id) s
	LEFT JOIN organizations o ON o.id = l.org_id
	LEFT JOIN teams t ON t.id = l.team_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_layoff_doc(l layoffs, with_departures boolean DEFAULT false)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT doc FROM ow_layoff_doc_row(l, with_departures)
$function$;

-- A layoff write's fields in their stored forms: the location trimmed (blank: none).
CREATE OR REPLACE FUNCTION public.ow_layoff_input(d jsonb)
 RETURNS jsonb LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE WHEN jsonb_typeof(d -> 'location') = 'string'
		THEN jsonb_set(d, '{location}', coalesce(to_jsonb(ow_trimmed(d ->> 'location')), 'null')) ELSE d END
$function$;

CREATE OR REPLACE FUNCTION public.ow_layoffs_write(cur layoffs, n layoffs, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
BEGIN
	IF n.team_id IS NOT NULL AND (SELECT org_id FROM teams WHERE id = n.team_id) <> n.org_id THEN
		PERFORM ow_raise('OW400', 'team_id', 'the team belongs to another organization');
	END IF;
	IF cur.id IS NULL THEN
		INSERT INTO layoffs (id, org_id, team_id, announced_on, effective_on, location, count, percentage, description)
		VALUES (coalesce(n.id, gen_random_uuid()), n.org_id, n.team_id, n.announced_on, n.effective_on,
			n.location, n.count, n.percentage, n.description)
		RETURNING * INTO n;
	ELSE
		UPDATE layoffs SET org_id = n.org_id, team_id = n.team_id, announced_on = n.announced_on,
			effective_on = n.effective_on, location = n.location, count = n.count, percentage = n.percentage, description = n.description
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('layoff', n.id, d);
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_layoff_doc(l, true)::text END, ow_etag(l.updated_at), l.id FROM layoffs l WHERE l.id = n.id;
END $function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): its id by its own key, the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_layoff_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT d, x.id, x.updated_at FROM layoffs x
	WHERE CASE WHEN d ? 'id' THEN x.id = ow_import_uuid(d ->> 'id')
		ELSE x.org_id = ow_ref(d, 'organization', 'org') AND x.team_id IS NOT DISTINCT FROM ow_ref(d, 'team', 'team')
		  AND x.announced_on IS NOT DISTINCT FROM d ->> 'announced_on'
		  AND lower(coalesce(x.location, '')) = lower(coalesce(ow_trimmed(d ->> 'location'), '')) END
	ORDER BY x.created_at, x.id
	LIMIT 1
$function$;

CREATE OR REPLACE FUNCTION public.ow_layoff_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	SELECT 0, l.id::text, l.id FROM layoffs l
$function$;

CREATE OR REPLACE FUNCTION public.ow_layoff_export_line(l layoffs) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'layoff', 'id', l.id,
		'org', ow_org_slug(l.org_id), 'team', ow_team_key(l.team_id), 'announced_on', l.announced_on,
		'effective_on', l.effective_on, 'location', l.location, 'count', l.count, 'percentage', l.percentage,
		'description', l.description, 'sources', ow_source_urls('layoff', l.id)))::text
$function$;

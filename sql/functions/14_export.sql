-- 14_export.sql — Export in the import format.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_export_keys(p_type text)
 RETURNS TABLE(rank integer, depth integer, key text, id uuid)
 LANGUAGE sql
 STABLE
AS $function$
	WITH RECURSIVE org_depth (id, depth) AS (
		SELECT id, 0 FROM organizations WHERE parent_id IS NULL
		UNION ALL SELECT o.id, d.depth + 1 FROM organizations o JOIN org_depth d ON o.parent_id = d.id
	), team_depth (id, depth) AS (
		SELECT id, 0 FROM teams WHERE parent_id IS NULL
		UNION ALL SELECT t.id, d.depth + 1 FROM teams t JOIN team_depth d ON t.parent_id = d.id
	), team_keys AS (
		SELECT t.id, o.slug || '/' || t.slug AS key FROM teams t JOIN organizations o ON o.id = t.org_id
	)
	SELECT 1, 0, s.url, s.id FROM sources s WHERE p_type IS NULL OR p_type = 'source'
	UNION ALL
	SELECT 2, d.depth, o.slug, o.id FROM organizations o JOIN org_depth d ON d.id = o.id
	WHERE p_type IS NULL OR p_type = 'organization'
	UNION ALL
	SELECT 3, d.depth, k.key, t.id FROM teams t JOIN team_depth d ON d.id = t.id JOIN team_keys k ON k.id = t.id
	WHERE p_type IS NULL OR p_type = 'team'
	UNION ALL
	SELECT 4, 0, p.slug, p.id FROM people p WHERE p_type IS NULL OR p_type = 'person'
	UNION ALL
	SELECT 7, 0, p.slug || '|' || o.slug || '|' || coalesce(x.started_on, ''), x.id
	FROM positions x JOIN people p ON p.id = x.person_id JOIN organizations o ON o.id = x.org_id
	WHERE p_type IS NULL OR p_type = 'position'
	UNION ALL
	SELECT 8, 0, p.slug || '|' || coalesce(l.valid_from, ''), l.id
	FROM reporting_lines l JOIN people p ON p.id = l.report_id
	WHERE p_type IS NULL OR p_type = 'reporting_line'
	UNION ALL
	SELECT 5, 0, l.id::text, l.id FROM layoffs l WHERE p_type IS NULL OR p_type = 'layoff'
	UNION ALL
	SELECT 6, 0, p.slug || '|' || o.slug || '|' || d.departed_on, d.id
	FROM departures d JOIN people p ON p.id = d.person_id JOIN organizations o ON o.id = d.org_id
	WHERE p_type IS NULL OR p_type = 'departure'
$function$;

CREATE OR REPLACE FUNCTION public.ow_export_lines(p_type text)
 RETURNS SETOF text
 LANGUAGE sql
 STABLE
AS $function$
	SELECT CASE k.rank
	WHEN 1 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'source', 'url', s.url, 'title', s.title,
		'publisher', s.publisher, 'author', s.author, 'published_on', s.published_on))::text
		FROM sources s WHERE s.id = k.id)
	WHEN 2 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'organization', 'slug', o.slug,
		'name', o.name, 'kind', o.kind, 'website', o.website, 'founded_on', o.founded_on,
		'parent', ow_org_slug(o.parent_id), 'description', o.description, 'industry', o.industry,
		'headquarters', o.headquarters, 'country', o.country, 'stage', o.stage))::text
		FROM organizations o WHERE o.id = k.id)
	WHEN 3 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'team',
		'org', ow_org_slug(t.org_id), 'slug', t.slug, 'parent', ow_team_key(t.parent_id), 'name', t.name,
		'description', t.description, 'formed_on', t.formed_on, 'dissolved_on', t.dissolved_on,
		'reported_headcount', t.reported_headcount))::text
		FROM teams t WHERE t.id = k.id)
	WHEN 4 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'person', 'slug', p.slug,
		'full_name', p.full_name, 'aliases', to_jsonb(p.aliases), 'bio', p.bio, 'links', p.links,
		'tags', to_jsonb(p.tags)))::text
		FROM people p WHERE p.id = k.id)
	WHEN 7 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'position', 'person', ow_person_slug(x.person_id),
		'org', ow_org_slug(x.org_id), 'team', ow_team_key(x.team_id), 'title', x.title,
		'started_on', x.started_on, 'ended_on', x.ended_on, 'sources', ow_source_urls('position', x.id)))::text
		FROM positions x WHERE x.id = k.id)
	WHEN 8 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'reporting_line', 'report', ow_person_slug(l.report_id),
		'manager', ow_person_slug(l.manager_id), 'valid_from', l.valid_from, 'valid_to', l.valid_to,
		'sources', ow_source_urls('reporting_line', l.id)))::text
		FROM reporting_lines l WHERE l.id = k.id)
	WHEN 5 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'layoff', 'id', l.id,
		'org', ow_org_slug(l.org_id), 'team', ow_team_key(l.team_id), 'announced_on', l.announced_on,
		'effective_on', l.effective_on, 'location', l.location, 'count', l.count, 'percentage', l.percentage,
		'description', l.description, 'sources', ow_source_urls('layoff', l.id)))::text
		FROM layoffs l WHERE l.id = k.id)
	WHEN 6 THEN (SELECT jsonb_strip_nulls(jsonb_build_object('type', 'departure', 'person', ow_person_slug(d.person_id),
		'org', ow_org_slug(d.org_id), 'team', ow_team_key(d.team_id), 'title', d.title,
		'departed_on', d.departed_on, 'announced_on', d.announced_on, 'kind', d.kind,
		'reason_category', d.reason_category, 'reason', d.reason,
		'destination_org', ow_org_slug(d.destination_org_id), 'destination_title', d.destination_title,
		'destination_kind', d.destination_kind, 'layoff', d.layoff_id, 'returned_on', d.returned_on,
		'sources', ow_source_urls('departure', d.id), 'notes', d.notes, 'status', d.status))::text
		FROM departures d WHERE d.id = k.id)
	END
	FROM (SELECT x.rank, x.id FROM ow_export_keys(p_type) x ORDER BY x.rank, x.depth, x.key OFFSET 0) k
$function$;

-- download_people.sql — the ceiling of section download: every person with the facts of
-- GET /people.csv?all=true (id, slug, name, aliases, bio, links, tags, current positions with
-- their organization and team, timestamps), in the list's order, as one statement.
SELECT p.id, p.slug, p.full_name, to_json(p.aliases) AS aliases, p.bio, p.links, to_json(p.tags) AS tags,
	coalesce((SELECT json_agg(json_build_object('id', po.id,
		'org', json_build_object('id', o.id, 'slug', o.slug, 'name', o.name),
		'team', CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('id', t.id, 'slug', t.slug, 'name', t.name) END,
		'title', po.title, 'started_on', po.started_on) ORDER BY po.started_on, po.id)
	FROM positions po JOIN organizations o ON o.id = po.org_id LEFT JOIN teams t ON t.id = po.team_id
	WHERE po.person_id = p.id AND po.ended_on IS NULL), '[]') AS current_positions,
	to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
	to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at
FROM people p ORDER BY p.created_at, p.id

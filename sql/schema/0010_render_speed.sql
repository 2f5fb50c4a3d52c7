-- 0010_render_speed.sql — faster documents: the timestamp and ETag helpers are STABLE
-- (their bodies are), so PostgreSQL inlines them; positions are ordered by their
-- stored period instead of a PL/pgSQL call per row.

CREATE OR REPLACE FUNCTION ow_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE OR REPLACE FUNCTION ow_etag(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT '"' || to_hex((extract(epoch FROM t) * 1000000)::bigint) || '"'
$$;

CREATE OR REPLACE FUNCTION ow_person_doc(p people) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', p.id, 'slug', p.slug, 'full_name', p.full_name,
		'aliases', to_json(p.aliases), 'bio', p.bio, 'links', p.links, 'tags', to_json(p.tags),
		'current_positions', coalesce((
			SELECT json_agg(json_build_object('id', po.id,
				'org', json_build_object('id', o.id, 'slug', o.slug, 'name', o.name),
				'team', CASE WHEN t.id IS NOT NULL THEN json_build_object('id', t.id, 'slug', t.slug, 'name', t.name) END,
				'title', po.title, 'started_on', po.started_on)
				ORDER BY lower(po.period) NULLS FIRST, po.id)
			FROM positions po JOIN organizations o ON o.id = po.org_id LEFT JOIN teams t ON t.id = po.team_id
			WHERE po.person_id = p.id AND po.ended_on IS NULL), '[]'),
		'created_at', ow_ts(p.created_at), 'updated_at', ow_ts(p.updated_at))
$$;

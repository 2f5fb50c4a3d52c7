-- 04_teams.sql — Teams, their members and alumni.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- A team's document given its organization (an expression the planner inlines).
CREATE OR REPLACE FUNCTION public.ow_team_json(t teams, o organizations)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', t.id, 'slug', t.slug, 'org_id', t.org_id, 'org', ow_org_ref(o),
		'parent_id', t.parent_id, 'name', t.name, 'description', t.description,
		'formed_on', t.formed_on, 'dissolved_on', t.dissolved_on,
		'reported_headcount', t.reported_headcount,
		'created_at', ow_ts(t.created_at), 'updated_at', ow_ts(t.updated_at))
$function$;

CREATE OR REPLACE FUNCTION public.ow_team_doc(t teams)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT ow_team_json(t, o) FROM (SELECT) x LEFT JOIN organizations o ON o.id = t.org_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_teams_get(p_key text)
 RETURNS TABLE(r_doc text, r_etag text, r_moved text) LANGUAGE sql STABLE AS $function$
	SELECT ow_team_doc(t)::text, ow_etag(t.updated_at), NULL::text
	FROM teams t WHERE t.id = ow_key('team', p_key)
$function$;

CREATE OR REPLACE FUNCTION public.ow_teams_write(cur teams, n teams, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
DECLARE
	parent_org uuid;
BEGIN
	IF cur.id IS NULL THEN
		INSERT INTO teams (org_id, slug, parent_id, name, description, formed_on, dissolved_on, reported_headcount)
		VALUES (n.org_id, coalesce(n.slug, ow_unique_slug('teams', n.name, n.org_id)), n.parent_id,
			n.name, n.description, n.formed_on, n.dissolved_on, n.reported_headcount)
		RETURNING * INTO n;
	ELSE
		UPDATE teams SET org_id = n.org_id, slug = n.slug,
			parent_id = n.parent_id, name = n.name,
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
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_team_doc(n)::text END, ow_etag(n.updated_at), n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_team_summary(t_id uuid)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT ow_team_ref(t)
	FROM teams t WHERE t.id = t_id
$function$;

-- A member's entry given the person (an expression the planner inlines).
CREATE OR REPLACE FUNCTION public.ow_team_member_json(po positions, p people)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('person', ow_person_ref(p), 'title', po.title,
		'started_on', po.started_on, 'ended_on', po.ended_on, 'position_id', po.id)
$function$;

-- A person's entry among a team's alumni in one row, with what it refers to joined (inlined
-- when joined LATERAL: team_alumni in sql/statements/charts.sql).
CREATE OR REPLACE FUNCTION public.ow_team_alumnus_row(p_person uuid, p_team uuid)
 RETURNS TABLE(doc json) LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('person', ow_person_ref(p),
		'title', last_pos.title, 'started_on', first_pos.started_on, 'ended_on', last_pos.ended_on,
		'current', last_pos.ended_on IS NULL,
		'departure', (SELECT json_build_object('id', d.id, 'departed_on', d.departed_on, 'kind', d.kind,
			'reason_category', d.reason_category,
			'destination_org', ow_org_ref(dst),
			'destination_title', d.destination_title, 'destination_kind', d.destination_kind, 'status', d.status)
			FROM departures d LEFT JOIN organizations dst ON dst.id = d.destination_org_id
			WHERE d.person_id = p_person AND d.org_id = t.org_id AND d.status <> 'retracted'
			  AND (first_pos.started_on IS NULL
			       OR lower(d.departed_range) >= ow_pdate_lower(first_pos.started_on))
			ORDER BY lower(d.departed_range) LIMIT 1),
		'current_positions', cp.list)
	FROM teams t JOIN people p ON p.id = p_person,
	LATERAL (SELECT * FROM positions x WHERE x.person_id = p_person AND x.team_id = p_team
		ORDER BY lower(x.period) NULLS FIRST LIMIT 1) first_pos,
	LATERAL (SELECT * FROM positions x WHERE x.person_id = p_person AND x.team_id = p_team
		ORDER BY x.ended_on IS NULL DESC, upper(x.period) DESC NULLS FIRST LIMIT 1) last_pos,
	LATERAL ow_person_positions(p_person) cp
	WHERE t.id = p_team
$function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): its id by its own key, the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_team_by_key(k text) RETURNS uuid
 LANGUAGE sql STABLE AS $function$
	SELECT CASE WHEN position('/' IN k) > 0 THEN
		(SELECT t.id FROM teams t JOIN organizations o ON o.id = t.org_id
		 WHERE o.slug = split_part(k, '/', 1) AND t.slug = substr(k, position('/' IN k) + 1))
	ELSE (SELECT t.id FROM teams t WHERE t.slug = k AND (SELECT count(*) FROM teams t2 WHERE t2.slug = k) = 1) END
$function$;

CREATE OR REPLACE FUNCTION public.ow_team_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_set(d, '{slug}', to_jsonb(k.slug)), x.id, x.updated_at
	FROM (SELECT coalesce(d ->> 'slug', ow_slugify(d ->> 'name')) AS slug) k
	LEFT JOIN teams x ON x.org_id = ow_ref(d, 'organization', 'org') AND x.slug = k.slug
$function$;

CREATE OR REPLACE FUNCTION public.ow_team_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	WITH RECURSIVE team_depth (id, depth) AS (
		SELECT id, 0 FROM teams WHERE parent_id IS NULL
		UNION ALL SELECT t.id, d.depth + 1 FROM teams t JOIN team_depth d ON t.parent_id = d.id
	)
	SELECT d.depth, o.slug || '/' || t.slug, t.id
	FROM teams t JOIN team_depth d ON d.id = t.id JOIN organizations o ON o.id = t.org_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_team_export_line(t teams) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'team',
		'org', ow_org_slug(t.org_id), 'slug', t.slug, 'parent', ow_team_key(t.parent_id), 'name', t.name,
		'description', t.description, 'formed_on', t.formed_on, 'dissolved_on', t.dissolved_on,
		'reported_headcount', t.reported_headcount))::text
$function$;

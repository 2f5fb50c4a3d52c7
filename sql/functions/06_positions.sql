-- 06_positions.sql — Positions (employment stints).
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- A position's document in one row, with what it refers to joined: a set-returning SQL
-- function, so a statement that joins it LATERAL gets its query inlined (lists and reads in
-- sql/statements/records.sql); ow_position_doc is the same for one row.
CREATE OR REPLACE FUNCTION public.ow_position_doc_row(po positions)
 RETURNS TABLE(doc json) LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', po.id, 'person_id', po.person_id, 'person', ow_person_ref(p),
		'org_id', po.org_id, 'org', ow_org_ref(o), 'team_id', po.team_id,
		'team', ow_team_ref(t), 'title', po.title, 'started_on', po.started_on,
		'ended_on', po.ended_on, 'source_ids', s.ids, 'sources', s.summaries,
		'created_at', ow_ts(po.created_at), 'updated_at', ow_ts(po.updated_at))
	FROM ow_fact_sources('position', po.id) s
	LEFT JOIN people p ON p.id = po.person_id
	LEFT JOIN organizations o ON o.id = po.org_id
	LEFT JOIN teams t ON t.id = po.team_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_position_doc(po positions)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT doc FROM ow_position_doc_row(po)
$function$;

-- The rules of a position's values, the one place they are written: the first one broken as
-- {field, message} (NULL when all hold). Plain SQL of scalars, so the import's set-based
-- statement (ow_import_positions) gets it inlined for every line of a batch; a single write
-- (ow_positions_write) calls it for its one row. team_org: the organization of team_id.
CREATE OR REPLACE FUNCTION public.ow_position_broken(team_id uuid, team_org uuid, org_id uuid, started_on text, ended_on text)
 RETURNS text[] LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE WHEN team_id IS NOT NULL AND team_org <> org_id
		THEN ARRAY['team_id', 'the team belongs to another organization']
	WHEN ended_on IS NOT NULL AND started_on IS NOT NULL AND ow_pdate_lower(ended_on) < ow_pdate_lower(started_on)
		THEN ARRAY['ended_on', 'must not be before started_on'] END
$function$;

CREATE OR REPLACE FUNCTION public.ow_positions_write(cur positions, n positions, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
DECLARE
	broken text[];
BEGIN
	broken := ow_position_broken(n.team_id, (SELECT org_id FROM teams WHERE id = n.team_id), n.org_id,
		n.started_on, n.ended_on);
	IF broken IS NOT NULL THEN PERFORM ow_raise('OW400', broken[1], broken[2]); END IF;
	IF cur.id IS NULL THEN
		INSERT INTO positions (person_id, org_id, team_id, title, started_on, ended_on)
		VALUES (n.person_id, n.org_id, n.team_id, n.title, n.started_on, n.ended_on)
		RETURNING * INTO n;
	ELSE
		UPDATE positions SET person_id = n.person_id, org_id = n.org_id, team_id = n.team_id,
			title = n.title, started_on = n.started_on, ended_on = n.ended_on
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('position', n.id, d);
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_position_doc(p)::text END, ow_etag(p.updated_at), p.id FROM positions p WHERE p.id = n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_position_on(p_person uuid, p_org uuid, p_day date)
 RETURNS positions LANGUAGE sql STABLE AS $function$
	SELECT * FROM positions WHERE person_id = p_person AND org_id = p_org AND period @> p_day
	ORDER BY lower(period) NULLS FIRST, id LIMIT 1
$function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_position_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT d, x.id, x.updated_at FROM positions x
	WHERE x.person_id = ow_ref(d, 'person', 'person') AND x.org_id = ow_ref(d, 'organization', 'org')
	  AND coalesce(x.started_on, '') = coalesce(d ->> 'started_on', '')
$function$;

CREATE OR REPLACE FUNCTION public.ow_position_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	SELECT 0, p.slug || '|' || o.slug || '|' || coalesce(x.started_on, ''), x.id
	FROM positions x JOIN people p ON p.id = x.person_id JOIN organizations o ON o.id = x.org_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_position_export_line(x positions) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'position', 'person', ow_person_slug(x.person_id),
		'org', ow_org_slug(x.org_id), 'team', ow_team_key(x.team_id), 'title', x.title,
		'started_on', x.started_on, 'ended_on', x.ended_on, 'sources', ow_source_urls('position', x.id)))::text
$function$;

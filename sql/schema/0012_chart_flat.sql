-- 0012_chart_flat.sql — org charts as flat rows (issue 5, make bench). The server links each
-- person under their manager, orders siblings and writes the nested JSON itself while it
-- streams the answer (server/h_chart.c, server/tree.c), so PostgreSQL no longer walks the tree
-- recursively, sorts 100,000 paths or renders JSON for every node: on the bench's
-- 100,000-person organization the statement of 0011 took ~1.9 s, this one ~0.3 s.
--
-- One row per person holding a position at the organization on the day (their earliest such
-- position, as before), with the manager they report to that day (NULL: none; the server
-- treats a manager who is not in the chart as none), the team, and the key siblings are
-- ordered by: the name folded (lower case, accents removed), then the id.
-- With p_root: only that person's subtree within the organization, at most p_depth levels
-- below it (the root's manager reported as NULL).
CREATE FUNCTION ow_chart_flat(p_org text, p_day date, p_root text, p_depth int)
RETURNS TABLE (person_id uuid, manager_id uuid, slug text, full_name text, title text,
	team_id uuid, team_slug text, team_name text, sort_key text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan SET jit = off SET work_mem = '64MB' AS $$
DECLARE
	oid_ uuid := ow_key_404('organization', p_org);
	root_id uuid := ow_key_strict('person', p_root, 'root');
BEGIN
	IF root_id IS NULL THEN
		RETURN QUERY
		WITH staff AS (
			SELECT DISTINCT ON (po.person_id) po.person_id, po.title, po.team_id
			FROM positions po WHERE po.org_id = oid_ AND po.period @> p_day
			ORDER BY po.person_id, lower(po.period) NULLS FIRST, po.id
		)
		SELECT s.person_id, l.manager_id, p.slug, p.full_name, s.title, tm.id, tm.slug, tm.name,
			lower(public.unaccent('public.unaccent'::regdictionary, p.full_name))
		FROM staff s JOIN people p ON p.id = s.person_id
		LEFT JOIN reporting_lines l ON l.report_id = s.person_id AND l.period @> p_day
		LEFT JOIN teams tm ON tm.id = s.team_id;
		RETURN;
	END IF;
	IF ow_position_on(root_id, oid_, p_day) IS NULL THEN
		PERFORM ow_raise('OW400', 'root', format('%s held no position at this organization on %s', p_root, p_day));
	END IF;
	RETURN QUERY
	WITH RECURSIVE sub (person_id, manager_id, d) AS (
		SELECT root_id, NULL::uuid, 0
		UNION ALL
		SELECT l.report_id, l.manager_id, s.d + 1
		FROM sub s JOIN reporting_lines l ON l.manager_id = s.person_id AND l.period @> p_day
		WHERE (p_depth IS NULL OR s.d < p_depth) AND s.d < 100000
			AND EXISTS (SELECT 1 FROM positions po
				WHERE po.person_id = l.report_id AND po.org_id = oid_ AND po.period @> p_day)
	)
	SELECT s.person_id, s.manager_id, p.slug, p.full_name, pos.title, tm.id, tm.slug, tm.name,
		lower(public.unaccent('public.unaccent'::regdictionary, p.full_name))
	FROM sub s JOIN people p ON p.id = s.person_id
	CROSS JOIN LATERAL (
		SELECT po.title, po.team_id FROM positions po
		WHERE po.person_id = s.person_id AND po.org_id = oid_ AND po.period @> p_day
		ORDER BY lower(po.period) NULLS FIRST, po.id LIMIT 1) pos
	LEFT JOIN teams tm ON tm.id = pos.team_id;
END $$;

-- The recursive chart statement this replaces.
DROP FUNCTION ow_chart_rows(text, date, text, int);

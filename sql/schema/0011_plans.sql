-- 0011_plans.sql — plans that hold at any size. PL/pgSQL caches a statement's plan per
-- session and, after five calls, may switch to a generic plan made for an "average"
-- argument: for a reporting tree that is a nested loop which never ends on a large
-- organization. The functions whose plans depend on their arguments are planned on
-- every call with the real values. (The whole chart, ow_chart_rows, is replaced by
-- ow_chart_flat in 0012.)

-- Everyone below a person on a day (any organization), depth-first, depth 1 = direct
-- reports; depth 0 asks for no level at all.
CREATE OR REPLACE FUNCTION ow_reports_rows(p_key text, p_day date, p_depth int)
RETURNS TABLE (depth int, node text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan SET jit = off SET work_mem = '64MB' AS $$
DECLARE
	pid uuid := ow_key_404('person', p_key);
BEGIN
	RETURN QUERY
	WITH RECURSIVE tree (person_id, manager_id, d, path) AS (
		SELECT l.report_id, l.manager_id, 1, ARRAY[ow_fold(p.full_name) || ':' || p.id::text]
		FROM reporting_lines l JOIN people p ON p.id = l.report_id
		WHERE l.manager_id = pid AND l.period @> p_day AND (p_depth IS NULL OR p_depth > 0)
		UNION ALL
		SELECT l.report_id, l.manager_id, t.d + 1, t.path || (ow_fold(p.full_name) || ':' || p.id::text)
		FROM tree t JOIN reporting_lines l ON l.manager_id = t.person_id AND l.period @> p_day
		JOIN people p ON p.id = l.report_id
		WHERE (p_depth IS NULL OR t.d < p_depth) AND t.d < 1000
	)
	SELECT t.d - 1, left(json_build_object('person', ow_person_summary(t.person_id), 'depth', t.d,
		'title', pos.title, 'team', ow_team_summary(pos.team_id))::text, -1)
	FROM tree t LEFT JOIN LATERAL (
		SELECT po.title, po.team_id FROM positions po
		WHERE po.person_id = t.person_id AND po.period @> p_day
		ORDER BY (SELECT count(*) FROM positions m WHERE m.person_id = t.manager_id AND m.org_id = po.org_id
		          AND m.period @> p_day) DESC, lower(po.period) NULLS FIRST LIMIT 1) pos ON true
	ORDER BY t.path;
END $$;

ALTER FUNCTION ow_person_managers(text, date) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ow_departures_filtered(text, text, text, text, text, text, text, text, text, text,
	timestamptz, text) SET plan_cache_mode = force_custom_plan;

-- Departure statistics: counts per period by one GROUP BY (not a count per period over
-- every departure), labels looked up once per group (not once per departure).
CREATE OR REPLACE FUNCTION ow_stats_departures(group_by text, f_person text, f_org text, f_team text, f_dest text,
	f_kind text, f_reason text, f_dkind text, f_from text, f_to text, f_layoff text, f_updated timestamptz,
	f_status text)
RETURNS text
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	groups json;
	total bigint;
	step interval := CASE group_by WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
		ELSE interval '1 year' END;
BEGIN
	IF group_by IN ('month', 'quarter', 'year') THEN
		WITH r AS MATERIALIZED (
			SELECT d.departed_on, d.departed_range FROM ow_departures_filtered(f_person, f_org, f_team, f_dest,
				f_kind, f_reason, f_dkind, f_from, f_to, f_layoff, f_updated, f_status) d
		), bounds AS (
			SELECT date_trunc(group_by, coalesce(lower(ow_pdate_range(f_from)), min(lower(r.departed_range))))::date AS a,
			       coalesce(upper(ow_pdate_range(f_to)) - 1, max(lower(r.departed_range))) AS b
			FROM r
		), periods AS (
			SELECT p::date AS start FROM bounds, generate_series(bounds.a, bounds.b, step) p
		), counts AS (
			SELECT CASE
				WHEN group_by = 'year' THEN to_char(lower(r.departed_range), 'YYYY')
				WHEN length(r.departed_on) = 4 THEN r.departed_on || '-unknown'
				WHEN group_by = 'month' THEN to_char(lower(r.departed_range), 'YYYY-MM')
				ELSE to_char(lower(r.departed_range), 'YYYY-"Q"Q') END AS key, count(*) AS n
			FROM r GROUP BY 1
		), all_keys AS (
			SELECT CASE group_by WHEN 'year' THEN to_char(start, 'YYYY') WHEN 'month' THEN to_char(start, 'YYYY-MM')
				ELSE to_char(start, 'YYYY-"Q"Q') END AS key FROM periods
			UNION SELECT key FROM counts
		)
		SELECT coalesce(json_agg(json_build_object('key', k.key, 'label', CASE
				WHEN k.key LIKE '%-unknown' THEN left(k.key, 4) || CASE group_by WHEN 'month'
					THEN ' (month unknown)' ELSE ' (quarter unknown)' END
				WHEN group_by = 'month' THEN to_char(to_date(k.key, 'YYYY-MM'), 'FMMonth YYYY')
				WHEN group_by = 'quarter' THEN substr(k.key, 6) || ' ' || left(k.key, 4)
				ELSE k.key END,
			'count', coalesce(c.n, 0)) ORDER BY k.key), '[]'),
			(SELECT count(*) FROM r)
		INTO groups, total FROM all_keys k LEFT JOIN counts c ON c.key = k.key;
	ELSE
		WITH r AS MATERIALIZED (
			SELECT * FROM ow_departures_filtered(f_person, f_org, f_team, f_dest, f_kind, f_reason, f_dkind,
				f_from, f_to, f_layoff, f_updated, f_status)
		), g AS (
			SELECT CASE group_by
				WHEN 'team' THEN r.team_id::text WHEN 'org' THEN r.org_id::text
				WHEN 'destination_org' THEN r.destination_org_id::text WHEN 'kind' THEN r.kind
				WHEN 'reason_category' THEN r.reason_category ELSE r.destination_kind END AS key,
			count(*) AS n
			FROM r GROUP BY 1
		), labelled AS (
			SELECT g.key, g.n, CASE group_by
				WHEN 'team' THEN coalesce((SELECT t.name FROM teams t WHERE t.id = g.key::uuid), 'No team')
				WHEN 'org' THEN (SELECT o.name FROM organizations o WHERE o.id = g.key::uuid)
				WHEN 'destination_org' THEN coalesce((SELECT o.name FROM organizations o
					WHERE o.id = g.key::uuid), 'Unknown')
				ELSE ow_label(g.key) END AS label
			FROM g
		)
		SELECT coalesce(json_agg(json_build_object('key', l.key, 'label', l.label, 'count', l.n)
			ORDER BY l.n DESC, l.label), '[]'), (SELECT count(*) FROM r)
		INTO groups, total FROM labelled l;
	END IF;
	RETURN json_build_object('group_by', group_by, 'groups', groups, 'total', total)::text;
END $$;

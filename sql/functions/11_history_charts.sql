-- 11_history_charts.sql — Org charts, reports and managers, timelines, changes between two dates.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_chart_flat(p_org text, p_day date, p_root text, p_depth integer)
 RETURNS TABLE(person_id uuid, manager_id uuid, slug text, full_name text, title text, team_id uuid, team_slug text, team_name text, sort_key text) LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' SET jit TO 'off' SET work_mem TO '64MB' AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION public.ow_chart_head(p_org text, p_day date)
 RETURNS text LANGUAGE sql STABLE AS $function$
	SELECT '{"org":' || ow_org_summary(ow_key_404('organization', p_org))::text
		|| ',"as_of":"' || p_day::text || '","roots":['
$function$;

CREATE OR REPLACE FUNCTION public.ow_reports_head(p_key text, p_day date)
 RETURNS text LANGUAGE sql STABLE AS $function$
	SELECT '{"person":' || ow_person_summary(ow_key_404('person', p_key))::text
		|| ',"as_of":"' || p_day::text || '","reports":['
$function$;

CREATE OR REPLACE FUNCTION public.ow_person_timeline(p_key text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
DECLARE
	pid uuid := ow_key_404('person', p_key);
	events json;
BEGIN
	WITH ev AS (
		SELECT po.started_on AS on_, 'position_started' AS event, po.org_id, po.team_id, po.title,
			NULL::uuid AS manager_id, NULL::uuid AS dest_id, po.id AS position_id, NULL::uuid AS line_id,
			NULL::uuid AS departure_id, NULL::text AS status, 'position' AS fact, po.id AS fact_id
		FROM positions po WHERE po.person_id = pid AND po.started_on IS NOT NULL
		UNION ALL
		SELECT po.ended_on, 'position_ended', po.org_id, po.team_id, po.title, NULL, NULL, po.id, NULL, NULL,
			NULL, 'position', po.id
		FROM positions po WHERE po.person_id = pid AND po.ended_on IS NOT NULL
		UNION ALL
		SELECT l.valid_from, 'manager_started', NULL, NULL, NULL, l.manager_id, NULL, NULL, l.id, NULL, NULL,
			'reporting_line', l.id
		FROM reporting_lines l WHERE l.report_id = pid AND l.valid_from IS NOT NULL
		UNION ALL
		SELECT l.valid_to, 'manager_ended', NULL, NULL, NULL, l.manager_id, NULL, NULL, l.id, NULL, NULL,
			'reporting_line', l.id
		FROM reporting_lines l WHERE l.report_id = pid AND l.valid_to IS NOT NULL
		UNION ALL
		SELECT d.departed_on, 'departed', d.org_id, d.team_id, d.title, NULL, d.destination_org_id, NULL, NULL,
			d.id, d.status, 'departure', d.id
		FROM departures d WHERE d.person_id = pid
		UNION ALL
		SELECT d.returned_on, 'returned', d.org_id, d.team_id, NULL, NULL, NULL, NULL, NULL, d.id, d.status,
			'departure', d.id
		FROM departures d WHERE d.person_id = pid AND d.returned_on IS NOT NULL
	)
	SELECT coalesce(json_agg(json_build_object('on', ev.on_, 'event', ev.event,
		'org', ow_org_ref(o), 'team', ow_team_ref(t), 'title', ev.title,
		'manager', ow_person_ref(m), 'destination_org', ow_org_ref(dst),
		'position_id', ev.position_id, 'reporting_line_id', ev.line_id, 'departure_id', ev.departure_id,
		'status', ev.status, 'sources', s.summaries)
		ORDER BY lower(ow_pdate_range(ev.on_)), upper(ow_pdate_range(ev.on_)),
			CASE ev.event WHEN 'position_ended' THEN 0 WHEN 'manager_ended' THEN 1 WHEN 'departed' THEN 2
			WHEN 'position_started' THEN 3 WHEN 'manager_started' THEN 4 ELSE 5 END), '[]')
	INTO events FROM ev
	LEFT JOIN organizations o ON o.id = ev.org_id LEFT JOIN teams t ON t.id = ev.team_id
	LEFT JOIN people m ON m.id = ev.manager_id LEFT JOIN organizations dst ON dst.id = ev.dest_id
	LEFT JOIN LATERAL ow_fact_sources(ev.fact, ev.fact_id) s ON true;
	RETURN (SELECT json_build_object('person', ow_person_ref(p), 'events', events)
		FROM people p WHERE p.id = pid)::text;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_org_changes(p_key text, p_from text, p_to text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
DECLARE
	oid_ uuid := ow_key_404('organization', p_key);
	win daterange := daterange(lower(ow_pdate_range(p_from)), upper(ow_pdate_range(p_to)));
	joined json; left_ json; managers json; teams json;
BEGIN
	SELECT coalesce(json_agg(json_build_object('person', ow_person_ref(p), 'title', po.title,
		'team', ow_team_ref(t), 'started_on', po.started_on, 'position_id', po.id)
		ORDER BY lower(ow_pdate_range(po.started_on)), po.id), '[]')
	INTO joined FROM positions po JOIN people p ON p.id = po.person_id LEFT JOIN teams t ON t.id = po.team_id
	WHERE po.org_id = oid_ AND po.started_on IS NOT NULL AND ow_pdate_range(po.started_on) && win
	  AND NOT EXISTS (SELECT 1 FROM positions e WHERE e.person_id = po.person_id AND e.org_id = oid_
		AND e.id <> po.id AND e.ended_on IS NOT NULL AND e.ended_on = po.started_on);

	SELECT coalesce(json_agg(json_build_object('person', ow_person_ref(p), 'title', d.title,
		'team', ow_team_ref(t), 'departed_on', d.departed_on,
		'destination_org', ow_org_ref(dst), 'destination_title', d.destination_title,
		'destination_kind', d.destination_kind, 'departure_id', d.id)
		ORDER BY lower(d.departed_range), d.id), '[]')
	INTO left_ FROM departures d JOIN people p ON p.id = d.person_id LEFT JOIN teams t ON t.id = d.team_id
	LEFT JOIN organizations dst ON dst.id = d.destination_org_id
	WHERE d.org_id = oid_ AND d.status <> 'retracted' AND d.departed_range && win;

	SELECT coalesce(json_agg(json_build_object('person', ow_person_ref(r), 'on', l.valid_from,
		'from_manager', ow_person_ref(fm), 'to_manager', ow_person_ref(tm))
		ORDER BY lower(l.period), l.id), '[]')
	INTO managers FROM reporting_lines l
	LEFT JOIN LATERAL (SELECT x.manager_id FROM reporting_lines x WHERE x.report_id = l.report_id
		AND upper(x.period) = lower(l.period) LIMIT 1) prev ON true
	JOIN people r ON r.id = l.report_id JOIN people tm ON tm.id = l.manager_id
	LEFT JOIN people fm ON fm.id = prev.manager_id
	WHERE l.valid_from IS NOT NULL AND ow_pdate_range(l.valid_from) && win
	  AND EXISTS (SELECT 1 FROM positions po WHERE po.person_id = l.report_id AND po.org_id = oid_
		AND po.period @> lower(l.period));

	SELECT coalesce(json_agg(json_build_object('person', ow_person_ref(p), 'on', n.started_on,
		'from_team', ow_team_ref(ft), 'to_team', ow_team_ref(tt),
		'from_title', o.title, 'to_title', n.title)
		ORDER BY lower(n.period), n.id), '[]')
	INTO teams FROM positions n JOIN positions o ON o.person_id = n.person_id AND o.org_id = n.org_id
		AND o.ended_on = n.started_on AND o.id <> n.id
	JOIN people p ON p.id = n.person_id LEFT JOIN teams ft ON ft.id = o.team_id
	LEFT JOIN teams tt ON tt.id = n.team_id
	WHERE n.org_id = oid_ AND n.started_on IS NOT NULL AND ow_pdate_range(n.started_on) && win
	  AND (o.team_id IS DISTINCT FROM n.team_id OR o.title IS DISTINCT FROM n.title);

	RETURN (SELECT json_build_object('org', ow_org_ref(og), 'from', p_from, 'to', p_to,
		'joined', joined, 'left', left_, 'manager_changed', managers, 'team_changed', teams)
		FROM organizations og WHERE og.id = oid_)::text;
END $function$;

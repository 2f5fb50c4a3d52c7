-- 0005_history.sql — time travel: a person's timeline, org charts and reporting chains
-- as of a day, what changed at an organization between two dates, team members and
-- alumni. A fact's period runs from the first day of its start date to the first day
-- of its end date (exclusive): a line valid from "2025" counts from 2025-01-01, and a
-- position ended "2024-04" is no longer held on 2024-04-01.

-- The position a person held at an organization on a day (earliest started first).
CREATE FUNCTION ow_position_on(p_person uuid, p_org uuid, p_day date) RETURNS positions
LANGUAGE sql STABLE AS $$
	SELECT * FROM positions WHERE person_id = p_person AND org_id = p_org AND period @> p_day
	ORDER BY lower(period) NULLS FIRST, id LIMIT 1
$$;

-- ---------------------------------------------------------------------------
-- Timeline
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_person_timeline(p_key text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
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
		'org', ow_org_summary(ev.org_id), 'team', ow_team_summary(ev.team_id), 'title', ev.title,
		'manager', ow_person_summary(ev.manager_id), 'destination_org', ow_org_summary(ev.dest_id),
		'position_id', ev.position_id, 'reporting_line_id', ev.line_id, 'departure_id', ev.departure_id,
		'status', ev.status, 'sources', (SELECT s.summaries FROM ow_fact_sources(ev.fact, ev.fact_id) s))
		ORDER BY lower(ow_pdate_range(ev.on_)), upper(ow_pdate_range(ev.on_)),
			CASE ev.event WHEN 'position_ended' THEN 0 WHEN 'manager_ended' THEN 1 WHEN 'departed' THEN 2
			WHEN 'position_started' THEN 3 WHEN 'manager_started' THEN 4 ELSE 5 END), '[]')
	INTO events FROM ev;
	RETURN json_build_object('person', ow_person_summary(pid), 'events', events)::text;
END $$;

-- ---------------------------------------------------------------------------
-- Reporting trees. Rows come in depth-first order with their depth; each node is a
-- JSON object without its closing brace, so the server can nest "reports" while
-- streaming rows instead of building the tree twice.
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_chart_rows(p_org text, p_day date, p_root text, p_depth int)
RETURNS TABLE (depth int, node text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	oid_ uuid := ow_key_404('organization', p_org);
	root_id uuid := ow_key_strict('person', p_root, 'root');
BEGIN
	IF root_id IS NOT NULL AND ow_position_on(root_id, oid_, p_day) IS NULL THEN
		PERFORM ow_raise('OW400', 'root', format('%s held no position at this organization on %s', p_root, p_day));
	END IF;
	RETURN QUERY
	WITH RECURSIVE staff AS (
		SELECT DISTINCT ON (po.person_id) po.person_id, po.title, po.team_id
		FROM positions po WHERE po.org_id = oid_ AND po.period @> p_day
		ORDER BY po.person_id, lower(po.period) NULLS FIRST, po.id
	), lines AS (
		SELECT l.report_id, l.manager_id FROM reporting_lines l
		WHERE l.period @> p_day
		  AND l.report_id IN (SELECT person_id FROM staff) AND l.manager_id IN (SELECT person_id FROM staff)
	), tree (person_id, d, path) AS (
		SELECT s.person_id, 0, ARRAY[ow_fold(p.full_name) || ':' || p.id::text]
		FROM staff s JOIN people p ON p.id = s.person_id
		WHERE CASE WHEN root_id IS NOT NULL THEN s.person_id = root_id
		           ELSE NOT EXISTS (SELECT 1 FROM lines l WHERE l.report_id = s.person_id) END
		UNION ALL
		SELECT l.report_id, t.d + 1, t.path || (ow_fold(p.full_name) || ':' || p.id::text)
		FROM tree t JOIN lines l ON l.manager_id = t.person_id JOIN people p ON p.id = l.report_id
		WHERE p_depth IS NULL OR t.d < p_depth
	)
	SELECT t.d, left(json_build_object('person', ow_person_summary(t.person_id), 'title', s.title,
		'team', ow_team_summary(s.team_id))::text, -1)
	FROM tree t JOIN staff s ON s.person_id = t.person_id
	ORDER BY t.path;
END $$;

CREATE FUNCTION ow_chart_head(p_org text, p_day date) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT '{"org":' || ow_org_summary(ow_key_404('organization', p_org))::text
		|| ',"as_of":"' || p_day::text || '","roots":['
$$;

-- Everyone below a person on a day (any organization), depth-first, depth 1 = direct reports.
CREATE FUNCTION ow_reports_rows(p_key text, p_day date, p_depth int)
RETURNS TABLE (depth int, node text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	pid uuid := ow_key_404('person', p_key);
BEGIN
	RETURN QUERY
	WITH RECURSIVE tree (person_id, manager_id, d, path) AS (
		SELECT l.report_id, l.manager_id, 1, ARRAY[ow_fold(p.full_name) || ':' || p.id::text]
		FROM reporting_lines l JOIN people p ON p.id = l.report_id
		WHERE l.manager_id = pid AND l.period @> p_day
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

CREATE FUNCTION ow_reports_head(p_key text, p_day date) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT '{"person":' || ow_person_summary(ow_key_404('person', p_key))::text
		|| ',"as_of":"' || p_day::text || '","reports":['
$$;

-- The chain of managers above a person on a day, nearest first.
CREATE FUNCTION ow_person_managers(p_key text, p_day date) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	pid uuid := ow_key_404('person', p_key);
	chain json;
BEGIN
	WITH RECURSIVE up (person_id, n) AS (
		SELECT l.manager_id, 1 FROM reporting_lines l WHERE l.report_id = pid AND l.period @> p_day
		UNION ALL
		SELECT l.manager_id, up.n + 1 FROM up JOIN reporting_lines l ON l.report_id = up.person_id
			AND l.period @> p_day
		WHERE up.n < 1000
	)
	SELECT coalesce(json_agg(json_build_object('person', ow_person_summary(up.person_id), 'depth', up.n,
		'title', pos.title, 'team', ow_team_summary(pos.team_id), 'org', ow_org_summary(pos.org_id))
		ORDER BY up.n), '[]')
	INTO chain
	FROM up LEFT JOIN LATERAL (
		SELECT po.title, po.team_id, po.org_id FROM positions po
		WHERE po.person_id = up.person_id AND po.period @> p_day
		ORDER BY lower(po.period) NULLS FIRST LIMIT 1) pos ON true;
	RETURN json_build_object('person', ow_person_summary(pid), 'as_of', p_day, 'managers', chain)::text;
END $$;

-- ---------------------------------------------------------------------------
-- What changed at an organization between two (partial) dates, overlap semantics:
-- events whose date range meets [first day of from, last day of to].
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_org_changes(p_key text, p_from text, p_to text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	oid_ uuid := ow_key_404('organization', p_key);
	win daterange := daterange(lower(ow_pdate_range(p_from)), upper(ow_pdate_range(p_to)));
	joined json; left_ json; managers json; teams json;
BEGIN
	SELECT coalesce(json_agg(json_build_object('person', ow_person_summary(po.person_id), 'title', po.title,
		'team', ow_team_summary(po.team_id), 'started_on', po.started_on, 'position_id', po.id)
		ORDER BY lower(ow_pdate_range(po.started_on)), po.id), '[]')
	INTO joined FROM positions po
	WHERE po.org_id = oid_ AND po.started_on IS NOT NULL AND ow_pdate_range(po.started_on) && win
	  AND NOT EXISTS (SELECT 1 FROM positions e WHERE e.person_id = po.person_id AND e.org_id = oid_
		AND e.id <> po.id AND e.ended_on IS NOT NULL AND e.ended_on = po.started_on);

	SELECT coalesce(json_agg(json_build_object('person', ow_person_summary(d.person_id), 'title', d.title,
		'team', ow_team_summary(d.team_id), 'departed_on', d.departed_on,
		'destination_org', ow_org_summary(d.destination_org_id), 'destination_title', d.destination_title,
		'destination_kind', d.destination_kind, 'departure_id', d.id)
		ORDER BY lower(d.departed_range), d.id), '[]')
	INTO left_ FROM departures d
	WHERE d.org_id = oid_ AND d.status <> 'retracted' AND d.departed_range && win;

	SELECT coalesce(json_agg(json_build_object('person', ow_person_summary(l.report_id), 'on', l.valid_from,
		'from_manager', ow_person_summary(prev.manager_id), 'to_manager', ow_person_summary(l.manager_id))
		ORDER BY lower(l.period), l.id), '[]')
	INTO managers FROM reporting_lines l
	LEFT JOIN LATERAL (SELECT x.manager_id FROM reporting_lines x WHERE x.report_id = l.report_id
		AND upper(x.period) = lower(l.period) LIMIT 1) prev ON true
	WHERE l.valid_from IS NOT NULL AND ow_pdate_range(l.valid_from) && win
	  AND EXISTS (SELECT 1 FROM positions po WHERE po.person_id = l.report_id AND po.org_id = oid_
		AND po.period @> lower(l.period));

	SELECT coalesce(json_agg(json_build_object('person', ow_person_summary(n.person_id), 'on', n.started_on,
		'from_team', ow_team_summary(o.team_id), 'to_team', ow_team_summary(n.team_id),
		'from_title', o.title, 'to_title', n.title)
		ORDER BY lower(n.period), n.id), '[]')
	INTO teams FROM positions n JOIN positions o ON o.person_id = n.person_id AND o.org_id = n.org_id
		AND o.ended_on = n.started_on AND o.id <> n.id
	WHERE n.org_id = oid_ AND n.started_on IS NOT NULL AND ow_pdate_range(n.started_on) && win
	  AND (o.team_id IS DISTINCT FROM n.team_id OR o.title IS DISTINCT FROM n.title);

	RETURN json_build_object('org', ow_org_summary(oid_), 'from', p_from, 'to', p_to, 'joined', joined,
		'left', left_, 'manager_changed', managers, 'team_changed', teams)::text;
END $$;

-- ---------------------------------------------------------------------------
-- Team members on a day and alumni (everyone ever in the team, where they are now).
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_team_member_doc(po positions) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('person', ow_person_summary(po.person_id), 'title', po.title,
		'started_on', po.started_on, 'ended_on', po.ended_on, 'position_id', po.id)
$$;

CREATE FUNCTION ow_team_alumnus_doc(p_person uuid, p_team uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('person', ow_person_summary(p_person),
		'title', last_pos.title, 'started_on', first_pos.started_on, 'ended_on', last_pos.ended_on,
		'current', last_pos.ended_on IS NULL,
		'departure', (SELECT json_build_object('id', d.id, 'departed_on', d.departed_on, 'kind', d.kind,
			'reason_category', d.reason_category, 'destination_org', ow_org_summary(d.destination_org_id),
			'destination_title', d.destination_title, 'destination_kind', d.destination_kind, 'status', d.status)
			FROM departures d WHERE d.person_id = p_person AND d.org_id = t.org_id AND d.status <> 'retracted'
			  AND (first_pos.started_on IS NULL
			       OR lower(d.departed_range) >= ow_pdate_lower(first_pos.started_on))
			ORDER BY lower(d.departed_range) LIMIT 1),
		'current_positions', coalesce((SELECT json_agg(json_build_object('id', c.id, 'org', ow_org_summary(c.org_id),
			'team', ow_team_summary(c.team_id), 'title', c.title, 'started_on', c.started_on)
			ORDER BY lower(c.period) NULLS FIRST, c.id)
			FROM positions c WHERE c.person_id = p_person AND c.ended_on IS NULL), '[]'))
	FROM teams t,
	LATERAL (SELECT * FROM positions x WHERE x.person_id = p_person AND x.team_id = p_team
		ORDER BY lower(x.period) NULLS FIRST LIMIT 1) first_pos,
	LATERAL (SELECT * FROM positions x WHERE x.person_id = p_person AND x.team_id = p_team
		ORDER BY x.ended_on IS NULL DESC, upper(x.period) DESC NULLS FIRST LIMIT 1) last_pos
	WHERE t.id = p_team
$$;

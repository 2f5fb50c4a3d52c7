-- 0006_stats.sql — dashboard statistics: departures grouped by period or category,
-- flows from organizations to destinations, attrition against average headcount.
-- Periods: a departure counts in the month (quarter, year) holding its date; one
-- known only to the year counts in that year and, when grouping by month or quarter,
-- in a separate "2024 (month unknown)" bucket rather than being guessed into January.

-- The departures the /departures filters select (statuses: comma-separated list or
-- "all"; default every status but retracted).
CREATE FUNCTION ow_departures_filtered(f_person text, f_org text, f_team text, f_dest text, f_kind text,
	f_reason text, f_dkind text, f_from text, f_to text, f_layoff text, f_updated timestamptz, f_status text)
RETURNS SETOF departures
LANGUAGE plpgsql STABLE AS $$
DECLARE
	person_ uuid := ow_key_strict('person', f_person, 'person');
	org_ uuid := ow_key_strict('organization', f_org, 'org');
	team_ uuid := ow_key_strict('team', f_team, 'team');
	dest_ uuid := ow_key_strict('organization', f_dest, 'destination_org');
	layoff_ uuid := ow_key_strict('layoff', f_layoff, 'layoff');
	win daterange := daterange(lower(ow_pdate_range(f_from)), upper(ow_pdate_range(f_to)));
	statuses text[] := CASE WHEN f_status IS NULL THEN ARRAY['reported', 'confirmed', 'disputed']
		WHEN f_status = 'all' THEN ARRAY['reported', 'confirmed', 'disputed', 'retracted']
		ELSE string_to_array(f_status, ',') END;
BEGIN
	RETURN QUERY SELECT d.* FROM departures d
	WHERE (person_ IS NULL OR d.person_id = person_) AND (org_ IS NULL OR d.org_id = org_)
	  AND (team_ IS NULL OR d.team_id = team_) AND (dest_ IS NULL OR d.destination_org_id = dest_)
	  AND (f_kind IS NULL OR d.kind = f_kind) AND (f_reason IS NULL OR d.reason_category = f_reason)
	  AND (f_dkind IS NULL OR d.destination_kind = f_dkind) AND (layoff_ IS NULL OR d.layoff_id = layoff_)
	  AND (f_from IS NULL AND f_to IS NULL OR d.departed_range && win)
	  AND (f_updated IS NULL OR d.updated_at >= f_updated)
	  AND d.status = ANY (statuses);
END $$;

CREATE FUNCTION ow_label(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL THEN 'Unknown' ELSE initcap(replace(v, '_', ' ')) END
$$;

CREATE FUNCTION ow_stats_departures(group_by text, f_person text, f_org text, f_team text, f_dest text,
	f_kind text, f_reason text, f_dkind text, f_from text, f_to text, f_layoff text, f_updated timestamptz,
	f_status text)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	groups json;
	total bigint;
	step interval := CASE group_by WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
		ELSE interval '1 year' END;
BEGIN
	IF group_by IN ('month', 'quarter', 'year') THEN
		WITH r AS MATERIALIZED (
			SELECT * FROM ow_departures_filtered(f_person, f_org, f_team, f_dest, f_kind, f_reason, f_dkind,
				f_from, f_to, f_layoff, f_updated, f_status)
		), bounds AS (
			SELECT date_trunc(group_by, coalesce(lower(ow_pdate_range(f_from)), min(lower(r.departed_range))))::date AS a,
			       coalesce(upper(ow_pdate_range(f_to)) - 1, max(lower(r.departed_range))) AS b
			FROM r
		), periods AS (
			SELECT p::date AS start FROM bounds, generate_series(bounds.a, bounds.b, step) p
		), keyed AS (
			SELECT CASE
				WHEN group_by = 'year' THEN to_char(lower(r.departed_range), 'YYYY')
				WHEN length(r.departed_on) = 4 THEN r.departed_on || '-unknown'
				WHEN group_by = 'month' THEN to_char(lower(r.departed_range), 'YYYY-MM')
				ELSE to_char(lower(r.departed_range), 'YYYY-"Q"Q') END AS key
			FROM r
		), all_keys AS (
			SELECT CASE group_by WHEN 'year' THEN to_char(start, 'YYYY') WHEN 'month' THEN to_char(start, 'YYYY-MM')
				ELSE to_char(start, 'YYYY-"Q"Q') END AS key FROM periods
			UNION SELECT key FROM keyed
		)
		SELECT coalesce(json_agg(json_build_object('key', k.key, 'label', CASE
				WHEN k.key LIKE '%-unknown' THEN left(k.key, 4) || CASE group_by WHEN 'month'
					THEN ' (month unknown)' ELSE ' (quarter unknown)' END
				WHEN group_by = 'month' THEN to_char(to_date(k.key, 'YYYY-MM'), 'FMMonth YYYY')
				WHEN group_by = 'quarter' THEN substr(k.key, 6) || ' ' || left(k.key, 4)
				ELSE k.key END,
			'count', (SELECT count(*) FROM keyed x WHERE x.key = k.key)) ORDER BY k.key), '[]'),
			(SELECT count(*) FROM r)
		INTO groups, total FROM all_keys k;
	ELSE
		WITH r AS MATERIALIZED (
			SELECT * FROM ow_departures_filtered(f_person, f_org, f_team, f_dest, f_kind, f_reason, f_dkind,
				f_from, f_to, f_layoff, f_updated, f_status)
		), g AS (
			SELECT CASE group_by
				WHEN 'team' THEN r.team_id::text WHEN 'org' THEN r.org_id::text
				WHEN 'destination_org' THEN r.destination_org_id::text WHEN 'kind' THEN r.kind
				WHEN 'reason_category' THEN r.reason_category ELSE r.destination_kind END AS key,
			CASE group_by
				WHEN 'team' THEN coalesce((SELECT t.name FROM teams t WHERE t.id = r.team_id), 'No team')
				WHEN 'org' THEN (SELECT o.name FROM organizations o WHERE o.id = r.org_id)
				WHEN 'destination_org' THEN coalesce((SELECT o.name FROM organizations o
					WHERE o.id = r.destination_org_id), 'Unknown')
				WHEN 'kind' THEN ow_label(r.kind) WHEN 'reason_category' THEN ow_label(r.reason_category)
				ELSE ow_label(r.destination_kind) END AS label,
			count(*) AS n
			FROM r GROUP BY 1, 2
		)
		SELECT coalesce(json_agg(json_build_object('key', g.key, 'label', g.label, 'count', g.n)
			ORDER BY g.n DESC, g.label), '[]'), (SELECT count(*) FROM r)
		INTO groups, total FROM g;
	END IF;
	RETURN json_build_object('group_by', group_by, 'groups', groups, 'total', total)::text;
END $$;

CREATE FUNCTION ow_stats_flows(f_org text, f_from text, f_to text, f_status text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('flows', coalesce(json_agg(json_build_object('from', ow_org_summary(f.org_id),
		'to', ow_org_summary(f.destination_org_id), 'count', f.n) ORDER BY f.n DESC, f.org_id, f.destination_org_id), '[]'))::text
	FROM (
		SELECT d.org_id, d.destination_org_id, count(*) AS n
		FROM ow_departures_filtered(NULL, f_org, NULL, NULL, NULL, NULL, NULL, f_from, f_to, NULL, NULL, f_status) d
		GROUP BY 1, 2
	) f
$$;

-- Attrition in a window: departures, average headcount (days in a position / days in
-- the window) and their ratio; default window: the 12 months before today.
CREATE FUNCTION ow_attrition_row(p_org uuid, p_team uuid, win daterange) RETURNS json
LANGUAGE sql STABLE AS $$
	WITH dep AS (
		SELECT count(*) AS n FROM departures d
		WHERE (p_org IS NULL OR d.org_id = p_org) AND (p_team IS NULL OR d.team_id = p_team)
		  AND d.status <> 'retracted' AND d.departed_range && win
	), head AS (
		SELECT coalesce(sum(upper(po.period * win) - lower(po.period * win)), 0)::numeric
			/ greatest(upper(win) - lower(win), 1) AS avg
		FROM positions po
		WHERE (p_org IS NULL OR po.org_id = p_org) AND (p_team IS NULL OR po.team_id = p_team)
		  AND po.period && win
	)
	SELECT json_build_object('org', ow_org_summary(p_org), 'team', ow_team_summary(p_team),
		'departures', dep.n, 'average_headcount', round(head.avg, 2),
		'rate', CASE WHEN head.avg > 0 THEN round(dep.n / head.avg, 4) END)
	FROM dep, head
$$;

CREATE FUNCTION ow_stats_attrition(f_org text, f_team text, f_from text, f_to text, group_by text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	org_ uuid := ow_key_strict('organization', f_org, 'org');
	team_ uuid := ow_key_strict('team', f_team, 'team');
	to_ text := coalesce(f_to, to_char(current_date, 'YYYY-MM-DD'));
	from_ text := coalesce(f_from, to_char(ow_pdate_lower(to_) - interval '1 year' + interval '1 day', 'YYYY-MM-DD'));
	win daterange := daterange(lower(ow_pdate_range(from_)), upper(ow_pdate_range(to_)));
	result jsonb;
BEGIN
	IF isempty(win) THEN
		PERFORM ow_raise('OW400', 'to', 'must not be before from');
	END IF;
	IF group_by = 'team' AND org_ IS NULL AND team_ IS NULL THEN
		PERFORM ow_raise('OW400', 'org', 'group_by=team needs org (or team)');
	END IF;
	result := ow_attrition_row(org_, team_, win)::jsonb || jsonb_build_object('from', from_, 'to', to_);
	IF group_by = 'team' THEN
		result := result || jsonb_build_object('teams', coalesce((
			SELECT jsonb_agg(ow_attrition_row(t.org_id, t.id, win)::jsonb ORDER BY t.name)
			FROM teams t WHERE (org_ IS NULL OR t.org_id = org_) AND (team_ IS NULL OR t.id = team_ OR t.parent_id = team_)),
			'[]'));
	END IF;
	RETURN result::text;
END $$;

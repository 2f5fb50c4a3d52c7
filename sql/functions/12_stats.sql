-- 12_stats.sql — Statistics for the dashboard.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- The label of a period key of the statistics and charts: "April 2024" (month), "Q2 2024"
-- (quarter), "2024" (year), "2024 (month unknown)" / "2024 (quarter unknown)" for the dates
-- known only to their year.
CREATE OR REPLACE FUNCTION public.ow_period_label(group_by text, k text)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE
		WHEN k LIKE '%-unknown' THEN left(k, 4) || CASE group_by WHEN 'month'
			THEN ' (month unknown)' ELSE ' (quarter unknown)' END
		WHEN group_by = 'month' THEN to_char(to_date(k, 'YYYY-MM'), 'FMMonth YYYY')
		WHEN group_by = 'quarter' THEN substr(k, 6) || ' ' || left(k, 4)
		ELSE k END
$function$;

-- The departures selected (ow_departures_filtered told which filters were given, then the
-- organization's attributes) are written out here twice and in ow_stats_flows,
-- ow_chart_departures and ow_chart_flows rather than shared through one more SQL function:
-- these statements are planned at every call (force_custom_plan) and the planner parses an
-- inlined function's body again each time; a shared one (ow_departures_selected, same plans)
-- cost 0.06-0.09 ms a call, 6-16 % of a one-person or one-organization statistic (bench
-- database, calls of the two alternated; within noise from 4 ms up).
CREATE OR REPLACE FUNCTION public.ow_stats_departures(group_by text, f_person text, f_org text, f_team text, f_dest text, f_kind text, f_reason text, f_dkind text, f_from text, f_to text, f_layoff text, f_updated timestamp with time zone, f_status text, f_industry text, f_country text, f_stage text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
DECLARE
	groups json;
	total bigint;
	step interval := CASE group_by WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
		ELSE interval '1 year' END;
BEGIN
	IF group_by IN ('month', 'quarter', 'year') THEN
		WITH r AS MATERIALIZED (
			SELECT d.departed_on, d.departed_range FROM ow_departures_selected(f_person, f_org, f_team, f_dest,
				f_kind, f_reason, f_dkind, f_from, f_to, f_layoff, f_updated, f_status, f_industry, f_country, f_stage) d
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
		SELECT coalesce(json_agg(json_build_object('key', k.key, 'label', ow_period_label(group_by, k.key),
			'count', coalesce(c.n, 0)) ORDER BY k.key), '[]'),
			(SELECT count(*) FROM r)
		INTO groups, total FROM all_keys k LEFT JOIN counts c ON c.key = k.key;
	ELSE
		WITH r AS MATERIALIZED (
			SELECT * FROM ow_departures_selected(f_person, f_org, f_team, f_dest, f_kind, f_reason, f_dkind,
				f_from, f_to, f_layoff, f_updated, f_status, f_industry, f_country, f_stage) d
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
END $function$;

CREATE OR REPLACE FUNCTION public.ow_stats_flows(f_org text, f_from text, f_to text, f_status text, f_industry text, f_country text, f_stage text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
BEGIN
	-- Planned with the arguments' values (a custom plan), so that the filters not given fold
	-- away and org= is an index condition.
	RETURN (SELECT json_build_object('flows', coalesce(json_agg(json_build_object('from', ow_org_ref(o),
		'to', ow_org_ref(dst), 'count', f.n) ORDER BY f.n DESC, f.org_id, f.destination_org_id), '[]'))::text
	FROM (
		SELECT d.org_id, d.destination_org_id, count(*) AS n
		FROM ow_departures_selected(NULL, f_org, NULL, NULL, NULL, NULL, NULL, f_from, f_to, NULL, NULL, f_status, f_industry, f_country, f_stage) d
		GROUP BY 1, 2
	) f
	LEFT JOIN organizations o ON o.id = f.org_id LEFT JOIN organizations dst ON dst.id = f.destination_org_id);
END $function$;

CREATE OR REPLACE FUNCTION public.ow_stats_attrition(f_org text, f_team text, f_from text, f_to text, group_by text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION public.ow_attrition_row(p_org uuid, p_team uuid, win daterange)
 RETURNS json LANGUAGE sql STABLE AS $function$
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
$function$;

-- Layoffs counted (issue 26): per period of announced_on (month, quarter, year: every period
-- between the first and the last, empty ones included; a date known only to the year is
-- counted in "YYYY-unknown" when grouping by month or quarter, as ow_stats_departures does)
-- or per organization, industry, country or stage (largest laid_off first). Each group:
-- layoffs (events), laid_off (the sum of the reported counts), without_count (events whose
-- count is unknown: never guessed from a percentage), orgs (distinct organizations); and
-- the same for the whole selection in total. Filters: org, the organization's industry,
-- country and stage, from/to (announced_on overlapping the period, as /layoffs).
-- The columns of the layoffs that the statistics' filters select (ow_layoffs_selected,
-- 17_charts.sql: org, the organization's industry, country and stage, from/to overlapping
-- announced_on). Plain SQL, inlined where it is called.
CREATE OR REPLACE FUNCTION public.ow_stats_layoffs_rows(org_ uuid, f_industry text, f_country text, f_stage text, f_from text, f_to text)
 RETURNS TABLE(org_id uuid, announced_on text, announced_range daterange, count integer) LANGUAGE sql STABLE AS $function$
	SELECT l.org_id, l.announced_on, l.announced_range, l.count
	FROM ow_layoffs_selected(org_, f_industry, f_country, f_stage, f_from, f_to) l
$function$;

-- Layoffs counted (issue 26): per period of announced_on (month, quarter, year: every period
-- between the first and the last, empty ones included; a date known only to the year is
-- counted in "YYYY-unknown" when grouping by month or quarter, as ow_stats_departures does)
-- or per organization, industry, country or stage (largest laid_off first). Each group:
-- layoffs (events), laid_off (the sum of the reported counts), without_count (events whose
-- count is unknown: never guessed from a percentage), orgs (distinct organizations); and
-- the same for the whole selection in total. Filters: org, the organization's industry,
-- country and stage, from/to (announced_on overlapping the period, as /layoffs).
-- Periods: one pass grouping by the period (its key in the "C" collation), one hashing the
-- organizations for the total. Categories: summed per organization first (one hash
-- aggregate), then per category: an organization lies in one category, so its rows are the
-- group's organizations and no DISTINCT is needed. bench/ceiling/layoffs_*.sql are the
-- smallest statements giving the same facts.
CREATE OR REPLACE FUNCTION public.ow_stats_layoffs(group_by text, f_org text, f_industry text, f_country text, f_stage text, f_from text, f_to text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
DECLARE
	org_ uuid := ow_key_strict('organization', f_org, 'org');
	step interval := CASE group_by WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
		ELSE interval '1 year' END;
	answer json;
BEGIN
	IF group_by IN ('month', 'quarter', 'year') THEN
		-- The period keys in the "C" collation: sorting 100,000 keys by the database's
		-- collation cost more than the rest of the statement (measured: 180 ms against 45).
		WITH c AS MATERIALIZED (
			SELECT x.k, count(*) AS layoffs, sum(x.count) AS laid_off,
				count(*) FILTER (WHERE x.count IS NULL) AS without_count, count(DISTINCT x.org_id) AS orgs,
				min(x.d) AS a, max(x.d) AS b
			FROM (SELECT r.org_id, r.count, lower(r.announced_range) AS d, (CASE
					WHEN group_by = 'year' THEN to_char(lower(r.announced_range), 'YYYY')
					WHEN length(r.announced_on) = 4 THEN r.announced_on || '-unknown'
					WHEN group_by = 'month' THEN to_char(lower(r.announced_range), 'YYYY-MM')
					ELSE to_char(lower(r.announced_range), 'YYYY-"Q"Q') END) COLLATE "C" AS k
				FROM ow_stats_layoffs_rows(org_, f_industry, f_country, f_stage, f_from, f_to) r) x
			GROUP BY x.k
		), bounds AS (
			SELECT date_trunc(group_by, coalesce(lower(ow_pdate_range(f_from)), min(c.a)))::date AS a,
			       coalesce(upper(ow_pdate_range(f_to)) - 1, max(c.b)) AS b
			FROM c
		), all_keys AS (
			SELECT (CASE group_by WHEN 'year' THEN to_char(p, 'YYYY') WHEN 'month' THEN to_char(p, 'YYYY-MM')
				ELSE to_char(p, 'YYYY-"Q"Q') END) COLLATE "C" AS k
			FROM bounds, generate_series(bounds.a, bounds.b, step) p
			UNION SELECT c.k FROM c
		)
		SELECT json_build_object('group_by', group_by, 'groups', (
			SELECT coalesce(json_agg(json_build_object('key', a.k, 'label', ow_period_label(group_by, a.k),
				'layoffs', coalesce(c.layoffs, 0), 'laid_off', coalesce(c.laid_off, 0),
				'without_count', coalesce(c.without_count, 0), 'orgs', coalesce(c.orgs, 0)) ORDER BY a.k), '[]')
			FROM all_keys a LEFT JOIN c ON c.k = a.k), 'total', (
			SELECT json_build_object('layoffs', coalesce(sum(c.layoffs), 0), 'laid_off', coalesce(sum(c.laid_off), 0),
				'without_count', coalesce(sum(c.without_count), 0),
				'orgs', (SELECT count(*) FROM (SELECT DISTINCT r.org_id
					FROM ow_stats_layoffs_rows(org_, f_industry, f_country, f_stage, f_from, f_to) r) o))
			FROM c))
		INTO answer;
	ELSE
		WITH g AS (
			SELECT r.org_id, count(*) AS n, sum(r.count) AS s, count(*) FILTER (WHERE r.count IS NULL) AS nc
			FROM ow_stats_layoffs_rows(org_, f_industry, f_country, f_stage, f_from, f_to) r
			GROUP BY r.org_id
		), s AS MATERIALIZED (
			SELECT CASE group_by WHEN 'org' THEN o.id::text WHEN 'industry' THEN lower(o.industry)
				WHEN 'country' THEN o.country::text ELSE o.stage END AS k,
				CASE WHEN group_by = 'industry' THEN o.industry END AS industry,
				count(*) AS orgs, sum(g.n) AS layoffs, sum(g.s) AS laid_off, sum(g.nc) AS without_count
			FROM g JOIN organizations o ON o.id = g.org_id
			GROUP BY 1, 2
		), c AS (
			SELECT s.k, sum(s.layoffs) AS layoffs, coalesce(sum(s.laid_off), 0) AS laid_off,
				sum(s.without_count) AS without_count, sum(s.orgs) AS orgs,
				(array_agg(s.industry ORDER BY s.layoffs DESC, s.industry))[1] AS industry
			FROM s GROUP BY s.k
		), labelled AS (
			SELECT CASE group_by WHEN 'industry' THEN c.industry ELSE c.k END AS key, c.layoffs, c.laid_off,
				c.without_count, c.orgs, CASE
				WHEN c.k IS NULL THEN 'Unknown'
				WHEN group_by = 'org' THEN (SELECT o.name FROM organizations o WHERE o.id = c.k::uuid)
				WHEN group_by = 'industry' THEN c.industry
				WHEN group_by = 'country' THEN (SELECT n.name FROM countries n WHERE n.code = c.k)
				WHEN c.k = 'post_ipo' THEN 'Post-IPO'
				ELSE initcap(replace(c.k, '_', ' ')) END AS label
			FROM c
		)
		SELECT json_build_object('group_by', group_by, 'groups', (
			SELECT coalesce(json_agg(json_build_object('key', l.key, 'label', l.label, 'layoffs', l.layoffs,
				'laid_off', l.laid_off, 'without_count', l.without_count, 'orgs', l.orgs)
				ORDER BY l.laid_off DESC, l.layoffs DESC, l.key IS NULL, l.label), '[]')
			FROM labelled l), 'total', (
			SELECT json_build_object('layoffs', coalesce(sum(s.layoffs), 0), 'laid_off', coalesce(sum(s.laid_off), 0),
				'without_count', coalesce(sum(s.without_count), 0), 'orgs', coalesce(sum(s.orgs), 0))
			FROM s))
		INTO answer;
	END IF;
	RETURN answer::text;
END $function$;

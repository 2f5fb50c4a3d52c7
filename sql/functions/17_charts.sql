-- 17_charts.sql — The numbers the SVG charts draw (issue 30), each with the publications
-- behind the facts drawn and the date of the data, as one JSON answer (also served as the
-- chart's .json; its rows as .csv).
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").
--
-- Every answer carries "sources" (the publications that report the facts drawn: a source's
-- publisher, else its URL's host, with how many of the facts each reports, the most first,
-- at most 8), "sources_total" (how many publications in all) and "data_date" (the newest
-- date among the facts drawn and their sources' publication dates, as recorded: partial
-- dates stay partial), so that a chart says where its numbers come from and how recent they
-- are, and the same data always gives the same bytes. The charts of facts counted
-- (departures, layoffs, flows) each write out the steps to these (links, pubs, the data date,
-- ow_chart_sources) rather than call one function doing them: such a function, planned at
-- each call, cost 0.05-0.2 ms, 3.5-11 % of a one-person or one-organization chart (bench
-- database, calls of the two alternated).

-- A source's publication as a chart's source line names it.
CREATE OR REPLACE FUNCTION public.ow_chart_publication(s sources)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT coalesce(s.publisher, substring(s.url FROM '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)'), s.url)
$function$;

-- "sources", "sources_total" of a set of (fact id, publication) rows, as a JSON object.
CREATE OR REPLACE FUNCTION public.ow_chart_sources(pubs jsonb)
 RETURNS jsonb LANGUAGE sql IMMUTABLE AS $function$
	SELECT jsonb_build_object('sources', coalesce((SELECT jsonb_agg(jsonb_build_object('publisher', t.p, 'count', t.n)
			ORDER BY t.n DESC, t.p) FROM (SELECT x.p, x.n FROM jsonb_to_recordset(pubs) AS x(p text, n int)
			ORDER BY x.n DESC, x.p LIMIT 8) t), '[]'),
		'sources_total', jsonb_array_length(coalesce(pubs, '[]')))
$function$;

-- The publications behind a chart's facts, from its links (fact, source): each source's
-- publication computed once (a URL's host is a regular expression), then per publication the
-- facts it reports and its newest publication date.
CREATE OR REPLACE FUNCTION public.ow_chart_publications(p_facts uuid[], p_sources uuid[])
 RETURNS TABLE(p text, n bigint, published text) LANGUAGE sql STABLE AS $function$
	WITH links AS (SELECT * FROM unnest(p_facts, p_sources) AS l(fact, source_id)),
	srcs AS MATERIALIZED (
		SELECT s.id, ow_chart_publication(s) AS p, s.published_on FROM sources s
		WHERE s.id IN (SELECT links.source_id FROM links)
	)
	SELECT srcs.p, count(DISTINCT links.fact), max(srcs.published_on)
	FROM links JOIN srcs ON srcs.id = links.source_id GROUP BY 1
$function$;

-- Departures per month (GET /charts/departures-by-month): the /departures filters; with
-- f_stack (kind, reason_category or destination_kind) each month's count in parts, and the
-- parts' series (largest first). Every month from the first to the last (or from/to), empty
-- ones with 0; departures known only to their year in "YYYY-unknown", drawn apart.
CREATE OR REPLACE FUNCTION public.ow_chart_departures(f_stack text, f_person text, f_org text, f_team text, f_dest text, f_kind text, f_reason text, f_dkind text, f_from text, f_to text, f_layoff text, f_updated timestamp with time zone, f_status text, f_industry text, f_country text, f_stage text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
DECLARE
	answer jsonb;
BEGIN
	WITH r AS MATERIALIZED (
		SELECT d.id, d.departed_on, lower(d.departed_range) AS day,
			(CASE WHEN length(d.departed_on) = 4 THEN d.departed_on || '-unknown'
				ELSE to_char(lower(d.departed_range), 'YYYY-MM') END) COLLATE "C" AS k,
			CASE f_stack WHEN 'kind' THEN d.kind WHEN 'reason_category' THEN d.reason_category
				WHEN 'destination_kind' THEN d.destination_kind END AS part
		FROM ow_departures_selected(f_person, f_org, f_team, f_dest, f_kind, f_reason, f_dkind, f_from, f_to,
			f_layoff, f_updated, f_status, f_industry, f_country, f_stage) d
	), bounds AS (
		SELECT date_trunc('month', coalesce(lower(ow_pdate_range(f_from)), min(r.day)))::date AS a,
		       coalesce(upper(ow_pdate_range(f_to)) - 1, max(r.day)) AS b
		FROM r
	), counts AS (
		SELECT r.k, count(*) AS n FROM r GROUP BY r.k
	), all_keys AS (
		SELECT to_char(p, 'YYYY-MM') COLLATE "C" AS k FROM bounds, generate_series(bounds.a, bounds.b, interval '1 month') p
		UNION SELECT counts.k FROM counts
	), series AS (
		SELECT r.part, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC, r.part) AS rank
		FROM r WHERE f_stack IS NOT NULL GROUP BY r.part
	), parts AS (
		SELECT r.k, r.part, count(*) AS n FROM r WHERE f_stack IS NOT NULL GROUP BY r.k, r.part
	), links AS MATERIALIZED (
		SELECT x.departure_id AS fact, x.source_id FROM departure_sources x WHERE x.departure_id IN (SELECT r.id FROM r)
	), pubs AS (
		SELECT * FROM ow_chart_publications((SELECT array_agg(links.fact) FROM links),
			(SELECT array_agg(links.source_id) FROM links))
	)
	SELECT jsonb_build_object('org', (SELECT ow_org_ref(o) FROM organizations o WHERE o.id = ow_key('organization', f_org)),
		'stack', f_stack,
		'groups', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', a.k, 'label', ow_period_label('month', a.k),
				'count', coalesce(c.n, 0), 'parts', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', p.part,
					'count', p.n) ORDER BY s.rank), '[]') FROM parts p JOIN series s ON s.part IS NOT DISTINCT FROM p.part
					WHERE p.k = a.k)) ORDER BY a.k), '[]')
			FROM all_keys a LEFT JOIN counts c ON c.k = a.k),
		'series', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', s.part, 'label', ow_label(s.part), 'count', s.n)
			ORDER BY s.rank), '[]') FROM series s),
		'total', (SELECT count(*) FROM r),
		'data_date', (SELECT greatest(max(r.departed_on), (SELECT max(pubs.published) FROM pubs)) FROM r))
		|| ow_chart_sources((SELECT jsonb_agg(jsonb_build_object('p', pubs.p, 'n', pubs.n)) FROM pubs))
	INTO answer;
	RETURN answer::text;
END $function$;

-- The layoffs the layoff statistics' filters select (ow_stats_layoffs_rows reads them).
CREATE OR REPLACE FUNCTION public.ow_layoffs_selected(org_ uuid, f_industry text, f_country text, f_stage text, f_from text, f_to text)
 RETURNS SETOF layoffs LANGUAGE sql STABLE AS $function$
	SELECT l.* FROM layoffs l
	WHERE (org_ IS NULL OR l.org_id = org_)
	  AND (f_industry IS NULL AND f_country IS NULL AND f_stage IS NULL
		OR l.org_id IN (SELECT a.id FROM ow_orgs_with_attrs(f_industry, f_country, f_stage) a))
	  AND (f_from IS NULL AND f_to IS NULL
		OR l.announced_range && daterange(lower(ow_pdate_range(f_from)), upper(ow_pdate_range(f_to))))
$function$;

-- People laid off per month (GET /charts/layoffs-by-month): /stats/layoffs?group_by=month
-- with the sources of the layoffs counted.
CREATE OR REPLACE FUNCTION public.ow_chart_layoffs(f_org text, f_industry text, f_country text, f_stage text, f_from text, f_to text)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
DECLARE
	org_ uuid := ow_key_strict('organization', f_org, 'org');
	answer jsonb;
BEGIN
	WITH r AS MATERIALIZED (
		SELECT l.id, l.announced_on FROM ow_layoffs_selected(org_, f_industry, f_country, f_stage, f_from, f_to) l
	), links AS MATERIALIZED (
		SELECT x.layoff_id AS fact, x.source_id FROM layoff_sources x WHERE x.layoff_id IN (SELECT r.id FROM r)
	), pubs AS (
		SELECT * FROM ow_chart_publications((SELECT array_agg(links.fact) FROM links),
			(SELECT array_agg(links.source_id) FROM links))
	)
	SELECT ow_stats_layoffs('month', f_org, f_industry, f_country, f_stage, f_from, f_to)::jsonb
		|| jsonb_build_object('org', (SELECT ow_org_ref(o) FROM organizations o WHERE o.id = org_),
			'data_date', (SELECT greatest(max(r.announced_on), (SELECT max(pubs.published) FROM pubs)) FROM r))
		|| ow_chart_sources((SELECT jsonb_agg(jsonb_build_object('p', pubs.p, 'n', pubs.n)) FROM pubs))
	INTO answer;
	RETURN answer::text;
END $function$;

-- Where people went (GET /charts/flows): departures counted by organization left and
-- destination, the f_top largest flows (the rest summed in "others"); filters as
-- /stats/flows.
CREATE OR REPLACE FUNCTION public.ow_chart_flows(f_org text, f_from text, f_to text, f_status text, f_industry text, f_country text, f_stage text, f_top integer)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' AS $function$
DECLARE
	answer jsonb;
BEGIN
	WITH r AS MATERIALIZED (
		SELECT d.id, d.org_id, d.destination_org_id, d.departed_on
		FROM ow_departures_selected(NULL, f_org, NULL, NULL, NULL, NULL, NULL, f_from, f_to, NULL, NULL, f_status, f_industry, f_country, f_stage) d
	), f AS (
		-- Ties in the order of the names (not of ids, which differ between two loads of the
		-- same data), unknown destinations last.
		SELECT g.org_id, g.destination_org_id, g.n,
			row_number() OVER (ORDER BY g.n DESC, o.name, o.id, dst.name NULLS LAST, dst.id) AS rank
		FROM (SELECT r.org_id, r.destination_org_id, count(*) AS n FROM r GROUP BY r.org_id, r.destination_org_id) g
		JOIN organizations o ON o.id = g.org_id LEFT JOIN organizations dst ON dst.id = g.destination_org_id
	), links AS MATERIALIZED (
		SELECT x.departure_id AS fact, x.source_id FROM departure_sources x WHERE x.departure_id IN (SELECT r.id FROM r)
	), pubs AS (
		SELECT * FROM ow_chart_publications((SELECT array_agg(links.fact) FROM links),
			(SELECT array_agg(links.source_id) FROM links))
	)
	SELECT jsonb_build_object('org', (SELECT ow_org_ref(o) FROM organizations o WHERE o.id = ow_key('organization', f_org)),
		'flows', (SELECT coalesce(jsonb_agg(jsonb_build_object('from', ow_org_ref(o), 'to', ow_org_ref(dst), 'count', f.n)
			ORDER BY f.rank), '[]') FROM f LEFT JOIN organizations o ON o.id = f.org_id
			LEFT JOIN organizations dst ON dst.id = f.destination_org_id WHERE f.rank <= f_top),
		'others', (SELECT coalesce(sum(f.n), 0) FROM f WHERE f.rank > f_top),
		'total', (SELECT count(*) FROM r),
		'data_date', (SELECT greatest(max(r.departed_on), (SELECT max(pubs.published) FROM pubs)) FROM r))
		|| ow_chart_sources((SELECT jsonb_agg(jsonb_build_object('p', pubs.p, 'n', pubs.n)) FROM pubs))
	INTO answer;
	RETURN answer::text;
END $function$;

-- What an org chart's picture adds to its rows (GET /organizations/{id}/chart.svg): the
-- people who left the organization between p_since and p_day (departures not retracted),
-- with their title and manager on the eve of leaving and where they went (drawn as ghosts
-- under that manager), and the sources and data date of the positions and reporting lines of
-- p_day and of those departures (ow_chart_org_extras_of). This is the whole organization's
-- (a subtree's and a collapsed chart's come with their rows: ow_chart_org_subtree,
-- ow_chart_people): the day's staff is one index scan of positions, their lines a hash join
-- over the organization (a lookup per person cost 100,000 index probes, 800 ms, on the
-- 100,000-person benchmark).
CREATE OR REPLACE FUNCTION public.ow_chart_org_extras(p_org text, p_day date, p_since date)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' SET jit TO 'off' AS $function$
DECLARE
	oid_ uuid := ow_key_404('organization', p_org);
	st_pos uuid[];
	st_person uuid[];
	st_started text[];
	ln_id uuid[];
	ln_from text[];
BEGIN
	WITH staff AS MATERIALIZED (
		SELECT po.id, po.person_id, po.started_on FROM positions po
		WHERE po.org_id = oid_ AND po.period @> p_day
	), lines AS MATERIALIZED (
		SELECT l.id, l.valid_from FROM staff s
		JOIN reporting_lines l ON l.report_id = s.person_id AND l.period @> p_day
	)
	SELECT (SELECT array_agg(staff.id) FROM staff), (SELECT array_agg(staff.person_id) FROM staff),
		(SELECT array_agg(staff.started_on::text) FROM staff),
		(SELECT array_agg(lines.id) FROM lines), (SELECT array_agg(lines.valid_from::text) FROM lines)
	INTO st_pos, st_person, st_started, ln_id, ln_from;
	RETURN ow_chart_org_extras_of(oid_, p_day, false, st_pos, st_person, st_started, ln_id, ln_from,
		p_since);
END $function$;

-- ow_chart_org_extras from what the caller has found: the day's positions drawn (ids, holders,
-- started_on), their reporting lines that day (ids, valid_from), whether they are a part of
-- the organization (p_subset: then only the ghosts who left from under someone drawn), and
-- p_since. Callers pass what they found: the whole organization's staff and lines
-- (ow_chart_org_extras), or the positions of the people drawn and the lines they were drawn
-- by (ow_chart_org_subtree, ow_chart_people).
CREATE OR REPLACE FUNCTION public.ow_chart_org_extras_of(oid_ uuid, p_day date, p_subset boolean, st_pos uuid[], st_person uuid[], st_started text[], ln_id uuid[], ln_from text[], p_since date)
 RETURNS text LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' SET jit TO 'off' AS $function$
DECLARE
	answer jsonb;
BEGIN
	WITH staff AS MATERIALIZED (
		SELECT u.id, u.person_id, u.started_on FROM unnest(st_pos, st_person, st_started) AS u(id, person_id, started_on)
	), lines AS MATERIALIZED (
		SELECT u.id, u.valid_from FROM unnest(ln_id, ln_from) AS u(id, valid_from)
	), gone AS MATERIALIZED (
		SELECT DISTINCT ON (d.person_id) d.id, d.person_id, d.departed_on, lower(d.departed_range) AS day,
			d.destination_org_id, d.destination_kind
		FROM departures d
		WHERE p_since IS NOT NULL AND d.org_id = oid_ AND d.status <> 'retracted'
		  AND lower(d.departed_range) >= p_since AND lower(d.departed_range) <= p_day
		  -- gone: holding no position there that day (not only: none drawn; someone hidden
		  -- in a "+N more" box or come back elsewhere in the organization is not a ghost)
		  AND NOT EXISTS (SELECT 1 FROM positions po
			WHERE po.person_id = d.person_id AND po.org_id = oid_ AND po.period @> p_day)
		ORDER BY d.person_id, lower(d.departed_range) DESC, d.id
	), ghosts AS (
		SELECT g.*, p.slug, p.full_name,
			(SELECT po.title FROM positions po WHERE po.person_id = g.person_id AND po.org_id = oid_
			 ORDER BY lower(po.period) DESC NULLS LAST, po.id LIMIT 1) AS title,
			(SELECT l.manager_id FROM reporting_lines l WHERE l.report_id = g.person_id AND l.period @> (g.day - 1)
			 ORDER BY l.id LIMIT 1) AS manager_id
		FROM gone g JOIN people p ON p.id = g.person_id
	), drawn_ghosts AS (
		-- with a root, those who left from under someone drawn (or from under the root)
		SELECT g.* FROM ghosts g
		WHERE NOT p_subset OR g.manager_id IN (SELECT s.person_id FROM staff s)
	), pubs AS (
		SELECT ow_chart_publication(src) AS p, count(*) AS n, max(src.published_on) AS published FROM (
			SELECT x.source_id FROM staff s JOIN position_sources x ON x.position_id = s.id
			UNION ALL SELECT x.source_id FROM lines l JOIN reporting_line_sources x ON x.reporting_line_id = l.id
			UNION ALL SELECT x.source_id FROM drawn_ghosts g JOIN departure_sources x ON x.departure_id = g.id) u
		JOIN sources src ON src.id = u.source_id GROUP BY 1
	)
	SELECT jsonb_build_object('org', (SELECT ow_org_ref(o) FROM organizations o WHERE o.id = oid_),
		'as_of', p_day, 'departed_since', p_since,
		'ghosts', (SELECT coalesce(jsonb_agg(jsonb_build_object('person_id', g.person_id, 'slug', g.slug,
				'full_name', g.full_name, 'title', g.title, 'manager_id', g.manager_id, 'departed_on', g.departed_on,
				'destination', (SELECT o.name FROM organizations o WHERE o.id = g.destination_org_id),
				'destination_kind', g.destination_kind) ORDER BY g.day, g.full_name, g.person_id), '[]')
			FROM drawn_ghosts g),
		'data_date', greatest((SELECT max(staff.started_on) FROM staff), (SELECT max(lines.valid_from) FROM lines),
			(SELECT max(g.departed_on) FROM drawn_ghosts g), (SELECT max(pubs.published) FROM pubs)))
		|| ow_chart_sources((SELECT jsonb_agg(jsonb_build_object('p', pubs.p, 'n', pubs.n)) FROM pubs))
	INTO answer;
	RETURN answer::text;
END $function$;

-- An org chart's picture below a person (GET /organizations/{id}/chart.svg?root=&depth=), in
-- one statement: the rows of ow_chart_flat for the root and everyone below it that day (hidden
-- 0, extras NULL; every level: the server collapses those past p_depth into "+N more"), then
-- one row with every column NULL but extras, the picture's additions (ow_chart_org_extras_of
-- of the lines the walk followed and the positions of the people it met, down to p_depth).
-- The subtree's rows and their extras as two statements looked up every line twice and cost
-- a second round trip with the ids of everyone drawn.
CREATE OR REPLACE FUNCTION public.ow_chart_org_subtree(p_org text, p_day date, p_root text, p_since date, p_depth integer)
 RETURNS TABLE(person_id uuid, manager_id uuid, slug text, full_name text, title text, team_id uuid, team_slug text, team_name text, sort_key text, hidden bigint, extras text) LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' SET jit TO 'off' AS $function$
DECLARE
	oid_ uuid := ow_key_404('organization', p_org);
	root_id uuid := ow_key_strict('person', p_root, 'root');
BEGIN
	IF ow_position_on(root_id, oid_, p_day) IS NULL THEN
		PERFORM ow_raise('OW400', 'root', format('%s held no position at this organization on %s', p_root, p_day));
	END IF;
	RETURN QUERY
	WITH RECURSIVE sub (person_id, manager_id, line_id, line_from, d) AS (
		-- the root's own line (to a manager not drawn) counts among the lines' sources
		SELECT root_id, NULL::uuid, rl.id, rl.valid_from::text, 0 FROM (SELECT 1) one
		LEFT JOIN LATERAL (SELECT x.id, x.valid_from FROM reporting_lines x
			WHERE x.report_id = root_id AND x.period @> p_day LIMIT 1) rl ON true
		UNION ALL
		SELECT l.report_id, l.manager_id, l.id, l.valid_from::text, s.d + 1
		FROM sub s JOIN reporting_lines l ON l.manager_id = s.person_id AND l.period @> p_day
		WHERE s.d < 100000
			AND EXISTS (SELECT 1 FROM positions po
				WHERE po.person_id = l.report_id AND po.org_id = oid_ AND po.period @> p_day)
	), pos AS MATERIALIZED (
		-- every position of the people met that day (a person may hold two: the first by
		-- start, then id, is drawn; all count among the sources)
		SELECT s.person_id, s.manager_id, s.line_id, s.line_from, s.d, x.id AS pos_id, x.title, x.team_id,
			x.started_on, lower(x.period) AS lo
		FROM sub s CROSS JOIN LATERAL (SELECT po.id, po.title, po.team_id, po.started_on, po.period
			FROM positions po WHERE po.person_id = s.person_id AND po.org_id = oid_ AND po.period @> p_day
			OFFSET 0) x
	), r AS MATERIALIZED (
		SELECT DISTINCT ON (pos.person_id) pos.person_id, pos.manager_id, pos.line_id, pos.line_from, pos.d, p.slug,
			p.full_name, pos.title, tm.id AS team_id, tm.slug AS team_slug, tm.name AS team_name,
			lower(public.unaccent('public.unaccent'::regdictionary, p.full_name)) AS sort_key
		FROM pos JOIN people p ON p.id = pos.person_id
		LEFT JOIN teams tm ON tm.id = pos.team_id
		ORDER BY pos.person_id, pos.lo NULLS FIRST, pos.pos_id
	)
	SELECT r.person_id, r.manager_id, r.slug, r.full_name, r.title, r.team_id, r.team_slug, r.team_name,
		r.sort_key, 0::bigint, NULL::text FROM r
	UNION ALL
	SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		ow_chart_org_extras_of(oid_, p_day, true, st.pos, st.person, st.started,
			(SELECT array_agg(r.line_id) FROM r WHERE r.line_id IS NOT NULL AND (p_depth IS NULL OR r.d <= p_depth)),
			(SELECT array_agg(r.line_from) FROM r WHERE r.line_id IS NOT NULL AND (p_depth IS NULL OR r.d <= p_depth)),
			p_since)
	-- the extras of the positions drawn (pos: levels past p_depth are collapsed into "+N more"
	-- boxes by the server, so their positions, lines and ghosts are not drawn) and the lines
	-- followed to them; the same extras row in
	-- ow_chart_org_subtree and ow_chart_people: a function shared by the two, planned at each
	-- call, cost 0.5-2 ms of a 15 ms statement (pgbench, alternating runs)
	FROM (SELECT array_agg(pos.pos_id) AS pos, array_agg(pos.person_id) AS person,
		array_agg(pos.started_on::text) AS started FROM pos WHERE p_depth IS NULL OR pos.d <= p_depth) st;
END $function$;

-- The two phases of a collapsed org chart (GET /organizations/{id}/chart.svg?depth=, no root):
-- first every position of the day with its holder's manager that day, ids only, as two
-- arrays in one row that the server reads in binary (NULL: no manager; a person holding two
-- positions is in them twice, which org_collapse.c counts once: a DISTINCT here cost a third
-- of the statement on the 100,000-person benchmark, and 100,000 rows of two ids as text cost
-- the server more than the arrays' 3.2 MB; org_collapse.c finds
-- the boxes drawn and how many people each "+N more" stands for), then the rows of
-- ow_chart_flat for the people drawn alone, each with how many people below it are not drawn
-- (p_hidden, in the order of p_people), and a last row with the picture's extras as
-- ow_chart_org_subtree's. The whole organization's names are never read:
-- on the 100,000-person benchmark the names' sort keys were a third of the statement.
CREATE OR REPLACE FUNCTION public.ow_chart_link_arrays(p_org text, p_day date)
 RETURNS TABLE(people uuid[], managers uuid[]) LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' SET jit TO 'off' SET work_mem TO '64MB' AS $function$
DECLARE
	oid_ uuid := ow_key_404('organization', p_org);
BEGIN
	RETURN QUERY
	SELECT array_agg(po.person_id), array_agg(l.manager_id) FROM positions po
	LEFT JOIN reporting_lines l ON l.report_id = po.person_id AND l.period @> p_day
	WHERE po.org_id = oid_ AND po.period @> p_day;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_chart_people(p_org text, p_day date, p_people uuid[], p_hidden bigint[], p_since date)
 RETURNS TABLE(person_id uuid, manager_id uuid, slug text, full_name text, title text, team_id uuid, team_slug text, team_name text, sort_key text, hidden bigint, extras text) LANGUAGE plpgsql STABLE SET plan_cache_mode TO 'force_custom_plan' SET jit TO 'off' AS $function$
DECLARE
	oid_ uuid := ow_key_404('organization', p_org);
BEGIN
	RETURN QUERY
	WITH pos AS MATERIALIZED (
		-- every position of the people drawn that day (a person may hold two: the first by
		-- start, then id, is drawn; all count among the sources)
		SELECT u.person_id, u.hidden, x.id AS pos_id, x.title, x.team_id, x.started_on, lower(x.period) AS lo
		FROM unnest(p_people, p_hidden) AS u(person_id, hidden)
		CROSS JOIN LATERAL (SELECT po.id, po.title, po.team_id, po.started_on, po.period FROM positions po
			WHERE po.person_id = u.person_id AND po.org_id = oid_ AND po.period @> p_day OFFSET 0) x
	), r AS MATERIALIZED (
		SELECT DISTINCT ON (pos.person_id) pos.person_id, l.manager_id, l.id AS line_id,
			l.valid_from::text AS line_from, p.slug, p.full_name, pos.title, tm.id AS team_id,
			tm.slug AS team_slug, tm.name AS team_name,
			lower(public.unaccent('public.unaccent'::regdictionary, p.full_name)) AS sort_key, pos.hidden
		FROM pos JOIN people p ON p.id = pos.person_id
		LEFT JOIN LATERAL (
			SELECT x.id, x.manager_id, x.valid_from FROM reporting_lines x
			WHERE x.report_id = pos.person_id AND x.period @> p_day LIMIT 1) l ON true
		LEFT JOIN teams tm ON tm.id = pos.team_id
		ORDER BY pos.person_id, pos.lo NULLS FIRST, pos.pos_id
	)
	SELECT r.person_id, r.manager_id, r.slug, r.full_name, r.title, r.team_id, r.team_slug, r.team_name,
		r.sort_key, r.hidden, NULL::text FROM r
	UNION ALL
	SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		ow_chart_org_extras_of(oid_, p_day, true, st.pos, st.person, st.started,
			(SELECT array_agg(r.line_id) FROM r WHERE r.line_id IS NOT NULL),
			(SELECT array_agg(r.line_from) FROM r WHERE r.line_id IS NOT NULL), p_since)
	-- the extras of the positions drawn (pos) and the lines followed; the same extras row in
	-- ow_chart_org_subtree and ow_chart_people: a function shared by the two, planned at each
	-- call, cost 0.5-2 ms of a 15 ms statement (pgbench, alternating runs)
	FROM (SELECT array_agg(pos.pos_id) AS pos, array_agg(pos.person_id) AS person,
		array_agg(pos.started_on::text) AS started FROM pos) st;
END $function$;

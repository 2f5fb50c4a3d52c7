-- charts.sql — org charts, reports, a team's members and alumni, statistics, the charts' numbers.

-- name: org_changes
SELECT ow_org_changes($1, $2, $3)

-- A chart's or a report's head, then its rows, in one snapshot (tree_reply.c).
-- name: chart_head
SELECT ow_chart_head($1, coalesce($2::date, current_date))

-- name: chart_flat
SELECT * FROM ow_chart_flat($1, coalesce($2::date, current_date), $3, $4::int)

-- name: reports_head
SELECT ow_reports_head($1, coalesce($2::date, current_date))

-- The people below $1 on $2, down to $3 levels: the walk carries ids only; each row's name is
-- looked up by index once per row and its positions that day are joined with their teams
-- (LATERAL, so the plan stays a nested loop however many rows the walk is estimated at: hash
-- joins over the whole people and positions tables cost 100 ms). Columns as ow_chart_flat's,
-- then three that choose between the positions of a person holding more than one that day
-- (tree_reply.c keeps one, preferring one at an organization where the manager holds a
-- position that day, then the earliest, then the lowest id): how many positions the manager
-- holds at its organization (NULL when the person holds one: that probe for every row, and
-- ordering each person's positions in SQL, cost 40 % of the statement), its start, its id.
-- tree_reply.c orders and links them.
-- name: reports_flat
WITH RECURSIVE tree (person_id, manager_id, d) AS (
 SELECT l.report_id, l.manager_id, 1 FROM reporting_lines l
 WHERE l.manager_id = (SELECT ow_key('person', $1))
 AND l.period @> coalesce($2::date, current_date)
 AND ($3::int IS NULL OR $3::int > 0)
 UNION ALL
 SELECT l.report_id, l.manager_id, t.d + 1 FROM tree t JOIN reporting_lines l
 ON l.manager_id = t.person_id AND l.period @> coalesce($2::date, current_date)
 WHERE ($3::int IS NULL OR t.d < $3::int) AND t.d < 1000)
SELECT t.person_id, t.manager_id, p.slug, p.full_name, po.title, tm.id, tm.slug,
 tm.name, p.sort_key,
 CASE WHEN po.n > 1 THEN (SELECT count(*) FROM positions m
 WHERE m.person_id = t.manager_id AND m.org_id = po.org_id
 AND m.period @> coalesce($2::date, current_date)) END,
 lower(po.period), po.id
FROM tree t CROSS JOIN LATERAL (SELECT p.slug, p.full_name,
 lower(public.unaccent('public.unaccent'::regdictionary, p.full_name)) AS sort_key
 FROM people p WHERE p.id = t.person_id LIMIT 1) p
LEFT JOIN LATERAL (SELECT x.id, x.org_id, x.title, x.team_id, x.period,
 count(*) OVER () AS n FROM positions x WHERE x.person_id = t.person_id
 AND x.period @> coalesce($2::date, current_date)) po ON true
LEFT JOIN teams tm ON tm.id = po.team_id

-- A team's members on $2, in id order after the cursor $3 (its second part is not taken).
-- name: team_members
SELECT ow_team_member_json(po, p)::text, po.id::text, po.id::text FROM positions po
JOIN people p ON p.id = po.person_id WHERE po.team_id = (SELECT ow_key_404('team', $1))
 AND po.period @> coalesce($2::date, current_date)
 AND ($3::uuid IS NULL OR po.id > $3::uuid)
ORDER BY po.id LIMIT $4::int

-- name: team_alumni
SELECT a.doc::text, pg.person_id::text, pg.person_id::text
FROM (SELECT m.person_id, m.team_id FROM (SELECT DISTINCT po.person_id, po.team_id
 FROM positions po WHERE po.team_id = (SELECT ow_key_404('team', $1))) m
 WHERE ($2::uuid IS NULL OR m.person_id > $2::uuid)
 ORDER BY m.person_id LIMIT $3::int) pg,
LATERAL ow_team_alumnus_row(pg.person_id, pg.team_id) a ORDER BY pg.person_id

-- The statistics (12_stats.sql).
-- name: stats_departures
SELECT ow_stats_departures(coalesce($1, 'month'), $2, $3, $4, $5, $6, $7, $8,
 $9, $10, $11, $12::timestamptz, $13, $14, $15, $16)

-- name: stats_flows
SELECT ow_stats_flows($1, $2, $3, $4, $5, $6, $7)

-- group_by, then org, industry, country, stage, from, to (12_stats.sql).
-- name: stats_layoffs
SELECT ow_stats_layoffs(coalesce($1, 'month'), $2, $3, $4, $5, $6, $7)

-- name: stats_attrition
SELECT ow_stats_attrition($1, $2, $3, $4, $5)

-- The charts' numbers (17_charts.sql): stack and the departure filters; org, industry,
-- country, stage, from, to; org, from, to, status, industry, country, stage, top.
-- name: chart_departures
SELECT ow_chart_departures($1, $2, $3, $4, $5, $6, $7, $8, $9,
 $10, $11, $12::timestamptz, $13, $14, $15, $16)

-- name: chart_layoffs
SELECT ow_chart_layoffs($1, $2, $3, $4, $5, $6)

-- name: chart_flows
SELECT ow_chart_flows($1, $2, $3, $4, $5, $6, $7, $8::int)

-- name: chart_org_extras
SELECT ow_chart_org_extras($1, coalesce($2::date, current_date), $3::date)

-- A subtree's picture in one statement: its rows, then a row with the extras only.
-- name: chart_subtree
SELECT * FROM ow_chart_org_subtree($1, coalesce($2::date, current_date), $3, $4::date, $5::int)

-- A collapsed org chart in two phases (17_charts.sql): every position's holder and manager
-- that day (as arrays, in binary: `binary` in stmts.c), then the rows of the people drawn
-- with how many each stands for and a last row with the picture's extras.
-- name: chart_links
SELECT * FROM ow_chart_link_arrays($1, coalesce($2::date, current_date))

-- name: chart_people
SELECT * FROM ow_chart_people($1, coalesce($2::date, current_date),
 $3::uuid[], $4::bigint[], $5::date)

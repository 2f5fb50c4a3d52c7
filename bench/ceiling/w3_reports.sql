-- W3 ceiling — GET /people/{slug}/reports: everyone below a level-4 manager today (~500
-- people, 4 levels), with name and the title and team of the position held today, as plain
-- rows (id, manager id: the tree's links). Each row's person and position are fetched by index
-- (LATERAL ... LIMIT 1): joined plainly, the planner estimates the walk at thousands of rows
-- and hashes the whole people and positions tables (100+ ms a query).
\set m random(26, 225)
WITH RECURSIVE t (id, manager_id) AS (
	SELECT l.report_id, l.manager_id FROM reporting_lines l
	WHERE l.manager_id = (SELECT id FROM people WHERE slug = 'person-' || :m)
	  AND l.period @> current_date
	UNION ALL
	SELECT l.report_id, l.manager_id FROM t
	JOIN reporting_lines l ON l.manager_id = t.id AND l.period @> current_date
)
SELECT t.id, t.manager_id, p.slug, p.full_name, po.title, po.team_id, po.team_slug, po.team_name
FROM t
CROSS JOIN LATERAL (SELECT slug, full_name FROM people WHERE id = t.id LIMIT 1) p
LEFT JOIN LATERAL (SELECT x.title, tm.id AS team_id, tm.slug AS team_slug, tm.name AS team_name
                   FROM positions x LEFT JOIN teams tm ON tm.id = x.team_id
                   WHERE x.person_id = t.id AND x.period @> current_date LIMIT 1) po ON true;

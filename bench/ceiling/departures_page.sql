-- departures_page.sql — what the ceilings of a page of GET /departures share
-- (departures_org.sql, w2_departures.sql, departures_window.sql): each picks its 51 departures
-- as `page` (the page and one more, to know a next page exists), then includes this file with
-- \ir for the person, organizations, team, layoff and sources each refers to, as plain
-- columns. pgbench has no include: bench/lib.sh (pgbench_script) puts this file in place of
-- the \ir line. (A CTE read once is inlined by PostgreSQL: the same plan as a subquery.)
SELECT d.id, d.person_id, p.slug, p.full_name, d.org_id, o.slug, o.name, d.team_id, t.slug, t.name,
       d.title, d.departed_on, d.announced_on, d.kind, d.reason_category, d.reason,
       d.destination_org_id, dst.slug, dst.name, d.destination_title, d.destination_kind,
       d.layoff_id, l.announced_on, l.count, d.returned_on, src.ids, src.urls, d.notes, d.status,
       d.created_at, d.updated_at
FROM page d
JOIN people p ON p.id = d.person_id
JOIN organizations o ON o.id = d.org_id
LEFT JOIN teams t ON t.id = d.team_id
LEFT JOIN organizations dst ON dst.id = d.destination_org_id
LEFT JOIN layoffs l ON l.id = d.layoff_id
LEFT JOIN LATERAL (SELECT array_agg(s.id) AS ids, array_agg(s.url) AS urls
                   FROM departure_sources x JOIN sources s ON s.id = x.source_id
                   WHERE x.departure_id = d.id) src ON true;

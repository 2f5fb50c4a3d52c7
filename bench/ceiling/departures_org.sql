-- Ceiling of GET /departures?org={slug}&limit=50 (section departures): the first 51
-- departures of one organization (the page and one more, to know a next page exists) with
-- the person, organizations, team, layoff and sources they refer to, as plain columns
-- (departures_page.sql).
\set o random(1, 200)
WITH page AS (SELECT * FROM departures d
              WHERE d.org_id = (SELECT id FROM organizations WHERE slug = 'org-' || :o)
                AND d.status IN ('reported', 'confirmed', 'disputed')
              ORDER BY lower(d.departed_range), upper(d.departed_range), d.id LIMIT 51)
\ir departures_page.sql

-- W2 ceiling — GET /departures?org={slug}&sort=-departed_on&limit=50: the newest 51
-- departures of one organization (the page and one more, to know a next page exists) with
-- the person, organizations, team, layoff and sources they refer to, as plain columns
-- (departures_page.sql).
\set o random(1, 200)
WITH page AS (SELECT * FROM departures d
              WHERE d.org_id = (SELECT id FROM organizations WHERE slug = 'org-' || :o)
                AND d.status IN ('reported', 'confirmed', 'disputed')
              ORDER BY lower(d.departed_range) DESC, upper(d.departed_range) DESC, d.id DESC LIMIT 51)
\ir departures_page.sql

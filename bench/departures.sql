-- departures.sql — the dataset of issues 4 and 7 on top of bench/generate.sql, set-based,
-- inserted as the table owner straight into the tables (every constraint, generated column
-- and trigger runs; ow_departures_write() does not, so positions are not closed):
--
--   2,000 sources       https://news.example/<publisher>/<i>, with titles and publication dates
--   150 layoffs         at the 40 largest organizations, announced 2015..2025 (mixed precision)
--   50,000 departures   50,000 distinct people (person-N), each from the organization, team and
--                       title of their first position; departed_on 2015..2025, 20% "YYYY",
--                       30% "YYYY-MM", 50% "YYYY-MM-DD", later years more frequent; kinds,
--                       reasons consistent with kinds (laid_off → layoff, linked to a layoff of
--                       that organization when it has one), 60% with a destination organization
--                       (kind joined/founded/academia), statuses 70% reported, 22% confirmed,
--                       5% disputed, 3% retracted; 2% boomerangs (returned_on), 40% announced_on
--   ~58,000 links       departure_sources: 0 (5%), 1 (80%) or 2 (15%) sources per departure
--
-- Deterministic (setseed). Organization sizes are skewed as in generate.sql, so org-1 has the
-- most departures (~3,500) and org-200 a handful.
\set seed 0.4711
\ir generate_begin.sql

CREATE TEMP TABLE dw ON COMMIT DROP AS SELECT
	ARRAY['The Verge', 'Wired', 'Bloomberg', 'Reuters', 'The Information', 'TechCrunch',
	      'Financial Times', 'Le Monde', 'Heise', 'Nikkei'] AS publishers,
	ARRAY['Research Scientist', 'Software Engineer', 'Engineering Manager', 'Director', 'VP of Research',
	      'Staff Engineer', 'Product Manager', 'Chief Scientist', 'Founder', 'Professor'] AS titles,
	ARRAY['Left to start a company', 'Joined a competitor', 'Burnout after the launch',
	      'Team dissolved in the reorganization', 'Part of the layoff', 'Better compensation elsewhere',
	      'Returned to academia', 'Family reasons', 'Undisclosed'] AS reasons;

-- Sources.
INSERT INTO sources (url, title, publisher, author, published_on, created_at, updated_at)
SELECT 'https://news.example/' || ow_slugify(dw.publishers[1 + i % 10]) || '/' || i,
       'Departure report number ' || i, dw.publishers[1 + i % 10],
       CASE WHEN i % 3 = 0 THEN 'Staff reporter' END,
       (2015 + i % 11)::text || '-' || lpad((1 + i % 12)::text, 2, '0'),
       now() - interval '2 years' + i * interval '5 minutes',
       now() - interval '2 years' + i * interval '5 minutes'
FROM dw, generate_series(1, 2000) AS i;

CREATE TEMP TABLE smap ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY created_at, id)::int AS i, id FROM sources
WHERE url LIKE 'https://news.example/%';
CREATE UNIQUE INDEX ON smap (i);

CREATE TEMP TABLE omap2 ON COMMIT DROP AS
SELECT substr(slug, 5)::int AS i, id FROM organizations WHERE slug ~ '^org-[0-9]+$';
CREATE UNIQUE INDEX ON omap2 (i);

-- Partial dates: 20% "YYYY", 30% "YYYY-MM", 50% "YYYY-MM-DD".
\ir partial_date.sql

-- Layoffs: 150 at the 40 largest organizations.
INSERT INTO layoffs (org_id, announced_on, effective_on, count, percentage, description, created_at, updated_at)
SELECT o.id, pg_temp.pd(y, m, d, prec, 2, 5), CASE WHEN prec >= 5 THEN (y + (m + 1) / 13) || '-' || lpad((1 + m % 12)::text, 2, '0') END,
       20 + floor(random() * 2000)::int, CASE WHEN l.i % 2 = 0 THEN round((random() * 30)::numeric, 2) END,
       'Layoff number ' || l.i, now() - interval '1 year' + l.i * interval '1 hour',
       now() - interval '1 year' + l.i * interval '1 hour'
FROM (
	SELECT i, 1 + (i - 1) % 40 AS org_i, 2015 + floor(random() * 11)::int AS y,
	       1 + floor(random() * 12)::int AS m, 1 + floor(random() * 28)::int AS d,
	       floor(random() * 10)::int AS prec
	FROM generate_series(1, 150) AS i
) l JOIN omap2 o ON o.i = l.org_i;

-- Departing people: 50,000 distinct, each from their first position (organization, team, title).
CREATE TEMP TABLE leaver ON COMMIT DROP AS
SELECT DISTINCT ON (po.person_id) po.person_id, po.org_id, o.i AS org_i, po.team_id, po.title, p.created_at
FROM (SELECT id, created_at FROM people WHERE slug ~ '^person-[0-9]+$' ORDER BY random() LIMIT 50000) p
JOIN positions po ON po.person_id = p.id JOIN omap2 o ON o.id = po.org_id
ORDER BY po.person_id, po.created_at, po.id;

CREATE TEMP TABLE dep ON COMMIT DROP AS
SELECT l.*, row_number() OVER (ORDER BY l.created_at, l.person_id)::int AS k,
       -- later years are more frequent: 2015 + 11 * sqrt(u)
       least(2025, 2015 + floor(11 * sqrt(random()))::int) AS y,
       1 + floor(random() * 12)::int AS m, 1 + floor(random() * 28)::int AS d,
       floor(random() * 10)::int AS prec,       -- 0-1 year, 2-4 month, 5-9 day
       random() AS r_kind, random() AS r_reason, random() AS r_dest, random() AS r_status,
       random() AS r_misc, least(200, 1 + floor(200 * random() ^ 2)::int) AS dest_i,
       floor(random() * 100)::int AS r_src
FROM leaver l;

INSERT INTO departures (person_id, org_id, team_id, title, departed_on, announced_on, kind, reason_category,
	reason, destination_org_id, destination_title, destination_kind, layoff_id, returned_on, notes, status,
	created_at, updated_at)
SELECT x.person_id, x.org_id, x.team_id, x.title, pg_temp.pd(x.y, x.m, x.d, x.prec, 2, 5),
       CASE WHEN x.r_misc < 0.4 THEN pg_temp.pd(x.y, x.m, x.d, greatest(x.prec, 5), 2, 5) END,
       x.kind, x.reason_category,
       CASE WHEN x.r_misc < 0.3 THEN dw.reasons[1 + x.k % 9] END,
       CASE WHEN x.has_dest THEN dst.id END,
       CASE WHEN x.has_dest THEN dw.titles[1 + x.k % 10] END,
       CASE WHEN NOT x.has_dest THEN (ARRAY['unknown', 'unknown', 'none', 'government'])[1 + x.k % 4]
            WHEN x.reason_category = 'startup' THEN 'founded'
            WHEN x.reason_category = 'academia' THEN 'academia' ELSE 'joined' END,
       CASE WHEN x.kind = 'laid_off' THEN (SELECT lf.id FROM layoffs lf WHERE lf.org_id = x.org_id
                                          ORDER BY lf.created_at LIMIT 1) END,
       CASE WHEN x.r_misc > 0.98 THEN (x.y + 1 + x.k % 2)::text END,
       CASE WHEN x.r_misc BETWEEN 0.5 AND 0.6 THEN 'Benchmark note ' || x.k END,
       x.status,
       x.created_at + interval '7 days', x.created_at + interval '7 days'
FROM dw, (
	SELECT dep.*,
	       CASE WHEN r_kind < 0.55 THEN 'resigned' WHEN r_kind < 0.70 THEN 'laid_off'
	            WHEN r_kind < 0.74 THEN 'fired' WHEN r_kind < 0.79 THEN 'retired'
	            WHEN r_kind < 0.85 THEN 'contract_ended' WHEN r_kind < 0.855 THEN 'deceased'
	            ELSE 'unknown' END AS kind,
	       CASE WHEN r_kind >= 0.55 AND r_kind < 0.70 THEN 'layoff'
	            ELSE (ARRAY['startup', 'competitor', 'competitor', 'burnout', 'reorganization',
	                        'compensation', 'compensation', 'academia', 'personal', 'other',
	                        'unknown', 'unknown'])[1 + floor(r_reason * 12)::int] END AS reason_category,
	       r_dest < 0.6 AND NOT (r_kind >= 0.79 AND r_kind < 0.855) AS has_dest,
	       CASE WHEN r_status < 0.70 THEN 'reported' WHEN r_status < 0.92 THEN 'confirmed'
	            WHEN r_status < 0.97 THEN 'disputed' ELSE 'retracted' END AS status
	FROM dep
) x JOIN omap2 dst ON dst.i = CASE WHEN x.dest_i = x.org_i THEN 1 + x.dest_i % 200 ELSE x.dest_i END;

INSERT INTO departure_sources (departure_id, source_id)
SELECT d.id, s.id
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id)::int AS k FROM departures) d
JOIN LATERAL (SELECT 1 + (d.k * 7919) % 2000 AS a, 1 + (d.k::bigint * 104729) % 2000 AS b,
                     (d.k * 31) % 100 AS r) q ON q.r >= 5
JOIN smap s ON s.i = q.a OR (q.r >= 85 AND s.i = q.b AND q.b <> q.a);

COMMIT;

VACUUM ANALYZE sources, layoffs, departures, departure_sources;

SELECT (SELECT count(*) FROM departures) AS departures,
       (SELECT count(*) FROM departures WHERE status <> 'retracted') AS listed,
       (SELECT count(*) FROM layoffs) AS layoffs,
       (SELECT count(*) FROM sources) AS sources,
       (SELECT count(*) FROM departure_sources) AS departure_sources;

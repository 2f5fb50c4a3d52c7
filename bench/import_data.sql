-- import_data.sql — the files of the import benchmark (issue 6), written by psql:
--   :people_file   NDJSON: 500 sources, then :people people (slug imp-1 .. imp-N)
--   :dep_file      NDJSON: :rows departure lines over those people
--   :csv_file      the same departure lines as CSV (header row), for COPY into a plain table
-- Departure i: person n = imp-(1 + i % people); its repetition r = i / people gives the year
-- 2015 + (n + r) % 11, so
-- one person's departures never share (person, org, departed_on) while rows <= 11 x people.
-- Organizations and teams are those of bench/generate.sql (org-1 .. org-200); sources are
-- referenced by URL, teams by "org/team", people and organizations by slug, as a scraper's
-- file would. Needs psql variables rows, people, people_file, dep_file, csv_file.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(0.6006);

CREATE TEMP TABLE imp_team AS
SELECT substr(o.slug, 5)::int AS org_i,
       row_number() OVER (PARTITION BY o.id ORDER BY t.slug)::int AS j, o.slug || '/' || t.slug AS key
FROM teams t JOIN organizations o ON o.id = t.org_id WHERE o.slug ~ '^org-[0-9]+$';
CREATE UNIQUE INDEX ON imp_team (org_i, j);

CREATE TEMP TABLE imp_row AS
SELECT i, 1 + i % :people AS person_n, i / :people AS r,
       least(200, 1 + floor(200 * random() ^ 2)::int) AS org_i,
       least(200, 1 + floor(200 * random() ^ 2)::int) AS dest_i,
       1 + floor(random() * 10)::int AS team_j,
       1 + floor(random() * 12)::int AS m, 1 + floor(random() * 28)::int AS d,
       floor(random() * 10)::int AS prec, random() AS u, random() AS v
FROM generate_series(0, :rows - 1) AS i;

CREATE TEMP TABLE imp_dep AS
SELECT x.i,
       'imp-' || x.person_n AS person,
       'org-' || x.org_i AS org,
       CASE WHEN x.u < 0.5 THEN t.key END AS team,
       (ARRAY['Research Scientist', 'Software Engineer', 'Engineering Manager', 'Director',
              'Staff Engineer', 'Product Manager'])[1 + x.i % 6] AS title,
       CASE WHEN x.prec < 2 THEN (2015 + (x.person_n + x.r) % 11)::text
            WHEN x.prec < 5 THEN (2015 + (x.person_n + x.r) % 11) || '-' || lpad(x.m::text, 2, '0')
            ELSE (2015 + (x.person_n + x.r) % 11) || '-' || lpad(x.m::text, 2, '0') || '-' || lpad(x.d::text, 2, '0') END
           AS departed_on,
       (ARRAY['resigned', 'resigned', 'resigned', 'laid_off', 'retired', 'contract_ended', 'unknown'])[1 + x.i % 7]
           AS kind,
       (ARRAY['startup', 'competitor', 'burnout', 'reorganization', 'compensation', 'academia', 'personal',
              'other', 'unknown'])[1 + (x.i / 7) % 9] AS reason_category,
       CASE WHEN x.v < 0.6 AND x.dest_i <> x.org_i THEN 'org-' || x.dest_i END AS destination_org,
       CASE WHEN x.v < 0.6 AND x.dest_i <> x.org_i THEN 'joined' ELSE 'unknown' END AS destination_kind,
       CASE WHEN x.u > 0.5 THEN 'https://import.example/source/' || (1 + x.i % 500) END AS source,
       CASE WHEN x.v > 0.9 THEN 'confirmed' ELSE 'reported' END AS status
FROM imp_row x JOIN imp_team t ON t.org_i = x.org_i AND t.j = x.team_j;

\pset format unaligned
\pset tuples_only on
\pset footer off
\o :people_file
SELECT json_build_object('type', 'source', 'url', 'https://import.example/source/' || i,
	'title', 'Imported source ' || i, 'publisher', 'Import Gazette', 'published_on', (2015 + i % 11)::text)
FROM generate_series(1, 500) AS i;
SELECT json_build_object('type', 'person', 'slug', 'imp-' || n,
	'full_name', (ARRAY['Ada', 'Zoë', 'José', 'Wei', 'Priya', 'Jürgen', 'Amélie', 'Kwame'])[1 + n % 8] || ' '
	             || (ARRAY['Import', 'Meijer', 'Dvořáková', 'Tanaka', 'García', 'Okafor', 'Novák'])[1 + (n / 8) % 7]
	             || ' ' || n,
	'tags', CASE WHEN n % 3 = 0 THEN json_build_array('imported') ELSE '[]'::json END)
FROM generate_series(1, :people) AS n;
\o :dep_file
SELECT json_strip_nulls(json_build_object('type', 'departure', 'person', person, 'org', org, 'team', team,
	'title', title, 'departed_on', departed_on, 'kind', kind, 'reason_category', reason_category,
	'destination_org', destination_org, 'destination_kind', destination_kind,
	'sources', CASE WHEN source IS NOT NULL THEN json_build_array(source) END, 'status', status))
FROM imp_dep ORDER BY i;
\o :csv_file
COPY (SELECT person, org, team, title, departed_on, kind, reason_category, destination_org,
             destination_kind, source AS sources, status FROM imp_dep ORDER BY i) TO STDOUT WITH (FORMAT csv, HEADER);
\o

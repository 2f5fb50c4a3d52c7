-- dataset.sql — the issue-size dataset of issues 12 and 13 as one import file (NDJSON, references
-- by slug, in dependency order), written by psql without touching any table:
--
--   200 organizations        org-1 .. org-200 (skewed sizes: org-1 largest)
--   2,000 teams              10 per organization ("org-7/research", ...)
--   100,000 people           person-1 .. person-100000
--   150,000 positions        everyone one; every even-numbered person a second (the first then ended)
--   99,999 reporting lines   one tree 8 levels deep, current since 2021-01: person-1 at the top,
--                            4 below it, 20 on level 3, 200 level-4 managers (person-26 ..
--                            person-225) with ~499 people below each (levels 5-8: 4, 16, 80, ~399)
--   50,000 departures        every even-numbered person left the organization of the first stint
--                            when it ended
--   = 402,199 records
--
-- Deterministic (setseed). Needs the psql variable file (the output path).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(0.1213);

\ir words.sql
CREATE TEMP TABLE w AS SELECT words.*,
	ARRAY['Ada', 'Alan', 'Grace', 'Erik', 'Yann', 'Fei-Fei', 'Geoffrey', 'Joëlle', 'Zoë', 'Žofie',
	      'José', 'María', 'Chi-Hao', 'Wei', 'Li', 'Priya', 'Arjun', 'Aisha', 'Omar', 'Fatima',
	      'Hiroshi', 'Yuki', 'Sven', 'Ingrid', 'Pierre', 'Amélie', 'Jürgen', 'Kwame', 'Ngozi', 'Dmitri']
	    AS first,
	ARRAY['Meijer', 'LeCun', 'Hinton', 'Pineau', 'Dvořáková', 'Zhang', 'Wang', 'Chen', 'Sharma', 'Patel',
	      'Tanaka', 'Suzuki', 'Johansson', 'Dubois', 'Lefèvre', 'Müller', 'Rossi', 'García', 'López', 'Silva',
	      'Mensah', 'Okafor', 'Ivanov', 'Nowak', 'Novák', 'Yılmaz', 'Smith', 'Jones', 'Brown', 'Taylor']
	    AS last,
	ARRAY['research', 'infrastructure', 'product', 'applied-ml', 'safety', 'platform', 'data',
	      'policy', 'devrel', 'hardware'] AS team_slugs
FROM words;

-- Partial date text of a chosen precision (0-3 year, 4-6 month, 7-9 day).
\ir partial_date.sql

CREATE TEMP TABLE stint AS
SELECT n,
       1 + floor(random() * 30)::int AS f, 1 + floor(random() * 30)::int AS l,
       least(200, 1 + floor(200 * random() ^ 2)::int) AS org1,
       1 + floor(random() * 10)::int AS team1,
       least(200, 1 + floor(200 * random() ^ 2)::int) AS org2,
       1 + floor(random() * 10)::int AS team2,
       2005 + floor(random() * 14)::int AS y1,    -- first stint starts 2005..2018
       1 + floor(random() * 2)::int AS len1,       -- lasts 1..2 years (ends by 2020)
       1 + floor(random() * 12)::int AS m,
       1 + floor(random() * 28)::int AS d,
       1 + floor(random() * 10)::int AS title1,
       1 + floor(random() * 10)::int AS title2,
       floor(random() * 10)::int AS prec
FROM generate_series(1, 100000) AS n;

-- The tree: a person's manager by number (see the header).
CREATE FUNCTION pg_temp.manager_of(n int) RETURNS int LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN n <= 5 THEN 1
		WHEN n <= 25 THEN 2 + (n - 6) / 5
		WHEN n <= 225 THEN 6 + (n - 26) / 10
		ELSE (SELECT CASE WHEN k < 4 THEN 26 + m
		                  WHEN k < 20 THEN 226 + ((k - 4) / 4) * 200 + m
		                  WHEN k < 100 THEN 226 + (4 + (k - 20) / 5) * 200 + m
		                  ELSE 226 + (20 + (k - 100) / 5) * 200 + m END
		      FROM (SELECT (n - 226) % 200 AS m, (n - 226) / 200 AS k) x)
	END
$$;

\pset format unaligned
\pset tuples_only on
\pset footer off
\o :file
SELECT json_build_object('type', 'organization', 'slug', 'org-' || i,
	'name', w.org_a[1 + (i - 1) % 20] || ' ' || w.org_b[1 + (i - 1) / 20], 'kind', w.kinds[1 + i % 7],
	'founded_on', (1950 + i % 70)::text)
FROM w, generate_series(1, 200) AS i ORDER BY i;
SELECT json_build_object('type', 'team', 'org', 'org-' || i, 'slug', w.team_slugs[j], 'name', w.team_names[j])
FROM w, generate_series(1, 200) AS i, generate_series(1, 10) AS j ORDER BY i, j;
SELECT json_build_object('type', 'person', 'slug', 'person-' || s.n,
	'full_name', w.first[s.f] || ' ' || w.last[s.l] || ' ' || s.n,
	'tags', CASE WHEN s.n % 3 = 0 THEN json_build_array('ml') ELSE '[]'::json END)
FROM w, stint s ORDER BY s.n;
SELECT json_strip_nulls(json_build_object('type', 'position', 'person', 'person-' || s.n, 'org', 'org-' || s.org1,
	'team', 'org-' || s.org1 || '/' || w.team_slugs[s.team1], 'title', w.titles[s.title1],
	'started_on', pg_temp.pd(s.y1, s.m, s.d, s.prec, 4, 7),
	'ended_on', CASE WHEN s.n % 2 = 0 THEN (s.y1 + s.len1) || '-' || lpad(s.m::text, 2, '0') END))
FROM w, stint s ORDER BY s.n;
SELECT json_build_object('type', 'position', 'person', 'person-' || s.n, 'org', 'org-' || s.org2,
	'team', 'org-' || s.org2 || '/' || w.team_slugs[s.team2], 'title', w.titles[s.title2],
	'started_on', (s.y1 + s.len1) || '-' || lpad(s.m::text, 2, '0'))
FROM w, stint s WHERE s.n % 2 = 0 ORDER BY s.n;
SELECT json_build_object('type', 'reporting_line', 'report', 'person-' || n,
	'manager', 'person-' || pg_temp.manager_of(n), 'valid_from', '2021-01')
FROM generate_series(2, 100000) AS n ORDER BY n;
SELECT json_build_object('type', 'departure', 'person', 'person-' || s.n, 'org', 'org-' || s.org1,
	'departed_on', (s.y1 + s.len1) || '-' || lpad(s.m::text, 2, '0'),
	'kind', (ARRAY['resigned', 'resigned', 'laid_off', 'retired', 'contract_ended'])[1 + s.n % 5],
	'destination_org', 'org-' || s.org2, 'destination_kind', 'joined', 'status', 'reported')
FROM stint s WHERE s.n % 2 = 0 ORDER BY s.n;
\o

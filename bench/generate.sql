-- generate.sql — the benchmark dataset, set-based (INSERT ... SELECT generate_series), inserted
-- as the table owner straight into the tables: every constraint, generated column and trigger
-- (updated_at, audit log) runs as it does for API writes.
--
--   200 organizations   slug org-1 .. org-200, names like "Northwind Robotics"
--   2,000 teams         10 per organization, slug unique within it ("research", ...)
--   100,000 people      slug person-1 .. person-100000, names combined from first/last name
--                       lists (accents included) so /people?q= finds them; some aliases/tags
--   150,000 positions   every person one; every second person a second one (the first then
--                       ended); about 1 in 7 of the others and 1 in 10 second stints ended
--
-- Organization sizes are skewed (a few large, many small), as in the real world.
-- Slugs are numbered so pgbench can pick one with `\set n random(1, 100000)`.
-- Deterministic: setseed() fixes every random() below.
\set seed 0.2026
\ir generate_begin.sql

\ir words.sql
CREATE TEMP TABLE w ON COMMIT DROP AS SELECT words.*,
	ARRAY['Ada', 'Alan', 'Grace', 'Erik', 'Yann', 'Fei-Fei', 'Geoffrey', 'Joëlle', 'Zoë', 'Žofie',
	      'José', 'María', 'Chi-Hao', 'Wei', 'Li', 'Priya', 'Arjun', 'Aisha', 'Omar', 'Fatima',
	      'Hiroshi', 'Yuki', 'Sven', 'Ingrid', 'Lars', 'Mette', 'Pierre', 'Amélie', 'Hans', 'Jürgen',
	      'Luca', 'Giulia', 'Mateo', 'Sofía', 'Noah', 'Emma', 'Liam', 'Olivia', 'Ethan', 'Ava',
	      'Mason', 'Mia', 'Lucas', 'Chloé', 'Tomás', 'Inês', 'Kwame', 'Ama', 'Chidi', 'Ngozi',
	      'Dmitri', 'Olga', 'Piotr', 'Agnieszka', 'Jiří', 'Tereza', 'Mehmet', 'Elif', 'Reza', 'Leila',
	      'Samuel', 'Hannah', 'David', 'Sarah', 'Michael', 'Laura', 'Daniel', 'Julia', 'Kevin', 'Nina',
	      'Rafael', 'Camila', 'Andrés', 'Valentina', 'Jonas', 'Lea', 'Felix', 'Clara', 'Oskar', 'Freya']
	    AS first,
	ARRAY['Meijer', 'LeCun', 'Li', 'Hinton', 'Pineau', 'Dvořáková', 'Wu', 'Zhang', 'Wang', 'Chen',
	      'Liu', 'Yang', 'Huang', 'Zhao', 'Sharma', 'Patel', 'Gupta', 'Singh', 'Khan', 'Haddad',
	      'Tanaka', 'Suzuki', 'Sato', 'Nakamura', 'Johansson', 'Andersen', 'Nielsen', 'Larsen', 'Dubois', 'Lefèvre',
	      'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Rossi', 'Russo', 'Bianchi', 'García', 'Martínez', 'López',
	      'González', 'Rodríguez', 'Pérez', 'Sánchez', 'Silva', 'Santos', 'Oliveira', 'Costa', 'Mensah', 'Okafor',
	      'Adeyemi', 'Ivanov', 'Petrova', 'Kowalski', 'Nowak', 'Novák', 'Svoboda', 'Yılmaz', 'Kaya', 'Hosseini',
	      'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Taylor', 'Anderson',
	      'Thomas', 'Moore', 'Martin', 'Jackson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Hall',
	      'Young', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell',
	      'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Torres', 'Parker', 'Collins', 'Stewart']
	    AS last,
	ARRAY['ml', 'infra', 'research', 'policy', 'product', 'founder'] AS tags
FROM words;

-- Spread creation times over the last three years (keyset order is (created_at, id)).
INSERT INTO organizations (slug, name, kind, website, founded_on, description, created_at, updated_at)
SELECT 'org-' || i,
       w.org_a[1 + (i - 1) % 20] || ' ' || w.org_b[1 + (i - 1) / 20],
       w.kinds[1 + i % 7],
       'https://' || ow_slugify(w.org_a[1 + (i - 1) % 20] || ' ' || w.org_b[1 + (i - 1) / 20]) || '.example',
       (1950 + i % 70)::text,
       CASE WHEN i % 3 = 0 THEN 'Benchmark organization number ' || i END,
       now() - interval '3 years' + i * interval '1 minute',
       now() - interval '3 years' + i * interval '1 minute'
FROM w, generate_series(1, 200) AS i;

CREATE TEMP TABLE omap ON COMMIT DROP AS
SELECT substr(slug, 5)::int AS i, id FROM organizations WHERE slug ~ '^org-[0-9]+$';
CREATE UNIQUE INDEX ON omap (i);

INSERT INTO teams (org_id, slug, name, description, formed_on, reported_headcount, created_at, updated_at)
SELECT o.id, ow_slugify(w.team_names[j]), w.team_names[j],
       CASE WHEN j % 2 = 0 THEN 'The ' || w.team_names[j] || ' team' END,
       CASE WHEN j % 4 = 0 THEN (2000 + o.i % 20)::text || '-0' || (1 + j % 9) END,
       CASE WHEN j % 3 = 0 THEN 10 * j END,
       now() - interval '3 years' + interval '4 hours' + (o.i * 10 + j) * interval '1 minute',
       now() - interval '3 years' + interval '4 hours' + (o.i * 10 + j) * interval '1 minute'
FROM w, omap o, generate_series(1, 10) AS j;

CREATE TEMP TABLE tmap ON COMMIT DROP AS
SELECT o.i AS org_i, row_number() OVER (PARTITION BY t.org_id ORDER BY t.created_at)::int AS j, t.id
FROM teams t JOIN omap o ON o.id = t.org_id;
CREATE UNIQUE INDEX ON tmap (org_i, j);

-- People: random picks first (materialized once), then the rows.
INSERT INTO people (slug, full_name, aliases, bio, links, tags, created_at, updated_at)
SELECT 'person-' || n,
       w.first[f] || ' ' || w.last[l],
       CASE WHEN n % 20 = 0 THEN ARRAY[left(w.first[f], 1) || '. ' || w.last[l]]
            WHEN n % 33 = 0 THEN ARRAY[w.first[f] || ' ' || w.last[1 + (l + 7) % cardinality(w.last)]]
            ELSE '{}' END,
       CASE WHEN n % 5 = 0 THEN w.first[f] || ' works on ' || w.tags[1 + n % 6] || '.' END,
       CASE WHEN n % 4 = 0 THEN jsonb_build_object('homepage', 'https://people.example/' || n) ELSE '{}' END,
       CASE WHEN n % 3 = 0 THEN ARRAY[w.tags[1 + n % 6]]
            WHEN n % 7 = 0 THEN ARRAY[w.tags[1 + n % 6], w.tags[1 + (n / 6) % 6]]
            ELSE '{}' END,
       now() - interval '3 years' + interval '1 day' + n * interval '15 minutes',
       now() - interval '3 years' + interval '1 day' + n * interval '15 minutes'
FROM w, LATERAL (
	SELECT n, 1 + floor(random() * cardinality(w.first))::int AS f,
	       1 + floor(random() * cardinality(w.last))::int AS l
	FROM generate_series(1, 100000) AS n
) r;

CREATE TEMP TABLE pmap ON COMMIT DROP AS
SELECT substr(slug, 8)::int AS n, id, created_at FROM people WHERE slug ~ '^person-[0-9]+$';
CREATE UNIQUE INDEX ON pmap (n);

-- Stints: org picked with a skew (org-1 largest, ~7% of stints; org-200 ~0.25%).
CREATE TEMP TABLE stint ON COMMIT DROP AS
SELECT p.n, p.id AS person_id, p.created_at,
       least(200, 1 + floor(200 * random() ^ 2)::int) AS org1,
       1 + floor(random() * 10)::int AS team1,
       least(200, 1 + floor(200 * random() ^ 2)::int) AS org2,
       1 + floor(random() * 10)::int AS team2,
       2005 + floor(random() * 16)::int AS y1,           -- first stint starts 2005..2020
       1 + floor(random() * 3)::int AS len1,              -- lasts 1..3 years
       1 + floor(random() * 12)::int AS m,
       1 + floor(random() * 28)::int AS d,
       1 + floor(random() * 10)::int AS title1,
       1 + floor(random() * 10)::int AS title2,
       floor(random() * 10)::int AS prec                  -- 0-3 year, 4-6 month, 7-9 day
FROM pmap p;

-- Text of a partial date: 40% "YYYY", 30% "YYYY-MM", 30% "YYYY-MM-DD" (precision 0-3, 4-6, 7-9).
\ir partial_date.sql

-- First stint: everyone. Ended when the person has a second stint (even n), or 1 in 7 others.
INSERT INTO positions (person_id, org_id, team_id, title, started_on, ended_on, created_at, updated_at)
SELECT s.person_id, o.id, t.id, w.titles[s.title1],
       pg_temp.pd(s.y1, s.m, s.d, s.prec, 4, 7),
       CASE WHEN s.n % 2 = 0 THEN (s.y1 + s.len1) || '-' || lpad(s.m::text, 2, '0')
            WHEN s.n % 7 = 0 THEN (s.y1 + s.len1)::text END,
       s.created_at + interval '1 minute', s.created_at + interval '1 minute'
FROM w, stint s JOIN omap o ON o.i = s.org1 JOIN tmap t ON t.org_i = s.org1 AND t.j = s.team1;

-- Second stint (even n): starts when the first ended; 1 in 10 ended again.
INSERT INTO positions (person_id, org_id, team_id, title, started_on, ended_on, created_at, updated_at)
SELECT s.person_id, o.id, CASE WHEN s.n % 8 <> 0 THEN t.id END, w.titles[s.title2],
       (s.y1 + s.len1) || '-' || lpad(s.m::text, 2, '0'),
       CASE WHEN s.n % 10 = 0 THEN (s.y1 + s.len1 + 1 + s.n % 3)::text END,
       s.created_at + interval '2 minutes', s.created_at + interval '2 minutes'
FROM w, stint s JOIN omap o ON o.i = s.org2 JOIN tmap t ON t.org_i = s.org2 AND t.j = s.team2
WHERE s.n % 2 = 0;

COMMIT;

VACUUM ANALYZE;

SELECT (SELECT count(*) FROM organizations) AS organizations,
       (SELECT count(*) FROM teams) AS teams,
       (SELECT count(*) FROM people) AS people,
       (SELECT count(*) FROM positions) AS positions,
       (SELECT count(*) FROM positions WHERE ended_on IS NULL) AS current_positions,
       (SELECT count(*) FROM audit_log) AS audit_rows;

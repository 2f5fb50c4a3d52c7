-- chart.sql — the org chart of issue 5: one organization of 100,000 people, 8 levels deep,
-- set-based, inserted as the table owner straight into the tables, so every constraint and
-- trigger runs: the one-manager exclusion constraint and the cycle trigger (an advisory
-- lock and a walk up the new manager's chain per row). bench/run.sh times this file.
--
--   organization  chart-corp ("Chart Corporation"), 20 teams (division-1 .. division-20)
--   people        chart-1 .. chart-100000, numbered level by level: level sizes
--                 1, 20, 100, 500, 2,500, 10,000, 30,000, 56,879 (8 levels, depth 0..7)
--   positions     one current position each at chart-corp (title by level, team = the
--                 division of their level-1 ancestor), started 2012..2022, mixed precision
--   reporting     every person but chart-1 reports to a manager on the level above (children
--   lines         of one manager are contiguous, fan-out 20, 5, 5, 5, 4, 3, ~1.9); 10% of those
--                 on levels 2..7 were reorganized: a line to a neighbouring manager valid
--                 2018 → 2023-01, then the current one from 2023-01; the others valid from 2019.
--                 About 110,000 lines.
--
-- The subtree under chart-2 (the first level-1 manager) holds ~5,000 people; chart-100000
-- is a leaf with 7 managers above it. Charts are asked as of 2024-06-01 (after the reorg).
\set seed 0.5151
\ir generate_begin.sql

CREATE TEMP TABLE lv AS
SELECT k AS level, s AS size, (sum(s) OVER (ORDER BY k) - s)::int AS off,
       (ARRAY['Chief Executive Officer', 'Senior Vice President', 'Vice President', 'Director',
              'Senior Manager', 'Manager', 'Team Lead', 'Engineer'])[k + 1] AS title
FROM unnest(ARRAY[1, 20, 100, 500, 2500, 10000, 30000, 56879]) WITH ORDINALITY AS u(s, o),
     LATERAL (SELECT (o - 1)::int AS k) kk;

-- Every node: g (1..100000), its level, index j in the level, its parent's g, its
-- neighbouring parent (the manager before the reorganization) and its division (1..20).
CREATE TEMP TABLE node AS
SELECT g, level, j, parent, alt_parent, NULL::int AS division, reorg
FROM (
	SELECT l.off + j + 1 AS g, l.level, j,
	       CASE WHEN l.level > 0 THEN p.off + (j::bigint * p.size / l.size)::int + 1 END AS parent,
	       CASE WHEN l.level > 0 THEN p.off + ((j::bigint * p.size / l.size)::int + 1) % p.size + 1 END
	           AS alt_parent,
	       l.level >= 2 AND random() < 0.10 AS reorg
	FROM lv l LEFT JOIN lv p ON p.level = l.level - 1, generate_series(0, l.size - 1) AS j
) x;
CREATE UNIQUE INDEX ON node (g);
ANALYZE node;
-- Division: the level-1 ancestor's index, resolved level by level.
UPDATE node SET division = j + 1 WHERE level = 1;
DO $$
BEGIN
	FOR k IN 2..7 LOOP
		UPDATE node c SET division = p.division FROM node p WHERE c.level = k AND p.g = c.parent;
	END LOOP;
END $$;

INSERT INTO organizations (slug, name, kind, website, founded_on, description)
VALUES ('chart-corp', 'Chart Corporation', 'company', 'https://chart-corp.example', '1999',
        'Benchmark organization of 100,000 people, 8 levels deep');

INSERT INTO teams (org_id, slug, name)
SELECT o.id, 'division-' || i, 'Division ' || i
FROM organizations o, generate_series(1, 20) AS i WHERE o.slug = 'chart-corp';

CREATE TEMP TABLE names ON COMMIT DROP AS SELECT
	ARRAY['Ada', 'Alan', 'Grace', 'Erik', 'Yann', 'Joëlle', 'Zoë', 'José', 'María', 'Wei', 'Priya',
	      'Aisha', 'Omar', 'Hiroshi', 'Sven', 'Ingrid', 'Amélie', 'Jürgen', 'Luca', 'Sofía', 'Noah',
	      'Emma', 'Kwame', 'Ngozi', 'Dmitri', 'Jiří', 'Elif', 'Reza', 'Hannah', 'David', 'Clara', 'Oskar']
	    AS first,
	ARRAY['Meijer', 'LeCun', 'Hinton', 'Dvořáková', 'Zhang', 'Chen', 'Sharma', 'Patel', 'Khan',
	      'Tanaka', 'Sato', 'Johansson', 'Larsen', 'Dubois', 'Müller', 'Schmidt', 'Rossi', 'García',
	      'López', 'Silva', 'Mensah', 'Okafor', 'Ivanov', 'Kowalski', 'Novák', 'Yılmaz', 'Smith',
	      'Brown', 'Wilson', 'Taylor', 'Walker', 'Young', 'King', 'Wright', 'Hill', 'Turner']
	    AS last;

INSERT INTO people (slug, full_name, created_at, updated_at)
SELECT 'chart-' || n.g, nm.first[1 + floor(random() * cardinality(nm.first))::int] || ' '
	|| nm.last[1 + floor(random() * cardinality(nm.last))::int],
       now() - interval '400 days' + n.g * interval '1 minute',
       now() - interval '400 days' + n.g * interval '1 minute'
FROM node n, names nm ORDER BY n.g;

CREATE TEMP TABLE cmap AS
SELECT substr(slug, 7)::int AS g, id FROM people WHERE slug ~ '^chart-[0-9]+$';
CREATE UNIQUE INDEX ON cmap (g);
ANALYZE cmap;

INSERT INTO positions (person_id, org_id, team_id, title, started_on)
SELECT c.id, o.id, t.id, l.title,
       CASE WHEN r.prec < 3 THEN r.y::text
            WHEN r.prec < 6 THEN r.y || '-' || lpad(r.m::text, 2, '0')
            ELSE r.y || '-' || lpad(r.m::text, 2, '0') || '-' || lpad(r.d::text, 2, '0') END
FROM node n
JOIN cmap c ON c.g = n.g
JOIN lv l ON l.level = n.level
CROSS JOIN (SELECT id FROM organizations WHERE slug = 'chart-corp') o
LEFT JOIN teams t ON t.org_id = o.id AND t.slug = 'division-' || n.division
CROSS JOIN LATERAL (SELECT 2012 + floor(random() * 11)::int + 0 * n.g AS y, 1 + floor(random() * 12)::int AS m,
                           1 + floor(random() * 28)::int AS d, floor(random() * 10)::int AS prec) r
ORDER BY n.g;

COMMIT;
VACUUM ANALYZE people, positions, organizations, teams;

-- Reporting lines, level by level from the top, one transaction per level and ANALYZE in
-- between: the cycle trigger's query (ow_line_cycle, a SQL function) is planned at its first
-- call in a transaction and kept; planned while the table is small and analyzed (it is: the
-- VACUUM ANALYZE of generate.sql), it is a seq scan of the lines for every later row, and one
-- transaction for all levels runs for many minutes (bench/README.md, finding 6). \gexec runs
-- each generated statement alone (autocommit).
SELECT set_config('orgwatch.actor', 'bench-generator', false);
SELECT extract(epoch FROM clock_timestamp()) AS lines_t0 \gset
\timing on
SELECT stmt FROM generate_series(1, 7) AS k, LATERAL (VALUES
	(1, format($f$-- level %s
		INSERT INTO reporting_lines (report_id, manager_id, valid_from, valid_to)
		SELECT r.id, m.id, '2018', '2023-01'
		FROM node n JOIN cmap r ON r.g = n.g JOIN cmap m ON m.g = n.alt_parent
		WHERE n.level = %s AND n.reorg ORDER BY n.g$f$, k, k)),
	(2, format($f$INSERT INTO reporting_lines (report_id, manager_id, valid_from)
		SELECT r.id, m.id, CASE WHEN n.reorg THEN '2023-01' ELSE '2019' END
		FROM node n JOIN cmap r ON r.g = n.g JOIN cmap m ON m.g = n.parent
		WHERE n.level = %s ORDER BY n.g$f$, k)),
	(3, 'ANALYZE reporting_lines')) AS v(o, stmt)
ORDER BY k, o \gexec
\timing off
SELECT round((extract(epoch FROM clock_timestamp()) - :lines_t0)::numeric, 1) AS lines_secs \gset

VACUUM ANALYZE reporting_lines;

SELECT (SELECT count(*) FROM positions po JOIN organizations o ON o.id = po.org_id
        WHERE o.slug = 'chart-corp') AS chart_positions,
       (SELECT count(*) FROM reporting_lines) AS reporting_lines,
       (SELECT count(*) FROM reporting_lines WHERE period @> date '2024-06-01') AS lines_on_2024_06_01,
       :lines_secs AS lines_seconds;

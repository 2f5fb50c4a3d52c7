-- layoffs.sql — the dataset of section layoffs (issue 26) as one import file (NDJSON, references
-- by slug, organizations first), written by psql without touching any table of the database,
-- and the same rows as CSV with their ids resolved beforehand (for the \copy ceiling):
--
--   20,000 organizations   co-1 .. co-20000, kind company or startup; industry one of 30 (10%
--                          spelled in lower case: "fintech" beside "Fintech", grouped together;
--                          2% without one), country one of 40 ISO codes, stage one of the 17,
--                          headquarters one of 25 cities
--   100,000 layoffs        at skewed organizations (co-1 has ~200, most have a few, some none),
--                          announced 2020..2025: 85% full dates, 10% "YYYY-MM", 5% "YYYY"; none
--                          in 2021-08 (an empty month the statistics must still list); location
--                          one of 25 cities; count absent for 15%, percentage given for 60%;
--                          the natural key (org, announced_on, location) unique
--
-- Deterministic (setseed). Needs the psql variables file (NDJSON), orgs_csv and layoffs_csv
-- (CSV without header: organizations (id, slug, name, kind, industry, headquarters, country,
-- stage), layoffs (org_id, announced_on, location, count, percentage)).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(0.2601);

CREATE TEMP TABLE w AS SELECT
	ARRAY['Fintech', 'Healthcare', 'Retail', 'Transportation', 'Food', 'Crypto', 'Marketing', 'Consumer',
	      'Real Estate', 'Education', 'Media', 'Security', 'Travel', 'HR', 'Logistics', 'Sales', 'Data',
	      'Infrastructure', 'Finance', 'Hardware', 'Energy', 'Manufacturing', 'Legal', 'Support', 'Product',
	      'Construction', 'Recruiting', 'Aerospace', 'Fitness', 'AI'] AS industries,
	ARRAY['US', 'GB', 'DE', 'FR', 'CA', 'IN', 'IL', 'SG', 'AU', 'NL', 'SE', 'ES', 'IT', 'BR', 'MX', 'JP',
	      'KR', 'CN', 'IE', 'CH', 'AT', 'BE', 'DK', 'FI', 'NO', 'PL', 'PT', 'CZ', 'EE', 'NG', 'KE', 'ZA',
	      'AE', 'SA', 'TR', 'AR', 'CO', 'CL', 'ID', 'NZ'] AS countries,
	ARRAY['seed', 'series_a', 'series_b', 'series_c', 'series_d', 'series_e', 'series_f', 'series_g',
	      'series_h', 'series_i', 'series_j', 'private_equity', 'post_ipo', 'public', 'acquired',
	      'subsidiary', 'unknown'] AS stages,
	ARRAY['San Francisco', 'New York', 'London', 'Berlin', 'Paris', 'Toronto', 'Bangalore', 'Tel Aviv',
	      'Singapore', 'Sydney', 'Amsterdam', 'Stockholm', 'Madrid', 'São Paulo', 'Mexico City', 'Tokyo',
	      'Seoul', 'Shanghai', 'Dublin', 'Zürich', 'Austin', 'Seattle', 'Boston', 'Lagos', 'Nairobi'] AS cities,
	ARRAY['Northwind', 'Contoso', 'Fabrikam', 'Initech', 'Globex', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell',
	      'Cyberdyne', 'Aperture', 'Soylent', 'Vandelay', 'Wonka', 'Acme', 'Oscorp', 'Massive', 'Pied Piper', 'Dunder']
	    AS names;

CREATE TEMP TABLE o AS
SELECT n, w.names[1 + (n - 1) % 20] || ' ' || n AS name,
       CASE WHEN n % 3 = 0 THEN 'startup' ELSE 'company' END AS kind,
       CASE WHEN v < 0.02 THEN NULL WHEN v < 0.12 THEN lower(w.industries[i]) ELSE w.industries[i] END AS industry,
       w.cities[hq] AS headquarters, w.countries[c] AS country, w.stages[st] AS stage
FROM (SELECT n, 1 + floor(random() * 30)::int AS i, random() AS v, 1 + floor(random() * 25)::int AS hq,
             1 + floor(random() * 40)::int AS c, 1 + floor(random() * 17)::int AS st
      FROM generate_series(1, 20000) AS n) r, w;

-- 104,000 drawn, the natural key's repeats dropped, the first 100,000 kept.
CREATE TEMP TABLE l AS
SELECT n, org, announced_on, location, count, percentage FROM (
	SELECT DISTINCT ON (org, announced_on, location) * FROM (
		SELECT n, org,
		       CASE WHEN prec < 0.05 THEN y::text
		            WHEN prec < 0.15 THEN y || '-' || lpad(m::text, 2, '0')
		            ELSE y || '-' || lpad(m::text, 2, '0') || '-' || lpad(d::text, 2, '0') END AS announced_on,
		       w.cities[loc] AS location,
		       CASE WHEN cp >= 0.15 THEN cnt END AS count,
		       CASE WHEN pp < 0.60 THEN pct END AS percentage
		FROM (SELECT n, least(20000, 1 + floor(20000 * random() ^ 1.6)::int) AS org,
		             2020 + floor(random() * 6)::int AS y, 1 + floor(random() * 12)::int AS m0,
		             1 + floor(random() * 28)::int AS d, random() AS prec,
		             1 + floor(random() * 25)::int AS loc, random() AS cp,
		             5 + floor(3000 * random() ^ 3)::int AS cnt, random() AS pp,
		             round((1 + 60 * random() ^ 2)::numeric, 2) AS pct
		      FROM generate_series(1, 104000) AS n) r0
		CROSS JOIN LATERAL (SELECT CASE WHEN r0.y = 2021 AND r0.m0 = 8 THEN 9 ELSE r0.m0 END AS m) mm, w
	) x ORDER BY org, announced_on, location, n
) k ORDER BY n LIMIT 100000;

\pset format unaligned
\pset tuples_only on
\pset footer off
\o :file
SELECT json_strip_nulls(json_build_object('type', 'organization', 'slug', 'co-' || n, 'name', name,
	'kind', kind, 'industry', industry, 'headquarters', headquarters, 'country', country, 'stage', stage))
FROM o ORDER BY n;
SELECT json_strip_nulls(json_build_object('type', 'layoff', 'org', 'co-' || org, 'announced_on', announced_on,
	'location', location, 'count', count, 'percentage', percentage))
FROM l ORDER BY n;
\o :orgs_csv
COPY (SELECT md5('co-' || n)::uuid, 'co-' || n, name, kind, industry, headquarters, country, stage
      FROM o ORDER BY n) TO STDOUT WITH (FORMAT csv);
\o :layoffs_csv
COPY (SELECT md5('co-' || org)::uuid, announced_on, location, count, percentage FROM l ORDER BY n)
	TO STDOUT WITH (FORMAT csv);
\o

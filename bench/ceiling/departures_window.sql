-- Ceiling of GET /departures?from=2024-01&to=2024-06&limit=50 (section departures): the
-- first 51 departures whose date range meets the first half of 2024, in date order, with what
-- they refer to, as plain columns (departures_page.sql). A partial date spans at most a year,
-- so the scan may start 366 days before the window.
WITH page AS (SELECT * FROM departures d
              WHERE d.departed_range && daterange('2024-01-01', '2024-07-01')
                AND lower(d.departed_range) >= date '2024-01-01' - 366
                AND lower(d.departed_range) < date '2024-07-01'
                AND d.status IN ('reported', 'confirmed', 'disputed')
              ORDER BY lower(d.departed_range), upper(d.departed_range), d.id LIMIT 51)
\ir departures_page.sql

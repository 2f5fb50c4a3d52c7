-- Ceiling of GET /departures?from=2024-01&to=2024-06&limit=50 (section departures): the
-- first 51 departures whose date range meets the first half of 2024, in date order, with what
-- they refer to, as plain columns. A partial date spans at most a year, so the scan may start
-- 366 days before the window.
SELECT d.id, d.person_id, p.slug, p.full_name, d.org_id, o.slug, o.name, d.team_id, t.slug, t.name,
       d.title, d.departed_on, d.announced_on, d.kind, d.reason_category, d.reason,
       d.destination_org_id, dst.slug, dst.name, d.destination_title, d.destination_kind,
       d.layoff_id, l.announced_on, l.count, d.returned_on, src.ids, src.urls, d.notes, d.status,
       d.created_at, d.updated_at
FROM (SELECT * FROM departures d
      WHERE d.departed_range && daterange('2024-01-01', '2024-07-01')
        AND lower(d.departed_range) >= date '2024-01-01' - 366
        AND lower(d.departed_range) < date '2024-07-01'
        AND d.status IN ('reported', 'confirmed', 'disputed')
      ORDER BY lower(d.departed_range), upper(d.departed_range), d.id LIMIT 51) d
JOIN people p ON p.id = d.person_id
JOIN organizations o ON o.id = d.org_id
LEFT JOIN teams t ON t.id = d.team_id
LEFT JOIN organizations dst ON dst.id = d.destination_org_id
LEFT JOIN layoffs l ON l.id = d.layoff_id
LEFT JOIN LATERAL (SELECT array_agg(s.id) AS ids, array_agg(s.url) AS urls
                   FROM departure_sources x JOIN sources s ON s.id = x.source_id
                   WHERE x.departure_id = d.id) src ON true;

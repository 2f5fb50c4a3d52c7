-- people.sql — people: lists, search, reads, writes, duplicates and merges, timeline, managers.

-- The people filters $2 org, $3 team (current members), $4 tag, $5 updated_since. Written as
-- IN (...) so that, with the argument given, the members are one hashed set that the scan in
-- list order probes.
-- fragment: people_filters
AND ($2::text IS NULL OR p.id IN (SELECT po.person_id FROM positions po
 WHERE po.ended_on IS NULL AND po.org_id = (SELECT ow_key_strict('organization', $2, 'org'))))
AND ($3::text IS NULL OR p.id IN (SELECT po.person_id FROM positions po
 WHERE po.ended_on IS NULL AND po.team_id = (SELECT ow_key_strict('team', $3, 'team'))))
AND ($4::text IS NULL OR p.tags @> ARRAY[$4::text])
AND ($5::timestamptz IS NULL OR p.updated_at >= $5::timestamptz)

-- $1, the search text, is NULL here: given, h_records.c runs people_search.
-- name: people_list
SELECT ow_person_json(pg.r, cp.list)::text, pg.created_at::text, pg.id::text
FROM (SELECT p AS r, p.created_at, p.id FROM people p WHERE $1::text IS NULL
 {{people_filters}}
 AND ($6::timestamptz IS NULL OR (p.created_at, p.id) > ($6::timestamptz, $7::uuid))
 ORDER BY p.created_at, p.id LIMIT $8::int) pg,
LATERAL ow_person_positions(pg.id) cp ORDER BY pg.created_at, pg.id

-- Ranked by how well the words match plus how well the whole name matches: "Meyer" matches a
-- word of "Erik Meijer" no better than one of "Big Mudabuv Mefumob" (word similarity 0.33
-- each) but the whole name better (0.2 to 0.1), so Meijer ranks first instead of the tie
-- going to the newer record.
-- name: people_search
SELECT ow_person_json(pg.r, cp.list)::text, pg.score::text, pg.id::text
FROM (SELECT p AS r, p.id, s.score FROM people p,
 LATERAL (SELECT (word_similarity(ow_fold($1), p.search_text)
 + similarity(ow_fold($1), p.search_text))::float8 AS score) s
 WHERE (ow_fold($1) <% p.search_text OR ow_fold($1) % p.search_text)
 {{people_filters}}
 AND ($6::float8 IS NULL OR (s.score, p.id) < ($6::float8, $7::uuid))
 ORDER BY s.score DESC, p.id DESC LIMIT $8::int) pg,
LATERAL ow_person_positions(pg.id) cp ORDER BY pg.score DESC, pg.id DESC

-- Straight to the table by slug, or by id (h_records.c picks by the key's shape); the
-- positions' query is inlined.
-- name: people_get
SELECT ow_person_json(p, cp.list)::text, ow_etag(p.updated_at), NULL
FROM people p, LATERAL ow_person_positions(p.id) cp WHERE p.slug = $1

-- name: people_get_id
SELECT ow_person_json(p, cp.list)::text, ow_etag(p.updated_at), NULL
FROM people p, LATERAL ow_person_positions(p.id) cp WHERE p.id = $1::uuid

-- name: people_moved
SELECT NULL, NULL, p.slug FROM people_redirects r
JOIN people p ON p.id = r.survivor_id
WHERE r.old_id = ow_uuid_or_null($1) OR r.old_slug = $1

-- name: people_write
SELECT r_doc, r_etag, r_id FROM ow_write('person', $1, $2, $3::jsonb, $4)

-- Recomputes the pairs of people whose names changed (at most 1 s of work); returns how many
-- people are still waiting (0015_people_similar.sql).
-- name: people_similar_refresh
SELECT ow_people_similar_refresh('1 second')::text

-- name: people_duplicates
SELECT json_build_object('a', json_build_object('id', a.id, 'slug', a.slug,
 'full_name', a.full_name, 'aliases', to_json(a.aliases)),
 'b', json_build_object('id', b.id, 'slug', b.slug,
 'full_name', b.full_name, 'aliases', to_json(b.aliases)),
 'score', round(s.score::numeric, 3))::text, s.score::text,
 s.a::text || ':' || s.b::text
FROM people_similar s JOIN people a ON a.id = s.a JOIN people b ON b.id = s.b
WHERE $1::float8 IS NULL OR (s.score, s.a, s.b) < ($1::float8,
 split_part($2::text, ':', 1)::uuid, split_part($2::text, ':', 2)::uuid)
ORDER BY s.score DESC, s.a DESC, s.b DESC LIMIT $3::int

-- name: people_merge
SELECT r_doc, r_etag, r_id FROM ow_people_merge($1, $2, $3, $4)

-- name: person_timeline
SELECT ow_person_timeline($1)

-- The chain up from $1 on $2, nearest first: the walk carries ids; people, the position that
-- day, its team and organization are joined once per step.
-- name: person_managers
SELECT json_build_object('person', ow_person_ref(me),
 'as_of', coalesce($2::date, current_date), 'managers', coalesce(ch.list, '[]'))::text
FROM people me, LATERAL (WITH RECURSIVE up (person_id, n) AS (
 SELECT l.manager_id, 1 FROM reporting_lines l
 WHERE l.report_id = me.id AND l.period @> coalesce($2::date, current_date)
 UNION ALL
 SELECT l.manager_id, up.n + 1 FROM up JOIN reporting_lines l
 ON l.report_id = up.person_id AND l.period @> coalesce($2::date, current_date)
 WHERE up.n < 1000)
 SELECT json_agg(json_build_object('person', ow_person_ref(p), 'depth', up.n,
 'title', pos.title, 'team', ow_team_ref(t), 'org', ow_org_ref(o)) ORDER BY up.n) AS list
 FROM up JOIN people p ON p.id = up.person_id
 LEFT JOIN LATERAL (SELECT po.title, po.team_id, po.org_id FROM positions po
 WHERE po.person_id = up.person_id AND po.period @> coalesce($2::date, current_date)
 ORDER BY lower(po.period) NULLS FIRST LIMIT 1) pos ON true
 LEFT JOIN teams t ON t.id = pos.team_id
 LEFT JOIN organizations o ON o.id = pos.org_id) ch
WHERE me.id = ow_key_404('person', $1)

-- awards.sql — the recipe's throwaway record type (tests/recipe/), step 4: its statements.

-- name: awards_list
SELECT ow_award_doc(a)::text, a.created_at::text, a.id::text FROM awards a WHERE
 ($1::text IS NULL OR a.person_id = (SELECT ow_key_strict('person', $1, 'person')))
 AND ($2::timestamptz IS NULL OR a.updated_at >= $2::timestamptz)
 AND ($3::timestamptz IS NULL OR (a.created_at, a.id) > ($3::timestamptz, $4::uuid))
ORDER BY a.created_at, a.id LIMIT $5::int

-- name: awards_get
SELECT ow_award_doc(a)::text, ow_etag(a.updated_at), NULL FROM awards a WHERE a.id = ow_uuid_or_null($1)

-- name: awards_write
SELECT r_doc, r_etag, r_id FROM ow_write('award', $1, $2, $3::jsonb, $4)

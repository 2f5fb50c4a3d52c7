-- changes.sql — the change log: its pages, live streams, the change feed, webhooks, deliveries.

-- The audit log in commit order (19_commit_order.sql): after $3 (the resume key) or the page's
-- cursor $4, writes at or after $1 to entity $2.
-- name: changes_list
SELECT ow_audit_doc(a)::text, a.id::text, a.id::text
FROM ow_changes_after(coalesce($4::bigint, $3::bigint, 0), $5::int,
 CASE WHEN $2::text IS NULL THEN NULL ELSE ARRAY[$2::text] END, $1::timestamptz) a

-- A live stream's start (h_stream.c): where its resume key $1 stands in commit order (NULL: no
-- such change; -1 for 0), the newest change's id, and its filters' records.
-- name: stream_start
SELECT ow_change_seq($1::bigint), ow_change_last(),
 ow_key_strict('organization', $2, 'org'),
 ow_key_strict('team', $3, 'team'), ow_key_strict('person', $4, 'person')

-- The change feed's next entries after $1 (stream.c's follower and catch-up), on a connection
-- of its own with the session settings of change_session.
-- name: change_feed
SELECT id, event, doc, orgs, teams, people, tx_last, import,
 import_counts FROM ow_change_feed($1::bigint, $2::int)

-- name: change_last
SELECT ow_change_last()

-- name: change_session
SET jit = off; SET statement_timeout = '60s'; SET lock_timeout = '10s'

-- Webhooks (20_webhooks.sql): the admin's endpoints.
-- name: webhook_create
SELECT d, d::jsonb ->> 'id' FROM ow_webhook_create($1, $2, $3, $4, $5,
 $6, $7, $8, $9::bigint) d

-- name: webhooks_list
SELECT json_build_object('items', coalesce(json_agg(ow_webhook_doc(w)
 ORDER BY w.created_at, w.id), '[]'))::text FROM webhooks w

-- name: webhook_get
SELECT ow_webhook_doc(w)::text FROM webhooks w WHERE w.id = ow_uuid_or_null($1)

-- name: webhook_delete
DELETE FROM webhooks WHERE id = ow_uuid_or_null($1) RETURNING id

-- name: webhook_deliveries
SELECT ow_webhook_deliveries(w.id, 100) FROM webhooks w WHERE w.id = ow_uuid_or_null($1)

-- name: webhook_redeliver
SELECT ow_webhook_redeliver($1, $2::bigint)

-- The deliverer (webhooks.c, on a connection of its own): webhooks with work due, a session
-- advisory lock per webhook (held while one server delivers for it), its state read again
-- under the lock, the feed after its cursor, and each outcome (the cursor moves only from the
-- value read).
-- name: webhooks_due
SELECT id::text FROM webhooks
WHERE enabled AND (next_attempt_at IS NULL OR next_attempt_at <= now())
ORDER BY next_attempt_at NULLS FIRST, id LIMIT 200

-- name: webhook_lock
SELECT pg_try_advisory_lock(7406121, hashtext($1))

-- name: webhook_unlock
SELECT pg_advisory_unlock(7406121, hashtext($1))

-- name: webhook_claim
SELECT url, secret, array_to_string(entities, ','),
 array_to_string(operations, ','), coalesce(org_id::text, ''),
 coalesce(team_id::text, ''), coalesce(person_id::text, ''),
 cursor::text, failures FROM webhooks WHERE id = $1::uuid AND enabled
 AND (next_attempt_at IS NULL OR next_attempt_at <= now())

-- name: webhook_skip
UPDATE webhooks SET cursor = $3::bigint WHERE id = $1::uuid AND cursor = $2::bigint

-- name: webhook_delivered
SELECT ow_webhook_delivered($1::uuid, $2::bigint, $3::bigint, $4::int, $5::int)

-- name: webhook_failed
SELECT ow_webhook_failed($1::uuid, $2::bigint, $3::bigint, $4,
 $5::int, $6::int, $7::int, $8::int)

-- name: webhooks_count
SELECT count(*) FILTER (WHERE enabled), count(*) FILTER (WHERE NOT enabled) FROM webhooks

-- service.sql — readiness, data version, API keys, idempotency, references, deletes, replicas.

-- name: ready
SELECT count(*) FROM schema_migrations

-- name: ready_functions
SELECT checksum FROM schema_functions WHERE id = 1

-- The data version of cache.c: every write of a record leaves an audit row.
-- name: data_version
SELECT coalesce(max(seq), 0) FROM audit_commits

-- name: auth_lookup
SELECT name, role FROM api_keys
WHERE key_hash = sha256(convert_to($1, 'UTF8')) AND revoked_at IS NULL

-- name: record_delete
SELECT ow_record_delete($1, $2, $3, $4)

-- Which of up to 8 (record type, key) pairs name no record: ow_refs_verify (list.c) resolves
-- a request's references with it before answering an empty page or a statistic, so that a
-- missing one is never an empty 200.
-- name: refs_missing
SELECT v.i FROM (VALUES (1, $1, $2), (2, $3, $4), (3, $5, $6),
 (4, $7, $8), (5, $9, $10), (6, $11, $12), (7, $13, $14),
 (8, $15, $16)) v (i, e, k)
WHERE v.k IS NOT NULL AND ow_key(v.e, v.k) IS NULL ORDER BY v.i

-- name: idem_claim
SELECT r_state, r_status, r_location, r_etag, r_response
FROM ow_idem_claim($1, $2, $3, $4, $5)

-- name: idem_store
SELECT ow_idem_store($1, $2, $3::int, $4, $5, $6)

-- Read replicas (replicas.c, db.c): the primary's position, past every commit so far (the
-- insert position: with synchronous_commit off the write position may not be).
-- name: primary_lsn
SELECT pg_current_wal_insert_lsn()::text

-- name: replica_replayed
SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn

-- A replica's health: a replica at all, and how old its replay is when it is behind the
-- primary's position $1 (0 when caught up, or when the primary's is unknown).
-- name: replica_health
SELECT pg_is_in_recovery(), CASE WHEN $1::pg_lsn IS NULL
 OR pg_last_wal_replay_lsn() >= $1::pg_lsn THEN 0
 ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END

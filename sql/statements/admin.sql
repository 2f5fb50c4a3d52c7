-- admin.sql — the command line and bulk transfers: migrations, keys, sample, imports, exports.

-- Concurrent migrate runs wait for each other.
-- name: migrate_lock
SET client_min_messages = warning;
SELECT pg_advisory_lock(7406117);
CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY,
 applied_at timestamptz NOT NULL DEFAULT now())

-- name: migrate_unlock
SELECT pg_advisory_unlock(7406117)

-- name: migrate_applied
SELECT 1 FROM schema_migrations WHERE version = $1

-- name: migrate_record
INSERT INTO schema_migrations (version) VALUES ($1)

-- After the function files, in their transaction (98_prune.sql).
-- name: functions_prune
SELECT * FROM ow_prune_undefined()

-- name: functions_record
INSERT INTO schema_functions (id, checksum) VALUES (1, $1)
ON CONFLICT (id) DO UPDATE SET checksum = $1, applied_at = now()

-- name: key_create
INSERT INTO api_keys (name, role, key_hash) VALUES ($1, $2, sha256(convert_to($3, 'UTF8')))

-- name: key_revoke
UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL

-- name: sample_loaded
SELECT value FROM ow_meta WHERE key = 'sample_loaded'

-- name: sample_mark_loaded
INSERT INTO ow_meta (key, value) VALUES ('sample_loaded',
 to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
ON CONFLICT (key) DO NOTHING

-- The import's staging: every validated record with its line, streamed in by COPY while the
-- body arrives (autocommitted, one COPY a batch, no lock), then applied set-based by
-- ow_import_spool_apply() in one transaction under the import lock (13_import.sql).
-- name: import_spool_create
CREATE TEMP TABLE IF NOT EXISTS ow_import_spool (line int NOT NULL,
 type text NOT NULL, doc jsonb NOT NULL); TRUNCATE ow_import_spool

-- The one statement that applies a whole file may run longer than the session's 30 s
-- statement_timeout (before, each batch of 500 was its own statement): lifted for the
-- import's transaction only.
-- name: import_begin
BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL orgwatch.import = on

-- name: import_spool_copy
COPY ow_import_spool (line, type, doc) FROM STDIN

-- Columns: r_line, r_outcome, r_field, r_message, r_count.
-- name: import_spool_apply
SELECT * FROM ow_import_spool_apply($1, $2)

-- name: import_spool_drop
DROP TABLE IF EXISTS pg_temp.ow_import_spool

-- An export's snapshot read through a cursor (h_export.c): keys sorted first, each line
-- rendered as the cursor reaches it (kinds OW_SK_CURSOR_DECLARE and OW_SK_CURSOR_FETCH).
-- name: export_declare
DECLARE ow_export NO SCROLL CURSOR FOR SELECT l FROM ow_export_lines($1) AS l

-- name: export_fetch
FETCH 1000 FROM ow_export

-- known_at.sql — reads pinned to a change key (known_at=, issue 29; docs/KNOWN_AT.md).

-- The commit a known_at value names (ow_known_at, 21_history.sql): seq, key, committed_at,
-- settled; no row while the key is not committed (yet).
-- name: known_at
SELECT seq::text, key::text, committed_at, settled::text FROM ow_known_at($1)

-- A connection's reads pinned to commit seq $1: the asof views (the history tables as known
-- then) come first on its search path, so every statement reads them in place of the tables.
-- name: known_at_pin
SELECT set_config('search_path', 'asof, public', false), set_config('orgwatch.known_seq', $1, false)

-- Back to the present: the session's own search path.
-- name: known_at_unpin
SELECT set_config('search_path', s.reset_val, false), set_config('orgwatch.known_seq', '', false)
FROM pg_catalog.pg_settings s WHERE s.name = 'search_path'

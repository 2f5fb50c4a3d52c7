-- known_at.sql — reads pinned to a change key (known_at=, issue 29; docs/KNOWN_AT.md).

-- A connection's reads pinned to the commit known_at $1 names (ow_known_at, 21_history.sql: a
-- change key, or a time): the asof views (the history tables as known then) come first on its
-- search path, so every statement reads them in place of the tables. One row (seq, key,
-- committed_at, settled) when pinned; none while the key is not committed (yet).
-- name: known_at_pin
SELECT k.seq::text, k.key::text, k.committed_at, k.settled::text,
 set_config('search_path', 'asof, public', false), set_config('orgwatch.known_seq', k.seq::text, false)
FROM ow_known_at($1) k

-- A snapshot connection of a pinned request (a CSV download) pinned to the same seq $1.
-- name: known_at_pin_seq
SELECT set_config('search_path', 'asof, public', false), set_config('orgwatch.known_seq', $1, false)

-- Back to the present: the session's own search path.
-- name: known_at_unpin
SELECT set_config('search_path', s.reset_val, false), set_config('orgwatch.known_seq', '', false)
FROM pg_catalog.pg_settings s WHERE s.name = 'search_path'

-- 0024_history.sql — what the database said at every change (issue 29, known_at=): the schema
-- asof, where a view of each history table stands under its table's name, and the moment the
-- history begins. The history tables, their views and triggers are made from each table by
-- ow_history_table (sql/functions/21_history.sql) when the functions are applied right after
-- this migration, every row as it stands then one version current since seq 0 (transaction 1,
-- audit_commits' first row): keys older than history_start are refused. docs/KNOWN_AT.md.

CREATE SCHEMA asof;
COMMENT ON SCHEMA asof IS
	'Views of the history tables as known at orgwatch.known_seq: a read pinned by known_at= runs with asof first on its search_path.';

CREATE TABLE history_start (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	seq bigint NOT NULL,	-- the newest commit before history was kept: no key before it is answered
	key bigint NOT NULL	-- the newest change key then (0: none)
);
INSERT INTO history_start (seq, key)
SELECT coalesce((SELECT max(seq) FROM audit_commits), 0), coalesce((SELECT max(id) FROM audit_log), 0);

-- 0016_functions_home.sql — from here on, sql/schema/ holds tables, types, indexes and
-- triggers only (applied once, never edited); every function's one current definition is in
-- sql/functions/, re-applied by `orgwatch migrate` whenever those files change. This table
-- records the checksum of the files last applied, which /ready compares with the server's.
CREATE TABLE schema_functions (
	id int PRIMARY KEY CHECK (id = 1),
	checksum text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_functions IS
	'Checksum of sql/functions/*.sql as last applied by orgwatch migrate (one row).';

-- 21_history.sql — the history tables (sql/schema/0024_history.sql) kept by every write, and
-- the change key a read is pinned to (known_at=, issue 29; docs/KNOWN_AT.md).
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- The versions a statement made and ended, over its transition tables (ow_new, ow_old): the
-- rows it deleted or updated end with this transaction, the rows it inserted or updated begin
-- with it. TG_ARGV[0]: the columns naming a row ("id", "position_id, source_id"); [1]: the
-- table's columns (ow_history_table writes both). A
-- transaction that writes history has its place in commit order even when it wrote no audit
-- row (a fact's sources replaced), so the versions it made become known at the next key.
CREATE OR REPLACE FUNCTION public.ow_history()
 RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
	h text := quote_ident(TG_TABLE_NAME || '_history');
BEGIN
	PERFORM ow_commit_open();
	IF TG_OP <> 'INSERT' THEN
		EXECUTE format('UPDATE %s h SET to_txid = pg_current_xact_id() FROM ow_old o WHERE h.to_txid IS NULL AND (%s) = (%s)',
			h, regexp_replace(TG_ARGV[0], '(\w+)', 'h.\1', 'g'), regexp_replace(TG_ARGV[0], '(\w+)', 'o.\1', 'g'));
	END IF;
	IF TG_OP <> 'DELETE' THEN
		EXECUTE format('INSERT INTO %s (%s, from_txid, to_txid) SELECT %s, pg_current_xact_id(), NULL FROM ow_new',
			h, TG_ARGV[1], TG_ARGV[1]);
	END IF;
	RETURN NULL;
END $function$;

-- A table's history (ow_history, above; docs/KNOWN_AT.md), made and kept up to date from the
-- table itself, so that a table added later (a new record type) gets one by the same call:
-- <table>_history with the table's columns (one added to the table is added here too), from_txid
-- and to_txid, filled once with the rows as they stand when it is made (current since seq 0);
-- the table's btree and gist indexes on it, not unique (a row has several versions; not its GIN
-- indexes, the dearest to keep on every write, for reads the aims do not name; the copy of its
-- primary key is also how a write finds the version it ends); the view asof.<table> of the versions known at orgwatch.known_seq (made by
-- a transaction whose seq is at or below it, not ended by one that is), and the implicit cast
-- that lets a function of the table's row type take the view's rows; the three history
-- triggers (ow_statement_triggers). keys: the columns naming a row, as ow_history takes them.
CREATE OR REPLACE FUNCTION public.ow_history_table(p_table text, keys text)
 RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
	h text := p_table || '_history';
	col record;
	ix record;
	cols text;
BEGIN
	IF to_regclass(h) IS NULL THEN
		EXECUTE format('CREATE TABLE %I (LIKE %I, from_txid xid8 NOT NULL, to_txid xid8)', h, p_table);
		EXECUTE format('INSERT INTO %I SELECT x.*, ''1''::xid8, NULL FROM %I x', h, p_table);
	END IF;
	FOR col IN SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
		WHERE a.attrelid = p_table::regclass AND a.attnum > 0 AND NOT a.attisdropped
		  AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = h::regclass AND b.attname = a.attname)
		ORDER BY a.attnum LOOP
		EXECUTE format('ALTER TABLE %I ADD COLUMN %I %s', h, col.attname, col.type);
	END LOOP;
	FOR ix IN SELECT c.relname AS name, am.amname AS am, i.indexrelid, i.indnkeyatts,
			pg_get_expr(i.indpred, i.indrelid) AS pred
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
		WHERE i.indrelid = p_table::regclass AND am.amname IN ('btree', 'gist') LOOP
		SELECT string_agg(pg_get_indexdef(ix.indexrelid, k, true), ', ' ORDER BY k) INTO cols
		FROM generate_series(1, ix.indnkeyatts) k;
		EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING %s (%s)%s', ix.name || '_h', h, ix.am, cols,
			coalesce(' WHERE ' || ix.pred, ''));
	END LOOP;
	EXECUTE format('DROP INDEX IF EXISTS %I', h || '_open'); -- made by the first version of this function
	SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols FROM pg_attribute a
	WHERE a.attrelid = p_table::regclass AND a.attnum > 0 AND NOT a.attisdropped;
	EXECUTE format('CREATE OR REPLACE VIEW asof.%I AS SELECT %s FROM public.%I h '
		'WHERE (SELECT c.seq FROM public.audit_commits c WHERE c.txid = h.from_txid) '
		'<= current_setting(''orgwatch.known_seq'')::bigint '
		'AND (h.to_txid IS NULL OR coalesce((SELECT c.seq FROM public.audit_commits c WHERE c.txid = h.to_txid), '
		'9223372036854775807) > current_setting(''orgwatch.known_seq'')::bigint)', p_table, cols, h);
	IF NOT EXISTS (SELECT 1 FROM pg_cast WHERE castsource = format('asof.%I', p_table)::regtype
			AND casttarget = format('public.%I', p_table)::regtype) THEN
		EXECUTE format('CREATE CAST (asof.%I AS public.%I) WITH INOUT AS IMPLICIT', p_table, p_table);
	END IF;
	PERFORM ow_statement_triggers(p_table, 'history', format('ow_history(%L, %L)', keys, cols));
END $function$;

SELECT ow_history_table('position_sources', 'position_id, source_id');
SELECT ow_history_table('reporting_line_sources', 'reporting_line_id, source_id');
SELECT ow_history_table('departure_sources', 'departure_id, source_id');
SELECT ow_history_table('layoff_sources', 'layoff_id, source_id');
SELECT ow_history_table('people_redirects', 'old_id');

-- The commit a read is pinned to by known_at (a change key, or an RFC 3339 time: the newest
-- change committed at or before it): its seq, the key and when it committed. No row when the
-- key names no committed change yet (the caller waits, then answers 409). settled: no later
-- commit can change the answer (a key; a time before the newest commit). Raises OW400 (field
-- known_at) for a key or time older than the history (history_start).
CREATE OR REPLACE FUNCTION public.ow_known_at(v text)
 RETURNS TABLE(seq bigint, key bigint, committed_at text, settled boolean) LANGUAGE plpgsql STABLE AS $function$
DECLARE
	start history_start;
	k bigint;
	t timestamptz;
BEGIN
	SELECT * INTO start FROM history_start;
	IF v ~ '^[0-9]{1,18}$' THEN
		k := v::bigint;
		IF k < start.key THEN
			PERFORM ow_raise('OW400', 'known_at', format('history is kept from change %s on: give that key or a later one', start.key));
		END IF;
		-- No row for a key not yet written or not yet visible: the caller waits.
		RETURN QUERY SELECT c.seq, k, ow_ts(c.committed_at), true FROM audit_log a JOIN audit_commits c ON c.txid = a.txid
			WHERE a.id = k AND c.seq IS NOT NULL;
		IF NOT FOUND AND k = start.key THEN
			RETURN QUERY SELECT start.seq, k, NULL::text, true;
		END IF;
		RETURN;
	END IF;
	BEGIN
		t := v::timestamptz;
	EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
		PERFORM ow_raise('OW400', 'known_at', 'must be a change key or an RFC 3339 time such as 2025-06-01T12:00:00Z');
	END;
	RETURN QUERY SELECT c.seq, (SELECT max(a.id) FROM audit_log a WHERE a.txid = c.txid), ow_ts(c.committed_at),
		EXISTS (SELECT 1 FROM audit_commits l WHERE l.committed_at > t)
		FROM audit_commits c
		WHERE c.seq IS NOT NULL AND c.seq >= start.seq AND c.committed_at <= t
		  AND EXISTS (SELECT 1 FROM audit_log a WHERE a.txid = c.txid)
		ORDER BY c.seq DESC LIMIT 1;
	IF NOT FOUND THEN
		PERFORM ow_raise('OW400', 'known_at', format('history is kept from %s on: give that time or a later one',
			coalesce((SELECT ow_ts(c.committed_at) FROM audit_commits c WHERE c.seq = start.seq), 'its start')));
	END IF;
END $function$;

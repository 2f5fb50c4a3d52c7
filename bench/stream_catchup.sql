-- stream_catchup.sql — section "stream" (bench/stream.sh, issue 27): :n entries appended to
-- the audit log fast, for a subscriber to catch up on. Not written by API writes (a million
-- of those would take minutes): copies of the log's own entries (the generated dataset's
-- organizations, teams, people and positions, in rotation: their documents, entities and
-- dates; new ids), grouped into synthetic transactions of four sizes so that the feed's
-- per-transaction loop (ow_changes_after) is exercised as API writes and imports leave it:
--   1st quarter: one entry a transaction (as API writes), 2nd: 10 a transaction,
--   3rd: 1,000 a transaction, 4th: one transaction (as an import).
-- Each synthetic transaction gets a txid far above any real one (2^40 + k) and its row in
-- audit_commits with the next seq, in order, as the commit-order trigger would have given it;
-- the two commit-order triggers are disabled for this one transaction (the rows are written
-- directly, not by the transactions they stand for) and enabled again before its commit.
-- Prints: "before <id>" (the newest id before them: the subscriber's after=), "last <id>",
-- "q<k> <id>" (the last id of each quarter), "txs <count>".
-- usage: psql -v n=1000000 -f bench/stream_catchup.sql
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_commit_open;
ALTER TABLE audit_commits DISABLE TRIGGER audit_commits_seq;
CREATE TEMP TABLE src ON COMMIT DROP AS
	SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, at, actor, entity, entity_id, operation, before, after
	FROM audit_log;
CREATE UNIQUE INDEX ON src (k);
SELECT count(*) AS nsrc FROM src \gset
SELECT coalesce(max(id), 0) AS before_id FROM audit_log \gset
-- Entry i (0-based) of quarter q = 4i / n; transaction size by quarter; transaction number
-- t: the transactions of the earlier quarters, then (i - start of q) / size.
CREATE TEMP TABLE plan ON COMMIT DROP AS
WITH q AS (
	SELECT q, (q * :n::bigint / 4) AS first, ((q + 1) * :n::bigint / 4) AS stop,
		CASE q WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 1000 ELSE greatest(1, :n::bigint) END AS size
	FROM generate_series(0, 3) q
), qt AS (
	SELECT q.*, (stop - first + size - 1) / size AS ntx FROM q
), qo AS (
	SELECT qt.*, coalesce(sum(ntx) OVER (ORDER BY q ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS tx0 FROM qt
)
SELECT i, qo.q, qo.tx0 + (i - qo.first) / qo.size AS t
FROM qo, generate_series(qo.first, qo.stop - 1) i;
SELECT count(DISTINCT t) AS ntx FROM plan \gset
INSERT INTO audit_commits (txid, seq, committed_at, import)
SELECT ((1::bigint << 40) + t)::text::xid8, nextval('audit_commit_seq'), clock_timestamp(), false
FROM generate_series(0, :ntx - 1) t ORDER BY t;
INSERT INTO audit_log (at, actor, entity, entity_id, operation, before, after, txid)
SELECT s.at, s.actor, s.entity, s.entity_id, s.operation, s.before, s.after,
	((1::bigint << 40) + p.t)::text::xid8
FROM plan p JOIN src s ON s.k = p.i % :nsrc
ORDER BY p.i;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_commit_open;
ALTER TABLE audit_commits ENABLE TRIGGER audit_commits_seq;
COMMIT;
ANALYZE audit_log;
ANALYZE audit_commits;
\pset tuples_only on
\pset format unaligned
\pset fieldsep ' '
SELECT 'before', :before_id;
SELECT 'last', max(id) FROM audit_log;
-- The last id of each quarter: the new rows' ids rise with i.
SELECT 'q' || q, (SELECT id FROM audit_log WHERE id > :before_id ORDER BY id
	OFFSET ((q + 1) * :n::bigint / 4) - 1 LIMIT 1)
FROM generate_series(0, 3) q;
SELECT 'txs', :ntx;

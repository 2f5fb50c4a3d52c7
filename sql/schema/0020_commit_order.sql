-- 0020_commit_order.sql — issue 27: the audit log in the order its writes became visible.
--
-- Audit ids are taken when a row is written but seen by readers only at commit, so a client
-- that resumes from the newest id it saw skips a transaction that took a lower id and
-- committed later. Every transaction that writes audit rows now gets one row in
-- audit_commits whose seq is taken under a lock as the last step before its commit (the
-- deferred trigger of sql/functions/19_commit_order.sql): a reader that sees seq N sees every
-- seq below N. The log's order is (seq, id); a resume key is the id of the last entry seen.
--
-- Rows written before this migration belong to the placeholder transaction '1' (an xid no
-- real transaction has), seq 0: all committed long ago, in id order. The column's constant
-- default makes the ALTER a catalogue change only (no rewrite of the log).
ALTER TABLE audit_log ADD COLUMN txid xid8 NOT NULL DEFAULT '1';
ALTER TABLE audit_log ALTER COLUMN txid SET DEFAULT pg_current_xact_id();
CREATE INDEX audit_log_txid_idx ON audit_log (txid, id);

CREATE SEQUENCE audit_commit_seq;
CREATE TABLE audit_commits (
	txid xid8 PRIMARY KEY,
	seq bigint UNIQUE,	-- NULL only until its transaction's commit (never seen so)
	committed_at timestamptz,
	import boolean NOT NULL DEFAULT false -- written by an import (orgwatch.import set)
);
INSERT INTO audit_commits (txid, seq, committed_at) VALUES ('1', 0, now());
COMMENT ON TABLE audit_commits IS
	'One row per transaction that wrote audit rows, with its place in commit order (seq).';

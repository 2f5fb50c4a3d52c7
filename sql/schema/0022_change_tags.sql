-- 0022_change_tags.sql — issue 27: what a change to a person or a reporting line concerns,
-- fixed when it is written. The change stream's and webhooks' org and team filters match a
-- person's change by the organizations and teams where the person held a position that day;
-- read later from the positions table, the answer would change with later writes (a position
-- added or deleted afterwards), and a subscriber would get different changes live and when
-- catching up. The BEFORE INSERT trigger that fills these is in
-- sql/functions/19_commit_order.sql. NULL for older entries (no positions then recorded).
ALTER TABLE audit_log ADD COLUMN held_orgs uuid[], ADD COLUMN held_teams uuid[];

-- Plans cached by the change feed estimate txid = $1 as 1 / n_distinct of the rows. Sampled, the
-- column's n_distinct is 1 while the rows before 0020 (one placeholder transaction) or one large
-- import make up the sample, and a plan then walked the whole log in id order for each
-- transaction read (sql/functions/19_commit_order.sql, ow_changes_after). A transaction writes
-- a few audit rows: a twentieth of the rows is closer than any sample of such a log.
ALTER TABLE audit_log ALTER COLUMN txid SET (n_distinct = -0.05);
ANALYZE audit_log;

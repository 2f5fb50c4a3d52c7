-- 0022_change_tags.sql — issue 27: what a change to a person or a reporting line concerns,
-- fixed when it is written. The change stream's and webhooks' org and team filters match a
-- person's change by the organizations and teams where the person held a position that day;
-- read later from the positions table, the answer would change with later writes (a position
-- added or deleted afterwards), and a subscriber would get different changes live and when
-- catching up. The BEFORE INSERT trigger that fills these is in
-- sql/functions/19_commit_order.sql. NULL for older entries (no positions then recorded).
ALTER TABLE audit_log ADD COLUMN held_orgs uuid[], ADD COLUMN held_teams uuid[];

-- 99_triggers.sql — every trigger of the schema that is not one per record type (those are in
-- 90_record_types.sql, generated), as it stands: the one place their text is written. Applied after the functions they call (this folder is applied in file order, in
-- one transaction, whenever its checksum changes). `orgwatch migrate` then drops every
-- trigger calling an ow_* function, and every ow_* function, that these files did not just
-- define (ow_prune_undefined, 98_prune.sql): a trigger or function removed from
-- these files is removed from the database (docs/ARCHITECTURE.md, "Changing a function").
--
-- Row triggers that a set-based statement stands aside from (orgwatch.touched = on: it sets
-- updated_at itself; orgwatch.lines_checked = on: it checked the lines' rules over its whole
-- set; each set for that statement only): the WHEN condition is evaluated before the event is
-- queued, so those rows cost nothing here.

-- The audit and updated_at triggers of every record type are generated with the per-type
-- dispatch (90_record_types.sql).

-- One manager at a time and no cycle, through time (07_reporting_lines.sql).
CREATE OR REPLACE TRIGGER reporting_lines_no_cycle AFTER INSERT OR UPDATE OF report_id, manager_id, valid_from, valid_to ON reporting_lines
	FOR EACH ROW WHEN (current_setting('orgwatch.lines_checked'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_reporting_lines_no_cycle();

-- Listening servers hear that the data changed (ow_notify_data_changed, 18_data_changed.sql).
CREATE OR REPLACE TRIGGER audit_log_data_changed AFTER INSERT ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION ow_notify_data_changed();

-- Commit order (19_commit_order.sql): a transaction's row in audit_commits, opened by its
-- first audit row, and its seq taken as the last step before it commits (a constraint
-- trigger cannot be replaced: dropped and created).
CREATE OR REPLACE TRIGGER audit_log_commit_open AFTER INSERT ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION ow_audit_commit_open();
DROP TRIGGER IF EXISTS audit_commits_seq ON audit_commits;
CREATE CONSTRAINT TRIGGER audit_commits_seq AFTER INSERT ON audit_commits
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ow_audit_commit_seq();

-- What a person's or a line's change concerns, fixed when it is written (ow_audit_held).
CREATE OR REPLACE TRIGGER audit_log_held BEFORE INSERT ON audit_log FOR EACH ROW
	WHEN (NEW.entity IN ('person', 'reporting_line')) EXECUTE FUNCTION ow_audit_held();

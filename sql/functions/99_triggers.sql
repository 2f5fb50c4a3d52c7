-- 99_triggers.sql — every trigger of the schema, as it stands: the one place their text is
-- written. Applied after the functions they call (this folder is applied in file order, in
-- one transaction, whenever its checksum changes). `orgwatch migrate` then drops every
-- trigger calling an ow_* function, and every ow_* function, that these files did not just
-- define (ow_prune_undefined, 98_prune.sql): a trigger or function removed from
-- these files is removed from the database (docs/ARCHITECTURE.md, "Changing a function").
--
-- Row triggers that a set-based statement stands aside from (orgwatch.touched = on: it sets
-- updated_at itself; orgwatch.lines_checked = on: it checked the lines' rules over its whole
-- set; each set for that statement only): the WHEN condition is evaluated before the event is
-- queued, so those rows cost nothing here.

-- The audit log of every correction (ow_audit, 01_audit.sql): statement triggers over the
-- rows each statement wrote (one an event: transition tables allow no more).
CREATE OR REPLACE TRIGGER sources_audit_insert AFTER INSERT ON sources
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('source');
CREATE OR REPLACE TRIGGER sources_audit_update AFTER UPDATE ON sources
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('source');
CREATE OR REPLACE TRIGGER sources_audit_delete AFTER DELETE ON sources
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('source');
CREATE OR REPLACE TRIGGER organizations_audit_insert AFTER INSERT ON organizations
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('organization');
CREATE OR REPLACE TRIGGER organizations_audit_update AFTER UPDATE ON organizations
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('organization');
CREATE OR REPLACE TRIGGER organizations_audit_delete AFTER DELETE ON organizations
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('organization');
CREATE OR REPLACE TRIGGER teams_audit_insert AFTER INSERT ON teams
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('team');
CREATE OR REPLACE TRIGGER teams_audit_update AFTER UPDATE ON teams
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('team');
CREATE OR REPLACE TRIGGER teams_audit_delete AFTER DELETE ON teams
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('team');
CREATE OR REPLACE TRIGGER people_audit_insert AFTER INSERT ON people
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('person');
CREATE OR REPLACE TRIGGER people_audit_update AFTER UPDATE ON people
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('person');
CREATE OR REPLACE TRIGGER people_audit_delete AFTER DELETE ON people
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('person');
CREATE OR REPLACE TRIGGER positions_audit_insert AFTER INSERT ON positions
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('position');
CREATE OR REPLACE TRIGGER positions_audit_update AFTER UPDATE ON positions
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('position');
CREATE OR REPLACE TRIGGER positions_audit_delete AFTER DELETE ON positions
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('position');
CREATE OR REPLACE TRIGGER reporting_lines_audit_insert AFTER INSERT ON reporting_lines
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('reporting_line');
CREATE OR REPLACE TRIGGER reporting_lines_audit_update AFTER UPDATE ON reporting_lines
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('reporting_line');
CREATE OR REPLACE TRIGGER reporting_lines_audit_delete AFTER DELETE ON reporting_lines
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('reporting_line');
CREATE OR REPLACE TRIGGER layoffs_audit_insert AFTER INSERT ON layoffs
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('layoff');
CREATE OR REPLACE TRIGGER layoffs_audit_update AFTER UPDATE ON layoffs
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('layoff');
CREATE OR REPLACE TRIGGER layoffs_audit_delete AFTER DELETE ON layoffs
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('layoff');
CREATE OR REPLACE TRIGGER departures_audit_insert AFTER INSERT ON departures
	REFERENCING NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('departure');
CREATE OR REPLACE TRIGGER departures_audit_update AFTER UPDATE ON departures
	REFERENCING OLD TABLE AS ow_old NEW TABLE AS ow_new FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('departure');
CREATE OR REPLACE TRIGGER departures_audit_delete AFTER DELETE ON departures
	REFERENCING OLD TABLE AS ow_old FOR EACH STATEMENT EXECUTE FUNCTION ow_audit('departure');

-- updated_at of every record type, set on each update (ow_touch, 01_audit.sql).
CREATE OR REPLACE TRIGGER sources_touch BEFORE UPDATE ON sources
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();
CREATE OR REPLACE TRIGGER organizations_touch BEFORE UPDATE ON organizations
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();
CREATE OR REPLACE TRIGGER teams_touch BEFORE UPDATE ON teams
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();
CREATE OR REPLACE TRIGGER people_touch BEFORE UPDATE ON people
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();
CREATE OR REPLACE TRIGGER positions_touch BEFORE UPDATE ON positions
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();
CREATE OR REPLACE TRIGGER reporting_lines_touch BEFORE UPDATE ON reporting_lines
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();
CREATE OR REPLACE TRIGGER layoffs_touch BEFORE UPDATE ON layoffs
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();
CREATE OR REPLACE TRIGGER departures_touch BEFORE UPDATE ON departures
	FOR EACH ROW WHEN (current_setting('orgwatch.touched'::text, true) IS DISTINCT FROM 'on'::text)
	EXECUTE FUNCTION ow_touch();

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

-- 0018_import_rows.sql — issue 13, cheaper rows for the set-based writes of an import.
--
-- 1. The row triggers that a set-based statement stands aside from fire only when they have
--    work to do. ow_import_* write the audit rows themselves (orgwatch.audit_rows = off), set
--    updated_at themselves (orgwatch.touched = on) and check reporting lines for the whole
--    batch (orgwatch.lines_checked = on); until now each row still queued an AFTER event and
--    called PL/pgSQL, only to return at once (6 µs a row of a positions UPDATE, measured). A
--    WHEN condition is evaluated before the event is queued or the function called. The
--    functions keep their own test, so nothing changes for any other writer; a single-record
--    write never sets these settings (they are local to the import's transaction).
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('sources', 'source'), ('organizations', 'organization'), ('teams', 'team'),
		('people', 'person'), ('positions', 'position'), ('reporting_lines', 'reporting_line'),
		('layoffs', 'layoff'), ('departures', 'departure')) AS v(tbl, entity)
	LOOP
		EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_touch', t.tbl);
		EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW
			WHEN (current_setting(''orgwatch.touched'', true) IS DISTINCT FROM ''on'')
			EXECUTE FUNCTION ow_touch()', t.tbl || '_touch', t.tbl);
		EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_audit', t.tbl);
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW
			WHEN (current_setting(''orgwatch.audit_rows'', true) IS DISTINCT FROM ''off'')
			EXECUTE FUNCTION ow_audit(%L)', t.tbl || '_audit', t.tbl, t.entity);
	END LOOP;
END $$;

DROP TRIGGER reporting_lines_no_cycle ON reporting_lines;
CREATE TRIGGER reporting_lines_no_cycle AFTER INSERT OR UPDATE OF report_id, manager_id, valid_from, valid_to
ON reporting_lines FOR EACH ROW
WHEN (current_setting('orgwatch.lines_checked', true) IS DISTINCT FROM 'on')
EXECUTE FUNCTION ow_reporting_lines_no_cycle();

-- 2. The indexes on optional references hold only the rows that have one. Every statement
--    that uses them asks for one value (`team_id = $1`, `destination_org_id = $1`,
--    `layoff_id = $1`: the ?team=, ?destination_org= and ?layoff= lists, a layoff's named
--    departures, a team's members, and the foreign keys' ON DELETE checks), which implies
--    NOT NULL, so the partial index serves each; no statement looks for the rows without
--    one through them. A row without the reference (half of the departures have no team,
--    most have no layoff) no longer costs an index insert.
DROP INDEX departures_team_idx;
CREATE INDEX departures_team_idx ON departures (team_id) WHERE team_id IS NOT NULL;
DROP INDEX departures_dest_idx;
CREATE INDEX departures_dest_idx ON departures (destination_org_id) WHERE destination_org_id IS NOT NULL;
DROP INDEX departures_layoff_idx;
CREATE INDEX departures_layoff_idx ON departures (layoff_id) WHERE layoff_id IS NOT NULL;
DROP INDEX positions_team_idx;
CREATE INDEX positions_team_idx ON positions (team_id) WHERE team_id IS NOT NULL;

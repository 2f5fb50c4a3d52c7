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
-- Each such trigger is re-created as it stands (pg_get_triggerdef) with its WHEN condition.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT tg.tgname, tg.tgrelid::regclass AS tbl, pg_get_triggerdef(tg.oid) AS def,
			CASE p.proname WHEN 'ow_audit' THEN 'orgwatch.audit_rows' WHEN 'ow_touch' THEN 'orgwatch.touched'
				ELSE 'orgwatch.lines_checked' END AS setting,
			CASE p.proname WHEN 'ow_audit' THEN 'off' ELSE 'on' END AS stand_aside
		FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
		WHERE NOT tg.tgisinternal AND tg.tgqual IS NULL
		  AND p.proname IN ('ow_audit', 'ow_touch', 'ow_reporting_lines_no_cycle')
	LOOP
		IF position(' FOR EACH ROW EXECUTE ' IN t.def) = 0 THEN
			RAISE EXCEPTION '0018: unexpected definition of trigger %: %', t.tgname, t.def;
		END IF;
		EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.tbl);
		EXECUTE replace(t.def, ' FOR EACH ROW EXECUTE ', format(
			' FOR EACH ROW WHEN (current_setting(%L, true) IS DISTINCT FROM %L) EXECUTE ', t.setting, t.stand_aside));
	END LOOP;
END $$;

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

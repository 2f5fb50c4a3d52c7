-- 0017_bulk_import.sql — issue 13, bulk import at COPY speed (the apply step itself is in
-- sql/functions/13_import.sql).
--
-- 1. Time-ordered ids (UUID version 7: 48 bits of Unix milliseconds, then random bits) for
--    new rows, so that the primary-key indexes and the foreign-key indexes that follow them
--    grow at their right edge instead of touching a random leaf page for every row.
--    PostgreSQL 15 has no generator; the default is one expression over gen_random_uuid()
--    (a function of pgcrypto's core successor, built in): the first 6 bytes replaced by the
--    milliseconds, the version nibble turned from 4 (0100) into 7 (0111) by setting bits 52
--    and 53. Existing ids stay as they are (any UUID is still accepted and kept).
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['sources', 'organizations', 'teams', 'people', 'positions',
	                         'reporting_lines', 'layoffs', 'departures'] LOOP
		EXECUTE format($f$ALTER TABLE %I ALTER id SET DEFAULT encode(set_bit(set_bit(overlay(
			uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM
			clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid$f$, t);
	END LOOP;
END $$;

-- 2. Indexes that no statement needs, dropped: each cost every written row an index insert.
--    reporting_lines_report_period_idx is gist (report_id, period), the very index of the
--    exclusion constraint reporting_lines_one_manager, which serves every lookup it served
--    (ow_line_cycle's walk, the overlap checks of ow_reporting_lines_write and
--    ow_import_lines, the chart's managers at a date).
DROP INDEX IF EXISTS reporting_lines_report_period_idx;
--    departures_person_idx is btree (person_id), a prefix of departures_natural_key
--    (person_id, org_id, departed_on), which serves every lookup by person just as well:
--    ?person= lists (ow_departures_filtered), ow_person_timeline, a team's alumni
--    (04_teams.sql), the people merge (ow_people_merge) and the foreign key's checks when a
--    person is deleted.
DROP INDEX IF EXISTS departures_person_idx;

-- 3. What the indexes left on the tables an import fills are for (the statement that uses
--    each; the bulk import's statements are in 13_import.sql):
--    people: people_pkey (references by id), people_slug_key (references by slug, the
--      natural key of ow_import_people), people_created_idx / people_updated_idx (keyset
--      pages of /people and ?updated_since=), people_search_trgm_idx (?q= search),
--      people_tags_idx (?tag=).
--    positions: positions_pkey; positions_natural_key (ow_import_positions' existing rows,
--      ow_import_one); positions_open_idx (ow_departure_close and ow_import_departures'
--      close: open positions of a person at an organization); positions_org_period_idx
--      (an organization's people at a date: chart, team members, alumni); positions_team_idx
--      (a team's members); positions_created_idx (keyset pages of /positions).
--    reporting_lines: reporting_lines_pkey; reporting_lines_natural_key (ow_import_lines'
--      existing rows); reporting_lines_one_manager (the one-manager rule, the cycle walk up
--      by report); reporting_lines_manager_idx (a manager's reports at a date: chart,
--      ow_import_departures' close as manager); reporting_lines_created_idx (pages).
--    departures: departures_pkey; departures_natural_key (ow_import_departures' existing
--      rows, ?person=); departures_org_idx (?org= lists in date order); departures_sort_idx
--      (the default list order); departures_range_idx (?from=/?to= windows, statistics);
--      departures_team_idx, departures_dest_idx, departures_layoff_idx (?team=,
--      ?destination_org=, ?layoff= and a layoff's named departures; also the foreign keys'
--      ON DELETE checks); departures_created_idx / departures_updated_idx (pages, changes).
--    audit_log: audit_log_pkey; audit_log_entity_id_idx (a record's history);
--      audit_log_entity_idx (an entity's changes feed); audit_log_at_idx (/audit pages).

-- 4. The functions the set-based import replaced (their files no longer define them).
DROP FUNCTION IF EXISTS ow_import_batch(text, jsonb);
DROP FUNCTION IF EXISTS ow_import_new_departures(text, jsonb);
DROP FUNCTION IF EXISTS ow_import_fallback();
DROP FUNCTION IF EXISTS ow_import_refkey(jsonb, text);

-- 15_retired.sql — Functions no longer used, dropped from databases that still have them
-- (`orgwatch migrate` applies this file after the others, like every file of sql/functions/).

-- The reports tree is now one flat statement (reports_flat in server/stmts.c), linked by
-- server/tree_reply.c like the org chart; the managers chain one statement too.
DROP FUNCTION IF EXISTS public.ow_reports_rows(text, date, integer);
DROP FUNCTION IF EXISTS public.ow_person_managers(text, date);

-- ow_departures_filtered now also takes which filters were given (a boolean[]).
DROP FUNCTION IF EXISTS public.ow_departures_filtered(text, text, text, text, text, text, text, text, text, text,
	timestamp with time zone, text);

-- Read statements now go straight to the tables (server/stmts.c).
DROP FUNCTION IF EXISTS public.ow_people_get(text);
DROP FUNCTION IF EXISTS public.ow_organizations_get(text);
DROP FUNCTION IF EXISTS public.ow_positions_get(text);
DROP FUNCTION IF EXISTS public.ow_reporting_lines_get(text);
DROP FUNCTION IF EXISTS public.ow_departures_get(text);
DROP FUNCTION IF EXISTS public.ow_layoffs_get(text);
DROP FUNCTION IF EXISTS public.ow_sources_get(text);
-- Team members and alumni: ow_team_member_json and ow_team_alumnus_row, with what they refer
-- to joined.
DROP FUNCTION IF EXISTS public.ow_team_member_doc(positions);
DROP FUNCTION IF EXISTS public.ow_team_alumnus_doc(uuid, uuid);
DROP FUNCTION IF EXISTS public.ow_layoff_summary(uuid);
DROP FUNCTION IF EXISTS public.ow_import_spool_apply(text);
-- Issue 26: the statistics take the organization's industry, country and stage.
DROP FUNCTION IF EXISTS public.ow_stats_departures(text, text, text, text, text, text, text, text, text, text, text,
	timestamp with time zone, text);
DROP FUNCTION IF EXISTS public.ow_stats_flows(text, text, text, text);
DROP FUNCTION IF EXISTS public.ow_stats_layoffs_rows(text, uuid, text, text, text, text, text);
DROP FUNCTION IF EXISTS public.ow_org_attrs_ok(uuid, text, text, text);
DROP FUNCTION IF EXISTS public.ow_chart_org_extras(text, date, date);
DROP FUNCTION IF EXISTS public.ow_chart_month_label(text);
-- Issue 30: a collapsed chart's people and a subtree's rows come with the picture's extras.
DROP FUNCTION IF EXISTS public.ow_chart_people(text, date, uuid[], bigint[]);

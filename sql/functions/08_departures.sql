-- 08_departures.sql — Departures: documents, writes, what a departure closes, the filtered set.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- The one definition of a departure's document, from the departure and the rows it refers
-- to (NULL rows where it refers to none) and its sources: one expression, which the planner
-- inlines, so a list renders its page with joins instead of a lookup per row and reference.
CREATE OR REPLACE FUNCTION public.ow_departure_json(d departures, p people, o organizations, t teams, dst organizations, l layoffs, src_ids json, src_summaries json)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', d.id, 'person_id', d.person_id,
		'person', ow_person_ref(p),
		'org_id', d.org_id,
		'org', ow_org_ref(o),
		'team_id', d.team_id,
		'team', ow_team_ref(t),
		'title', d.title, 'departed_on', d.departed_on,
		'announced_on', d.announced_on, 'kind', d.kind, 'reason_category', d.reason_category,
		'reason', d.reason, 'destination_org_id', d.destination_org_id,
		'destination_org', ow_org_ref(dst),
		'destination_title', d.destination_title,
		'destination_kind', d.destination_kind, 'layoff_id', d.layoff_id,
		'layoff', CASE WHEN l.id IS NOT NULL THEN json_build_object('id', l.id, 'announced_on', l.announced_on, 'count', l.count) END,
		'returned_on', d.returned_on,
		'source_ids', coalesce(src_ids, '[]'), 'sources', coalesce(src_summaries, '[]'), 'notes', d.notes, 'status', d.status,
		'created_at', ow_ts(d.created_at), 'updated_at', ow_ts(d.updated_at))
$function$;

-- A departure's document by itself (records, writes): the same expression, with the rows
-- it refers to looked up.
CREATE OR REPLACE FUNCTION public.ow_departure_doc(d departures)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT ow_departure_json(d, p, o, t, dst, l, s.ids, s.summaries)
	FROM ow_fact_sources('departure', d.id) s
	LEFT JOIN people p ON p.id = d.person_id
	LEFT JOIN organizations o ON o.id = d.org_id
	LEFT JOIN teams t ON t.id = d.team_id
	LEFT JOIN organizations dst ON dst.id = d.destination_org_id
	LEFT JOIN layoffs l ON l.id = d.layoff_id
$function$;

-- The rules of a departure's values, the one place they are written: the first one broken as
-- {field, message} (NULL when all hold); inlined into the import's set-based statement
-- (ow_import_departures), called for one row by ow_departures_write. team_org, layoff_org:
-- the organizations of team_id and layoff_id.
CREATE OR REPLACE FUNCTION public.ow_departure_broken(team_id uuid, team_org uuid, org_id uuid, departed_on text, returned_on text, layoff_id uuid, layoff_org uuid)
 RETURNS text[] LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE WHEN team_id IS NOT NULL AND team_org <> org_id
		THEN ARRAY['team_id', 'the team belongs to another organization']
	WHEN returned_on IS NOT NULL AND ow_pdate_lower(returned_on) < ow_pdate_lower(departed_on)
		THEN ARRAY['returned_on', 'must not be before departed_on']
	WHEN layoff_id IS NOT NULL AND layoff_org <> org_id
		THEN ARRAY['layoff_id', 'the layoff is at another organization'] END
$function$;

CREATE OR REPLACE FUNCTION public.ow_departures_write(cur departures, n departures, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
DECLARE
	broken text[];
BEGIN
	broken := ow_departure_broken(n.team_id, (SELECT org_id FROM teams WHERE id = n.team_id), n.org_id,
		n.departed_on, n.returned_on, n.layoff_id, (SELECT org_id FROM layoffs WHERE id = n.layoff_id));
	IF broken IS NOT NULL THEN PERFORM ow_raise('OW400', broken[1], broken[2]); END IF;
	IF EXISTS (SELECT 1 FROM departures x WHERE x.person_id = n.person_id AND x.org_id = n.org_id
	           AND x.departed_on = n.departed_on AND x.id IS DISTINCT FROM cur.id) THEN
		PERFORM ow_raise('OW409', NULL, format('%s is already recorded as leaving this organization on %s',
			(SELECT slug FROM people WHERE id = n.person_id), n.departed_on));
	END IF;
	IF cur.id IS NULL THEN
		INSERT INTO departures (person_id, org_id, team_id, title, departed_on, announced_on, kind,
			reason_category, reason, destination_org_id, destination_title, destination_kind, layoff_id,
			returned_on, notes, status)
		VALUES (n.person_id, n.org_id, n.team_id, n.title, n.departed_on, n.announced_on,
			coalesce(n.kind, 'unknown'), coalesce(n.reason_category, 'unknown'), n.reason,
			n.destination_org_id, n.destination_title,
			coalesce(n.destination_kind, 'unknown'),
			n.layoff_id, n.returned_on, n.notes, coalesce(n.status, 'reported'))
		RETURNING * INTO n;
		PERFORM ow_departures_close(ARRAY[n]);
	ELSE
		UPDATE departures SET person_id = n.person_id, org_id = n.org_id, team_id = n.team_id, title = n.title,
			departed_on = n.departed_on, announced_on = n.announced_on, kind = n.kind,
			reason_category = n.reason_category, reason = n.reason, destination_org_id = n.destination_org_id,
			destination_title = n.destination_title, destination_kind = n.destination_kind,
			layoff_id = n.layoff_id, returned_on = n.returned_on, notes = n.notes, status = n.status
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('departure', n.id, d);
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_departure_doc(x)::text END, ow_etag(x.updated_at), x.id FROM departures x WHERE x.id = n.id;
END $function$;

-- The departures of g that end something, with their place in g (k) and their first day.
CREATE OR REPLACE FUNCTION public.ow_departures_gone(g departures[])
 RETURNS TABLE(k bigint, person_id uuid, org_id uuid, departed_on text, gone date) LANGUAGE sql IMMUTABLE AS $function$
	SELECT u.ordinality, u.person_id, u.org_id, u.departed_on, ow_pdate_lower(u.departed_on)
	FROM unnest(g) WITH ORDINALITY AS u
	WHERE coalesce(u.status, 'reported') <> 'retracted'
$function$;

-- What departures end, the one place it is written: for each departure of g (in its order)
-- that is not retracted, the open positions of its person at its organization that began by
-- then, and the open reporting lines in which its person is report or manager when the other
-- person of the line has a position there, end on the day it gives. Each position or line
-- is ended by the first departure of g that ends it, as one departure after another would
-- (a later one finds it ended). A single write calls it with its departure, an import
-- (ow_import_departures) with its batch. The statements set updated_at themselves (ow_touch
-- stands aside) and the audit rows are the statement triggers'; ending a line earlier can
-- close no cycle and overlap nothing, so the no-cycle trigger's walk stands aside too.
CREATE OR REPLACE FUNCTION public.ow_departures_close(g departures[])
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM set_config('orgwatch.touched', 'on', true);
	WITH ow_gone AS (SELECT * FROM ow_departures_gone(g)), f AS (
		SELECT DISTINCT ON (p.id) p.id, x.departed_on
		FROM ow_gone x
		JOIN positions p ON p.person_id = x.person_id AND p.org_id = x.org_id AND p.ended_on IS NULL
			AND (p.started_on IS NULL OR ow_pdate_lower(p.started_on) <= x.gone)
		ORDER BY p.id, x.k
	)
	UPDATE positions p SET ended_on = f.departed_on, updated_at = clock_timestamp()
	FROM f WHERE p.id = f.id;
	PERFORM set_config('orgwatch.lines_checked', 'on', true);
	WITH ow_gone AS (SELECT * FROM ow_departures_gone(g)), c AS (
		SELECT l.id, x.k, x.departed_on FROM ow_gone x
		JOIN reporting_lines l ON l.report_id = x.person_id AND l.valid_to IS NULL
			AND (l.valid_from IS NULL OR ow_pdate_lower(l.valid_from) < x.gone)
		WHERE EXISTS (SELECT 1 FROM positions p WHERE p.org_id = x.org_id AND p.person_id = l.manager_id)
		UNION ALL
		SELECT l.id, x.k, x.departed_on FROM ow_gone x
		JOIN reporting_lines l ON l.manager_id = x.person_id AND l.valid_to IS NULL
			AND (l.valid_from IS NULL OR ow_pdate_lower(l.valid_from) < x.gone)
		WHERE EXISTS (SELECT 1 FROM positions p WHERE p.org_id = x.org_id AND p.person_id = l.report_id)
	), f AS (
		SELECT DISTINCT ON (c.id) c.id, c.departed_on FROM c ORDER BY c.id, c.k
	)
	UPDATE reporting_lines l SET valid_to = f.departed_on, updated_at = clock_timestamp()
	FROM f WHERE l.id = f.id;
	PERFORM set_config('orgwatch.lines_checked', 'off', true);
	PERFORM set_config('orgwatch.touched', 'off', true);
END $function$;

-- The one definition of the /departures filters, shared by the departure lists (sql/statements/),
-- the statistics and nothing else to keep in step: plain SQL, so the planner inlines it into
-- each statement and plans it with the values given (an index for org, the date window's
-- bounds on lower(departed_range), which a date spanning at most 366 days implies).
-- Retracted departures are left out unless f_status asks for them ('all' or a list).
-- The departures the list and statistics filters keep. given[k]: filter k was given (the
-- list statements pass literal true/false, one prepared statement per combination; see
-- ow_stmt_variant_sql), so once inlined the planner keeps only the conditions of the
-- filters given, each one an index condition.
CREATE OR REPLACE FUNCTION public.ow_departures_filtered(f_person text, f_org text, f_team text, f_dest text, f_kind text, f_reason text, f_dkind text, f_from text, f_to text, f_layoff text, f_updated timestamp with time zone, f_status text, given boolean[])
 RETURNS SETOF departures LANGUAGE sql STABLE AS $function$
	SELECT d.* FROM departures d
	WHERE (NOT given[1] OR d.person_id = (SELECT ow_key_strict('person', f_person, 'person')))
	  AND (NOT given[2] OR d.org_id = (SELECT ow_key_strict('organization', f_org, 'org')))
	  AND (NOT given[3] OR d.team_id = (SELECT ow_key_strict('team', f_team, 'team')))
	  AND (NOT given[4] OR d.destination_org_id = (SELECT ow_key_strict('organization', f_dest, 'destination_org')))
	  AND (NOT given[5] OR d.kind = f_kind) AND (NOT given[6] OR d.reason_category = f_reason)
	  AND (NOT given[7] OR d.destination_kind = f_dkind)
	  AND (NOT (given[8] OR given[9]) OR d.departed_range && daterange(lower(ow_pdate_range(f_from)), upper(ow_pdate_range(f_to))))
	  AND (NOT given[8] OR lower(d.departed_range) >= lower(ow_pdate_range(f_from)) - 366)
	  AND (NOT given[9] OR lower(d.departed_range) < upper(ow_pdate_range(f_to)))
	  AND (NOT given[10] OR d.layoff_id = (SELECT ow_key_strict('layoff', f_layoff, 'layoff')))
	  AND (NOT given[11] OR d.updated_at >= f_updated)
	  AND d.status = ANY (CASE WHEN NOT given[12] THEN '{reported,confirmed,disputed}'::text[]
		WHEN f_status = 'all' THEN '{reported,confirmed,disputed,retracted}'::text[]
		ELSE string_to_array(f_status, ',') END)
$function$;

-- The departures the /departures filters and the organization's industry, country and stage
-- select: what /stats/departures, /stats/flows and the departure charts count. Plain SQL, so
-- the planner inlines it (and ow_departures_filtered) into the caller's statement.
CREATE OR REPLACE FUNCTION public.ow_departures_selected(f_person text, f_org text, f_team text, f_dest text, f_kind text, f_reason text, f_dkind text, f_from text, f_to text, f_layoff text, f_updated timestamp with time zone, f_status text, f_industry text, f_country text, f_stage text)
 RETURNS SETOF departures LANGUAGE sql STABLE AS $function$
	SELECT d.* FROM ow_departures_filtered(f_person, f_org, f_team, f_dest, f_kind, f_reason, f_dkind, f_from,
		f_to, f_layoff, f_updated, f_status,
		ARRAY[f_person IS NOT NULL, f_org IS NOT NULL, f_team IS NOT NULL, f_dest IS NOT NULL,
		f_kind IS NOT NULL, f_reason IS NOT NULL, f_dkind IS NOT NULL, f_from IS NOT NULL, f_to IS NOT NULL,
		f_layoff IS NOT NULL, f_updated IS NOT NULL, f_status IS NOT NULL]) d
	WHERE (f_industry IS NULL AND f_country IS NULL AND f_stage IS NULL
		OR d.org_id IN (SELECT a.id FROM ow_orgs_with_attrs(f_industry, f_country, f_stage) a))
$function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_departure_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT d, x.id, x.updated_at FROM departures x
	WHERE x.person_id = ow_ref(d, 'person', 'person') AND x.org_id = ow_ref(d, 'organization', 'org')
	  AND x.departed_on = d ->> 'departed_on'
$function$;

CREATE OR REPLACE FUNCTION public.ow_departure_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	SELECT 0, p.slug || '|' || o.slug || '|' || d.departed_on, d.id
	FROM departures d JOIN people p ON p.id = d.person_id JOIN organizations o ON o.id = d.org_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_departure_export_line(d departures) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'departure', 'person', ow_person_slug(d.person_id),
		'org', ow_org_slug(d.org_id), 'team', ow_team_key(d.team_id), 'title', d.title,
		'departed_on', d.departed_on, 'announced_on', d.announced_on, 'kind', d.kind,
		'reason_category', d.reason_category, 'reason', d.reason,
		'destination_org', ow_org_slug(d.destination_org_id), 'destination_title', d.destination_title,
		'destination_kind', d.destination_kind, 'layoff', d.layoff_id, 'returned_on', d.returned_on,
		'sources', ow_source_urls('departure', d.id), 'notes', d.notes, 'status', d.status))::text
$function$;

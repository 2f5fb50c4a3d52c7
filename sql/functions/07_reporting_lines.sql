-- 07_reporting_lines.sql — Reporting lines and the no-cycle rule.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- A reporting line's document in one row, with both people joined (inlined when joined
-- LATERAL; see ow_position_doc_row).
CREATE OR REPLACE FUNCTION public.ow_reporting_line_doc_row(l reporting_lines)
 RETURNS TABLE(doc json)
 LANGUAGE sql
 STABLE
AS $function$
	SELECT json_build_object('id', l.id, 'report_id', l.report_id, 'report', ow_person_ref(r),
		'manager_id', l.manager_id, 'manager', ow_person_ref(m),
		'valid_from', l.valid_from, 'valid_to', l.valid_to, 'source_ids', s.ids, 'sources', s.summaries,
		'created_at', ow_ts(l.created_at), 'updated_at', ow_ts(l.updated_at))
	FROM ow_fact_sources('reporting_line', l.id) s
	LEFT JOIN people r ON r.id = l.report_id
	LEFT JOIN people m ON m.id = l.manager_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_reporting_line_doc(l reporting_lines)
 RETURNS json
 LANGUAGE sql
 STABLE
AS $function$
	SELECT doc FROM ow_reporting_line_doc_row(l)
$function$;

CREATE OR REPLACE FUNCTION public.ow_reporting_lines_write(p_actor text, p_key text, d jsonb, p_if_match text)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid)
 LANGUAGE plpgsql
AS $function$
DECLARE
	cur reporting_lines;
	n reporting_lines;
	other reporting_lines;
	cycle text;
BEGIN
	PERFORM ow_begin_write(p_actor);
	-- Reporting-line writers take turns, so two concurrent lines cannot together close a cycle.
	PERFORM pg_advisory_xact_lock(7406118);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::reporting_lines, d);
		n.report_id := ow_ref(d, 'person', 'report');
		n.manager_id := ow_ref(d, 'person', 'manager');
	ELSE
		SELECT * INTO cur FROM reporting_lines WHERE id = ow_key_404('reporting_line', p_key) FOR UPDATE;
		IF NOT FOUND THEN PERFORM ow_not_found('reporting_line', p_key); END IF;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		n.report_id := ow_ref_patch(d, 'person', 'report', cur.report_id);
		n.manager_id := ow_ref_patch(d, 'person', 'manager', cur.manager_id);
	END IF;
	IF n.report_id = n.manager_id THEN
		PERFORM ow_raise('OW400', 'manager_id', 'a person cannot report to themself');
	END IF;
	IF n.valid_to IS NOT NULL AND n.valid_from IS NOT NULL
	   AND ow_pdate_lower(n.valid_to) <= ow_pdate_lower(n.valid_from) THEN
		PERFORM ow_raise('OW400', 'valid_to', 'must be after valid_from (a line ends on the first day of valid_to)');
	END IF;
	SELECT * INTO other FROM reporting_lines x
	WHERE x.report_id = n.report_id AND x.period && ow_period(n.valid_from, n.valid_to)
	  AND x.id IS DISTINCT FROM cur.id LIMIT 1;
	IF FOUND THEN
		PERFORM ow_raise('OW409', NULL, format('%s already reports to %s from %s to %s (reporting line %s): one manager at a time',
			(SELECT slug FROM people WHERE id = other.report_id), (SELECT slug FROM people WHERE id = other.manager_id),
			coalesce(other.valid_from, 'the start'), coalesce(other.valid_to, 'now'), other.id));
	END IF;
	cycle := ow_line_cycle(n.manager_id, n.report_id, ow_period(n.valid_from, n.valid_to), cur.id);
	IF cycle IS NOT NULL THEN
		PERFORM ow_raise('OW409', NULL, format('this line would close a reporting cycle: %s → %s',
			(SELECT slug FROM people WHERE id = n.report_id), cycle));
	END IF;
	IF p_key IS NULL THEN
		INSERT INTO reporting_lines (report_id, manager_id, valid_from, valid_to)
		VALUES (n.report_id, n.manager_id, n.valid_from, n.valid_to) RETURNING * INTO n;
	ELSE
		UPDATE reporting_lines SET report_id = n.report_id, manager_id = n.manager_id,
			valid_from = n.valid_from, valid_to = n.valid_to
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('reporting_line', n.id, d);
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_reporting_line_doc(x)::text END, ow_etag(x.updated_at), x.id FROM reporting_lines x WHERE x.id = n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_reporting_lines_no_cycle()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
	-- A bulk import checks its whole batch in one statement before it inserts (ow_import_lines)
	-- and says so for that statement only; ending a line earlier needs no walk either.
	IF current_setting('orgwatch.lines_checked', true) = 'on' THEN
		RETURN NEW;
	END IF;
	PERFORM pg_advisory_xact_lock(7406118);
	IF ow_line_cycle(NEW.manager_id, NEW.report_id, NEW.period, NEW.id) IS NOT NULL THEN
		PERFORM ow_raise('OW409', NULL, 'this line would close a reporting cycle');
	END IF;
	RETURN NEW;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_line_cycle(start uuid, target uuid, span daterange, skip uuid)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
	WITH RECURSIVE up (person, span, path, depth) AS (
		SELECT start, span, ARRAY[start], 0
		UNION ALL
		SELECT l.manager_id, up.span * l.period, up.path || l.manager_id, up.depth + 1
		FROM up JOIN reporting_lines l ON l.report_id = up.person AND l.period && up.span
		WHERE l.id IS DISTINCT FROM skip AND up.person <> target AND up.depth < 200
		  AND NOT l.manager_id = ANY (up.path[2:])
	)
	SELECT (SELECT string_agg(p.slug, ' → ' ORDER BY o) FROM unnest(up.path) WITH ORDINALITY AS u(pid, o)
		JOIN people p ON p.id = u.pid)
	FROM up WHERE up.person = target AND NOT isempty(up.span) LIMIT 1
$function$;

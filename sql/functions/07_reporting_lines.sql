-- 07_reporting_lines.sql — Reporting lines and the no-cycle rule.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- A reporting line's document in one row, with both people joined (inlined when joined
-- LATERAL; see ow_position_doc_row).
CREATE OR REPLACE FUNCTION public.ow_reporting_line_doc_row(l reporting_lines)
 RETURNS TABLE(doc json) LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', l.id, 'report_id', l.report_id, 'report', ow_person_ref(r),
		'manager_id', l.manager_id, 'manager', ow_person_ref(m),
		'valid_from', l.valid_from, 'valid_to', l.valid_to, 'source_ids', s.ids, 'sources', s.summaries,
		'created_at', ow_ts(l.created_at), 'updated_at', ow_ts(l.updated_at))
	FROM ow_fact_sources('reporting_line', l.id) s
	LEFT JOIN people r ON r.id = l.report_id
	LEFT JOIN people m ON m.id = l.manager_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_reporting_line_doc(l reporting_lines)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT doc FROM ow_reporting_line_doc_row(l)
$function$;

-- The rules of a reporting line's own values, the one place they are written: the first one
-- broken as {field, message} (NULL when all hold); inlined into the import's set-based
-- statement (ow_import_reporting_lines), called for one row by ow_reporting_lines_write.
CREATE OR REPLACE FUNCTION public.ow_reporting_line_broken(report_id uuid, manager_id uuid, valid_from text, valid_to text)
 RETURNS text[] LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE WHEN report_id = manager_id THEN ARRAY['manager_id', 'a person cannot report to themself']
	WHEN valid_to IS NOT NULL AND valid_from IS NOT NULL AND ow_pdate_lower(valid_to) <= ow_pdate_lower(valid_from)
		THEN ARRAY['valid_to', 'must be after valid_from (a line ends on the first day of valid_to)'] END
$function$;

-- The rules among reporting lines, the one place they are written, for candidate lines c (a
-- single write's one line; an import's new lines, in file order, lines[k] the file line of
-- c[k]) that keep the rules of their own values: for each candidate k that breaks one, (k,
-- message). One manager at a time: a candidate overlapping a line of the table (other than
-- itself: c[k].id, an update's) or an earlier candidate that overlaps none; no cycle: a
-- candidate that, with the table's lines and the earlier candidates still standing, would
-- close a loop of managers at a common instant (the walk up the managers starts only from
-- candidates someone reports to). Messages as a 409 words them.
CREATE OR REPLACE FUNCTION public.ow_reporting_lines_conflicts(c reporting_lines[], lines integer[] DEFAULT NULL)
 RETURNS TABLE(k integer, message text) LANGUAGE plpgsql STABLE AS $function$
BEGIN
	-- Planned at each call for the candidates given (one line, or a file's thousands).
	RETURN QUERY EXECUTE $q$
		WITH RECURSIVE cand AS MATERIALIZED (
			SELECT u.ordinality::int AS k, u.id, u.report_id, u.manager_id, u.valid_from, u.valid_to,
				ow_period(u.valid_from, u.valid_to) AS period
			FROM unnest($1) WITH ORDINALITY AS u
		), t_hit AS MATERIALIZED (
			-- against the table
			SELECT DISTINCT ON (n.k) n.k, format('%s already reports to %s from %s to %s (reporting line %s): one manager at a time',
				rp.slug, mp.slug, coalesce(x.valid_from, 'the start'), coalesce(x.valid_to, 'now'), x.id) AS message
			FROM cand n
			JOIN reporting_lines x ON x.report_id = n.report_id AND x.period && n.period AND x.id IS DISTINCT FROM n.id
			JOIN people rp ON rp.id = x.report_id JOIN people mp ON mp.id = x.manager_id
			ORDER BY n.k, x.id
		), c_hit AS MATERIALIZED (
			-- against the earlier candidates
			SELECT DISTINCT ON (n.k) n.k, format('%s already reports to %s from %s to %s (line %s of this import): one manager at a time',
				rp.slug, mp.slug, coalesce(o.valid_from, 'the start'), coalesce(o.valid_to, 'now'), ($2)[o.k]) AS message
			FROM cand n
			JOIN cand o ON o.report_id = n.report_id AND o.period && n.period AND o.k < n.k
			JOIN people rp ON rp.id = o.report_id JOIN people mp ON mp.id = o.manager_id
			WHERE NOT EXISTS (SELECT 1 FROM t_hit h WHERE h.k = n.k)
			  AND NOT EXISTS (SELECT 1 FROM t_hit h WHERE h.k = o.k)
			ORDER BY n.k, o.k
		), ok AS MATERIALIZED (
			SELECT n.* FROM cand n
			WHERE NOT EXISTS (SELECT 1 FROM t_hit h WHERE h.k = n.k) AND NOT EXISTS (SELECT 1 FROM c_hit h WHERE h.k = n.k)
		), edges AS NOT MATERIALIZED (
			SELECT x.report_id, x.manager_id, x.period, NULL::int AS k FROM reporting_lines x
			WHERE x.id <> ALL (ARRAY(SELECT n.id FROM cand n WHERE n.id IS NOT NULL))
			UNION ALL
			SELECT n.report_id, n.manager_id, n.period, n.k FROM ok n
		), up (k, target, person, span, path, depth) AS (
			SELECT n.k, n.report_id, n.manager_id, n.period, ARRAY[n.manager_id], 0
			FROM ok n
			WHERE EXISTS (SELECT 1 FROM reporting_lines e WHERE e.manager_id = n.report_id)
			   OR EXISTS (SELECT 1 FROM ok e WHERE e.manager_id = n.report_id)
			UNION ALL
			SELECT up.k, up.target, e.manager_id, up.span * e.period, up.path || e.manager_id, up.depth + 1
			FROM up JOIN edges e ON e.report_id = up.person AND e.period && up.span AND (e.k IS NULL OR e.k < up.k)
			WHERE up.person <> up.target AND up.depth < 200 AND NOT e.manager_id = ANY (up.path[2:])
		), cyc AS (
			SELECT DISTINCT ON (up.k) up.k, up.target, up.path FROM up
			WHERE up.person = up.target AND NOT isempty(up.span)
			ORDER BY up.k, up.depth
		)
		SELECT h.k, h.message FROM t_hit h
		UNION ALL SELECT h.k, h.message FROM c_hit h
		UNION ALL
		SELECT y.k, 'this line would close a reporting cycle: '
			|| (SELECT string_agg(p.slug, ' → ' ORDER BY u.o) FROM unnest(y.target || y.path) WITH ORDINALITY AS u(pid, o)
			    JOIN people p ON p.id = u.pid)
		FROM cyc y
	$q$ USING c, lines;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_reporting_lines_write(cur reporting_lines, n reporting_lines, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
DECLARE
	broken text[];
	conflict text;
BEGIN
	-- Reporting-line writers take turns, so two concurrent lines cannot together close a cycle.
	PERFORM pg_advisory_xact_lock(7406118);
	broken := ow_reporting_line_broken(n.report_id, n.manager_id, n.valid_from, n.valid_to);
	IF broken IS NOT NULL THEN PERFORM ow_raise('OW400', broken[1], broken[2]); END IF;
	SELECT c.message INTO conflict FROM ow_reporting_lines_conflicts(ARRAY[n]) c;
	IF FOUND THEN PERFORM ow_raise('OW409', NULL, conflict); END IF;
	-- Checked above under the writers' lock: the row trigger's check stands aside.
	PERFORM set_config('orgwatch.lines_checked', 'on', true);
	IF cur.id IS NULL THEN
		INSERT INTO reporting_lines (report_id, manager_id, valid_from, valid_to)
		VALUES (n.report_id, n.manager_id, n.valid_from, n.valid_to) RETURNING * INTO n;
	ELSE
		UPDATE reporting_lines SET report_id = n.report_id, manager_id = n.manager_id,
			valid_from = n.valid_from, valid_to = n.valid_to
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM set_config('orgwatch.lines_checked', 'off', true);
	PERFORM ow_link_sources('reporting_line', n.id, d);
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_reporting_line_doc(x)::text END, ow_etag(x.updated_at), x.id FROM reporting_lines x WHERE x.id = n.id;
END $function$;

-- The rules among lines for a write that did not go through ow_reporting_lines_write (the row
-- trigger reporting_lines_no_cycle; the exclusion constraint already keeps one manager at a
-- time). An import checks its batch before it inserts (ow_import_reporting_lines) and ending a line
-- earlier breaks no rule (ow_departures_close): both say so for their statements only.
CREATE OR REPLACE FUNCTION public.ow_reporting_lines_no_cycle()
 RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
	conflict text;
BEGIN
	IF current_setting('orgwatch.lines_checked', true) = 'on' THEN
		RETURN NEW;
	END IF;
	PERFORM pg_advisory_xact_lock(7406118);
	SELECT c.message INTO conflict FROM ow_reporting_lines_conflicts(ARRAY[NEW]) c;
	IF FOUND THEN PERFORM ow_raise('OW409', NULL, conflict); END IF;
	RETURN NEW;
END $function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_reporting_line_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT d, x.id, x.updated_at FROM reporting_lines x
	WHERE x.report_id = ow_ref(d, 'person', 'report') AND coalesce(x.valid_from, '') = coalesce(d ->> 'valid_from', '')
$function$;

CREATE OR REPLACE FUNCTION public.ow_reporting_line_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	SELECT 0, p.slug || '|' || coalesce(l.valid_from, ''), l.id
	FROM reporting_lines l JOIN people p ON p.id = l.report_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_reporting_line_export_line(l reporting_lines) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'reporting_line', 'report', ow_person_slug(l.report_id),
		'manager', ow_person_slug(l.manager_id), 'valid_from', l.valid_from, 'valid_to', l.valid_to,
		'sources', ow_source_urls('reporting_line', l.id)))::text
$function$;

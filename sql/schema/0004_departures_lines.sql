-- 0004_departures_lines.sql — departures (closing positions and reporting lines in the
-- same transaction), layoffs, and reporting lines with their time rules: one manager
-- at any instant (409 naming the overlapping line) and no cycle at any instant.

-- ---------------------------------------------------------------------------
-- Layoffs
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_layoff_summary(l_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', l.id, 'announced_on', l.announced_on, 'count', l.count)
	FROM layoffs l WHERE l.id = l_id
$$;

CREATE FUNCTION ow_layoff_doc(l layoffs, with_departures boolean DEFAULT false) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', l.id, 'org_id', l.org_id, 'org', ow_org_summary(l.org_id),
		'team_id', l.team_id, 'team', ow_team_summary(l.team_id), 'announced_on', l.announced_on,
		'effective_on', l.effective_on, 'count', l.count, 'percentage', l.percentage,
		'description', l.description, 'source_ids', s.ids, 'sources', s.summaries,
		'named_departures', (SELECT count(*) FROM departures d WHERE d.layoff_id = l.id AND d.status <> 'retracted'),
		'departures', CASE WHEN with_departures THEN coalesce((
			SELECT json_agg(json_build_object('id', d.id, 'person', ow_person_summary(d.person_id),
				'team', ow_team_summary(d.team_id), 'title', d.title, 'departed_on', d.departed_on,
				'status', d.status) ORDER BY lower(d.departed_range), d.id)
			FROM departures d WHERE d.layoff_id = l.id AND d.status <> 'retracted'), '[]') END,
		'created_at', ow_ts(l.created_at), 'updated_at', ow_ts(l.updated_at))
	FROM ow_fact_sources('layoff', l.id) s
$$;

CREATE FUNCTION ow_layoffs_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE sql STABLE AS $$
	SELECT ow_layoff_doc(l, true)::text, ow_etag(l.updated_at), NULL::text
	FROM layoffs l WHERE l.id = ow_key('layoff', p_key)
$$;

CREATE FUNCTION ow_layoffs_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur layoffs;
	n layoffs;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::layoffs, d);
		n.org_id := ow_ref(d, 'organization', 'org');
		n.team_id := ow_ref(d, 'team', 'team');
	ELSE
		SELECT * INTO cur FROM layoffs WHERE id = ow_key_404('layoff', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		n.org_id := ow_ref_patch(d, 'organization', 'org', cur.org_id);
		n.team_id := ow_ref_patch(d, 'team', 'team', cur.team_id);
	END IF;
	IF n.team_id IS NOT NULL AND (SELECT org_id FROM teams WHERE id = n.team_id) <> n.org_id THEN
		PERFORM ow_raise('OW400', 'team_id', 'the team belongs to another organization');
	END IF;
	IF p_key IS NULL THEN
		INSERT INTO layoffs (org_id, team_id, announced_on, effective_on, count, percentage, description)
		VALUES (n.org_id, n.team_id, n.announced_on, n.effective_on, n.count, n.percentage, n.description)
		RETURNING * INTO n;
	ELSE
		UPDATE layoffs SET org_id = n.org_id, team_id = n.team_id, announced_on = n.announced_on,
			effective_on = n.effective_on, count = n.count, percentage = n.percentage, description = n.description
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('layoff', n.id, d);
	RETURN QUERY SELECT ow_layoff_doc(l, true)::text, ow_etag(l.updated_at), l.id FROM layoffs l WHERE l.id = n.id;
END $$;

-- ---------------------------------------------------------------------------
-- Departures
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_departure_doc(d departures) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', d.id, 'person_id', d.person_id, 'person', ow_person_summary(d.person_id),
		'org_id', d.org_id, 'org', ow_org_summary(d.org_id), 'team_id', d.team_id,
		'team', ow_team_summary(d.team_id), 'title', d.title, 'departed_on', d.departed_on,
		'announced_on', d.announced_on, 'kind', d.kind, 'reason_category', d.reason_category,
		'reason', d.reason, 'destination_org_id', d.destination_org_id,
		'destination_org', ow_org_summary(d.destination_org_id), 'destination_title', d.destination_title,
		'destination_kind', d.destination_kind, 'layoff_id', d.layoff_id,
		'layoff', ow_layoff_summary(d.layoff_id), 'returned_on', d.returned_on,
		'source_ids', s.ids, 'sources', s.summaries, 'notes', d.notes, 'status', d.status,
		'created_at', ow_ts(d.created_at), 'updated_at', ow_ts(d.updated_at))
	FROM ow_fact_sources('departure', d.id) s
$$;

CREATE FUNCTION ow_departures_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE sql STABLE AS $$
	SELECT ow_departure_doc(d)::text, ow_etag(d.updated_at), NULL::text
	FROM departures d WHERE d.id = ow_key('departure', p_key)
$$;

-- Closes what a departure ends: the person's open positions at the organization that
-- started before the departure, and their open reporting lines (as report or as
-- manager) that started before it. Later edits of the departure never reopen them.
CREATE FUNCTION ow_departure_close(d departures) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	gone date := ow_pdate_lower(d.departed_on);
BEGIN
	UPDATE positions SET ended_on = d.departed_on
	WHERE person_id = d.person_id AND org_id = d.org_id AND ended_on IS NULL
	  AND (started_on IS NULL OR ow_pdate_lower(started_on) <= gone);
	UPDATE reporting_lines SET valid_to = d.departed_on
	WHERE (report_id = d.person_id OR manager_id = d.person_id) AND valid_to IS NULL
	  AND (valid_from IS NULL OR ow_pdate_lower(valid_from) < gone)
	  AND EXISTS (SELECT 1 FROM positions p
		WHERE p.org_id = d.org_id
		  AND p.person_id = CASE WHEN reporting_lines.report_id = d.person_id
		                         THEN reporting_lines.manager_id ELSE reporting_lines.report_id END);
END $$;

CREATE FUNCTION ow_departures_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur departures;
	n departures;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::departures, d);
		n.person_id := ow_ref(d, 'person', 'person');
		n.org_id := ow_ref(d, 'organization', 'org');
		n.team_id := ow_ref(d, 'team', 'team');
		n.destination_org_id := ow_ref(d, 'organization', 'destination_org');
		n.layoff_id := ow_ref(d, 'layoff', 'layoff');
	ELSE
		SELECT * INTO cur FROM departures WHERE id = ow_key_404('departure', p_key) FOR UPDATE;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		n.person_id := ow_ref_patch(d, 'person', 'person', cur.person_id);
		n.org_id := ow_ref_patch(d, 'organization', 'org', cur.org_id);
		n.team_id := ow_ref_patch(d, 'team', 'team', cur.team_id);
		n.destination_org_id := ow_ref_patch(d, 'organization', 'destination_org', cur.destination_org_id);
		n.layoff_id := ow_ref_patch(d, 'layoff', 'layoff', cur.layoff_id);
	END IF;
	IF n.team_id IS NOT NULL AND (SELECT org_id FROM teams WHERE id = n.team_id) <> n.org_id THEN
		PERFORM ow_raise('OW400', 'team_id', 'the team belongs to another organization');
	END IF;
	IF n.returned_on IS NOT NULL AND ow_pdate_lower(n.returned_on) < ow_pdate_lower(n.departed_on) THEN
		PERFORM ow_raise('OW400', 'returned_on', 'must not be before departed_on');
	END IF;
	IF n.layoff_id IS NOT NULL AND (SELECT org_id FROM layoffs WHERE id = n.layoff_id) <> n.org_id THEN
		PERFORM ow_raise('OW400', 'layoff_id', 'the layoff is at another organization');
	END IF;
	IF EXISTS (SELECT 1 FROM departures x WHERE x.person_id = n.person_id AND x.org_id = n.org_id
	           AND x.departed_on = n.departed_on AND x.id IS DISTINCT FROM cur.id) THEN
		PERFORM ow_raise('OW409', NULL, format('%s is already recorded as leaving this organization on %s',
			(SELECT slug FROM people WHERE id = n.person_id), n.departed_on));
	END IF;
	IF p_key IS NULL THEN
		INSERT INTO departures (person_id, org_id, team_id, title, departed_on, announced_on, kind,
			reason_category, reason, destination_org_id, destination_title, destination_kind, layoff_id,
			returned_on, notes, status)
		VALUES (n.person_id, n.org_id, n.team_id, n.title, n.departed_on, n.announced_on,
			coalesce(n.kind, 'unknown'), coalesce(n.reason_category, 'unknown'), n.reason,
			n.destination_org_id, n.destination_title,
			coalesce(n.destination_kind, 'unknown'),
			n.layoff_id, n.returned_on, n.notes, coalesce(n.status, 'reported'))
		RETURNING * INTO n;
		IF n.status <> 'retracted' THEN
			PERFORM ow_departure_close(n);
		END IF;
	ELSE
		UPDATE departures SET person_id = n.person_id, org_id = n.org_id, team_id = n.team_id, title = n.title,
			departed_on = n.departed_on, announced_on = n.announced_on, kind = n.kind,
			reason_category = n.reason_category, reason = n.reason, destination_org_id = n.destination_org_id,
			destination_title = n.destination_title, destination_kind = n.destination_kind,
			layoff_id = n.layoff_id, returned_on = n.returned_on, notes = n.notes, status = n.status
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	PERFORM ow_link_sources('departure', n.id, d);
	RETURN QUERY SELECT ow_departure_doc(x)::text, ow_etag(x.updated_at), x.id FROM departures x WHERE x.id = n.id;
END $$;

-- ---------------------------------------------------------------------------
-- Reporting lines
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_reporting_line_doc(l reporting_lines) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', l.id, 'report_id', l.report_id, 'report', ow_person_summary(l.report_id),
		'manager_id', l.manager_id, 'manager', ow_person_summary(l.manager_id),
		'valid_from', l.valid_from, 'valid_to', l.valid_to, 'source_ids', s.ids, 'sources', s.summaries,
		'created_at', ow_ts(l.created_at), 'updated_at', ow_ts(l.updated_at))
	FROM ow_fact_sources('reporting_line', l.id) s
$$;

CREATE FUNCTION ow_reporting_lines_get(p_key text) RETURNS TABLE (r_doc text, r_etag text, r_moved text)
LANGUAGE sql STABLE AS $$
	SELECT ow_reporting_line_doc(l)::text, ow_etag(l.updated_at), NULL::text
	FROM reporting_lines l WHERE l.id = ow_key('reporting_line', p_key)
$$;

-- The chain of managers above `start` during `span` that reaches `target`, as slugs
-- (NULL when none): following, at some common instant, each person's manager.
CREATE FUNCTION ow_line_cycle(start uuid, target uuid, span daterange, skip uuid) RETURNS text
LANGUAGE sql STABLE AS $$
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
$$;

CREATE FUNCTION ow_reporting_lines_write(p_actor text, p_key text, d jsonb, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
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
	RETURN QUERY SELECT ow_reporting_line_doc(x)::text, ow_etag(x.updated_at), x.id FROM reporting_lines x WHERE x.id = n.id;
END $$;

-- Writes that bypass the functions (psql, future code) still cannot close a cycle.
CREATE FUNCTION ow_reporting_lines_no_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7406118);
	IF ow_line_cycle(NEW.manager_id, NEW.report_id, NEW.period, NEW.id) IS NOT NULL THEN
		PERFORM ow_raise('OW409', NULL, 'this line would close a reporting cycle');
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER reporting_lines_no_cycle AFTER INSERT OR UPDATE OF report_id, manager_id, valid_from, valid_to
ON reporting_lines FOR EACH ROW EXECUTE FUNCTION ow_reporting_lines_no_cycle();

CREATE INDEX reporting_lines_report_period_idx ON reporting_lines USING gist (report_id, period);

-- 0003_people_merge.sql — merging a duplicate person into a survivor: every fact moves
-- in one transaction, names are kept as aliases, the old id and slug redirect (301).

CREATE FUNCTION ow_people_merge(p_actor text, p_key text, p_duplicate text, p_if_match text)
RETURNS TABLE (r_doc text, r_etag text, r_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	keep people;
	dup people;
	names text[];
BEGIN
	PERFORM ow_begin_write(p_actor, 'merge');
	SELECT * INTO keep FROM people WHERE id = ow_key_404('person', p_key) FOR UPDATE;
	SELECT * INTO dup FROM people WHERE id = ow_key_strict('person', p_duplicate, 'duplicate') FOR UPDATE;
	IF dup.id = keep.id THEN
		PERFORM ow_raise('OW400', 'duplicate', 'a person cannot be merged into themself');
	END IF;
	PERFORM ow_check_if_match(keep.updated_at, p_if_match);

	-- Positions: a stint both records hold (same org and start) keeps the survivor's row
	-- and gains the duplicate's sources.
	INSERT INTO position_sources (position_id, source_id)
	SELECT k.id, ps.source_id FROM positions d
	JOIN positions k ON k.person_id = keep.id AND k.org_id = d.org_id
		AND coalesce(k.started_on, '') = coalesce(d.started_on, '')
	JOIN position_sources ps ON ps.position_id = d.id
	WHERE d.person_id = dup.id ON CONFLICT DO NOTHING;
	DELETE FROM positions d USING positions k
	WHERE d.person_id = dup.id AND k.person_id = keep.id AND k.org_id = d.org_id
		AND coalesce(k.started_on, '') = coalesce(d.started_on, '');
	UPDATE positions SET person_id = keep.id WHERE person_id = dup.id;

	-- Departures: the same departure recorded twice keeps the survivor's row.
	INSERT INTO departure_sources (departure_id, source_id)
	SELECT k.id, ds.source_id FROM departures d
	JOIN departures k ON k.person_id = keep.id AND k.org_id = d.org_id AND k.departed_on = d.departed_on
	JOIN departure_sources ds ON ds.departure_id = d.id
	WHERE d.person_id = dup.id ON CONFLICT DO NOTHING;
	DELETE FROM departures d USING departures k
	WHERE d.person_id = dup.id AND k.person_id = keep.id AND k.org_id = d.org_id AND k.departed_on = d.departed_on;
	UPDATE departures SET person_id = keep.id WHERE person_id = dup.id;

	-- Reporting lines: lines between the two become meaningless; the rest move.
	DELETE FROM reporting_lines
	WHERE (report_id = dup.id AND manager_id = keep.id) OR (report_id = keep.id AND manager_id = dup.id);
	BEGIN
		UPDATE reporting_lines SET manager_id = keep.id WHERE manager_id = dup.id;
		UPDATE reporting_lines SET report_id = keep.id WHERE report_id = dup.id;
	EXCEPTION WHEN exclusion_violation OR unique_violation THEN
		PERFORM ow_raise('OW409', NULL, format('%s and %s both have a manager over the same period; '
			'end one of the reporting lines before merging.', keep.slug, dup.slug));
	END;

	SELECT coalesce(array_agg(DISTINCT n), '{}') INTO names
	FROM unnest(keep.aliases || dup.full_name || dup.aliases) n WHERE n <> keep.full_name;
	UPDATE people SET aliases = names,
		tags = ARRAY(SELECT DISTINCT unnest(keep.tags || dup.tags) ORDER BY 1),
		links = dup.links || keep.links, bio = coalesce(keep.bio, dup.bio)
	WHERE id = keep.id;
	UPDATE people_redirects SET survivor_id = keep.id WHERE survivor_id = dup.id;
	INSERT INTO people_redirects (old_id, old_slug, survivor_id) VALUES (dup.id, dup.slug, keep.id);
	DELETE FROM people WHERE id = dup.id;

	RETURN QUERY SELECT ow_person_doc(p)::text, ow_etag(p.updated_at), p.id FROM people p WHERE p.id = keep.id;
END $$;

-- Audit log rows as the API shows them.
CREATE FUNCTION ow_audit_doc(a audit_log) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', a.id, 'at', ow_ts(a.at), 'actor', a.actor, 'entity', a.entity,
		'entity_id', a.entity_id, 'operation', a.operation, 'before', a.before, 'after', a.after)
$$;

-- 10_records.sql — The one entry point for record writes and deletes (dispatch by record type).
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_write(entity text, p_actor text, p_key text, d jsonb, p_if_match text)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid)
 LANGUAGE plpgsql
AS $function$
BEGIN
	PERFORM ow_check_refs(d, ow_entity_refs(entity));
	RETURN QUERY SELECT * FROM ow_write_record(entity, p_actor, p_key, d, p_if_match);
END $function$;

-- The one dispatch of a record write by type (create when p_key is NULL), references
-- already checked: ow_write for the API, ow_import_one for imports.
CREATE OR REPLACE FUNCTION public.ow_write_record(entity text, p_actor text, p_key text, d jsonb, p_if_match text)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid)
 LANGUAGE plpgsql
AS $function$
BEGIN
	CASE entity
	WHEN 'organization' THEN RETURN QUERY SELECT * FROM ow_organizations_write(p_actor, p_key, d, p_if_match);
	WHEN 'team' THEN RETURN QUERY SELECT * FROM ow_teams_write(p_actor, p_key, d, p_if_match);
	WHEN 'person' THEN RETURN QUERY SELECT * FROM ow_people_write(p_actor, p_key, d, p_if_match);
	WHEN 'source' THEN RETURN QUERY SELECT * FROM ow_sources_write(p_actor, p_key, d, p_if_match);
	WHEN 'position' THEN RETURN QUERY SELECT * FROM ow_positions_write(p_actor, p_key, d, p_if_match);
	WHEN 'reporting_line' THEN RETURN QUERY SELECT * FROM ow_reporting_lines_write(p_actor, p_key, d, p_if_match);
	WHEN 'departure' THEN RETURN QUERY SELECT * FROM ow_departures_write(p_actor, p_key, d, p_if_match);
	WHEN 'layoff' THEN RETURN QUERY SELECT * FROM ow_layoffs_write(p_actor, p_key, d, p_if_match);
	ELSE PERFORM ow_raise('OW400', 'type', format('unknown record type %L', entity));
	END CASE;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_record_delete(entity text, p_actor text, p_key text, p_if_match text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
	rid uuid;
	updated timestamptz;
	refs text;
BEGIN
	PERFORM ow_begin_write(p_actor);
	rid := ow_key_404(entity, p_key);
	CASE entity
	WHEN 'person' THEN SELECT updated_at INTO updated FROM people WHERE id = rid FOR UPDATE;
	WHEN 'organization' THEN SELECT updated_at INTO updated FROM organizations WHERE id = rid FOR UPDATE;
	WHEN 'team' THEN SELECT updated_at INTO updated FROM teams WHERE id = rid FOR UPDATE;
	WHEN 'source' THEN SELECT updated_at INTO updated FROM sources WHERE id = rid FOR UPDATE;
	WHEN 'position' THEN SELECT updated_at INTO updated FROM positions WHERE id = rid FOR UPDATE;
	WHEN 'reporting_line' THEN SELECT updated_at INTO updated FROM reporting_lines WHERE id = rid FOR UPDATE;
	WHEN 'departure' THEN SELECT updated_at INTO updated FROM departures WHERE id = rid FOR UPDATE;
	WHEN 'layoff' THEN SELECT updated_at INTO updated FROM layoffs WHERE id = rid FOR UPDATE;
	END CASE;
	PERFORM ow_check_if_match(updated, p_if_match);
	refs := ow_refs(entity, rid);
	IF refs IS NOT NULL THEN
		PERFORM ow_raise('OW409', NULL, format('Other records refer to this %s: %s. Delete or change them first.',
			ow_entity_label(entity), refs));
	END IF;
	CASE entity
	WHEN 'person' THEN DELETE FROM people WHERE id = rid;
	WHEN 'organization' THEN DELETE FROM organizations WHERE id = rid;
	WHEN 'team' THEN DELETE FROM teams WHERE id = rid;
	WHEN 'source' THEN DELETE FROM sources WHERE id = rid;
	WHEN 'position' THEN DELETE FROM positions WHERE id = rid;
	WHEN 'reporting_line' THEN DELETE FROM reporting_lines WHERE id = rid;
	WHEN 'departure' THEN DELETE FROM departures WHERE id = rid;
	WHEN 'layoff' THEN DELETE FROM layoffs WHERE id = rid;
	END CASE;
END $function$;

-- 10_records.sql — The one entry point for record writes: references checked, then the write
-- of the record's type (ow_write_record, generated: 90_record_types.sql).
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_write(entity text, p_actor text, p_key text, d jsonb, p_if_match text)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM ow_check_refs(d, ow_entity_refs(entity));
	RETURN QUERY SELECT * FROM ow_write_record(entity, p_actor, p_key, d, p_if_match);
END $function$;


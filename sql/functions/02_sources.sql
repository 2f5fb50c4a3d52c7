-- 02_sources.sql — Sources and the source links of facts.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_source_doc(s sources)
 RETURNS json
 LANGUAGE sql
 STABLE
AS $function$
	SELECT json_build_object('id', s.id, 'url', s.url, 'title', s.title, 'publisher', s.publisher,
		'author', s.author, 'published_on', s.published_on,
		'created_at', ow_ts(s.created_at), 'updated_at', ow_ts(s.updated_at))
$function$;

CREATE OR REPLACE FUNCTION public.ow_source_urls(entity text, fact uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
	SELECT coalesce(jsonb_agg(s.url ORDER BY s.url), '[]') FROM sources s WHERE s.id IN (
		SELECT source_id FROM position_sources WHERE entity = 'position' AND position_id = fact
		UNION ALL SELECT source_id FROM reporting_line_sources WHERE entity = 'reporting_line' AND reporting_line_id = fact
		UNION ALL SELECT source_id FROM departure_sources WHERE entity = 'departure' AND departure_id = fact
		UNION ALL SELECT source_id FROM layoff_sources WHERE entity = 'layoff' AND layoff_id = fact)
$function$;

CREATE OR REPLACE FUNCTION public.ow_sources_write(p_actor text, p_key text, d jsonb, p_if_match text)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid)
 LANGUAGE plpgsql
AS $function$
DECLARE
	cur sources;
	n sources;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::sources, d);
		INSERT INTO sources (url, title, publisher, author, published_on)
		VALUES (n.url, n.title, n.publisher, n.author, n.published_on)
		RETURNING * INTO n;
	ELSE
		SELECT * INTO cur FROM sources WHERE id = ow_key_404('source', p_key) FOR UPDATE;
		PERFORM ow_check_locked(FOUND, cur.updated_at, 'source', p_key, p_if_match);
		n := jsonb_populate_record(cur, d);
		UPDATE sources SET url = n.url, title = n.title, publisher = n.publisher, author = n.author,
			published_on = n.published_on
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_source_doc(n)::text END, ow_etag(n.updated_at), n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_fact_sources(entity text, fact uuid)
 RETURNS TABLE(ids json, summaries json)
 LANGUAGE sql
 STABLE
AS $function$
	WITH links AS (
		SELECT source_id FROM position_sources WHERE entity = 'position' AND position_id = fact
		UNION ALL SELECT source_id FROM reporting_line_sources WHERE entity = 'reporting_line' AND reporting_line_id = fact
		UNION ALL SELECT source_id FROM departure_sources WHERE entity = 'departure' AND departure_id = fact
		UNION ALL SELECT source_id FROM layoff_sources WHERE entity = 'layoff' AND layoff_id = fact
	)
	SELECT coalesce(json_agg(s.id ORDER BY s.url), '[]'),
	       coalesce(json_agg(json_build_object('id', s.id, 'url', s.url, 'publisher', s.publisher,
			'title', s.title) ORDER BY s.url), '[]')
	FROM links l JOIN sources s ON s.id = l.source_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_link_sources(entity text, fact uuid, d jsonb)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
	field text := CASE WHEN d ? 'source_ids' THEN 'source_ids' WHEN d ? 'sources' THEN 'sources' END;
	ids uuid[] := '{}';
	old_ids uuid[];
	item text;
BEGIN
	IF field IS NULL THEN RETURN; END IF;
	IF jsonb_typeof(d -> field) = 'array' THEN
		FOR item IN SELECT jsonb_array_elements_text(d -> field) LOOP
			ids := ids || ow_key_strict('source', item, field);
		END LOOP;
	END IF;
	ids := ARRAY(SELECT DISTINCT unnest(ids) ORDER BY 1);
	IF entity = 'position' THEN
		old_ids := ARRAY(SELECT source_id FROM position_sources WHERE position_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM position_sources WHERE position_id = fact;
		INSERT INTO position_sources SELECT fact, unnest(ids);
	ELSIF entity = 'reporting_line' THEN
		old_ids := ARRAY(SELECT source_id FROM reporting_line_sources WHERE reporting_line_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM reporting_line_sources WHERE reporting_line_id = fact;
		INSERT INTO reporting_line_sources SELECT fact, unnest(ids);
	ELSIF entity = 'departure' THEN
		old_ids := ARRAY(SELECT source_id FROM departure_sources WHERE departure_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM departure_sources WHERE departure_id = fact;
		INSERT INTO departure_sources SELECT fact, unnest(ids);
	ELSE
		old_ids := ARRAY(SELECT source_id FROM layoff_sources WHERE layoff_id = fact ORDER BY 1);
		IF old_ids = ids THEN RETURN; END IF;
		DELETE FROM layoff_sources WHERE layoff_id = fact;
		INSERT INTO layoff_sources SELECT fact, unnest(ids);
	END IF;
	IF old_ids <> '{}' OR ids <> '{}' THEN
		PERFORM set_config('orgwatch.force_touch', '1', true);
		CASE entity
		WHEN 'position' THEN UPDATE positions SET updated_at = updated_at WHERE id = fact;
		WHEN 'reporting_line' THEN UPDATE reporting_lines SET updated_at = updated_at WHERE id = fact;
		WHEN 'departure' THEN UPDATE departures SET updated_at = updated_at WHERE id = fact;
		ELSE UPDATE layoffs SET updated_at = updated_at WHERE id = fact;
		END CASE;
		PERFORM set_config('orgwatch.force_touch', '0', true);
	END IF;
END $function$;

-- The record type's SQL surface under the fixed names the generated dispatch calls
-- (90_record_types.sql, `orgwatch sql-types`; docs/ARCHITECTURE.md, "Adding a record type"):
-- its id by its own key, the record an import line names, what refers to a record, export
-- order and line.

CREATE OR REPLACE FUNCTION public.ow_source_by_key(k text) RETURNS uuid
 LANGUAGE sql STABLE AS $function$
	SELECT id FROM sources WHERE url = k
$function$;

CREATE OR REPLACE FUNCTION public.ow_source_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT d, x.id, x.updated_at FROM sources x WHERE x.url = d ->> 'url'
$function$;

CREATE OR REPLACE FUNCTION public.ow_source_refs(rid uuid) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT ow_refs_words(ARRAY[
		(SELECT count(*) FROM position_sources WHERE source_id = rid),
		(SELECT count(*) FROM reporting_line_sources WHERE source_id = rid),
		(SELECT count(*) FROM departure_sources WHERE source_id = rid),
		(SELECT count(*) FROM layoff_sources WHERE source_id = rid)],
		ARRAY['position citing it', 'reporting line citing it', 'departure citing it', 'layoff citing it'],
		ARRAY['positions citing it', 'reporting lines citing it', 'departures citing it', 'layoffs citing it'])
$function$;

CREATE OR REPLACE FUNCTION public.ow_source_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	SELECT 0, s.url, s.id FROM sources s
$function$;

CREATE OR REPLACE FUNCTION public.ow_source_export_line(s sources) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'source', 'url', s.url, 'title', s.title,
		'publisher', s.publisher, 'author', s.author, 'published_on', s.published_on))::text
$function$;

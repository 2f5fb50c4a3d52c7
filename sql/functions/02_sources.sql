-- 02_sources.sql — Sources and the source links of facts.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_source_doc(s sources)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', s.id, 'url', s.url, 'title', s.title, 'publisher', s.publisher,
		'author', s.author, 'published_on', s.published_on,
		'created_at', ow_ts(s.created_at), 'updated_at', ow_ts(s.updated_at))
$function$;

-- The source links of facts: the switch over the types that cite sources is generated
-- (ow_fact_source_ids, ow_fact_sources_replace in 90_record_types.sql).
CREATE OR REPLACE FUNCTION public.ow_source_urls(entity text, fact uuid)
 RETURNS jsonb LANGUAGE sql STABLE AS $function$
	SELECT coalesce(jsonb_agg(s.url ORDER BY s.url), '[]') FROM sources s
	WHERE s.id IN (SELECT l.source_id FROM ow_fact_source_ids(entity, fact) l(source_id))
$function$;

CREATE OR REPLACE FUNCTION public.ow_sources_write(cur sources, n sources, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
BEGIN
	IF cur.id IS NULL THEN
		INSERT INTO sources (url, title, publisher, author, published_on)
		VALUES (n.url, n.title, n.publisher, n.author, n.published_on)
		RETURNING * INTO n;
	ELSE
		UPDATE sources SET url = n.url, title = n.title, publisher = n.publisher, author = n.author,
			published_on = n.published_on
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_source_doc(n)::text END, ow_etag(n.updated_at), n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_fact_sources(entity text, fact uuid)
 RETURNS TABLE(ids json, summaries json) LANGUAGE sql STABLE AS $function$
	SELECT coalesce(json_agg(s.id ORDER BY s.url), '[]'),
	       coalesce(json_agg(json_build_object('id', s.id, 'url', s.url, 'publisher', s.publisher,
			'title', s.title) ORDER BY s.url), '[]')
	FROM ow_fact_source_ids(entity, fact) l(source_id) JOIN sources s ON s.id = l.source_id
$function$;

-- A fact's sources set from the write's source_ids (or sources): every key a source, the
-- links replaced only when the set differs (and then the fact's updated_at moves).
CREATE OR REPLACE FUNCTION public.ow_link_sources(entity text, fact uuid, d jsonb)
 RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
	field text := CASE WHEN d ? 'source_ids' THEN 'source_ids' WHEN d ? 'sources' THEN 'sources' END;
	ids uuid[] := '{}';
	item text;
BEGIN
	IF field IS NULL THEN RETURN; END IF;
	IF jsonb_typeof(d -> field) = 'array' THEN
		FOR item IN SELECT jsonb_array_elements_text(d -> field) LOOP
			ids := ids || ow_key_strict('source', item, field);
		END LOOP;
	END IF;
	ids := ARRAY(SELECT DISTINCT unnest(ids) ORDER BY 1);
	IF ARRAY(SELECT x FROM ow_fact_source_ids(entity, fact) x ORDER BY 1) <> ids THEN
		PERFORM ow_fact_sources_replace(entity, fact, ids);
	END IF;
END $function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): its id by its own key, the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_source_by_key(k text) RETURNS uuid
 LANGUAGE sql STABLE AS $function$
	SELECT id FROM sources WHERE url = k
$function$;

CREATE OR REPLACE FUNCTION public.ow_source_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT d, x.id, x.updated_at FROM sources x WHERE x.url = d ->> 'url'
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

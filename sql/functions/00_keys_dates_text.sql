-- 00_keys_dates_text.sql — Keys (ids, slugs, natural keys), partial dates, text folding, ETags, merge patches, references, idempotency.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_fold(t text)
 RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $function$
BEGIN
	RETURN lower(public.unaccent('public.unaccent'::regdictionary, t));
END $function$;

CREATE OR REPLACE FUNCTION public.ow_slugify(t text)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT coalesce(nullif(left(btrim(regexp_replace(ow_fold(coalesce(t, '')), '[^a-z0-9]+', '-', 'g'), '-'), 80), ''), 'x')
$function$;

-- A text field as stored: whitespace trimmed at both ends, NULL when nothing is left.
CREATE OR REPLACE FUNCTION public.ow_trimmed(t text)
 RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $function$
	SELECT nullif(regexp_replace(t, '^\s+|\s+$', '', 'g'), '')
$function$;

CREATE OR REPLACE FUNCTION public.ow_unique_slug(tbl text, name text, org uuid DEFAULT NULL::uuid)
 RETURNS text LANGUAGE plpgsql AS $function$
DECLARE
	base text := btrim(left(ow_slugify(name), 80), '-');
	candidate text := base;
	n int := 1;
	taken boolean;
BEGIN
	LOOP
		IF tbl = 'people' THEN
			SELECT candidate = 'duplicates' OR EXISTS (SELECT 1 FROM people WHERE slug = candidate)
			    OR EXISTS (SELECT 1 FROM people_redirects WHERE old_slug = candidate) INTO taken;
		ELSIF tbl = 'organizations' THEN
			SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = candidate) INTO taken;
		ELSE
			SELECT EXISTS (SELECT 1 FROM teams WHERE org_id = org AND slug = candidate) INTO taken;
		END IF;
		EXIT WHEN NOT taken;
		n := n + 1;
		candidate := base || '-' || n;
	END LOOP;
	RETURN candidate;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_is_uuid(t text)
 RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $function$
	SELECT t ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$function$;

-- The key as an id when it is one, else NULL (never an error): point reads match
-- "id = ow_uuid_or_null(key) OR slug = key", two index probes (inlined).
CREATE OR REPLACE FUNCTION public.ow_uuid_or_null(t text)
 RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $function$
	SELECT CASE WHEN ow_is_uuid(t) THEN t::uuid END
$function$;

-- The summaries embedded in documents ({id, slug, full_name|name}, or null when the joined
-- row is missing): expressions the planner inlines, over rows joined by the statement.
CREATE OR REPLACE FUNCTION public.ow_person_ref(p people)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT CASE WHEN p.id IS NOT NULL THEN json_build_object('id', p.id, 'slug', p.slug, 'full_name', p.full_name) END
$function$;

CREATE OR REPLACE FUNCTION public.ow_org_ref(o organizations)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT CASE WHEN o.id IS NOT NULL THEN json_build_object('id', o.id, 'slug', o.slug, 'name', o.name) END
$function$;

CREATE OR REPLACE FUNCTION public.ow_team_ref(t teams)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT CASE WHEN t.id IS NOT NULL THEN json_build_object('id', t.id, 'slug', t.slug, 'name', t.name) END
$function$;

-- Raises the 404 of a record that a key did not find. A statement whose rows depend on a
-- key calls this when it found none (IF NOT FOUND), so the 404 never rests on the plan having
-- evaluated ow_key_404 inside a predicate: over an empty table a scan evaluates none.
CREATE OR REPLACE FUNCTION public.ow_not_found(entity text, k text)
 RETURNS void LANGUAGE plpgsql STABLE AS $function$
BEGIN
	PERFORM ow_raise('OW404', NULL, format('No %s with id or slug %L.', ow_entity_label(entity), k));
END $function$;

CREATE OR REPLACE FUNCTION public.ow_key_404(entity text, k text)
 RETURNS uuid LANGUAGE plpgsql STABLE AS $function$
DECLARE
	r uuid := ow_key(entity, k);
BEGIN
	IF r IS NULL THEN
		PERFORM ow_not_found(entity, k);
	END IF;
	RETURN r;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_key_strict(entity text, k text, field text)
 RETURNS uuid LANGUAGE plpgsql STABLE AS $function$
DECLARE
	r uuid := ow_key(entity, k);
BEGIN
	IF k IS NOT NULL AND r IS NULL THEN
		PERFORM ow_raise('OW400', field, ow_ref_missing(entity, k));
	END IF;
	RETURN r;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_pdate_lower(t text)
 RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $function$ SELECT lower(ow_pdate_range(t)) $function$;

-- The date helpers are plain SQL (one CASE expression each), so the planner inlines them
-- into the generated columns (period, departed_range...), the pdate domain's check and every
-- statement, instead of calling PL/pgSQL for each row (issue 13). CASE keeps the order of the
-- tests: nothing is cast before the pattern has matched.
CREATE OR REPLACE FUNCTION public.ow_pdate_range(t text)
 RETURNS daterange LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $function$
	SELECT CASE
		WHEN t IS NULL OR NOT ow_pdate_valid(t) THEN NULL::daterange
		WHEN length(t) = 4 THEN daterange(make_date(substr(t, 1, 4)::int, 1, 1),
			make_date(substr(t, 1, 4)::int + 1, 1, 1))
		WHEN length(t) = 7 THEN daterange(make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1),
			(make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1) + interval '1 month')::date)
		ELSE daterange(make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int),
			make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int) + 1)
	END
$function$;

CREATE OR REPLACE FUNCTION public.ow_pdate_valid(t text)
 RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $function$
	SELECT CASE
		WHEN t IS NULL THEN true
		WHEN t !~ '^\d{4}(-\d{2}(-\d{2})?)?$' THEN false
		WHEN substr(t, 1, 4)::int < 1 THEN false
		WHEN length(t) = 4 THEN true
		WHEN substr(t, 6, 2)::int NOT BETWEEN 1 AND 12 THEN false
		WHEN length(t) = 7 THEN true
		ELSE substr(t, 9, 2)::int BETWEEN 1 AND extract(day FROM (make_date(substr(t, 1, 4)::int,
			substr(t, 6, 2)::int, 1) + interval '1 month - 1 day'))::int
	END
$function$;

CREATE OR REPLACE FUNCTION public.ow_period(from_t text, to_t text)
 RETURNS daterange LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $function$
	SELECT daterange(ow_pdate_lower(from_t), ow_pdate_lower(to_t), '[)')
$function$;

CREATE OR REPLACE FUNCTION public.ow_ts(t timestamp with time zone)
 RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $function$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$function$;

CREATE OR REPLACE FUNCTION public.ow_etag(t timestamp with time zone)
 RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $function$
	SELECT '"' || to_hex((extract(epoch FROM t) * 1000000)::bigint) || '"'
$function$;

CREATE OR REPLACE FUNCTION public.ow_label(v text)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE WHEN v IS NULL THEN 'Unknown' ELSE initcap(replace(v, '_', ' ')) END
$function$;

CREATE OR REPLACE FUNCTION public.ow_entity_label(entity text)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT replace(entity, '_', ' ')
$function$;

-- The words of a reference that names no record (k: the key given), the one place they are
-- written: a single write (ow_check_refs, ow_key_strict) and an import's staged references
-- (ow_import_ref_errors) say it alike.
CREATE OR REPLACE FUNCTION public.ow_ref_missing(entity text, k text)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT format('no %s with id or %s %L', replace(entity, '_', ' '),
		CASE entity WHEN 'source' THEN 'url' WHEN 'team' THEN 'org/team slug' ELSE 'slug' END, k)
$function$;

CREATE OR REPLACE FUNCTION public.ow_raise(code text, field text, msg text)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg, COLUMN = coalesce(field, '');
END $function$;

CREATE OR REPLACE FUNCTION public.ow_merge_patch(target jsonb, patch jsonb)
 RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $function$
DECLARE
	k text; v jsonb; result jsonb;
BEGIN
	IF patch IS NULL OR jsonb_typeof(patch) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(patch) <> 'object' THEN RETURN patch; END IF;
	result := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
	FOR k, v IN SELECT * FROM jsonb_each(patch) LOOP
		IF jsonb_typeof(v) = 'null' THEN
			result := result - k;
		ELSE
			result := jsonb_set(result, ARRAY[k], ow_merge_patch(result -> k, v));
		END IF;
	END LOOP;
	RETURN result;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_team_key(t_id uuid)
 RETURNS text LANGUAGE sql STABLE AS $function$
	SELECT o.slug || '/' || t.slug FROM teams t JOIN organizations o ON o.id = t.org_id WHERE t.id = t_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_org_slug(o_id uuid)
 RETURNS text LANGUAGE sql STABLE AS $function$ SELECT slug FROM organizations WHERE id = o_id $function$;

CREATE OR REPLACE FUNCTION public.ow_person_slug(p_id uuid)
 RETURNS text LANGUAGE sql STABLE AS $function$ SELECT slug FROM people WHERE id = p_id $function$;

CREATE OR REPLACE FUNCTION public.ow_ref(d jsonb, entity text, f text)
 RETURNS uuid LANGUAGE sql STABLE AS $function$
	SELECT CASE WHEN d ? (f || '_id') THEN ow_key_strict(entity, d ->> (f || '_id'), f || '_id')
	            ELSE ow_key_strict(entity, d ->> f, f) END
$function$;

CREATE OR REPLACE FUNCTION public.ow_ref_patch(d jsonb, entity text, f text, current uuid)
 RETURNS uuid LANGUAGE sql STABLE AS $function$
	SELECT CASE WHEN d ? (f || '_id') OR d ? f THEN ow_ref(d, entity, f) ELSE current END
$function$;

-- "2 positions, 1 departure": the counts n[i] > 0 with their words (one[i] or many[i]);
-- NULL when all are 0. Each type's ow_<type>_refs says what refers to a record with it.
CREATE OR REPLACE FUNCTION public.ow_refs_words(n bigint[], one text[], many text[])
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT string_agg(c.n || ' ' || CASE WHEN c.n = 1 THEN one[c.i] ELSE many[c.i] END, ', ' ORDER BY c.i)
	FROM unnest(n) WITH ORDINALITY AS c(n, i) WHERE c.n > 0
$function$;

CREATE OR REPLACE FUNCTION public.ow_check_refs(d jsonb, refs text[])
 RETURNS void LANGUAGE plpgsql STABLE AS $function$
DECLARE
	r text;
	entity text;
	f text;
	given text;
	name text;
	item text;
	errs jsonb := '[]';
BEGIN
	FOREACH r IN ARRAY refs LOOP
		entity := split_part(r, ':', 1);
		f := split_part(r, ':', 2);
		IF entity = 'sources' THEN
			name := CASE WHEN d ? 'source_ids' THEN 'source_ids' WHEN d ? 'sources' THEN 'sources' END;
			IF name IS NOT NULL AND jsonb_typeof(d -> name) = 'array' THEN
				FOR item IN SELECT jsonb_array_elements_text(d -> name) LOOP
					IF ow_key('source', item) IS NULL THEN
						errs := errs || jsonb_build_object('field', name, 'message', ow_ref_missing('source', item));
					END IF;
				END LOOP;
			END IF;
			CONTINUE;
		END IF;
		name := CASE WHEN d ? (f || '_id') THEN f || '_id' WHEN d ? f THEN f END;
		given := d ->> name;
		IF given IS NOT NULL AND ow_key(entity, given) IS NULL THEN
			errs := errs || jsonb_build_object('field', name, 'message', ow_ref_missing(entity, given));
		END IF;
	END LOOP;
	IF jsonb_array_length(errs) > 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'OW400', MESSAGE = errs -> 0 ->> 'message',
			COLUMN = errs -> 0 ->> 'field', DETAIL = errs::text;
	END IF;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_check_if_match(updated timestamp with time zone, if_match text)
 RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
	tag text;
BEGIN
	IF if_match IS NULL OR btrim(if_match) = '*' THEN RETURN; END IF;
	FOREACH tag IN ARRAY string_to_array(if_match, ',') LOOP
		tag := regexp_replace(btrim(tag), '^W/', '');
		IF tag = ow_etag(updated) THEN RETURN; END IF;
	END LOOP;
	PERFORM ow_raise('OW412', NULL, 'If-Match does not match the current ETag ' || ow_etag(updated)
		|| '; read the record again and retry.');
END $function$;

-- The step every change of a record takes once it has read the record FOR UPDATE (row_found:
-- FOUND of that read; an empty table evaluates no key in its WHERE): 404 when the key named
-- none, 412 on a stale If-Match. The writes of each type and ow_record_lock call it.
CREATE OR REPLACE FUNCTION public.ow_check_locked(row_found boolean, updated timestamp with time zone, entity text, p_key text, p_if_match text)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	IF NOT row_found THEN
		PERFORM ow_not_found(entity, p_key);
	END IF;
	PERFORM ow_check_if_match(updated, p_if_match);
END $function$;

CREATE OR REPLACE FUNCTION public.ow_touch()
 RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
	derived text[] := ARRAY['updated_at', 'period', 'search_text', 'departed_range',
		'announced_range', 'published_range'];
BEGIN
	-- A set-based statement that sets updated_at itself (ow_departures_close).
	IF current_setting('orgwatch.touched', true) = 'on' THEN
		RETURN NEW;
	END IF;
	IF to_jsonb(NEW) - derived IS DISTINCT FROM to_jsonb(OLD) - derived
	   OR current_setting('orgwatch.force_touch', true) = '1' THEN
		NEW.updated_at := clock_timestamp();
	ELSE
		NEW.updated_at := OLD.updated_at;
	END IF;
	RETURN NEW;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_docs_wanted()
 RETURNS boolean LANGUAGE sql STABLE AS $function$
	SELECT coalesce(current_setting('orgwatch.import', true), '') <> 'on'
$function$;

CREATE OR REPLACE FUNCTION public.ow_idem_claim(p_actor text, p_key text, p_method text, p_path text, p_body text)
 RETURNS TABLE(r_state text, r_status integer, r_location text, r_etag text, r_response text) LANGUAGE plpgsql AS $function$
DECLARE
	h text := encode(sha256(convert_to(p_body, 'UTF8')), 'hex');
	row idempotency_keys;
BEGIN
	DELETE FROM idempotency_keys WHERE actor = p_actor AND key = p_key AND created_at < now() - interval '24 hours';
	INSERT INTO idempotency_keys (actor, key, method, path, body_hash, status, response)
	VALUES (p_actor, p_key, p_method, p_path, h, 0, '')
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		RETURN QUERY SELECT 'new'::text, 0, NULL::text, NULL::text, NULL::text;
		RETURN;
	END IF;
	SELECT * INTO row FROM idempotency_keys WHERE actor = p_actor AND key = p_key;
	IF row.method <> p_method OR row.path <> p_path OR row.body_hash <> h THEN
		RETURN QUERY SELECT 'mismatch'::text, 0, NULL::text, NULL::text, NULL::text;
		RETURN;
	END IF;
	RETURN QUERY SELECT 'replay'::text, row.status, row.location, row.etag, row.response;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_idem_store(p_actor text, p_key text, p_status integer, p_location text, p_etag text, p_response text)
 RETURNS void LANGUAGE sql AS $function$
	UPDATE idempotency_keys SET status = p_status, location = p_location, etag = p_etag, response = p_response
	WHERE actor = p_actor AND key = p_key
$function$;

-- 16_import_same_record.sql — Two rules of an import applied to the whole file before any
-- record is written (issue 26): organizations named by name, and lines naming one record.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").
--
-- Both read and rewrite the staged file (ow_import_spool) and write what they find into
-- ow_import_result: ('error' rows, 'duplicate' rows with the first line in message,
-- 'created_organization' rows with the new slug in message). A line found wrong here is
-- taken out of the file, so that it is named once.

-- A name as organizations are matched by it: trimmed, runs of whitespace one space, lower case.
CREATE OR REPLACE FUNCTION public.ow_org_name_fold(t text)
 RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $function$
	SELECT lower(regexp_replace(btrim(t), '\s+', ' ', 'g'))
$function$;

-- Organizations by name. A reference to an organization (`org`, `destination_org`, an
-- organization's `parent`) that is no id and no slug of an organization (in the database or
-- on an organization line of the file) is matched by name, case- and space-insensitively,
-- against the same two sets: one match → the reference becomes its slug; several → an error
-- naming the candidates; none → with p_create the organization is created (kind company,
-- slug from the name; the first line naming it creates it, and the answer lists it), unless
-- that slug is taken by an organization of another name (an error naming it: creating
-- "meta-2" beside "meta" would split a company in two); without p_create the line goes on
-- to the reference check, which names it as unknown.
CREATE OR REPLACE FUNCTION public.ow_import_org_names(p_actor text, p_create boolean)
 RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
	m record;
	new_id uuid;
	new_slug text;
BEGIN
	DROP TABLE IF EXISTS pg_temp.ow_import_orgref;
	CREATE TEMP TABLE ow_import_orgref ON COMMIT DROP AS
	WITH file_orgs AS (
		SELECT coalesce(s.doc ->> 'slug', ow_slugify(s.doc ->> 'name')) AS slug, s.doc ->> 'name' AS name
		FROM ow_import_spool s WHERE s.type = 'organization'
	), refs AS (
		SELECT s.line, f.field, s.doc ->> f.field AS v
		FROM ow_import_spool s
		CROSS JOIN LATERAL (VALUES ('org'), ('destination_org'), ('parent')) f(field)
		WHERE jsonb_typeof(s.doc -> f.field) = 'string'
		  AND CASE f.field WHEN 'org' THEN s.type IN ('team', 'position', 'departure', 'layoff')
			WHEN 'destination_org' THEN s.type = 'departure' ELSE s.type = 'organization' END
	)
	SELECT r.line, r.field, r.v, ow_org_name_fold(r.v) AS folded
	FROM refs r
	WHERE NOT ow_is_uuid(r.v)
	  AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.slug = r.v)
	  AND NOT EXISTS (SELECT 1 FROM file_orgs f WHERE f.slug = r.v);
	IF NOT EXISTS (SELECT 1 FROM ow_import_orgref) THEN
		RETURN;
	END IF;
	DROP TABLE IF EXISTS pg_temp.ow_import_orgname;
	CREATE TEMP TABLE ow_import_orgname ON COMMIT DROP AS
	WITH names AS (SELECT DISTINCT folded FROM ow_import_orgref), cand AS (
		SELECT ow_org_name_fold(o.name) AS folded, o.slug FROM organizations o
		WHERE ow_org_name_fold(o.name) IN (SELECT folded FROM names)
		UNION
		SELECT ow_org_name_fold(s.doc ->> 'name'), coalesce(s.doc ->> 'slug', ow_slugify(s.doc ->> 'name'))
		FROM ow_import_spool s
		WHERE s.type = 'organization' AND ow_org_name_fold(s.doc ->> 'name') IN (SELECT folded FROM names)
	)
	SELECT n.folded, array_agg(c.slug ORDER BY c.slug) FILTER (WHERE c.slug IS NOT NULL) AS slugs
	FROM names n LEFT JOIN cand c ON c.folded = n.folded GROUP BY n.folded;
	-- Several organizations by that name.
	INSERT INTO ow_import_result
	SELECT r.line, 'error', r.field, format('%s organizations are named %L: %s; give the slug of one',
		cardinality(n.slugs), r.v, array_to_string(n.slugs, ', '))
	FROM ow_import_orgref r JOIN ow_import_orgname n ON n.folded = r.folded
	WHERE cardinality(n.slugs) > 1;
	-- None: created on request, first line first.
	IF p_create THEN
		FOR m IN SELECT DISTINCT ON (r.folded) r.folded, r.line, r.field, r.v
			FROM ow_import_orgref r JOIN ow_import_orgname n ON n.folded = r.folded
			WHERE n.slugs IS NULL ORDER BY r.folded, r.line LOOP
			new_slug := ow_slugify(m.v);
			IF EXISTS (SELECT 1 FROM organizations o WHERE o.slug = new_slug)
			   OR EXISTS (SELECT 1 FROM ow_import_spool s WHERE s.type = 'organization'
				AND coalesce(s.doc ->> 'slug', ow_slugify(s.doc ->> 'name')) = new_slug) THEN
				INSERT INTO ow_import_result
				SELECT r.line, 'error', r.field, format('no organization is named %L, and the slug %L that '
					'?create=organizations would give it belongs to another organization (%s): give that slug, '
					'or add the organization on a line of its own with a slug', r.v, new_slug,
					coalesce((SELECT o.name FROM organizations o WHERE o.slug = new_slug), 'on a line of this file'))
				FROM ow_import_orgref r WHERE r.folded = m.folded;
				CONTINUE;
			END IF;
			SELECT w.r_id INTO new_id FROM ow_write_record('organization', p_actor, NULL,
				jsonb_build_object('name', regexp_replace(btrim(m.v), '\s+', ' ', 'g'), 'kind', 'company',
					'slug', new_slug), NULL) w;
			INSERT INTO ow_import_result VALUES (NULL, 'created', NULL, NULL),
				(m.line, 'created_organization', m.field, new_slug);
			UPDATE ow_import_orgname n SET slugs = ARRAY[new_slug] WHERE n.folded = m.folded;
		END LOOP;
	END IF;
	-- One: the reference becomes the slug.
	UPDATE ow_import_spool s SET doc = jsonb_set(s.doc, ARRAY[r.field], to_jsonb(n.slugs[1]))
	FROM ow_import_orgref r JOIN ow_import_orgname n ON n.folded = r.folded
	WHERE s.line = r.line AND cardinality(n.slugs) = 1;
	DELETE FROM ow_import_spool s WHERE s.line IN (SELECT e.line FROM ow_import_result e WHERE e.outcome = 'error');
END $function$;

-- The natural key of a staged record as its line gives it (the keys of the upsert, see
-- ow_import_one), and the names of the fields that make it: NULL for a type without one.
-- References count as written (a slug and the same record's id are two keys here; the
-- upsert still finds one record for both).
CREATE OR REPLACE FUNCTION public.ow_import_natural_key(p_type text, d jsonb)
 RETURNS TABLE(nk text, fields text[]) LANGUAGE sql IMMUTABLE AS $function$
	SELECT k.nk::text, ARRAY(SELECT f FROM unnest(k.fields) f WHERE d ? f)
	FROM (SELECT CASE p_type
		WHEN 'organization' THEN jsonb_build_array(coalesce(d ->> 'slug', ow_slugify(d ->> 'name')))
		WHEN 'person' THEN jsonb_build_array(coalesce(d ->> 'slug', ow_slugify(d ->> 'full_name')))
		WHEN 'team' THEN jsonb_build_array(coalesce(d ->> 'org_id', d ->> 'org'),
			coalesce(d ->> 'slug', ow_slugify(d ->> 'name')))
		WHEN 'source' THEN jsonb_build_array(d ->> 'url')
		WHEN 'position' THEN jsonb_build_array(coalesce(d ->> 'person_id', d ->> 'person'),
			coalesce(d ->> 'org_id', d ->> 'org'), d ->> 'started_on')
		WHEN 'reporting_line' THEN jsonb_build_array(coalesce(d ->> 'report_id', d ->> 'report'), d ->> 'valid_from')
		WHEN 'departure' THEN jsonb_build_array(coalesce(d ->> 'person_id', d ->> 'person'),
			coalesce(d ->> 'org_id', d ->> 'org'), d ->> 'departed_on')
		WHEN 'layoff' THEN CASE WHEN d ? 'id' THEN jsonb_build_array(d ->> 'id')
			ELSE jsonb_build_array(coalesce(d ->> 'org_id', d ->> 'org'), coalesce(d ->> 'team_id', d ->> 'team'),
				d ->> 'announced_on', lower(ow_trimmed(d ->> 'location'))) END
		END AS nk,
		CASE p_type
		WHEN 'organization' THEN CASE WHEN d ? 'slug' THEN '{slug}' ELSE '{name}' END
		WHEN 'person' THEN CASE WHEN d ? 'slug' THEN '{slug}' ELSE '{full_name}' END
		WHEN 'team' THEN CASE WHEN d ? 'slug' THEN '{org_id,org,slug}' ELSE '{org_id,org,name}' END
		WHEN 'source' THEN '{url}'
		WHEN 'position' THEN '{person_id,person,org_id,org,started_on}'
		WHEN 'reporting_line' THEN '{report_id,report,valid_from}'
		WHEN 'departure' THEN '{person_id,person,org_id,org,departed_on}'
		WHEN 'layoff' THEN CASE WHEN d ? 'id' THEN '{id}' ELSE '{org_id,org,team_id,team,announced_on,location}' END
		END::text[] AS fields) k
$function$;

-- A field's value as a message quotes it: "absent", a string as it is, anything else as JSON;
-- cut at 60 characters.
CREATE OR REPLACE FUNCTION public.ow_import_value_text(v jsonb)
 RETURNS text LANGUAGE sql IMMUTABLE AS $function$
	SELECT CASE WHEN v IS NULL THEN 'absent' ELSE
		CASE WHEN length(t) > 60 THEN left(t, 57) || '...' ELSE t END END
	FROM (SELECT CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' ELSE v::text END AS t) x
$function$;

-- Lines that name the same record (same type, same natural key): a line identical to the
-- first line of its record is a duplicate (listed, taken out of the file: the record is
-- written once); a line that differs is an error naming the first line, the key and every
-- field that differs, and the import writes nothing. Whatever the order of the lines.
CREATE OR REPLACE FUNCTION public.ow_import_same_records()
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	DROP TABLE IF EXISTS pg_temp.ow_import_same;
	CREATE TEMP TABLE ow_import_same ON COMMIT DROP AS
	WITH k AS (
		SELECT s.line, s.type, s.doc, nk.nk, nk.fields
		FROM ow_import_spool s CROSS JOIN LATERAL ow_import_natural_key(s.type, s.doc) nk
	), multi AS (
		SELECT k.*, count(*) OVER (PARTITION BY k.type, k.nk) AS n,
			first_value(k.line) OVER w AS first_line, first_value(k.doc) OVER w AS first_doc
		FROM k WINDOW w AS (PARTITION BY k.type, k.nk ORDER BY k.line)
	)
	SELECT m.line, m.type, m.doc, m.fields, m.first_line, m.first_doc FROM multi m
	WHERE m.n > 1 AND m.line <> m.first_line AND m.nk IS NOT NULL;
	IF NOT EXISTS (SELECT 1 FROM ow_import_same) THEN
		RETURN;
	END IF;
	INSERT INTO ow_import_result
	SELECT x.line, 'duplicate', NULL, x.first_line::text FROM ow_import_same x WHERE x.doc = x.first_doc;
	INSERT INTO ow_import_result
	SELECT x.line, 'error', d.fields[1], format('same %s as line %s (%s) with other values: %s',
		ow_entity_label(x.type), x.first_line, array_to_string(x.fields, ', '), d.said)
	FROM ow_import_same x
	CROSS JOIN LATERAL (
		SELECT array_agg(f ORDER BY f) AS fields,
			string_agg(format('%s %s ≠ %s', f, ow_import_value_text(x.first_doc -> f),
				ow_import_value_text(x.doc -> f)), ', ' ORDER BY f) AS said
		FROM (SELECT jsonb_object_keys(x.doc) UNION SELECT jsonb_object_keys(x.first_doc)) u(f)
		WHERE (x.doc -> f) IS DISTINCT FROM (x.first_doc -> f)) d
	WHERE x.doc <> x.first_doc;
	DELETE FROM ow_import_spool s WHERE s.line IN (SELECT x.line FROM ow_import_same x);
END $function$;

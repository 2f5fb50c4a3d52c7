-- 03_organizations.sql — Organizations.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_organization_doc(o organizations)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'kind', o.kind,
		'website', o.website, 'founded_on', o.founded_on, 'parent_id', o.parent_id,
		'description', o.description, 'industry', o.industry, 'headquarters', o.headquarters,
		'country', o.country, 'stage', o.stage,
		'created_at', ow_ts(o.created_at), 'updated_at', ow_ts(o.updated_at))
$function$;

CREATE OR REPLACE FUNCTION public.ow_organizations_write(cur organizations, n organizations, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
BEGIN
	IF cur.id IS NULL THEN
		INSERT INTO organizations (slug, name, kind, website, founded_on, parent_id, description,
			industry, headquarters, country, stage)
		VALUES (coalesce(n.slug, ow_unique_slug('organizations', n.name)), n.name, coalesce(n.kind, 'other'),
			n.website, n.founded_on, n.parent_id, n.description,
			n.industry, n.headquarters, n.country, n.stage)
		RETURNING * INTO n;
	ELSE
		UPDATE organizations SET slug = n.slug, name = n.name, kind = n.kind, website = n.website,
			founded_on = n.founded_on, parent_id = n.parent_id,
			description = n.description, industry = n.industry, headquarters = n.headquarters,
			country = n.country, stage = n.stage
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	IF n.parent_id = n.id THEN
		PERFORM ow_raise('OW400', 'parent_id', 'an organization cannot be its own parent');
	END IF;
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_organization_doc(n)::text END, ow_etag(n.updated_at), n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_org_summary(o_id uuid)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT ow_org_ref(o)
	FROM organizations o WHERE o.id = o_id
$function$;

-- ---------------------------------------------------------------------------------------
-- What a layoffs tracker says about a company (issue 26): the input forms that writes and
-- imports accept for industry, headquarters, country and stage, and what is stored.
-- ---------------------------------------------------------------------------------------

-- A country's name folded as country_names holds it: lower case, no accents, every run of
-- other characters one space ("United States." and "united  states" are "united states").
CREATE OR REPLACE FUNCTION public.ow_country_fold(t text)
 RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $function$
	SELECT btrim(regexp_replace(ow_fold(t), '[^a-z0-9]+', ' ', 'g'))
$function$;

-- The ISO 3166-1 alpha-2 code of a country given by its code, its alpha-3 code or an English
-- name or variant (country_names); NULL when it names none.
CREATE OR REPLACE FUNCTION public.ow_country_code(t text)
 RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $function$
	SELECT c.code::text FROM country_names c WHERE c.folded = ow_country_fold(t)
$function$;

-- The stage as stored, from a tracker's spelling ("Series B", "Post-IPO", "Private Equity"):
-- lower case, every run of other characters one underscore; NULL when it is no stage.
CREATE OR REPLACE FUNCTION public.ow_stage_code(t text)
 RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $function$
	SELECT CASE WHEN s IN ('seed', 'series_a', 'series_b', 'series_c', 'series_d', 'series_e', 'series_f',
		'series_g', 'series_h', 'series_i', 'series_j', 'private_equity', 'post_ipo', 'public', 'acquired',
		'subsidiary', 'unknown') THEN s END
	FROM (SELECT CASE x WHEN 'postipo' THEN 'post_ipo' WHEN 'ipo' THEN 'public' ELSE x END AS s
		FROM (SELECT btrim(regexp_replace(lower(t), '[^a-z0-9]+', '_', 'g'), '_') AS x) y) z
$function$;

-- An organization's fields as stored: industry and headquarters trimmed, country as its code,
-- stage as ow_stage_code gives it; absent fields stay absent. An unknown country or stage is
-- a 400 naming the field (both at once).
CREATE OR REPLACE FUNCTION public.ow_organization_input(d jsonb)
 RETURNS jsonb LANGUAGE plpgsql STABLE AS $function$
DECLARE
	c text;
	errs jsonb := '[]';
BEGIN
	IF jsonb_typeof(d -> 'industry') = 'string' THEN
		d := jsonb_set(d, '{industry}', coalesce(to_jsonb(ow_trimmed(d ->> 'industry')), 'null'));
	END IF;
	IF jsonb_typeof(d -> 'headquarters') = 'string' THEN
		d := jsonb_set(d, '{headquarters}', coalesce(to_jsonb(ow_trimmed(d ->> 'headquarters')), 'null'));
	END IF;
	IF jsonb_typeof(d -> 'country') = 'string' THEN
		c := ow_country_code(d ->> 'country');
		IF c IS NULL THEN
			errs := errs || jsonb_build_object('field', 'country', 'message', format('unknown country %L: '
				'an ISO 3166-1 alpha-2 code (US, GB, DE...) or an English name', d ->> 'country'));
		END IF;
		d := jsonb_set(d, '{country}', coalesce(to_jsonb(c), 'null'));
	END IF;
	IF jsonb_typeof(d -> 'stage') = 'string' THEN
		c := ow_stage_code(d ->> 'stage');
		IF c IS NULL THEN
			errs := errs || jsonb_build_object('field', 'stage', 'message', format('unknown stage %L: one of '
				'seed, series_a ... series_j, private_equity, post_ipo, public, acquired, subsidiary, unknown '
				'(or a tracker''s spelling such as "Series B" or "Post-IPO")', d ->> 'stage'));
		END IF;
		d := jsonb_set(d, '{stage}', coalesce(to_jsonb(c), 'null'));
	END IF;
	IF jsonb_array_length(errs) > 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'OW400', MESSAGE = errs -> 0 ->> 'message',
			COLUMN = errs -> 0 ->> 'field', DETAIL = errs::text;
	END IF;
	RETURN d;
END $function$;

-- The organizations with the industry (case-insensitive), country (code, either case) and
-- stage asked for (NULL: any). A plain-SQL set-returning function, inlined where it is used;
-- callers guard it so that it folds away when no attribute is asked for:
--   (f_industry IS NULL AND f_country IS NULL AND f_stage IS NULL
--    OR x.org_id IN (SELECT id FROM ow_orgs_with_attrs(f_industry, f_country, f_stage)))
-- (a scalar SQL function holding the sub-select would not be inlined: one call a row).
CREATE OR REPLACE FUNCTION public.ow_orgs_with_attrs(f_industry text, f_country text, f_stage text)
 RETURNS TABLE(id uuid) LANGUAGE sql STABLE AS $function$
	SELECT o.id FROM organizations o
	WHERE (f_industry IS NULL OR lower(o.industry) = lower(ow_trimmed(f_industry)))
	  AND (f_country IS NULL OR o.country = upper(f_country))
	  AND (f_stage IS NULL OR o.stage = f_stage)
$function$;

-- The record type's SQL surface under the fixed names (docs/ARCHITECTURE.md, "Adding a
-- record type"): its id by its own key, the record an import line names, export order and line.

CREATE OR REPLACE FUNCTION public.ow_organization_by_key(k text) RETURNS uuid
 LANGUAGE sql STABLE AS $function$
	SELECT id FROM organizations WHERE slug = k
$function$;

CREATE OR REPLACE FUNCTION public.ow_organization_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_set(d, '{slug}', to_jsonb(k.slug)), x.id, x.updated_at
	FROM (SELECT coalesce(d ->> 'slug', ow_slugify(d ->> 'name')) AS slug) k
	LEFT JOIN organizations x ON x.slug = k.slug
$function$;

CREATE OR REPLACE FUNCTION public.ow_organization_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	WITH RECURSIVE org_depth (id, depth) AS (
		SELECT id, 0 FROM organizations WHERE parent_id IS NULL
		UNION ALL SELECT o.id, d.depth + 1 FROM organizations o JOIN org_depth d ON o.parent_id = d.id
	)
	SELECT d.depth, o.slug, o.id FROM organizations o JOIN org_depth d ON d.id = o.id
$function$;

CREATE OR REPLACE FUNCTION public.ow_organization_export_line(o organizations) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'organization', 'slug', o.slug,
		'name', o.name, 'kind', o.kind, 'website', o.website, 'founded_on', o.founded_on,
		'parent', ow_org_slug(o.parent_id), 'description', o.description, 'industry', o.industry,
		'headquarters', o.headquarters, 'country', o.country, 'stage', o.stage))::text
$function$;

-- 03_organizations.sql — Organizations.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_organization_doc(o organizations)
 RETURNS json
 LANGUAGE sql
 STABLE
AS $function$
	SELECT json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'kind', o.kind,
		'website', o.website, 'founded_on', o.founded_on, 'parent_id', o.parent_id,
		'description', o.description, 'created_at', ow_ts(o.created_at), 'updated_at', ow_ts(o.updated_at))
$function$;

CREATE OR REPLACE FUNCTION public.ow_organizations_write(p_actor text, p_key text, d jsonb, p_if_match text)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid)
 LANGUAGE plpgsql
AS $function$
DECLARE
	cur organizations;
	n organizations;
BEGIN
	PERFORM ow_begin_write(p_actor);
	IF p_key IS NULL THEN
		n := jsonb_populate_record(NULL::organizations, d);
		INSERT INTO organizations (slug, name, kind, website, founded_on, parent_id, description)
		VALUES (coalesce(n.slug, ow_unique_slug('organizations', n.name)), n.name, coalesce(n.kind, 'other'),
			n.website, n.founded_on, ow_ref(d, 'organization', 'parent'), n.description)
		RETURNING * INTO n;
	ELSE
		SELECT * INTO cur FROM organizations WHERE id = ow_key_404('organization', p_key) FOR UPDATE;
		IF NOT FOUND THEN PERFORM ow_not_found('organization', p_key); END IF;
		PERFORM ow_check_if_match(cur.updated_at, p_if_match);
		n := jsonb_populate_record(cur, d);
		UPDATE organizations SET slug = n.slug, name = n.name, kind = n.kind, website = n.website,
			founded_on = n.founded_on, parent_id = ow_ref_patch(d, 'organization', 'parent', cur.parent_id),
			description = n.description
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	IF n.parent_id = n.id THEN
		PERFORM ow_raise('OW400', 'parent_id', 'an organization cannot be its own parent');
	END IF;
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_organization_doc(n)::text END, ow_etag(n.updated_at), n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_org_summary(o_id uuid)
 RETURNS json
 LANGUAGE sql
 STABLE
AS $function$
	SELECT ow_org_ref(o)
	FROM organizations o WHERE o.id = o_id
$function$;

-- The recipe's throwaway record type (tests/recipe/), step 2: its SQL file, with the
-- functions under the fixed names the generated dispatch calls (docs/ARCHITECTURE.md,
-- "Adding a record type").

CREATE OR REPLACE FUNCTION public.ow_award_doc(a awards)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', a.id, 'person_id', a.person_id,
		'person', (SELECT ow_person_ref(p) FROM people p WHERE p.id = a.person_id),
		'name', a.name, 'awarded_on', a.awarded_on,
		'created_at', ow_ts(a.created_at), 'updated_at', ow_ts(a.updated_at))
$function$;

CREATE OR REPLACE FUNCTION public.ow_awards_write(cur awards, n awards, d jsonb)
 RETURNS TABLE(r_doc text, r_etag text, r_id uuid) LANGUAGE plpgsql AS $function$
BEGIN
	IF cur.id IS NULL THEN
		INSERT INTO awards (person_id, name, awarded_on) VALUES (n.person_id, n.name, n.awarded_on)
		RETURNING * INTO n;
	ELSE
		UPDATE awards SET person_id = n.person_id, name = n.name, awarded_on = n.awarded_on
		WHERE id = cur.id RETURNING * INTO n;
	END IF;
	RETURN QUERY SELECT CASE WHEN ow_docs_wanted() THEN ow_award_doc(a)::text END, ow_etag(a.updated_at), a.id
	FROM awards a WHERE a.id = n.id;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_award_existing(d jsonb) RETURNS TABLE(doc jsonb, id uuid, updated_at timestamp with time zone)
 LANGUAGE sql STABLE AS $function$
	SELECT d, x.id, x.updated_at FROM awards x
	WHERE x.person_id = ow_ref(d, 'person', 'person') AND x.name = d ->> 'name'
	  AND coalesce(x.awarded_on, '') = coalesce(d ->> 'awarded_on', '')
$function$;

CREATE OR REPLACE FUNCTION public.ow_award_export_keys() RETURNS TABLE(depth integer, key text, id uuid)
 LANGUAGE sql STABLE AS $function$
	SELECT 0, p.slug || '|' || a.name || '|' || coalesce(a.awarded_on, ''), a.id
	FROM awards a JOIN people p ON p.id = a.person_id
$function$;

CREATE OR REPLACE FUNCTION public.ow_award_export_line(a awards) RETURNS text
 LANGUAGE sql STABLE AS $function$
	SELECT jsonb_strip_nulls(jsonb_build_object('type', 'award', 'person', ow_person_slug(a.person_id),
		'name', a.name, 'awarded_on', a.awarded_on))::text
$function$;

-- 0008_reserved_slugs.sql — "duplicates" names the endpoint /people/duplicates, so no
-- person may take it as a slug (the record would be unreachable by slug).
ALTER TABLE people ADD CONSTRAINT people_slug_not_reserved CHECK (slug <> 'duplicates');

CREATE OR REPLACE FUNCTION ow_unique_slug(tbl text, name text, org uuid DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
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
END $$;

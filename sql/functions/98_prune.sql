-- 98_prune.sql — what `orgwatch migrate` runs after every file of this folder, in the same
-- transaction: the functions and triggers that no file defines any more are dropped. Every
-- file is applied whenever the folder's checksum changes, and CREATE OR REPLACE writes a new
-- catalogue row even when the text is the same, so what the files define carries this
-- transaction's id (xmin) and anything older is not theirs: an ow_* function removed from
-- the files or left behind with an older signature, a trigger calling one. Dropped without
-- CASCADE: something still using such a function (a column default, an index) fails the
-- migration, naming it, instead of being dropped with it. Extensions' functions are never
-- touched. Returns what it dropped, one line each, which migrate prints.
CREATE OR REPLACE FUNCTION public.ow_prune_undefined()
 RETURNS SETOF text LANGUAGE plpgsql AS $function$
DECLARE
	me bigint := pg_current_xact_id()::text::bigint % 4294967296;
	r record;
BEGIN
	FOR r IN
		SELECT t.tgname, t.tgrelid::regclass::text AS tbl
		FROM pg_trigger t
		JOIN pg_proc p ON p.oid = t.tgfoid
		JOIN pg_class c ON c.oid = t.tgrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT t.tgisinternal AND n.nspname = 'public' AND p.proname LIKE 'ow\_%'
		  AND t.xmin::text::bigint <> me
		ORDER BY 2, 1
	LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.tbl);
		RETURN NEXT format('trigger %s on %s', r.tgname, r.tbl);
	END LOOP;
	FOR r IN
		SELECT p.oid::regprocedure::text AS fn
		FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'public' AND p.proname LIKE 'ow\_%'
		  AND p.xmin::text::bigint <> me
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d
			WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
		ORDER BY 1
	LOOP
		EXECUTE format('DROP FUNCTION %s', r.fn);
		RETURN NEXT format('function %s', r.fn);
	END LOOP;
END $function$;

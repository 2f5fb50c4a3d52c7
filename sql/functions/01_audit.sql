-- 01_audit.sql — The audit log: the row trigger, its documents, the start of every write.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

CREATE OR REPLACE FUNCTION public.ow_audit()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
	who text;
	op text;
BEGIN
	IF current_setting('orgwatch.audit_rows', true) = 'off' THEN
		RETURN NULL;
	END IF;
	who := coalesce(nullif(current_setting('orgwatch.actor', true), ''), 'system');
	op := coalesce(nullif(current_setting('orgwatch.operation', true), ''), lower(TG_OP));
	IF TG_OP = 'INSERT' THEN
		INSERT INTO audit_log (actor, entity, entity_id, operation, after)
		VALUES (who, TG_ARGV[0], NEW.id, 'create', to_jsonb(NEW));
		RETURN NEW;
	ELSIF TG_OP = 'UPDATE' THEN
		IF to_jsonb(OLD) - 'updated_at' = to_jsonb(NEW) - 'updated_at' THEN
			RETURN NEW;
		END IF;
		INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
		VALUES (who, TG_ARGV[0], NEW.id, CASE WHEN op = 'merge' THEN 'merge' ELSE 'update' END,
			to_jsonb(OLD), to_jsonb(NEW));
		RETURN NEW;
	ELSE
		INSERT INTO audit_log (actor, entity, entity_id, operation, before)
		VALUES (who, TG_ARGV[0], OLD.id, CASE WHEN op = 'merge' THEN 'merge' ELSE 'delete' END,
			to_jsonb(OLD));
		RETURN OLD;
	END IF;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_audit_doc(a audit_log)
 RETURNS json
 LANGUAGE sql
 STABLE
AS $function$
	SELECT json_build_object('id', a.id, 'at', ow_ts(a.at), 'actor', a.actor, 'entity', a.entity,
		'entity_id', a.entity_id, 'operation', a.operation, 'before', a.before, 'after', a.after)
$function$;

CREATE OR REPLACE FUNCTION public.ow_begin_write(actor text, operation text DEFAULT ''::text)
 RETURNS void
 LANGUAGE sql
AS $function$
	SELECT set_config('orgwatch.actor', coalesce(actor, 'system'), true),
	       set_config('orgwatch.operation', coalesce(operation, ''), true)
$function$;

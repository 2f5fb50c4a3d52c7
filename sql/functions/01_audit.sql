-- 01_audit.sql — The audit log: the statement trigger, its documents, the start of every write.
-- The one current definition of each function here: `orgwatch migrate` re-applies every
-- file of sql/functions/ in one transaction whenever their checksum changes. Edit here,
-- never in sql/schema/ (see docs/ARCHITECTURE.md, "Changing a function").

-- The audit rows of every write, the one place they are written: a statement trigger (three a
-- table: insert, update, delete; generated in 90_record_types.sql) over the statement's
-- transition tables ow_new/ow_old, so a single write and an import's set-based statement
-- write them alike, in the order the statement wrote the rows (an update's in the order the
-- join of its old and new images gives: sorting a large update's images cost more than that
-- order is worth within one statement of one transaction). An update that changes nothing but
-- updated_at is no change. A statement that wrote no row writes no audit row (and so opens no
-- commit and wakes no listener: those are statement triggers on audit_log).
CREATE OR REPLACE FUNCTION public.ow_audit()
 RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
	who text := coalesce(nullif(current_setting('orgwatch.actor', true), ''), 'system');
	merged boolean := coalesce(current_setting('orgwatch.operation', true), '') = 'merge';
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF EXISTS (SELECT 1 FROM ow_new) THEN
			INSERT INTO audit_log (actor, entity, entity_id, operation, after)
			SELECT who, TG_ARGV[0], n.id, 'create', to_jsonb(n) FROM ow_new n;
		END IF;
	ELSIF TG_OP = 'UPDATE' THEN
		IF EXISTS (SELECT 1 FROM ow_new n JOIN ow_old o ON o.id = n.id
		           WHERE to_jsonb(o) - 'updated_at' <> to_jsonb(n) - 'updated_at') THEN
			INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
			SELECT who, TG_ARGV[0], n.id, CASE WHEN merged THEN 'merge' ELSE 'update' END, o.doc, n.doc
			FROM (SELECT x.id, to_jsonb(x) AS doc FROM ow_new x) n
			JOIN (SELECT x.id, to_jsonb(x) AS doc FROM ow_old x) o ON o.id = n.id
			WHERE o.doc - 'updated_at' <> n.doc - 'updated_at';
		END IF;
	ELSIF EXISTS (SELECT 1 FROM ow_old) THEN
		INSERT INTO audit_log (actor, entity, entity_id, operation, before)
		SELECT who, TG_ARGV[0], o.id, CASE WHEN merged THEN 'merge' ELSE 'delete' END, to_jsonb(o)
		FROM ow_old o;
	END IF;
	RETURN NULL;
END $function$;

-- A table's statement triggers that call fn (a call such as ow_audit('person')), one an event
-- (transition tables allow no more): <table>_<name>_insert, _update, _delete, over ow_new and
-- ow_old. The one place such triggers are declared (ow_record_triggers, ow_history_table).
CREATE OR REPLACE FUNCTION public.ow_statement_triggers(p_table text, name text, fn text)
 RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
	ev text[] := ARRAY['insert', 'NEW TABLE AS ow_new', 'update', 'OLD TABLE AS ow_old NEW TABLE AS ow_new',
		'delete', 'OLD TABLE AS ow_old'];
BEGIN
	FOR i IN 1..5 BY 2 LOOP
		EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT '
			'EXECUTE FUNCTION %s', p_table || '_' || name || '_' || ev[i], upper(ev[i]), p_table, ev[i + 1], fn);
	END LOOP;
END $function$;

-- The triggers of a record type's table, declared in one place (90_record_types.sql calls
-- this once a type): the three audit statement triggers and the updated_at row trigger
-- (ow_touch), which a set-based statement that sets updated_at itself stands aside from
-- (orgwatch.touched, that statement only); and its history table, view and triggers
-- (ow_history_table, 21_history.sql).
CREATE OR REPLACE FUNCTION public.ow_record_triggers(p_table text, p_type text)
 RETURNS void LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM ow_statement_triggers(p_table, 'audit', format('ow_audit(%L)', p_type));
	EXECUTE format('CREATE OR REPLACE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW WHEN '
		'(current_setting(''orgwatch.touched'', true) IS DISTINCT FROM ''on'') EXECUTE FUNCTION ow_touch()',
		p_table || '_touch', p_table);
	PERFORM ow_history_table(p_table, 'id');
END $function$;

CREATE OR REPLACE FUNCTION public.ow_audit_doc(a audit_log)
 RETURNS json LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('id', a.id, 'at', ow_ts(a.at), 'actor', a.actor, 'entity', a.entity,
		'entity_id', a.entity_id, 'operation', a.operation, 'before', a.before, 'after', a.after)
$function$;

CREATE OR REPLACE FUNCTION public.ow_begin_write(actor text, operation text DEFAULT ''::text)
 RETURNS void LANGUAGE sql AS $function$
	SELECT set_config('orgwatch.actor', coalesce(actor, 'system'), true),
	       set_config('orgwatch.operation', coalesce(operation, ''), true)
$function$;

-- 0016_audit_statement.sql — the audit log written once a statement instead of once a row.
-- The row trigger ow_audit (0001) cost 31 µs a departure in a set-based import (a third of an
-- INSERT of pre-resolved rows into departures); these statement-level triggers read the
-- statement's transition tables and write the same audit rows with one INSERT ... SELECT.
-- What is recorded is unchanged: one row per created, updated (when anything but updated_at
-- changed) or deleted record, with the actor and operation of ow_begin_write ('merge' for
-- merges), the record before and after as JSON. PostgreSQL allows transition tables on
-- triggers of one event only, hence three triggers a table.

CREATE FUNCTION ow_audit_actor() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(nullif(current_setting('orgwatch.actor', true), ''), 'system')
$$;

CREATE FUNCTION ow_audit_merging() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('orgwatch.operation', true), '') = 'merge'
$$;

CREATE FUNCTION ow_audit_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO audit_log (actor, entity, entity_id, operation, after)
	SELECT ow_audit_actor(), TG_ARGV[0], n.id, 'create', to_jsonb(n) FROM new_rows n;
	RETURN NULL;
END $$;

CREATE FUNCTION ow_audit_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
	SELECT ow_audit_actor(), TG_ARGV[0], n.id,
		CASE WHEN ow_audit_merging() THEN 'merge' ELSE 'update' END, o.doc, n.doc
	FROM (SELECT x.id, to_jsonb(x) AS doc FROM new_rows x) n
	JOIN (SELECT x.id, to_jsonb(x) AS doc FROM old_rows x) o ON o.id = n.id
	WHERE o.doc - 'updated_at' IS DISTINCT FROM n.doc - 'updated_at';
	RETURN NULL;
END $$;

CREATE FUNCTION ow_audit_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO audit_log (actor, entity, entity_id, operation, before)
	SELECT ow_audit_actor(), TG_ARGV[0], o.id,
		CASE WHEN ow_audit_merging() THEN 'merge' ELSE 'delete' END, to_jsonb(o)
	FROM old_rows o;
	RETURN NULL;
END $$;

DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('sources', 'source'), ('organizations', 'organization'), ('teams', 'team'),
		('people', 'person'), ('positions', 'position'), ('reporting_lines', 'reporting_line'),
		('layoffs', 'layoff'), ('departures', 'departure')) AS v(tbl, entity)
	LOOP
		EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_audit', t.tbl);
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
			' FOR EACH STATEMENT EXECUTE FUNCTION ow_audit_inserted(%L)',
			t.tbl || '_audit_insert', t.tbl, t.entity);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows'
			' NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ow_audit_updated(%L)',
			t.tbl || '_audit_update', t.tbl, t.entity);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
			' FOR EACH STATEMENT EXECUTE FUNCTION ow_audit_deleted(%L)',
			t.tbl || '_audit_delete', t.tbl, t.entity);
	END LOOP;
END $$;

DROP FUNCTION ow_audit();

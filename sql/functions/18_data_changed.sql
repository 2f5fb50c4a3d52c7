-- 18_data_changed.sql — tells listening servers that the data changed: every statement that
-- writes to the audit log (every write of a record, a merge, a delete, an import) queues a
-- notification on channel ow_data_changed, which PostgreSQL delivers when the transaction
-- commits (and never when it rolls back; several in one transaction arrive as one). The
-- answer cache of each server (server/answers.c) listens and drops what it kept. The
-- trigger (audit_log_data_changed) is declared in 99_triggers.sql with every other.

CREATE OR REPLACE FUNCTION public.ow_notify_data_changed()
 RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('ow_data_changed', '');
	RETURN NULL;
END
$$;

-- write_begin.sql — the opening shared by the write ceilings (bench/import_ceiling.sql,
-- bench/ceiling/bulk_close.sql), included with \ir: stop at the first error, the import's own
-- session settings (13_import.sql: work_mem 64MB, no JIT), a transaction (rolled back by the
-- including script) with the audit actor set.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET work_mem = '64MB';
SET jit = off;
BEGIN;
SELECT ow_begin_write('bench-ceiling');

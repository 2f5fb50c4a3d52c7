-- generate_begin.sql — the opening shared by the generators that write into the tables
-- (generate.sql, departures.sql, chart.sql), included with \ir after `\set seed N`: stop at
-- the first error, notices off, random() seeded with :seed (each generator its own, so each is
-- deterministic), a transaction (the including script commits it) with bench-generator as
-- the audit actor.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(:seed);

BEGIN;
SELECT set_config('orgwatch.actor', 'bench-generator', true);

// functions_home.test.mjs — every SQL function and trigger has one home: sql/functions/. The
// files define each function exactly once; the test database holds exactly those functions
// and triggers with exactly those definitions (re-applying the files changes nothing);
// sql/schema/ carries no function bodies after 0015; migrate drops the ow_* functions and
// triggers no file defines (and nothing else); and a database made by the migrations as they
// were before the functions moved (0001-0015, with the sample data) migrates in place and
// answers the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './lib.mjs';

const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL;
const BIN = process.env.ORGWATCH_BIN || path.join(REPO, 'build', 'orgwatch');
const FUNCTIONS = path.join(REPO, 'sql', 'functions');
const SCHEMA = path.join(REPO, 'sql', 'schema');
const OURS = `FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`;

const psql = (url, args, input) =>
  execFileSync('psql', [url, '-XqAt', '-v', 'ON_ERROR_STOP=1', ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 120_000 }).trim();
/** Creates an empty scratch database named PREFIX_<time>; returns {name, scratch: its URL}. */
function createScratch(prefix) {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const url = new URL(DB_URL);
  url.pathname = `/${name}`;
  psql(DB_URL, ['-c', `CREATE DATABASE ${name}`]);
  return { name, scratch: url.toString() };
}
/** Drops a scratch database; an autovacuum worker busy in it cannot be ended by our role
 * (DROP ... WITH (FORCE) refuses), so it is tried again for up to 10 s. */
function dropScratch(name) {
  for (let i = 0; ; i++) {
    try {
      psql(DB_URL, ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      return;
    } catch (e) {
      if (i >= 40 || !/pg_signal_backend|being accessed by other users/.test(String(e.stderr || e.message))) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
}
const functionFiles = () => readdirSync(FUNCTIONS).filter((f) => /^[0-9]{2}_.*\.sql$/.test(f)).sort();
const allFunctionsSql = () => functionFiles().map((f) => readFileSync(path.join(FUNCTIONS, f), 'utf8')).join('\n');

test('each function is defined once, in sql/functions/, and sql/schema/ defines none after 0015', () => {
  const where = new Map();
  for (const f of functionFiles()) {
    for (const m of readFileSync(path.join(FUNCTIONS, f), 'utf8').matchAll(/CREATE OR REPLACE FUNCTION public\.(\w+)\(/g)) {
      where.set(m[1], [...(where.get(m[1]) ?? []), f]);
    }
  }
  const twice = [...where].filter(([, files]) => files.length > 1);
  assert.deepEqual(twice, [], 'functions defined in more than one place');
  assert.ok(where.size >= 90, `only ${where.size} functions in sql/functions`);
  const later = readdirSync(SCHEMA).filter((f) => /^[0-9]{4}_/.test(f) && Number(f.slice(0, 4)) > 15);
  for (const f of later) assert.doesNotMatch(readFileSync(path.join(SCHEMA, f), 'utf8'), /CREATE\s+(OR\s+REPLACE\s+)?FUNCTION/i, `${f} defines a function`);
});

/** The names whose definition (def, an expression over the rows of from) changes when every
 * file is applied again, in a transaction rolled back: '' when the database holds the files'
 * text. */
function changedByReapplying(name, def, from) {
  return psql(
    DB_URL,
    ['-f', '-'],
    `BEGIN;
CREATE TEMP TABLE before_defs AS SELECT ${name} AS name, md5(${def}) AS d ${from};
SET LOCAL check_function_bodies = off;
${allFunctionsSql()}
SELECT b.name FROM before_defs b LEFT JOIN (SELECT ${name} AS name, md5(${def}) AS d ${from}) a USING (name)
WHERE a.d IS DISTINCT FROM b.d;
ROLLBACK;`,
  );
}

test('the database holds exactly the functions of sql/functions/, as written there', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set' }, () => {
  const inFiles = new Set([...allFunctionsSql().matchAll(/CREATE OR REPLACE FUNCTION public\.(\w+)\(/g)].map((m) => m[1]));
  const inDb = new Set(psql(DB_URL, ['-c', `SELECT p.proname ${OURS}`]).split('\n').filter(Boolean));
  assert.deepEqual([...inDb].filter((x) => !inFiles.has(x)).sort(), [], 'functions in the database that no file defines');
  assert.deepEqual([...inFiles].filter((x) => !inDb.has(x)).sort(), [], 'functions of the files missing in the database');
  const changed = changedByReapplying('p.proname', 'pg_get_functiondef(p.oid)', OURS);
  assert.equal(changed, '', `definitions in the database differ from sql/functions/: ${changed}`);
});

const TRIGGERS_FROM = `FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE NOT t.tgisinternal AND n.nspname = 'public'`;

test('every trigger is declared in sql/functions/ as the database holds it', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set' }, () => {
  const sql = allFunctionsSql();
  const inFiles = new Set([...sql.matchAll(/CREATE (?:OR REPLACE )?(?:CONSTRAINT )?TRIGGER (\w+)/g)].map((m) => m[1]));
  // A record type's seven triggers are declared by one line, SELECT ow_record_triggers('<table>', ...)
  // (01_audit.sql names them <table>_audit_<event>, <table>_touch, <table>_history_<event>);
  // another table's three history triggers by SELECT ow_history_table('<table>', ...)
  // (21_history.sql).
  const history = ['history_insert', 'history_update', 'history_delete'];
  for (const [, table] of sql.matchAll(/^SELECT ow_record_triggers\('(\w+)'/gm)) {
    for (const suffix of ['audit_insert', 'audit_update', 'audit_delete', 'touch', ...history]) inFiles.add(`${table}_${suffix}`);
  }
  for (const [, table] of sql.matchAll(/^SELECT ow_history_table\('(\w+)'/gm)) {
    for (const suffix of history) inFiles.add(`${table}_${suffix}`);
  }
  const inDb = new Set(psql(DB_URL, ['-c', `SELECT t.tgname ${TRIGGERS_FROM}`]).split('\n').filter(Boolean));
  assert.deepEqual([...inDb].filter((x) => !inFiles.has(x)).sort(), [], 'triggers in the database that no file declares');
  assert.deepEqual([...inFiles].filter((x) => !inDb.has(x)).sort(), [], 'triggers of the files missing in the database');
  assert.ok(inDb.size >= 21, `only ${inDb.size} triggers`);
  const changed = changedByReapplying('t.tgname', 'pg_get_triggerdef(t.oid)', TRIGGERS_FROM);
  assert.equal(changed, '', `triggers in the database differ from sql/functions/: ${changed}`);
});

test('migrate drops the ow_* functions and triggers that no file defines, and nothing else', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set', timeout: 300_000 }, () => {
  const { name, scratch } = createScratch('ow_prune');
  try {
    const env = { ...process.env, ORGWATCH_DATABASE_URL: scratch, ORGWATCH_HOME: REPO };
    execFileSync(BIN, ['migrate'], { env, stdio: 'pipe' });
    const functions = () => psql(scratch, ['-c', `SELECT p.oid::regprocedure::text ${OURS} ORDER BY 1`]);
    const triggers = () => psql(scratch, ['-c', `SELECT t.tgname || ' on ' || c.relname ${TRIGGERS_FROM} ORDER BY 1`]);
    const fnsBefore = functions();
    const trgBefore = triggers();
    // Left behind: a function no file defines, an older signature of one that a file defines,
    // a trigger calling an ow_* function; and what is not ours: a function and a trigger
    // function without the prefix, with a trigger.
    psql(scratch, [
      '-c',
      `CREATE FUNCTION public.ow_zz_stray(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
       CREATE FUNCTION public.ow_chart_people(text, date, uuid[], bigint[]) RETURNS int LANGUAGE sql AS 'SELECT 1';
       CREATE TRIGGER zz_stray BEFORE UPDATE ON sources FOR EACH ROW EXECUTE FUNCTION ow_touch();
       CREATE FUNCTION public.keep_me() RETURNS int LANGUAGE sql AS 'SELECT 1';
       CREATE FUNCTION public.keep_trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
       CREATE TRIGGER keep_trg BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION keep_trg();`,
    ]);
    // Unchanged files are not applied again: nothing is dropped.
    assert.doesNotMatch(execFileSync(BIN, ['migrate'], { env, encoding: 'utf8' }), /dropped/);
    psql(scratch, ['-c', "UPDATE schema_functions SET checksum = 'changed'"]);
    const out = execFileSync(BIN, ['migrate'], { env, encoding: 'utf8' });
    assert.match(out, /applied sql\/functions/);
    const dropped = out.split('\n').filter((l) => l.startsWith('dropped ')).sort();
    assert.deepEqual(dropped, [
      'dropped function ow_chart_people(text,date,uuid[],bigint[]) (no file defines it)',
      'dropped function ow_zz_stray(integer) (no file defines it)',
      'dropped trigger zz_stray on sources (no file defines it)',
    ]);
    const keep = (l) => !/keep_/.test(l);
    assert.equal(functions().split('\n').filter(keep).join('\n'), fnsBefore, 'every function of the files kept');
    assert.equal(triggers().split('\n').filter(keep).join('\n'), trgBefore, 'every trigger of the files kept');
    assert.match(functions(), /keep_me\(\)/, 'a function without the prefix is not ours');
    assert.match(triggers(), /keep_trg on teams/, 'nor a trigger calling one');
  } finally {
    dropScratch(name);
  }
});

test('a database made by 0001-0015 with data migrates in place and answers the same', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set', timeout: 300_000 }, () => {
  const { name, scratch } = createScratch('ow_inplace');
  const work = mkdtempSync(path.join(os.tmpdir(), 'ow-inplace-'));
  try {
    // The old layout: migrations 0001-0015 only, each in one transaction, recorded as before.
    psql(scratch, ['-c', 'CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())']);
    for (const f of readdirSync(SCHEMA).filter((x) => /^[0-9]{4}_.*\.sql$/.test(x) && Number(x.slice(0, 4)) <= 15).sort()) {
      psql(scratch, ['-1', '-f', path.join(SCHEMA, f)]);
      psql(scratch, ['-c', `INSERT INTO schema_migrations (version) VALUES ('${f}')`]);
    }
    // The sample, loaded as that layout loaded it: each line through its ow_import_one (0007),
    // in file order, in one transaction. Every function and trigger stays as 0001-0015 left it.
    const sample = readFileSync(path.join(REPO, 'sql', 'sample', 'sample.ndjson'), 'utf8').split('\n').filter((l) => l.trim());
    const load = sample.map((l) => {
      assert.ok(!l.includes('$ow_line$'));
      return `SELECT ow_import_one('test-inplace', $ow_line$${l}$ow_line$::jsonb ->> 'type', $ow_line$${l}$ow_line$::jsonb - 'type');`;
    });
    psql(scratch, ['-1', '-f', '-'], load.join('\n'));
    const env = { ...process.env, ORGWATCH_DATABASE_URL: scratch, ORGWATCH_HOME: REPO };
    // ow_stats_flows took 4 arguments then; 7 since issue 26 (the organization's attributes).
    const answers = (flowArgs = 4) =>
      psql(scratch, [
        '-c',
        `SELECT md5(string_agg(l, E'\\n')) FROM ow_export_lines(NULL) l
         UNION ALL SELECT md5(string_agg(x::text, E'\\n')) FROM (SELECT * FROM ow_stats_flows(${Array(flowArgs).fill('NULL').join(', ')})) x
         UNION ALL SELECT md5(string_agg(t::text, E'\\n')) FROM (SELECT * FROM ow_person_timeline('yann-lecun')) t`,
      ]);
    const before = answers();
    const lines = before.split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => /^[0-9a-f]{32}$/.test(l)), `answers before: ${before}`);
    const out = execFileSync(BIN, ['migrate'], { env, encoding: 'utf8' });
    assert.match(out, /applied 0016_functions_home\.sql/);
    assert.match(out, /applied sql\/functions \(\d+ files, checksum [0-9a-f]{16}\)/);
    assert.equal(answers(7), before, 'the answers changed when the database migrated in place');
    assert.match(psql(scratch, ['-c', 'SELECT checksum FROM schema_functions']), /^[0-9a-f]{16}$/);
    assert.match(execFileSync(BIN, ['migrate'], { env, encoding: 'utf8' }), /migrations current \(0 applied now\)/);
  } finally {
    dropScratch(name);
    rmSync(work, { recursive: true, force: true });
  }
});

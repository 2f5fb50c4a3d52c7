// `orgwatch import` from the command line (issue 6): the same engine and the same report as
// POST /import — a file, stdin (`-`), CSV by name or by --csv --type, dry runs, every error with
// its line and exit status 1 with nothing written, and usage errors (exit 2) for bad arguments.
// Needs ORGWATCH_BIN (default build/orgwatch) and ORGWATCH_TEST_DATABASE_URL; reads what the
// CLI wrote back through the server under test (ORGWATCH_TEST_URL).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, REPO } from './lib.mjs';
import { word } from './helpers-records.mjs';

const BIN = process.env.ORGWATCH_BIN || path.join(REPO, 'build', 'orgwatch');
const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL || process.env.ORGWATCH_DATABASE_URL;
const skip = !existsSync(BIN) ? `no binary at ${BIN}` : !DB_URL ? 'ORGWATCH_TEST_DATABASE_URL is not set' : false;

const RUN = word(8);
const DIR = mkdtempSync(path.join(os.tmpdir(), 'orgwatch-cli-'));
after(() => rmSync(DIR, { recursive: true, force: true }));

/** Runs `orgwatch import ...args` with `stdin` piped in; resolves {code, signal, stdout, stderr}. */
function cli(args, stdin = null) {
  return new Promise((resolve) => {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORGWATCH_')) env[k] = v;
    env.ORGWATCH_DATABASE_URL = DB_URL;
    env.ORGWATCH_HOME = REPO;
    const child = spawn(BIN, ['import', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? undefined);
  });
}

function report(r) {
  try {
    return JSON.parse(r.stdout);
  } catch {
    assert.fail(`the CLI printed no JSON report (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}`);
  }
}

function file(name, text) {
  const p = path.join(DIR, name);
  writeFileSync(p, text);
  return p;
}

const person = (n) => ({ type: 'person', slug: `cli-${RUN}-${n}`, full_name: `Cli ${RUN} Person${n}` });
const nd = (records) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

test('orgwatch import FILE creates, then reports every line unchanged on a re-run', { skip }, async () => {
  const p = file('people.ndjson', nd([person(1), person(2)]));
  const first = await cli([p]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const rep = report(first);
  assert.equal(rep.created, 2, first.stdout);
  assert.deepEqual(rep.errors, []);
  const got = await api('GET', `/people/cli-${RUN}-1`);
  assert.equal(got.status, 200);
  assert.equal(got.body.full_name, `Cli ${RUN} Person1`);
  const again = report(await cli([p]));
  assert.equal(again.created, 0);
  assert.equal(again.unchanged, 2);
});

test('orgwatch import - reads stdin; --csv --type reads CSV from stdin', { skip }, async () => {
  const r = await cli(['-'], nd([person(3)]));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(report(r).created, 1);
  assert.equal((await api('GET', `/people/cli-${RUN}-3`)).status, 200);

  const csv = `slug,full_name\r\ncli-${RUN}-4,"Cli, ${RUN} Person4"\r\n`;
  const c = await cli(['-', '--csv', '--type', 'people'], csv);
  assert.equal(c.code, 0, c.stderr + c.stdout);
  assert.equal(report(c).created, 1);
  const got = await api('GET', `/people/cli-${RUN}-4`);
  assert.equal(got.body.full_name, `Cli, ${RUN} Person4`);
});

test('a CSV file named after its type imports without --type', { skip }, async () => {
  const p = file('people.csv', `\uFEFFslug,full_name\ncli-${RUN}-5,Cli ${RUN} Person5\n`);
  const r = await cli([p]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(report(r).created, 1);
});

test('a bad line: exit 1, every error with its line and field, nothing written', { skip }, async () => {
  const p = file('bad.ndjson', nd([person(6), { type: 'person', slug: `cli-${RUN}-7` }, person(8), '{"type": "person", "slug": ']));
  const r = await cli([p]);
  assert.equal(r.code, 1, r.stdout);
  const rep = report(r);
  assert.equal(rep.created, 0);
  assert.ok(rep.errors.some((e) => e.line === 2 && e.field === 'full_name'), JSON.stringify(rep.errors));
  assert.ok(rep.errors.some((e) => e.line === 4), JSON.stringify(rep.errors));
  assert.equal((await api('GET', `/people/cli-${RUN}-6`)).status, 404, 'the good lines of a rejected file are not written');
});

test('--dry-run reports the counts and writes nothing', { skip }, async () => {
  const p = file('dry.ndjson', nd([person(9)]));
  const r = await cli([p, '--dry-run']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const rep = report(r);
  assert.equal(rep.created, 1);
  assert.equal(rep.dry_run, true);
  assert.equal((await api('GET', `/people/cli-${RUN}-9`)).status, 404);
});

test('usage errors exit 2 and say what is wrong', { skip }, async () => {
  const missing = await cli([path.join(DIR, 'no-such-file.ndjson')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot open/);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: orgwatch import/);
  const badType = await cli(['-', '--csv', '--type', 'nonsense'], 'a,b\n');
  assert.equal(badType.code, 2);
  assert.match(badType.stderr, /--type/);
  const csvNoType = await cli(['-', '--csv'], 'a,b\n');
  assert.equal(csvNoType.code, 2);
  assert.match(csvNoType.stderr, /--type/);
});

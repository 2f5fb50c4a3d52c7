// auth.test.mjs — every write route of the router table refuses missing, malformed, wrong,
// revoked and under-privileged keys, before touching the body or the database. The routes
// are read from the server itself (`orgwatch routes`), so a new write route cannot slip
// through untested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { BASE, keys } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The route table as the server builds it (`orgwatch routes`: METHOD PATH ROLE BODY). */
function routes() {
  const bin = process.env.ORGWATCH_BIN || join(ROOT, 'build', 'orgwatch');
  const out = execFileSync(bin, ['routes'], { encoding: 'utf8' });
  const role = { public: 'OW_ROLE_PUBLIC', reader: 'OW_ROLE_READER', editor: 'OW_ROLE_EDITOR', admin: 'OW_ROLE_ADMIN' };
  const body = { none: 'OW_BODY_NONE', json: 'OW_BODY_JSON', stream: 'OW_BODY_STREAM' };
  return out
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .map(([method, path, r, b]) => ({ method, path, role: role[r], body: body[b] }));
}

const ALL = routes();
const WRITES = ALL.filter((r) => r.role === 'OW_ROLE_EDITOR' || r.role === 'OW_ROLE_ADMIN');

/** A concrete path: {id} placeholders become a slug that need not exist (auth comes first). */
const concrete = (p) => p.replace(/\{[^}]+\}/g, 'no-such-record');

function send(route, headers = {}) {
  const h = { ...headers };
  let body;
  if (route.body === 'OW_BODY_JSON') {
    h['Content-Type'] = 'application/json';
    body = '{}';
  } else if (route.body === 'OW_BODY_STREAM') {
    h['Content-Type'] = 'application/x-ndjson';
    body = '';
  }
  return fetch(BASE + concrete(route.path), { method: route.method, headers: h, body });
}

async function expectProblem(res, status, route, what) {
  const text = await res.text();
  assert.equal(res.status, status, `${route.method} ${route.path} ${what}: ${text}`);
  assert.match(res.headers.get('content-type') || '', /application\/problem\+json/);
  const body = JSON.parse(text);
  assert.equal(body.status, status);
  if (status === 401) assert.match(res.headers.get('www-authenticate') || '', /^Bearer/);
}

test('the route table has the write routes we expect to guard', () => {
  assert.ok(ALL.length > 40, `parsed ${ALL.length} routes`);
  for (const must of ['POST /people', 'PATCH /departures/{id}', 'DELETE /sources/{id}', 'POST /import',
    'POST /people/{id}/merge', 'POST /reporting-lines']) {
    assert.ok(WRITES.some((r) => `${r.method} ${r.path}` === must), `${must} is a guarded write route`);
  }
  for (const r of ALL) {
    if (r.method !== 'GET') assert.notEqual(r.role, 'OW_ROLE_PUBLIC', `${r.method} ${r.path} must need a key`);
  }
});

test('every write route refuses a request without a key (401)', async () => {
  for (const r of WRITES) await expectProblem(await send(r), 401, r, 'without a key');
});

test('every write route refuses malformed and unknown keys (401)', async () => {
  for (const r of WRITES) {
    await expectProblem(await send(r, { Authorization: 'Basic dXNlcjpwYXNz' }), 401, r, 'Basic auth');
    await expectProblem(await send(r, { Authorization: 'Bearer' }), 401, r, 'empty bearer');
    await expectProblem(await send(r, { Authorization: `Bearer ow_${'0'.repeat(64)}` }), 401, r, 'unknown key');
    await expectProblem(await send(r, { Authorization: `Bearer ${'x'.repeat(5000)}` }), 401, r, 'huge key');
  }
});

test('every write route refuses a revoked key (401)', async (t) => {
  const revoked = process.env.ORGWATCH_TEST_REVOKED_KEY;
  if (!revoked) return t.skip('ORGWATCH_TEST_REVOKED_KEY not set (make test sets it)');
  for (const r of WRITES) await expectProblem(await send(r, { Authorization: `Bearer ${revoked}` }), 401, r, 'revoked key');
});

test('every write route refuses a key whose role is too low (403)', async (t) => {
  if (!keys.reader) return t.skip('no reader key');
  for (const r of WRITES) {
    await expectProblem(await send(r, { Authorization: `Bearer ${keys.reader}` }), 403, r, 'reader key');
    if (r.role === 'OW_ROLE_ADMIN' && keys.editor) {
      await expectProblem(await send(r, { Authorization: `Bearer ${keys.editor}` }), 403, r, 'editor key on an admin route');
    }
  }
});

test('an editor key passes authorisation on every editor route (then meets validation or 404)', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  for (const r of WRITES.filter((x) => x.role === 'OW_ROLE_EDITOR')) {
    const res = await send(r, { Authorization: `Bearer ${keys.editor}` });
    await res.text();
    assert.ok(![401, 403, 500].includes(res.status), `${r.method} ${r.path}: got ${res.status}`);
  }
});

test('reads stay open without a key (ORGWATCH_PUBLIC_READS defaults to 1), yet a wrong key is refused', async () => {
  const res = await fetch(`${BASE}/people?limit=1`);
  assert.equal(res.status, 200);
  await res.text();
  const bad = await fetch(`${BASE}/people?limit=1`, { headers: { Authorization: 'Bearer ow_wrong' } });
  await expectProblem(bad, 401, { method: 'GET', path: '/people' }, 'wrong key on a read');
});

test('API keys never appear in the server log', (t) => {
  const log = join(ROOT, 'build', 'test', 'server.log');
  if (!existsSync(log)) return t.skip('no build/test/server.log (make test writes it)');
  const text = readFileSync(log, 'utf8');
  for (const k of [keys.reader, keys.editor, keys.admin, process.env.ORGWATCH_TEST_REVOKED_KEY].filter(Boolean)) {
    assert.ok(!text.includes(k), 'a key was written to the log');
  }
});

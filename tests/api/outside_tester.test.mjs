// outside_tester.test.mjs — issue 31, the findings of an outside tester, sent as a tester
// would send them: every path that takes an id answers 404 for a missing record (on a fresh
// database whose tables are empty and analysed, and again once the tables hold other rows);
// a filter naming no record is a 400 naming it; framing a proxy could read differently is
// refused and the connection closed (raw sockets); NUL bytes in the request line or a query
// value, repeated query parameters, a non-UTF-8 Authorization and control characters in text
// fields are refused with the field named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';
import { api, BASE, errorFields, expectProblem, namesField, SPEC_PATH, uniq } from './lib.mjs';
import { DB_URL, HOME, noDb, run, startServer } from './helpers-server.mjs';

const spec = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
const MISSING_UUID = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
const MISSING_SLUG = 'no-such-record-here';
// Query arguments an operation needs before it looks at its {id}.
const NEEDS = { '/organizations/{id}/changes': '?from=2020&to=2021' };
// A valid body per operation with a body (the record itself is what is missing).
const BODY = { '/people/{id}/merge': { duplicate: MISSING_SLUG } };

/** Every (method, path template) of the spec whose path takes {id}. */
function idOperations() {
  const out = [];
  for (const [tpl, item] of Object.entries(spec.paths)) {
    if (!tpl.includes('{id}')) continue;
    for (const method of ['get', 'patch', 'delete', 'post', 'put']) if (item[method]) out.push({ method: method.toUpperCase(), tpl });
  }
  return out;
}

/** The filters that name a record, per list or statistic, from the spec: parameters whose
 * schema is a reference (x-orgwatch-ref) — listed here so a missing one fails loudly. */
const REF_FILTERS = {
  '/people': ['org', 'team'],
  '/organizations': ['parent'],
  '/teams': ['org', 'parent'],
  '/positions': ['person', 'org', 'team'],
  '/reporting-lines': ['report', 'manager'],
  '/departures': ['person', 'org', 'team', 'destination_org', 'layoff'],
  '/layoffs': ['org', 'team'],
  '/stats/departures': ['person', 'org', 'team', 'destination_org', 'layoff'],
  '/stats/flows': ['org'],
  '/stats/attrition': ['org', 'team'],
};

function psql(url, sql) {
  return execFileSync('psql', [url, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim();
}

let scratch;
let server;
let adminKey;
const scratchName = `ow_outside_${Date.now().toString(36)}`;

before(async () => {
  if (noDb) return;
  const url = new URL(DB_URL);
  url.pathname = `/${scratchName}`;
  scratch = url.toString();
  psql(DB_URL, `CREATE DATABASE ${scratchName}`);
  const env = { ORGWATCH_DATABASE_URL: scratch, ORGWATCH_HOME: HOME };
  const m = await run(['migrate'], env, 120_000);
  assert.equal(m.code, 0, m.stderr);
  const k = await run(['key', 'create', '--name', 'outside-admin', '--role', 'admin'], env);
  assert.equal(k.code, 0, k.stderr);
  adminKey = k.stdout.trim();
  // Empty and analysed: what autovacuum leaves once a table was filled and emptied.
  psql(scratch, 'ANALYZE');
  server = await startServer({ ORGWATCH_DATABASE_URL: scratch });
});

after(async () => {
  if (server) await server.stop();
  if (scratch) psql(DB_URL, `DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
});

async function everyIdPathIs404(label) {
  const failures = [];
  let n = 0;
  for (const { method, tpl } of idOperations()) {
    for (const key of [MISSING_UUID, MISSING_SLUG]) {
      const urlPath = tpl.replace('{id}', key) + (NEEDS[tpl] || '');
      const opts = { base: server.base, key: adminKey, timeoutMs: 10_000 };
      if (method === 'PATCH' || method === 'POST' || method === 'PUT') opts.body = BODY[tpl] || {};
      const res = await api(method, urlPath, opts);
      n++;
      const ct = res.headers.get('content-type') || '';
      if (res.status !== 404 || !ct.startsWith('application/problem+json') || !res.headers.get('x-request-id'))
        failures.push(`${method} ${urlPath} → ${res.status} ${ct} ${res.text.slice(0, 120)}`);
    }
  }
  assert.ok(n >= 60, `only ${n} requests: the spec lost its {id} paths?`);
  assert.deepEqual(failures, [], `${label}: every path with a missing {id} answers 404 problem+json`);
}

async function everyRefFilterIs400(label) {
  const failures = [];
  for (const [list, names] of Object.entries(REF_FILTERS)) {
    for (const name of names) {
      const res = await api('GET', `${list}?${name}=${MISSING_SLUG}`, { base: server.base });
      if (res.status !== 400 || !namesField(errorFields(res), name)) failures.push(`GET ${list}?${name}= → ${res.status} ${res.text.slice(0, 160)}`);
    }
  }
  assert.deepEqual(failures, [], `${label}: a filter naming no record is a 400 naming it`);
}

test('on empty, analysed tables: every {id} path answers 404 for a missing record, every reference filter 400', { skip: noDb, timeout: 120_000 }, async () => {
  await everyIdPathIs404('empty tables');
  await everyRefFilterIs400('empty tables');
  // A chart's root must name a person; the organization is checked first.
  const chart = await api('GET', `/organizations/${MISSING_SLUG}/chart?root=${MISSING_SLUG}`, { base: server.base });
  expectProblem(chart, 404);
});

test('with other rows in every table: still 404 and 400; existing records still answer', { skip: noDb, timeout: 180_000 }, async () => {
  const env = { ORGWATCH_DATABASE_URL: scratch, ORGWATCH_HOME: HOME };
  const l = await run(['load-sample'], env, 120_000);
  assert.equal(l.code, 0, l.stderr);
  psql(scratch, 'ANALYZE');
  await everyIdPathIs404('tables with other rows');
  await everyRefFilterIs400('tables with other rows');
  // The same filters naming records that exist answer 200, and an empty page of a team that
  // exists is a 200.
  const meta = await api('GET', '/departures?org=meta', { base: server.base });
  assert.equal(meta.status, 200);
  assert.ok(meta.body.items.length > 0);
  const team = await api('POST', '/teams', { base: server.base, key: adminKey, body: { org: 'meta', name: 'Nobody Yet', slug: 'nobody-yet' } });
  assert.equal(team.status, 201, team.text);
  for (const sub of ['members', 'alumni']) {
    const res = await api('GET', `/teams/${team.body.id}/${sub}`, { base: server.base });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items, []);
  }
  const stats = await api('GET', '/stats/departures?org=meta&from=1900&to=1901', { base: server.base });
  assert.equal(stats.status, 200, stats.text);
});

// ------------------------------------------------------------------ raw sockets

const { hostname: HOST, port: PORT } = new URL(BASE);

/** Sends raw bytes; resolves {text, closed} once the server closed the connection or 1.5 s
 * passed (closed false: the connection was kept). */
function raw(bytes, ms = 1500) {
  return new Promise((resolve) => {
    const s = net.connect(Number(PORT), HOST);
    const chunks = [];
    let closed = false;
    const t = setTimeout(() => {
      s.destroy();
      finish();
    }, ms);
    const finish = () => {
      clearTimeout(t);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => {
      closed = true;
      s.destroy();
      finish();
    });
    s.on('error', () => {
      closed = true;
      finish();
    });
    s.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1'));
  });
}

function parseAnswer(text) {
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) [A-Z]/g)].map((m) => Number(m[1]));
  const head = text.split('\r\n\r\n')[0];
  const body = text.slice(head.length + 4);
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { statuses, head, json };
}

const framing = [
  ['two different Content-Length', 'POST /organizations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}', 400, 'Content-Length'],
  ['Content-Length with Transfer-Encoding', 'POST /organizations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', 400, 'Transfer-Encoding'],
  ['Transfer-Encoding gzip, chunked', 'POST /organizations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', 501, 'Transfer-Encoding'],
  ['two Transfer-Encoding headers', 'POST /organizations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', 501, 'Transfer-Encoding'],
  ['HTTP/1.1 without Host', 'GET /health HTTP/1.1\r\n\r\n', 400, 'Host'],
  ['a raw NUL in the path', 'GET /health\0junk HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'request-target'],
  ['a raw NUL in a query value', 'GET /departures?org=meta\0junk HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'request-target'],
  ['a raw NUL in the method', 'GET\0X /health HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'method'],
];

for (const [what, bytes, status, field] of framing) {
  test(`framing: ${what} → ${status}, one answer, connection closed`, async () => {
    const { text, closed } = await raw(bytes);
    const a = parseAnswer(text);
    assert.deepEqual(a.statuses, [status], `one answer with status ${status}: ${text.slice(0, 300)}`);
    assert.match(a.head, /\r\nContent-Type: application\/problem\+json/i);
    assert.match(a.head, /\r\nX-Request-Id: /i);
    assert.ok(a.json && namesField(a.json.errors.map((e) => e.field), field), `names ${field}: ${text.slice(0, 400)}`);
    assert.ok(closed, 'the server closed the connection');
  });
}

test('framing: the same Content-Length twice is one length (accepted), and a keep-alive request after a good one still works', async () => {
  const { text } = await raw('GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(parseAnswer(text).statuses, [200, 200]);
});

test('HTTP/1.0 without Host is served', async () => {
  const { text } = await raw('GET /health HTTP/1.0\r\n\r\n');
  assert.deepEqual(parseAnswer(text).statuses, [200]);
});

test('%00 in a query value is a 400 naming the parameter, never the value cut at the NUL', async () => {
  for (const q of ['org=meta%00garbage', 'limit=5%00', 'q=ab%00c']) {
    const res = await api('GET', `/departures?${q}`);
    expectProblem(res, 400);
    assert.ok(namesField(errorFields(res), q.split('=')[0]), res.text);
  }
  const people = await api('GET', '/people?q=a%00b');
  expectProblem(people, 400);
  assert.ok(namesField(errorFields(people), 'q'), people.text);
  // In the path too: a 400 naming it, not a record that is not found.
  const path = await api('GET', '/people/yann-lecun%00x');
  expectProblem(path, 400);
  assert.deepEqual(errorFields(path), ['path']);
});

test('a repeated query parameter is a 400 naming it, whatever the order of the values', async () => {
  for (const q of ['org=nonexistent&org=meta', 'org=meta&org=nonexistent', 'limit=5&limit=5', 'status=all&status=reported']) {
    const res = await api('GET', `/departures?${q}`);
    expectProblem(res, 400);
    assert.deepEqual(errorFields(res), [q.split('=')[0]], res.text);
  }
});

test('a non-UTF-8 Authorization header is a 401 (not a key), on every path', async () => {
  for (const p of ['/health', '/departures', '/people/yann-lecun']) {
    const { text } = await raw(`GET ${p} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\xfd\r\nConnection: close\r\n\r\n`);
    const a = parseAnswer(text);
    assert.deepEqual(a.statuses, [401], text.slice(0, 300));
    assert.equal(a.json?.status, 401);
    assert.match(a.head, /\r\nWWW-Authenticate: Bearer/i);
  }
});

test('control characters: refused in single-line fields, tab and newline allowed in multi-line ones, the same in the import', async () => {
  const slug = uniq('ctl');
  for (const bad of ['Eve\u001b[31mRed', 'Tab\tName', 'New\nLine', 'Del\u007f', 'C1\u0085Next', 'Bell\u0007']) {
    const res = await api('POST', '/people', { key: 'editor', body: { full_name: bad, slug } });
    expectProblem(res, 400);
    assert.deepEqual(errorFields(res), ['full_name'], `${JSON.stringify(bad)}: ${res.text}`);
  }
  const alias = await api('POST', '/people', { key: 'editor', body: { full_name: 'Ok Name', slug, aliases: ['A\u001bB'] } });
  expectProblem(alias, 400);
  assert.ok(namesField(errorFields(alias), 'aliases'), alias.text);
  const bioBad = await api('POST', '/people', { key: 'editor', body: { full_name: 'Ok Name', slug, bio: 'one\u0007two' } });
  expectProblem(bioBad, 400);
  assert.deepEqual(errorFields(bioBad), ['bio']);
  const ok = await api('POST', '/people', { key: 'editor', body: { full_name: 'Ok Name', slug, bio: 'line one\nline two\tand a tab' } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.bio, 'line one\nline two\tand a tab');
  const patch = await api('PATCH', `/people/${slug}`, { key: 'editor', body: { full_name: 'Esc\u001b]0;owned\u0007' } });
  expectProblem(patch, 400);
  const org = await api('POST', '/organizations', { key: 'editor', body: { name: 'Evil\u001bCorp', slug: uniq('evil') } });
  expectProblem(org, 400);
  assert.deepEqual(errorFields(org), ['name']);
  const ndjson = `${JSON.stringify({ type: 'person', full_name: 'Fine Person', slug: uniq('fine') })}\n${JSON.stringify({ type: 'person', full_name: 'Bad\u001b[2JPerson', slug: uniq('badp') })}\n`;
  const imp = await api('POST', '/import', { key: 'editor', raw: true, body: ndjson, headers: { 'content-type': 'application/x-ndjson' } });
  assert.equal(imp.status, 422, imp.text);
  assert.deepEqual(
    imp.body.errors.map((e) => [e.line, e.field]),
    [[2, 'full_name']],
  );
  const csv = `type,full_name,slug\r\nperson,"Csv\u0001Person",${uniq('csvp')}\r\n`;
  const impCsv = await api('POST', '/import?type=person', { key: 'editor', raw: true, body: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(impCsv.status, 422, impCsv.text);
  assert.deepEqual(impCsv.body.errors.map((e) => [e.line, e.field]), [[2, 'full_name']]);
});

test('header values the spec constrains are checked with or without replicas: Orgwatch-LSN, Idempotency-Key', async () => {
  const lsn = await api('GET', '/departures?limit=1', { headers: { 'Orgwatch-LSN': 'yesterday' } });
  expectProblem(lsn, 400);
  assert.deepEqual(errorFields(lsn), ['Orgwatch-LSN']);
  const good = await api('GET', '/departures?limit=1', { headers: { 'Orgwatch-LSN': '0/16B3748' } });
  assert.equal(good.status, 200);
  for (const key of ['', 'x'.repeat(256), 'caf\u00e9-key']) {
    const res = await api('POST', '/organizations', { key: 'editor', body: { name: `Idem ${uniq()}` }, headers: { 'Idempotency-Key': key } });
    expectProblem(res, 400);
    assert.deepEqual(errorFields(res), ['Idempotency-Key'], res.text);
  }
});

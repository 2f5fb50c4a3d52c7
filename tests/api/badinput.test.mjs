// badinput.test.mjs — the bad-input catalogue: malformed bytes, hostile JSON, smuggling
// attempts, traversal and header injection. Each must get a clear 4xx (never a 5xx, never a
// crash), leave nothing written, and the server must keep answering afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BASE, keys } from './lib.mjs';

const url = new URL(BASE);
const runId = Math.random().toString(36).slice(2, 8);

function post(path, body, headers = {}) {
  return fetch(BASE + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${keys.editor}`, 'Content-Type': 'application/json', ...headers },
    body,
  });
}

async function expect4xx(res, status, what) {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: ${text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') || '', /application\/problem\+json/, what);
  return JSON.parse(text);
}

/** Sends raw bytes on a fresh connection and returns everything the server wrote back. */
function raw(bytes, { waitMs = 1500 } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    const sock = net.connect(Number(url.port), url.hostname, () => sock.write(bytes));
    sock.on('data', (d) => chunks.push(d));
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    sock.on('end', done);
    sock.on('error', done);
    setTimeout(() => { sock.destroy(); done(); }, waitMs);
  });
}

async function stillHealthy() {
  const res = await fetch(`${BASE}/health`);
  assert.equal(res.status, 200);
  await res.text();
}

test('invalid UTF-8 in a JSON body is a 400', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  const body = Buffer.concat([Buffer.from('{"full_name": "bad '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
  await expect4xx(await post('/people', body), 400, 'invalid UTF-8');
  await stillHealthy();
});

test('a NUL character (\\u0000) in a string is a 400', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  await expect4xx(await post('/people', '{"full_name": "a\\u0000b"}'), 400, 'NUL in a string');
});

test('10,000-deep nesting is a 400, not a crash', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  const deep = '['.repeat(10000) + ']'.repeat(10000);
  await expect4xx(await post('/people', `{"full_name": "x", "bio": ${deep}}`), 400, 'deep nesting');
  await stillHealthy();
});

test('numbers out of range are 400s naming the field', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  for (const n of ['1e400', '99999999999999999999999', '-1', '1.5']) {
    const res = await post('/teams', `{"org": "meta", "name": "T ${runId}", "reported_headcount": ${n}}`);
    assert.equal(res.status, 400, `reported_headcount ${n}`);
    const body = await res.json();
    assert.ok(body.errors?.some((e) => e.field === 'reported_headcount') || /number|integer|overflow/i.test(body.detail || ''),
      `reported_headcount ${n}: ${JSON.stringify(body)}`);
  }
});

test('a name far over its limit is refused (field too long, or the whole body too large)', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  const long = 'x'.repeat(60000);
  const res = await post('/people', JSON.stringify({ full_name: long }));
  const body = await res.json();
  assert.ok([400, 413].includes(res.status), `got ${res.status}`);
  if (res.status === 400) assert.ok(body.errors.some((e) => e.field === 'full_name'));
  const huge = await post('/people', JSON.stringify({ full_name: 'y'.repeat(1 << 20) }));
  await expect4xx(huge, 413, '1 MB name');
});

test('duplicate JSON keys are a 400 (no silent last-one-wins)', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  await expect4xx(await post('/people', `{"full_name": "A ${runId}", "full_name": "B ${runId}"}`), 400, 'duplicate keys');
  const list = await (await fetch(`${BASE}/people?q=${runId}`)).json();
  assert.equal(list.items.length, 0, 'nothing was written');
});

test('conflicting Content-Length and Transfer-Encoding never smuggles a second request', async () => {
  const smuggled = 'DELETE /people/erik-meijer HTTP/1.1\r\nHost: x\r\n\r\n';
  const req = 'POST /people HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`;
  const out = await raw(req);
  const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  assert.ok(statuses.length >= 1, `some answer: ${out.slice(0, 200)}`);
  for (const s of statuses) assert.ok(s >= 400 && s < 500, `only client errors, got ${statuses}`);
  const meijer = await fetch(`${BASE}/people/erik-meijer`);
  assert.equal(meijer.status, 200, 'the smuggled DELETE did nothing');
  await meijer.text();
});

test('two Content-Length headers that disagree are refused', async () => {
  const out = await raw('POST /people HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}');
  const m = out.match(/HTTP\/1\.1 (\d{3})/);
  assert.ok(!m || (Number(m[1]) >= 400 && Number(m[1]) < 500), `got ${out.slice(0, 120)}`);
  await stillHealthy();
});

test('path traversal in dashboard assets never leaves web/', async () => {
  for (const p of ['/assets/../openapi.yaml', '/assets/..%2Fopenapi.yaml', '/assets/%2e%2e%2fopenapi.yaml',
    '/assets/..%2F..%2F..%2Fetc%2Fpasswd', '/assets/.env', '/assets/app.js%00.png']) {
    const out = await raw(`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const status = Number((out.match(/HTTP\/1\.1 (\d{3})/) || [])[1]);
    assert.ok(status === 404 || status === 400, `${p}: ${status}`);
    assert.ok(!out.includes('openapi: ') && !out.includes('root:'), `${p} leaked a file`);
  }
  const ok = await fetch(`${BASE}/assets/app.js`);
  assert.equal(ok.status, 200);
  await ok.text();
});

test('CR/LF in names cannot inject headers through Location or slugs', async (t) => {
  if (!keys.editor) return t.skip('no editor key');
  const res = await post('/people', JSON.stringify({ full_name: `Evil ${runId}\r\nX-Injected: yes` }));
  const text = await res.text();
  if (res.status === 201) {
    assert.equal(res.headers.get('x-injected'), null);
    const loc = res.headers.get('location');
    assert.match(loc, /^\/people\/[a-z0-9-]+$/);
    const del = await fetch(BASE + loc, { method: 'DELETE', headers: { Authorization: `Bearer ${keys.editor}` } });
    await del.text();
  } else {
    assert.equal(res.status, 400, text);
  }
  const bad = await post('/people', JSON.stringify({ full_name: 'X', slug: `x\r\nx-injected: yes` }));
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('x-injected'), null);
  await bad.text();
});

test('a request line or header far too long is refused and the server keeps serving', async () => {
  const out = await raw(`GET /people/${'a'.repeat(200000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  const m = out.match(/HTTP\/1\.1 (\d{3})/);
  assert.ok(!m || Number(m[1]) >= 400, `got ${out.slice(0, 120)}`);
  await stillHealthy();
});

test('a long non-ASCII unknown field name is named in valid UTF-8 (cut at a character, not mid-byte)', async () => {
  // Field names in problem bodies have a bound; truncation used to cut a 2-byte character in
  // half and the whole answer stopped being valid JSON.
  const name = 'é'.repeat(100);
  const res = await post('/people', JSON.stringify({ full_name: `Utf ${runId}`, [name]: 1 }));
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 400);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // throws on invalid UTF-8
  const body = JSON.parse(text);
  const e = body.errors.find((x) => x.field.startsWith('éé'));
  assert.ok(e, JSON.stringify(body.errors));
  assert.ok(name.startsWith(e.field.replace(/\uFFFD$/, '')), `the field is a prefix of the name: ${e.field}`);
});

// ratelimit.test.mjs — fair share (issue 28's rate limits): a server of the test's own with
// small quotas. Reads without a key count per address, keyed requests per key; past the quota
// a 429 problem with Retry-After; every counted answer says RateLimit-Policy and RateLimit
// (IETF httpapi draft); operations are not counted; the bucket refills at quota/60 a second.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, expectProblem, keys, uniq } from './lib.mjs';
import { noDb, startServer } from './helpers-server.mjs';

let server;
after(async () => {
  if (server) await server.stop();
});

/** GET from another loopback address (another client). */
function getFrom(localAddress, base, path) {
  return new Promise((resolve, reject) => {
    const u = new URL(base + path);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('reads over ORGWATCH_RATE_READS from one address are 429 with Retry-After; another address, operations and keys are not held up', { skip: noDb, timeout: 60_000 }, async () => {
  server = await startServer({ ORGWATCH_RATE_READS: '30', ORGWATCH_RATE_WRITES: '3', ORGWATCH_RATE_IMPORTS: '0' });
  const base = server.base;
  const seen = [];
  for (let i = 0; i < 30; i++) {
    const r = await api('GET', '/departures?limit=1', { base });
    assert.equal(r.status, 200, `read ${i + 1} of 30: ${r.text}`);
    seen.push(r.headers.get('ratelimit'));
    assert.equal(r.headers.get('ratelimit-policy'), '"reads";q=30;w=60');
  }
  assert.match(seen[0], /^"reads";r=29;t=\d+$/);
  assert.match(seen[29], /^"reads";r=0;t=\d+$/);
  const over = await api('GET', '/departures?limit=1', { base });
  expectProblem(over, 429);
  const wait = Number(over.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 2, `Retry-After ${over.headers.get('retry-after')}`);
  assert.match(over.headers.get('ratelimit'), /^"reads";r=0;t=[12]$/);
  assert.match(over.body.detail, /more than 30 reads a minute from this address/i);
  // Another client (address) is served; operations are not counted; a key has its own bucket.
  const other = await getFrom('127.0.0.2', base, '/departures?limit=1');
  assert.equal(other.status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await api('GET', '/health', { base })).status, 200);
  const keyed = await api('GET', '/departures?limit=1', { base, key: 'reader' });
  assert.equal(keyed.status, 200);
  // The bucket refills at 30/60 = one token every 2 s.
  await new Promise((r) => setTimeout(r, wait * 1000 + 200));
  assert.equal((await api('GET', '/departures?limit=1', { base })).status, 200, 'served again after Retry-After');
  const metrics = await api('GET', '/metrics', { base });
  assert.match(metrics.text, /orgwatch_rate_limited_total\{kind="reads"\} [1-9]/);
});

test('writes over ORGWATCH_RATE_WRITES from one key are 429; another key writes on', { skip: noDb, timeout: 60_000 }, async () => {
  assert.ok(server, 'the first test started the server');
  const base = server.base;
  for (let i = 0; i < 3; i++) {
    const r = await api('POST', '/organizations', { base, key: 'editor', body: { name: `Rate ${uniq()}` } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('ratelimit-policy'), '"writes";q=3;w=60');
  }
  const over = await api('POST', '/organizations', { base, key: 'editor', body: { name: `Rate ${uniq()}` } });
  expectProblem(over, 429);
  assert.ok(Number(over.headers.get('retry-after')) >= 1);
  assert.match(over.body.detail, /from this key/);
  if (keys.admin && keys.admin !== keys.editor) { // one key given for both roles has one bucket
    const admin = await api('POST', '/organizations', { base, key: 'admin', body: { name: `Rate ${uniq()}` } });
    assert.equal(admin.status, 201, 'another key has its own bucket');
  }
});

// answers_pool.test.mjs — issue 28 as a user relies on it: a burst of the same public read is
// answered from memory with the same bytes and headers (server/answers.c), never after a
// write — made through this server, through another server, or by psql on the database —
// and never for a request with a key or "Cache-Control: no-cache"; the memory stays within
// ORGWATCH_ANSWER_CACHE_MB; a burst of the same read right after a write asks the database
// once; and the request workers, each with its database connection (server/workers.c,
// server/db_pool.c), let requests through while a statement of another waits on a lock.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { api, keys, sleep, uniq, waitFor } from './lib.mjs';
import { DB_URL, noDb, startServer } from './helpers-server.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function serve(settings = {}) {
  const s = await startServer(settings);
  servers.push(s);
  return s;
}

async function metrics(base) {
  const res = await api('GET', '/metrics', { base });
  assert.equal(res.status, 200);
  const out = {};
  for (const line of res.text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const hits = (m) => m['orgwatch_answer_cache_requests_total{result="hit"}'];
const psql = (sql) => execFileSync('psql', [DB_URL, '-XAtqc', sql], { encoding: 'utf8' }).trim();
// Headers that are the request's own, not the answer's.
// Framing (a streamed answer is chunked, one from memory has a length) is not the answer's.
const OWN = new Set(['x-request-id', 'date', 'ratelimit', 'ratelimit-policy', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
const answerHeaders = (res) => [...res.headers.entries()].filter(([k]) => !OWN.has(k)).sort();

test('a repeated public read is answered from memory with the same bytes and headers; If-None-Match still 304', { skip: noDb, timeout: 60_000 }, async () => {
  const s = await serve();
  const paths = [
    '/people?limit=3',
    '/departures.csv?limit=5',
    '/stats/departures?group_by=month',
    '/charts/departures-by-month.svg?org=meta',
    '/organizations/meta/chart?as_of=2025-06-01',
    '/people/yann-lecun',
  ];
  for (const path of paths) {
    const fresh = await api('GET', path, { base: s.base, headers: { 'Cache-Control': 'no-cache' } });
    assert.equal(fresh.status, 200, `${path}: ${fresh.text.slice(0, 200)}`);
    await api('GET', path, { base: s.base }); // made and kept
    const before = hits(await metrics(s.base));
    const kept = await api('GET', path, { base: s.base });
    assert.equal(hits(await metrics(s.base)), before + 1, `${path} was answered from memory`);
    assert.equal(kept.status, 200);
    assert.equal(kept.text, fresh.text, `${path}: the same bytes`);
    assert.deepEqual(answerHeaders(kept), answerHeaders(fresh), `${path}: the same headers`);
    assert.notEqual(kept.headers.get('x-request-id'), fresh.headers.get('x-request-id'));
    const etag = kept.headers.get('etag');
    assert.ok(etag, `${path} has an ETag`);
    const again = await api('GET', path, { base: s.base, headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, `${path} with its ETag from memory`);
    assert.equal(again.text, '');
    assert.equal(again.headers.get('etag'), etag);
  }
});

test('no answer kept from before a write is served: a write here, through another server, or by psql', { skip: noDb, timeout: 60_000 }, async () => {
  const a = await serve();
  const b = await serve();
  const slug = uniq('ans');
  const created = await api('POST', '/people', { key: 'editor', base: a.base, body: { slug, full_name: 'First Name' } });
  assert.equal(created.status, 201);
  const path = `/people?q=${encodeURIComponent('First Name')}&limit=50`;
  const read = async () => {
    const res = await api('GET', `/people/${slug}`, { base: a.base });
    assert.equal(res.status, 200);
    return res.body.full_name;
  };
  assert.equal(await read(), 'First Name');
  assert.equal(await read(), 'First Name'); // kept
  // A write through this server: the very next read, started after its answer, sees it.
  const patched = await api('PATCH', `/people/${slug}`, { key: 'editor', base: a.base, body: { full_name: 'Second Name' } });
  assert.equal(patched.status, 200);
  assert.equal(await read(), 'Second Name', 'after a write through the same server');
  assert.equal(await read(), 'Second Name');
  // Through another server on the same database: heard as the database notifies it.
  const viaB = await api('PATCH', `/people/${slug}`, { key: 'editor', base: b.base, body: { full_name: 'Third Name' } });
  assert.equal(viaB.status, 200);
  assert.ok(await waitFor(async () => (await read()) === 'Third Name', 2000, 20), 'a write through another server is seen within 2 s');
  // By psql, around every server.
  await api('GET', path, { base: a.base });
  psql(`UPDATE people SET full_name = 'Fourth Name' WHERE slug = '${slug}'`);
  assert.ok(await waitFor(async () => (await read()) === 'Fourth Name', 2000, 20), 'a write by psql is seen within 2 s');
  const m = await metrics(a.base);
  assert.equal(m.orgwatch_answer_cache_following, 1);
  assert.ok(m['orgwatch_answer_cache_requests_total{result="stale"}'] >= 2, 'stale answers were dropped');
});

test('requests with a key, with Cache-Control: no-cache or Pragma: no-cache are never answered from memory', { skip: noDb, timeout: 60_000 }, async () => {
  const s = await serve();
  const path = '/departures?limit=4';
  await api('GET', path, { base: s.base });
  await api('GET', path, { base: s.base });
  const m0 = await metrics(s.base);
  const keyed = await api('GET', path, { base: s.base, key: 'reader' });
  assert.equal(keyed.status, 200);
  assert.equal(keyed.headers.get('cache-control'), 'no-store');
  for (const headers of [{ 'Cache-Control': 'no-cache' }, { Pragma: 'no-cache' }, { 'Cache-Control': 'max-age=0' }]) {
    const res = await api('GET', path, { base: s.base, headers });
    assert.equal(res.status, 200);
  }
  const m1 = await metrics(s.base);
  assert.equal(hits(m1), hits(m0), 'none of them was a hit');
  assert.equal(m1['orgwatch_answer_cache_requests_total{result="miss"}'], m0['orgwatch_answer_cache_requests_total{result="miss"}'], 'nor looked up');
});

test('the answers kept stay within ORGWATCH_ANSWER_CACHE_MB, the least recently used going first; 0 keeps none', { skip: noDb, timeout: 120_000 }, async () => {
  const s = await serve({ ORGWATCH_ANSWER_CACHE_MB: '1' });
  // Distinct answers of ~40-60 kB each (pages of the audit log): a few MB in all.
  let sent = 0;
  for (let i = 0; i < 60; i++) {
    const res = await api('GET', `/changes?limit=${141 + i}`, { base: s.base });
    assert.equal(res.status, 200);
    sent += res.text.length;
  }
  const m = await metrics(s.base);
  assert.ok(sent > 2 * 1048576 || m.orgwatch_answer_cache_evictions_total > 0, `answers made: ${sent} bytes`);
  assert.ok(m.orgwatch_answer_cache_bytes <= 1048576, `kept ${m.orgwatch_answer_cache_bytes} bytes`);
  assert.equal(m.orgwatch_answer_cache_max_bytes, 1048576);
  assert.ok(m.orgwatch_answer_cache_evictions_total > 0, 'the oldest were evicted');
  // The newest is still there, the oldest not.
  const h0 = hits(m);
  await api('GET', '/changes?limit=200', { base: s.base });
  assert.equal(hits(await metrics(s.base)), h0 + 1, 'the newest answer is kept');
  await api('GET', '/changes?limit=141', { base: s.base });
  assert.equal(hits(await metrics(s.base)), h0 + 1, 'the oldest was evicted');

  const none = await serve({ ORGWATCH_ANSWER_CACHE_MB: '0' });
  await api('GET', '/people?limit=2', { base: none.base });
  await api('GET', '/people?limit=2', { base: none.base });
  const n = await metrics(none.base);
  assert.equal(hits(n), 0);
  assert.equal(n.orgwatch_answer_cache_bytes, 0);
});

// A psql session that takes a lock and keeps it until release() is called.
function holdLock(sql) {
  const child = spawn('psql', [DB_URL, '-Xq', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write(`BEGIN;\n${sql};\n\\echo locked\n`);
  const locked = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('locked')) resolve();
    });
    child.on('exit', () => reject(new Error('psql exited before locking')));
  });
  return {
    locked,
    release: () =>
      new Promise((resolve) => {
        child.on('exit', resolve);
        child.stdin.end('ROLLBACK;\n');
      }),
  };
}

// A new organization locked by psql, and a PATCH of it through server s that waits for the lock
// (holding one database connection of s): {blocked (its answer), lock}.
async function writeBlockedOnLock(s, description) {
  const slug = uniq('locked');
  const org = await api('POST', '/organizations', { key: 'editor', base: s.base, body: { slug, name: 'Locked Org', kind: 'company' } });
  assert.equal(org.status, 201);
  const lock = holdLock(`SELECT 1 FROM organizations WHERE slug = '${slug}' FOR UPDATE`);
  await lock.locked;
  const blocked = api('PATCH', `/organizations/${slug}`, { key: 'editor', base: s.base, body: { description }, timeoutMs: 30_000 });
  const waiting = () => psql(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'orgwatch'`) === '1';
  assert.ok(await waitFor(waiting, 5000, 50), 'the write waits for the lock');
  return { blocked, lock };
}

test('a statement blocked on a lock holds its own worker only: other requests go through the others', { skip: noDb, timeout: 90_000 }, async () => {
  const s = await serve({ ORGWATCH_DB_CONNECTIONS: '2' });
  // This write waits for the lock on one of the two workers.
  const { blocked, lock } = await writeBlockedOnLock(s, 'written after the lock');
  // Twenty reads by four clients at once, while it waits: all answered by the other connection.
  const reads = await Promise.all(
    Array.from({ length: 4 }, async (_, c) => {
      const out = [];
      for (let i = 0; i < 5; i++) out.push(await api('GET', `/people?limit=${1 + c * 5 + i}`, { base: s.base, headers: { 'Cache-Control': 'no-cache' }, timeoutMs: 5000 }));
      return out;
    }),
  );
  for (const res of reads.flat()) assert.equal(res.status, 200);
  let settled = false;
  blocked.then(() => (settled = true));
  await sleep(100);
  assert.equal(settled, false, 'the write is still waiting for the lock');
  await lock.release();
  const done = await blocked;
  assert.equal(done.status, 200, done.text.slice(0, 200));
  assert.equal(done.body.description, 'written after the lock');
  const m = await metrics(s.base);
  assert.equal(m['orgwatch_workers{state="busy"}'] + m['orgwatch_workers{state="idle"}'], 2);
  const served = [0, 1].map((i) => m[`orgwatch_worker_requests_total{worker="${i}"}`]);
  assert.ok(served.every((n) => n > 0), `both workers answered requests: ${served}`);
});

test('with every worker busy, a request waits for the next one free (in line), then is answered', { skip: noDb, timeout: 90_000 }, async () => {
  const s = await serve({ ORGWATCH_DB_CONNECTIONS: '1' });
  const { blocked, lock } = await writeBlockedOnLock(s, 'x');
  const read = api('GET', '/people?limit=1', { base: s.base, headers: { 'Cache-Control': 'no-cache' }, timeoutMs: 30_000 });
  assert.ok(await waitFor(async () => (await metrics(s.base)).orgwatch_workers_queued === 1, 5000, 50), 'the read waits in line');
  // Answers from memory and /metrics need no worker: they are not held up.
  const health = await api('GET', '/health', { base: s.base, timeoutMs: 2000 });
  assert.equal(health.status, 200);
  await lock.release();
  assert.equal((await blocked).status, 200);
  assert.equal((await read).status, 200);
  const m = await metrics(s.base);
  assert.ok(m.orgwatch_workers_wait_seconds_total > 0);
  assert.equal(m.orgwatch_workers_queued, 0);
});

test('a burst of the same read after a write asks the database once; the others wait for that answer', { skip: noDb, timeout: 60_000 }, async () => {
  const s = await serve({ ORGWATCH_DB_CONNECTIONS: '1' });
  const { blocked, lock } = await writeBlockedOnLock(s, 'burst');
  // The one worker is busy: the first request for this chart waits for it, the nineteen
  // others for the first one's answer.
  const path = '/charts/departures-by-month.svg?org=meta&width=700';
  const m0 = await metrics(s.base);
  const all = Array.from({ length: 20 }, () => api('GET', path, { base: s.base, timeoutMs: 30_000 }));
  assert.ok(await waitFor(async () => (await metrics(s.base)).orgwatch_answer_cache_coalesced_total - m0.orgwatch_answer_cache_coalesced_total === 19, 5000, 50), 'nineteen wait for the first');
  await lock.release();
  assert.equal((await blocked).status, 200);
  const answers = await Promise.all(all);
  for (const res of answers) {
    assert.equal(res.status, 200);
    assert.equal(res.text, answers[0].text);
  }
  const m = await metrics(s.base);
  const made = m['orgwatch_worker_requests_total{worker="0"}'] - m0['orgwatch_worker_requests_total{worker="0"}'];
  assert.equal(made, 2, 'the worker made the write and the chart once');
});

test('keys exist for these tests', () => {
  assert.ok(keys.editor && keys.reader);
});

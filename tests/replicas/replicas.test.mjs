// replicas.test.mjs — reads served by a real PostgreSQL streaming replica (run by
// scripts/replicas.sh: a throwaway primary and a replica made by pg_basebackup -R).
//  - routing: public reads go to the replica (Orgwatch-Served-By), writes to the primary and
//    answer its WAL position (Orgwatch-LSN header and orgwatch_lsn cookie); /ready and
//    /metrics show the replica;
//  - read-your-writes: with the replica's replay paused, a read presenting the write's LSN
//    (header or cookie) is served by the primary and sees the write; without it, the replica
//    answers (and does not see it yet);
//  - lag beyond ORGWATCH_REPLICA_MAX_LAG: the replica is skipped, and taken back once it
//    catches up;
//  - the replica stopped and started again: reads fall back to the primary, then return;
//  - the primary stopped: writes 503 problem+json, reads 200 from the replica.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

const BIN = process.env.ORGWATCH_BIN;
const PRIMARY = process.env.REPLICAS_PRIMARY_URL;
const REPLICA = process.env.REPLICAS_REPLICA_URL;
const KEY = process.env.REPLICAS_EDITOR_KEY;
const REPLICA_ADMIN = process.env.REPLICAS_REPLICA_ADMIN_URL;
if (!BIN || !PRIMARY || !REPLICA || !KEY) throw new Error('run through scripts/replicas.sh');

const PORT = 18141;
const BASE = `http://127.0.0.1:${PORT}`;
const MAX_LAG = 2;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const psql = (url, sql) => execFileSync('psql', [url, '-XqAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim();
const pg = (cmd, dir) => execFileSync('bash', [process.env.REPLICAS_PG_SCRIPT, cmd, dir], { stdio: 'pipe' });
const uniq = (p) => `${p}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

let server;
let output = '';
after(async () => {
  psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_resume()');
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
  }
});

// Reads ask "Cache-Control: no-cache" unless told otherwise (fromMemory): these tests are about
// which database answers, not about the answer cache (tested at the end).
async function http(method, p, { headers = {}, body, fromMemory = false } = {}) {
  const h = fromMemory ? { ...headers } : { 'Cache-Control': 'no-cache', ...headers };
  if (body !== undefined) {
    h['content-type'] = 'application/json';
    h.authorization = `Bearer ${KEY}`;
  }
  const res = await fetch(BASE + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
const servedBy = (r) => r.headers.get('orgwatch-served-by');

/** Polls fn until it returns a truthy value or ms pass; returns the last value. */
async function until(fn, ms) {
  const end = Date.now() + ms;
  let v;
  while (!(v = await fn()) && Date.now() < end) await sleep(100);
  return v;
}
const replicaState = async () => (await http('GET', '/ready')).json?.replicas?.[0]?.state;

test('start a server with the replica', async () => {
  server = spawn(BIN, ['serve'], {
    env: {
      ...process.env,
      ORGWATCH_DATABASE_URL: PRIMARY,
      ORGWATCH_REPLICA_URLS: REPLICA,
      ORGWATCH_REPLICA_MAX_LAG: String(MAX_LAG),
      ORGWATCH_REPLICA_WAIT_MS: '200',
      ORGWATCH_LISTEN: `127.0.0.1:${PORT}`,
      ORGWATCH_THREADS: '2',
      ORGWATCH_RATE_READS: '0',
      ORGWATCH_RATE_WRITES: '0',
      ORGWATCH_RATE_IMPORTS: '0',
      ORGWATCH_LOG: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => (output += d));
  server.stderr.on('data', (d) => (output += d));
  const up = await until(async () => (await http('GET', '/health').catch(() => ({ status: 0 }))).status === 200, 15_000);
  assert.ok(up, `the server did not start:\n${output}`);
  assert.equal(await until(async () => (await replicaState()) === 'up', 5000), true);
});

test('reads go to the replica, writes to the primary with its WAL position', async () => {
  const read = await http('GET', '/departures?limit=2');
  assert.equal(read.status, 200);
  assert.equal(servedBy(read), 'replica-0');
  const write = await http('POST', '/people', { body: { full_name: 'Routed Write', slug: uniq('routed') } });
  assert.equal(write.status, 201);
  assert.match(write.headers.get('orgwatch-lsn') || '', /^[0-9A-F]+\/[0-9A-F]+$/);
  assert.match(write.headers.get('set-cookie') || '', /^orgwatch_lsn=[0-9A-F]+\/[0-9A-F]+; Path=\/; Max-Age=300; SameSite=Lax$/);
  const ready = await http('GET', '/ready');
  assert.equal(ready.status, 200);
  assert.deepEqual(Object.keys(ready.json.replicas[0]).sort(), ['address', 'lag_seconds', 'name', 'state']);
  assert.equal(ready.json.replicas[0].address, '127.0.0.1:15482');
  const metrics = (await http('GET', '/metrics')).text;
  assert.match(metrics, /^orgwatch_replica_up\{replica="replica-0",address="127.0.0.1:15482"\} 1$/m);
  assert.ok(Number(/^orgwatch_replica_reads_total\{replica="replica-0"\} (\d+)$/m.exec(metrics)?.[1]) >= 1);
  const bad = await http('GET', '/departures?limit=1', { headers: { 'Orgwatch-LSN': 'yesterday' } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json.errors.map((e) => e.field), ['Orgwatch-LSN']);
});

test('read-your-writes: with replay paused, a read with the LSN sees the write (served by the primary)', async () => {
  psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_pause()');
  try {
    const slug = uniq('ryw');
    const write = await http('POST', '/people', { body: { full_name: 'Read Your Writes', slug } });
    assert.equal(write.status, 201);
    const lsn = write.headers.get('orgwatch-lsn');
    const withHeader = await http('GET', `/people/${slug}`, { headers: { 'Orgwatch-LSN': lsn } });
    assert.equal(withHeader.status, 200, 'the read presenting the write\'s LSN sees it');
    assert.equal(servedBy(withHeader), 'primary');
    const withCookie = await http('GET', `/people?q=${encodeURIComponent('Read Your Writes')}&limit=5`, { headers: { Cookie: `orgwatch_lsn=${lsn}` } });
    assert.equal(servedBy(withCookie), 'primary');
    assert.ok(withCookie.json.items.some((p) => p.slug === slug));
    const without = await http('GET', `/people/${slug}`);
    assert.equal(servedBy(without), 'replica-0');
    assert.equal(without.status, 404, 'the paused replica has not replayed the write: the read without the LSN proves it');
  } finally {
    psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_resume()');
  }
});

/** An NDJSON change stream of the server: its lines as they come, closed with close(). */
function openStream(path) {
  const ac = new AbortController();
  const lines = [];
  const done = (async () => {
    const res = await fetch(`${BASE}${path}`, { headers: { Accept: 'application/x-ndjson' }, signal: ac.signal });
    assert.equal(res.status, 200);
    let buf = '';
    for await (const chunk of res.body) {
      buf += Buffer.from(chunk).toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) lines.push(JSON.parse(line));
      }
    }
  })().catch((e) => {
    if (e.name !== 'AbortError') throw e;
  });
  return { lines, close: () => ac.abort(), done };
}

test('the change stream reads the replica: a write not replayed yet comes once it is, in order; a key only the primary knows yet waits, never resets', async () => {
  const live = openStream('/changes/stream?entity=person');
  await sleep(500);
  psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_pause()');
  let resumed;
  try {
    const first = await http('POST', '/people', { body: { full_name: 'Streamed Before Replay', slug: uniq('stream-a') } });
    assert.equal(first.status, 201);
    const firstKey = Number(psql(PRIMARY, `SELECT max(id) FROM audit_log WHERE entity_id = '${first.json.id}'`));
    resumed = openStream(`/changes/stream?after=${firstKey}&entity=person`);
    const second = await http('POST', '/people', { body: { full_name: 'Streamed Second', slug: uniq('stream-b') } });
    assert.equal(second.status, 201);
    await sleep(1500);
    assert.ok(!live.lines.some((l) => l.entity_id === first.json.id), 'the paused replica has not replayed the write: not streamed yet');
    assert.deepEqual(resumed.lines, [], 'nothing yet, and no reset for a key the replica has not replayed');
    psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_resume()');
    const ids = () => live.lines.map((l) => l.entity_id);
    assert.ok(await until(async () => ids().includes(second.json.id), 10_000), `streamed once replayed: ${JSON.stringify(live.lines)}`);
    assert.deepEqual(ids().filter((id) => id === first.json.id || id === second.json.id), [first.json.id, second.json.id]);
    assert.ok(await until(async () => resumed.lines.length > 0, 10_000));
    assert.equal(resumed.lines[0].entity_id, second.json.id, `resumed after the first write: ${JSON.stringify(resumed.lines)}`);
    assert.ok(!resumed.lines.some((l) => l.event === 'reset'));
  } finally {
    psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_resume()');
    live.close();
    resumed?.close();
  }
});

test('a replica lagging beyond ORGWATCH_REPLICA_MAX_LAG is skipped, and taken back once it catches up', async () => {
  psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_pause()');
  try {
    await http('POST', '/people', { body: { full_name: 'Lag Maker', slug: uniq('lag') } });
    assert.equal(await until(async () => (await replicaState()) === 'lagging', (MAX_LAG + 5) * 1000), true, 'the replica is reported lagging');
    const read = await http('GET', '/departures?limit=1');
    assert.equal(read.status, 200);
    assert.equal(servedBy(read), 'primary');
  } finally {
    psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_resume()');
  }
  assert.equal(await until(async () => (await replicaState()) === 'up', 10_000), true, 'the replica comes back');
  assert.equal(servedBy(await http('GET', '/departures?limit=1')), 'replica-0');
});

test('the replica stopped: reads fall back to the primary; started again: it takes reads again', async () => {
  pg('stop', process.env.REPLICAS_REPLICA_DIR);
  try {
    const read = await http('GET', '/organizations/meta/chart?as_of=2025-06-01');
    assert.equal(read.status, 200);
    assert.equal(servedBy(read), 'primary');
    assert.equal(await until(async () => (await replicaState()) === 'down', 5000), true);
  } finally {
    pg('start', process.env.REPLICAS_REPLICA_DIR);
  }
  assert.equal(await until(async () => (await replicaState()) === 'up', 15_000), true, 'the replica is back');
  assert.equal(servedBy(await http('GET', '/organizations/meta/chart?as_of=2025-06-01')), 'replica-0');
});

test('answers from memory say so (Orgwatch-Served-By: memory); only the primary\'s answers are kept, a replica\'s never', async () => {
  // The replica's answers are not kept: asked twice, it answers twice.
  const r1 = await http('GET', '/organizations/meta', { fromMemory: true });
  const r2 = await http('GET', '/organizations/meta', { fromMemory: true });
  assert.equal(r1.status, 200);
  assert.deepEqual([servedBy(r1), servedBy(r2)], ['replica-0', 'replica-0'], 'a replica\'s answer is never served from memory');
  psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_pause()');
  try {
    const slug = uniq('mem');
    const write = await http('POST', '/people', { body: { full_name: 'Kept In Memory', slug } });
    assert.equal(write.status, 201);
    // Made by the primary (the caller's LSN sends it there: the replica is paused), then kept.
    const p1 = await http('GET', `/people/${slug}`, { fromMemory: true, headers: { 'Orgwatch-LSN': write.headers.get('orgwatch-lsn') } });
    assert.equal(p1.status, 200);
    assert.equal(servedBy(p1), 'primary');
    const p2 = await http('GET', `/people/${slug}`, { fromMemory: true });
    assert.equal(p2.status, 200, 'the primary\'s answer, kept, even though the paused replica has not the record');
    assert.equal(servedBy(p2), 'memory');
    assert.equal(p2.text, p1.text);
  } finally {
    psql(REPLICA_ADMIN, 'SELECT pg_wal_replay_resume()');
  }
});

test('the primary stopped: writes get 503 problem+json, reads are served by the replica', async () => {
  pg('stop', process.env.REPLICAS_PRIMARY_DIR);
  try {
    const write = await http('POST', '/people', { body: { full_name: 'No Primary' } });
    assert.equal(write.status, 503);
    assert.match(write.headers.get('content-type'), /application\/problem\+json/);
    for (const p of ['/departures?limit=2', '/people/yann-lecun', '/stats/departures?group_by=year']) {
      const read = await http('GET', p);
      assert.equal(read.status, 200, `${p} with the primary down: ${read.text.slice(0, 200)}`);
      assert.equal(servedBy(read), 'replica-0');
    }
  } finally {
    pg('start', process.env.REPLICAS_PRIMARY_DIR);
  }
  const back = await until(async () => (await http('POST', '/people', { body: { full_name: 'Primary Back' } })).status === 201, 15_000);
  assert.equal(back, true, 'writes succeed once the primary is back');
  assert.ok(path.isAbsolute(process.env.REPLICAS_WORK));
});

test('the server stops cleanly on SIGTERM, with no sanitizer report', async () => {
  const exited = new Promise((r) => server.on('exit', (code, signal) => r({ code, signal })));
  server.kill('SIGTERM');
  const exit = await exited;
  assert.deepEqual(exit, { code: 0, signal: null }, output.slice(-2000));
  assert.doesNotMatch(output, /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer/);
});

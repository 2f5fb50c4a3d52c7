// Fault 3 (disconnects): clients that go away half-way, with ORGWATCH_THREADS=2 (two request
// workers, each with a database connection).
//  - 200 uploads cut off mid-body (POST /import sends half its Content-Length, then the socket
//    is closed: FIN and RST alternately): the first 5 once their import's transaction has
//    written rows; half of the rest 40 ms after the half body (the server has read it, waits for
//    more), half right after writing it (the close arrives with the data). Blocks of 20, two
//    clients at a time; after each block the server's backlog is let drain. (An import parks
//    its batches in a temporary table while its body arrives and writes them only once the
//    body has ended, so "heavy" means: its session has parked a batch.)
//  - 12 downloads cut off after 64 kB: GET /export (NDJSON of a ~23 MB database), GET /export
//    ?type=people as CSV, GET /people?limit=1000 as CSV; then 4 downloads that stall (never
//    read) while other clients are served.
// Asserts: the aborted imports wrote nothing; within 5 s of the last abort the server has
// noticed every closed client (no socket left in CLOSE-WAIT), holds no more PostgreSQL
// connections than worker threads, and /metrics shows 1 request in flight (itself) and no more
// pool connections than threads; with the stalled downloads open, 10 requests in a row, 6 at
// once, a write and a small import all succeed within 5 s each (a failure names whoever held
// the import lock then, from pg_locks); RSS grows by less than 30 MB
// across the aborts (read after a warm-up; a sanitizer build gets a small ASan quarantine).
import { test } from 'node:test';
import os from 'node:os';
import assert from 'node:assert/strict';
import { ASAN, EDITOR_KEY, THREADS, afterFaultTest, alive, asanSmallQuarantine, backendsOf, backlog, connect, fmtLockHolders, fmtTally, now, parseMetrics, personLines, pgConnPorts, port, psql, report, request, rssKb, runTag, secs, seedBulkPeople, sleep, socketCounts, socketTracker, startServer, stopAndCheck, tally } from './lib.mjs';

// The server's pool: a connection per request worker and per event thread (server/http.c).
const POOL = THREADS + Math.min(os.cpus().length, 16);

const NAME = 'disconnects';
const UPLOADS = 200;
const HEAVY = 5; // uploads cut only once their import has written rows
const DOWNLOADS = 12;
const STALLED = 4;
const SETTLE_MS = 5000; // to notice every client that went away (the connection timeout is 30 s)
const RSS_BOUND_KB = 30 * 1024;
const BULK_PEOPLE = 10_000; // with a 2 kB bio each: a ~23 MB export, far more than socket buffers hold

let server;
const sockets = socketTracker();
const track = sockets.track;
afterFaultTest(() => sockets.destroyAll());

const cut = (s, rst) => (rst && typeof s.resetAndDestroy === 'function' ? s.resetAndDestroy() : s.destroy());

test('uploads and downloads cut off half-way leave nothing behind', { timeout: 300_000 }, async () => {
  const tag = runTag('dx');
  const p = port(NAME);
  // Up to 20 uploads are open at once, each holding a stream slot (ORGWATCH_MAX_STREAMS, default 8):
  // here every one of them must reach the import, so the cap is raised.
  server = await startServer(NAME, p, { ORGWATCH_LOG: 'info', ORGWATCH_MAX_STREAMS: '64', ...asanSmallQuarantine() });
  const pid = server.pid;
  const t0 = now();
  seedBulkPeople(tag, BULK_PEOPLE);
  const seedMs = now() - t0;
  const auth = `Bearer ${EDITOR_KEY}`;
  const answered = {}; // what the server said to a cut-off upload before the cut

  // mode 'read': cut 40 ms after the half body is written (the server has usually read it and
  // waits for the rest); 'sent': cut as soon as it is written (the close arrives with the
  // data); 'heavy': cut once the import's own session has parked a batch in its spool table.
  async function abortedUpload(i, mode, rst) {
    const total = mode === 'heavy' ? 1200 : 600; // heavy: the half holds one batch (500) and more
    const all = personLines(`${tag}-u${i}`, total);
    const body = all.join('');
    const half = all.slice(0, total / 2).join('');
    const pgBefore = new Set(mode === 'heavy' ? pgConnPorts(pid) : []);
    const s = track(await connect(p));
    let got = '';
    s.on('data', (d) => (got += d));
    s.write(
      `POST /import HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nAuthorization: ${auth}\r\n` +
        `Content-Type: application/x-ndjson\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    await new Promise((r) => s.write(half, r));
    const deadline = now() + 20_000;
    let wrote = false;
    if (mode === 'heavy') {
      while (!wrote && now() < deadline && !got) {
        // this import's own session, whose last statement parked a batch
        wrote = backendsOf(pid).some((b) => !pgBefore.has(b.port) && /ow_import_spool/.test(b.query));
        if (!wrote) await sleep(50);
      }
    } else if (mode === 'read') {
      await sleep(40);
    }
    if (got) tally(answered, got.split('\r\n')[0]);
    cut(s, rst);
    return wrote;
  }

  const kinds = [
    ['export NDJSON', 'GET /export HTTP/1.1\r\n'],
    ['export CSV', 'GET /export?type=people HTTP/1.1\r\nAccept: text/csv\r\n'],
    ['list CSV', 'GET /people?limit=1000 HTTP/1.1\r\nAccept: text/csv\r\n'],
  ];
  const downloadStatus = {};
  async function abortedDownload(i) {
    const [kind, head] = kinds[i % kinds.length];
    const s = track(await connect(p));
    let n = 0;
    let first = '';
    await new Promise((resolve) => {
      const t = setTimeout(resolve, 10_000);
      s.on('data', (d) => {
        if (!first) first = d.toString('latin1', 0, 40).split('\r\n')[0];
        n += d.length;
        if (n >= 64 * 1024 || !/^HTTP\/1\.1 200 /.test(first)) {
          clearTimeout(t);
          resolve();
        }
      });
      s.on('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.write(`${head}Host: 127.0.0.1:${p}\r\n\r\n`);
    });
    tally(downloadStatus, `${kind}: ${first || `nothing (${n} bytes)`}`);
    cut(s, i % 2 === 1);
  }

  // Waits until the server has let go of every client that went away: no client socket left
  // in CLOSE-WAIT, no PostgreSQL connection beyond its pool's (one per request worker,
  // ORGWATCH_DB_CONNECTIONS = THREADS here, and one per event thread for key checks: one per
  // core), the answer cache's follower (one, listening for writes made elsewhere), the change
  // stream's follower (one) and the webhook deliverers (ORGWATCH_WEBHOOK_WORKERS, two), /metrics counting only itself in
  // flight. (The stream's catch-up connection opens only for a subscriber behind: none here.) Returns the state then (or at the deadline), with the peaks seen.
  let failedBefore = false;
  async function settle(ms) {
    // Once one phase has failed to settle (the test fails on that), later phases only get 1 s.
    if (failedBefore) ms = Math.min(ms, 1000);
    const t = now();
    const peak = { closeWait: 0, pg: 0, inFlight: 0 };
    for (;;) {
      const sc = socketCounts(pid, p);
      const r = await request(p, 'GET', '/metrics', { agent: false }).catch(() => null);
      const m = r?.status === 200 ? parseMetrics(r.text) : {};
      const inFlight = m.orgwatch_http_requests_in_flight;
      peak.closeWait = Math.max(peak.closeWait, sc.closeWait);
      peak.pg = Math.max(peak.pg, sc.pg);
      if (inFlight !== undefined) peak.inFlight = Math.max(peak.inFlight, inFlight);
      const pool = (m['orgwatch_db_connections{state="connected"}'] ?? NaN) + (m['orgwatch_db_connections{state="down"}'] ?? NaN);
      const ok = sc.closeWait === 0 && sc.pg <= POOL + 4 && inFlight === 1;
      if (ok || now() - t > ms) {
        if (!ok) failedBefore = true;
        return { ok, ms: now() - t, ...sc, inFlight, pool, peak };
      }
      await sleep(200);
    }
  }
  const settled = (s) =>
    `${s.ok ? `settled in ${secs(s.ms)} s` : `NOT settled after ${secs(s.ms)} s`}: ${s.closeWait} CLOSE-WAIT, ${s.pg} PostgreSQL connections,` +
    ` in_flight ${s.inFlight}, pool ${s.pool} (peaks ${s.peak.closeWait} CLOSE-WAIT, ${s.peak.pg} PostgreSQL connections, in_flight ${s.peak.inFlight})`;

  // Warm-up (each upload cut only after the server has read it), so RSS holds the server's
  // steady-state allocations before it is measured.
  for (let i = 0; i < 10; i++) await abortedUpload(`w${i}`, 'read', i % 2 === 1);
  for (let i = 0; i < 3; i++) await abortedDownload(i);
  await settle(SETTLE_MS);
  failedBefore = false;
  const rss0 = rssKb(pid);

  const tUp = now();
  let heavyWrote = 0;
  for (let i = 0; i < HEAVY; i++) if (await abortedUpload(i, 'heavy', i % 2 === 1)) heavyWrote++;
  const heavyMs = now() - tUp;
  // Then blocks of 20, two clients at a time (one per worker thread); after each block, wait
  // until the server has taken and read every connection, so no backlog builds up.
  let drainMs = 0;
  const drain = async () => {
    const t = now();
    while (now() - t < 20_000) {
      const b = backlog(p);
      if (!b.unaccepted && !b.unread) break;
      await sleep(25);
    }
    drainMs += now() - t;
  };
  await drain();
  for (let block = HEAVY; block < UPLOADS; block += 20) {
    let next = block;
    const end = Math.min(UPLOADS, block + 20);
    const uploader = async () => {
      for (let i = next++; i < end; i = next++) await abortedUpload(i, i % 4 < 2 ? 'read' : 'sent', i % 2 === 1);
    };
    await Promise.all([uploader(), uploader()]);
    await drain();
  }
  const uploadsMs = now() - tUp;
  const idleInTx = Number(psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'orgwatch' AND state LIKE 'idle in transaction%'`));
  const afterUploads = await settle(SETTLE_MS);
  const tDown = now();
  for (let i = 0; i < DOWNLOADS; i++) await abortedDownload(i);
  const downloadsMs = now() - tDown;
  const afterDownloads = await settle(SETTLE_MS);
  const rss1 = rssKb(pid);

  // Stalled downloads (never read) while other clients are served.
  const stalled = [];
  for (let i = 0; i < STALLED; i++) {
    const s = track(await connect(p));
    s.pause();
    s.write(`GET /export HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`);
    stalled.push(s);
  }
  await sleep(500);
  const served = {};
  const failures = [];
  let slowest = 0;
  const note = (what) => (r) => {
    const key = r.status ?? r.code ?? r.message;
    tally(served, key);
    if (!(r.status >= 200 && r.status < 300)) failures.push(`${what}: ${key} ${(r.text || '').slice(0, 200)}`);
    if (r.ms) slowest = Math.max(slowest, r.ms);
    return r;
  };
  const get = () => request(p, 'GET', '/people?limit=5', { agent: false }).then(note('GET /people'), note('GET /people'));
  for (let i = 0; i < 10; i++) await get();
  await Promise.all(Array.from({ length: 6 }, get));
  const write = await request(p, 'POST', '/people', {
    agent: false,
    body: JSON.stringify({ slug: `${tag}-after`, full_name: 'After The Aborts' }),
    headers: { authorization: auth, 'content-type': 'application/json' },
  }).then(note('POST /people'), note('POST /people'));
  const small = await request(p, 'POST', '/import', {
    agent: false,
    timeoutMs: 10_000,
    body: personLines(`${tag}-ok`, 3).join(''),
    headers: { authorization: auth, 'content-type': 'application/x-ndjson' },
  }).then(note('POST /import'), note('POST /import'));
  // Who held the import lock, should the small import have failed (read before the stalled
  // downloads are cut, so the state is the one the import met).
  const lockState = failures.length ? fmtLockHolders() : '';
  for (const s of stalled) cut(s, false);
  const afterStalled = await settle(SETTLE_MS);
  const log = server.log();
  const endedEarly = (re) => log.split('\n').filter((l) => re.test(l) && l.includes('(connection ended early)')).length;
  const uploads499 = endedEarly(/ POST \/import 499 /);
  const exportsEarly = endedEarly(/ GET \/export /);
  const listsEarly = endedEarly(/ GET \/people /);
  const leftovers = Number(psql(`SELECT count(*) FROM people WHERE slug LIKE '${tag}-u%'`));
  let smallCreated = null;
  try {
    smallCreated = JSON.parse(small.text).created;
  } catch {
    /* reported below */
  }
  const isAlive = alive(pid);
  const problems = await stopAndCheck(server);

  report(
    NAME,
    `${BULK_PEOPLE} people seeded in ${secs(seedMs)} s; ${UPLOADS} uploads cut mid-body in ${secs(uploadsMs)} s` +
      ` (${heavyWrote}/${HEAVY} after their import had parked a batch, those in ${secs(heavyMs)} s; waits for the server to drain its backlog ${secs(drainMs)} s; ${idleInTx} sessions idle in transaction right after),` +
      ` answers before the cut: ${fmtTally(answered)}; after the uploads ${settled(afterUploads)};` +
      ` ${DOWNLOADS} downloads cut after 64 kB in ${secs(downloadsMs)} s [${fmtTally(downloadStatus)}], then ${settled(afterDownloads)};` +
      ` with ${STALLED} downloads stalled: ${fmtTally(served)} (slowest ${slowest.toFixed(0)} ms), small import created ${smallCreated};` +
      ` stalled ones cut, then ${settled(afterStalled)}; logged as ended early: ${uploads499} uploads (499), ${exportsEarly} exports, ${listsEarly} CSV lists;` +
      ` aborted imports' records in the database: ${leftovers}; RSS ${rss0} kB → ${rss1} kB (${rss1 - rss0 >= 0 ? '+' : ''}${rss1 - rss0} kB` +
      `${ASAN ? ', ASan quarantine 8 MB' : ''}); alive ${isAlive}`,
  );

  assert.ok(isAlive, 'the server died');
  assert.equal(leftovers, 0, `${leftovers} records of aborted imports are in the database`);
  assert.equal(heavyWrote, HEAVY, 'some heavy uploads were cut before their import had parked a batch');
  assert.ok(
    afterUploads.ok,
    `${secs(afterUploads.ms)} s after the last of ${UPLOADS} cut uploads the server had not let go of them: ${settled(afterUploads)}` +
      ` (connections whose client has closed stay open, each with its import's PostgreSQL connection)`,
  );
  assert.ok(afterDownloads.ok, `after the cut downloads: ${settled(afterDownloads)}`);
  assert.deepEqual(failures, [], `with downloads stalled, every request succeeds within 5 s (import lock then: ${lockState})`);
  assert.ok(afterStalled.ok, `after the stalled downloads were cut: ${settled(afterStalled)}`);
  assert.ok(afterStalled.pool <= POOL, `/metrics pool connections ${afterStalled.pool} > ${POOL} (workers and event threads)`);
  assert.equal(write.status, 201);
  assert.equal(smallCreated, 3);
  assert.ok(rss1 - rss0 < RSS_BOUND_KB, `RSS grew by ${rss1 - rss0} kB (bound ${RSS_BOUND_KB} kB)`);
  assert.deepEqual(problems, []);
});

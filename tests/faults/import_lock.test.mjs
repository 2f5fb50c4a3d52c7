// Fault 6 (import-lock): imports are serialized by one advisory lock (7406119, taken by
// ow_import_batch); no client may keep it, whatever it does with its connection.
//  - A slow upload is left half-way (1,200 person lines, 900 sent, then nothing: its first 500
//    are parked in its session's spool table), and 4 downloads of GET /export (~23 MB each)
//    stall (the client never reads).
//  - Meanwhile an import of 3 records and one of 5,000 run to completion.
//  - Then the slow upload is cut mid-body.
//  - Last, a session outside the server holds the lock for 13 s: an import then waits
//    lock_timeout (10 s) and answers 503 problem+json with Retry-After, nothing written.
// Asserts: while the body is incomplete the slow upload's session never holds the import lock
// (pg_locks, sampled); the 3-record import answers 200 within 5 s and the 5,000-record one
// within 3 × its time measured alone (+ 2 s) in this run, each with every record created; once
// cut, the slow upload's session is gone from PostgreSQL (and with it anything it held) within
// 1 s and none of its records is written; the import that meets a held lock answers 503
// (Retry-After: 5, "Another import…") and writes nothing; the server stops cleanly. A failure names whoever
// held the import lock then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DB_URL, EDITOR_KEY, IMPORT_LOCK, afterFaultTest, backendsOf, connect, countPeople, fmtLockHolders, importLockHolders, now, personLines, pgConnPorts, port, psql, report, request, runTag, secs, seedBulkPeople, sleep, socketTracker, startServer, stopAndCheck } from './lib.mjs';

const NAME = 'import-lock';
const STALLED = 4;
const BULK_PEOPLE = 10_000; // 2 kB bio each: a ~23 MB export, far more than socket buffers hold
const SLOW_LINES = 1200;
const SLOW_SENT = 900; // past the first batch (500 records)
const BIG = 5000;

let server;
const sockets = socketTracker();
const track = sockets.track;
afterFaultTest(() => sockets.destroyAll());

test('stalled exports and a half-sent upload keep no import waiting', { timeout: 240_000 }, async () => {
  const tag = runTag('il');
  const p = port(NAME);
  server = await startServer(NAME, p, { ORGWATCH_LOG: 'info' });
  const pid = server.pid;
  seedBulkPeople(tag, BULK_PEOPLE);
  const auth = { authorization: `Bearer ${EDITOR_KEY}`, 'content-type': 'application/x-ndjson' };
  const importLines = (prefix, n) =>
    request(p, 'POST', '/import', { agent: false, timeoutMs: 120_000, headers: auth, body: personLines(prefix, n).join('') }).then(
      (r) => r,
      (e) => ({ status: e.code || e.message, text: '', ms: null }),
    );
  const created = (r) => {
    try {
      return JSON.parse(r.text).created;
    } catch {
      return null;
    }
  };

  // The 5,000-record import alone: its normal time in this run.
  const alone = await importLines(`${tag}-alone`, BIG);

  // The slow upload: a header announcing SLOW_LINES lines, SLOW_SENT of them sent, then silence.
  const slowBody = personLines(`${tag}-slow`, SLOW_LINES);
  const slowBytes = Buffer.byteLength(slowBody.join(''));
  const pgBefore = new Set(pgConnPorts(pid));
  const slow = track(await connect(p));
  let slowAnswer = '';
  slow.on('data', (d) => (slowAnswer += d));
  slow.write(
    `POST /import HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nAuthorization: ${auth.authorization}\r\n` +
      `Content-Type: application/x-ndjson\r\nContent-Length: ${slowBytes}\r\n\r\n`,
  );
  await new Promise((r) => slow.write(slowBody.slice(0, SLOW_SENT).join(''), r));
  let slowPort = null;
  const parkDeadline = now() + 20_000;
  while (slowPort === null && now() < parkDeadline) {
    const b = backendsOf(pid).find((x) => !pgBefore.has(x.port) && /ow_import_spool/.test(x.query));
    if (b) slowPort = b.port;
    else await sleep(50);
  }

  // Four downloads that stall: once their sessions are idle, the socket buffers are full and
  // the server waits for the clients to read.
  const beforeExports = new Set(pgConnPorts(pid));
  for (let i = 0; i < STALLED; i++) {
    const s = track(await connect(p));
    s.pause();
    s.write(`GET /export HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`);
  }
  const tStall = now();
  let exportSessions = [];
  while (now() - tStall < 20_000) {
    exportSessions = backendsOf(pid).filter((b) => !beforeExports.has(b.port));
    if (exportSessions.length >= STALLED && exportSessions.every((b) => b.state !== 'active')) break;
    await sleep(100);
  }
  const stallMs = now() - tStall;

  // Samples of pg_locks while the upload is half-way, during both imports.
  const heldBySlow = [];
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const holders = importLockHolders();
      samples++;
      const mine = holders.filter((h) => h.granted && h.port === slowPort);
      if (mine.length) heldBySlow.push(fmtLockHolders(holders));
      await sleep(100);
    }
  })();
  const small = await importLines(`${tag}-small`, 3);
  const smallLock = small.status === 200 ? '' : fmtLockHolders();
  const big = await importLines(`${tag}-big`, BIG);
  const bigLock = big.status === 200 ? '' : fmtLockHolders();
  sampling = false;
  await sampler;

  // Cut the slow upload mid-body: its session must go, at once.
  const tCut = now();
  slow.destroy();
  let goneMs = null;
  while (now() - tCut < 5000) {
    const left = slowPort === null ? '0' : psql(`SELECT count(*) FROM pg_stat_activity WHERE client_port = ${slowPort}`);
    if (left === '0') {
      goneMs = now() - tCut;
      break;
    }
    await sleep(50);
  }
  const lockAfterCut = importLockHolders().filter((h) => h.port === slowPort && slowPort !== null);
  sockets.destroyAll();

  // The lock held elsewhere for longer than lock_timeout: a clear 503, nothing written.
  const holder = spawn('psql', [DB_URL, '-Xq', '-c', `BEGIN; SELECT pg_advisory_xact_lock(${IMPORT_LOCK}); SELECT pg_sleep(13); COMMIT;`], {
    stdio: 'ignore',
  });
  const holderExit = new Promise((r) => holder.on('exit', r));
  const tHold = now();
  while (now() - tHold < 5000 && !importLockHolders().some((h) => h.granted)) await sleep(50);
  const blocked = await importLines(`${tag}-blocked`, 3);
  let blockedProblem = {};
  try {
    blockedProblem = JSON.parse(blocked.text);
  } catch {
    /* asserted below */
  }
  holder.kill('SIGTERM');
  await holderExit;
  const blockedWritten = countPeople(`${tag}-blocked`);
  const slowWritten = countPeople(`${tag}-slow`);
  const problems = await stopAndCheck(server);

  const bound = alone.ms === null ? null : 3 * alone.ms + 2000;
  const fmt = (r) => `${r.status} in ${r.ms === null ? '?' : `${secs(r.ms)} s`}, created ${created(r)}`;
  report(
    NAME,
    `${BULK_PEOPLE} people seeded; ${BIG}-record import alone: ${fmt(alone)}; slow upload ${SLOW_SENT}/${SLOW_LINES} lines sent,` +
      ` its session ${slowPort === null ? 'NEVER parked a batch' : `(client port ${slowPort}) parked a batch`};` +
      ` ${STALLED} exports stalled (${exportSessions.length} sessions idle after ${secs(stallMs)} s); meanwhile 3 records: ${fmt(small)}, ${BIG} records: ${fmt(big)} (bound ${bound === null ? '?' : secs(bound)} s);` +
      ` pg_locks sampled ${samples} times: the slow upload held the import lock in ${heldBySlow.length};` +
      ` after the cut its session was gone in ${goneMs === null ? 'NEVER (5 s)' : `${secs(goneMs)} s`}, ${slowWritten} of its records written;` +
      ` the slow upload was answered before the cut: ${slowAnswer ? slowAnswer.split('\r\n')[0] : 'no'};` +
      ` with the lock held elsewhere an import answered ${blocked.status} after ${blocked.ms === null ? '?' : secs(blocked.ms)} s (Retry-After ${blocked.headers?.['retry-after']}), ${blockedWritten} written`,
  );

  assert.equal(alone.status, 200, `the ${BIG}-record import alone: ${alone.status} ${alone.text.slice(0, 300)}`);
  assert.equal(created(alone), BIG);
  assert.notEqual(slowPort, null, 'the slow upload never parked a batch (its session ran no INSERT into ow_import_spool)');
  assert.equal(slowAnswer, '', `the half-sent upload was answered: ${slowAnswer.slice(0, 200)}`);
  assert.equal(heldBySlow.length, 0, `the half-sent upload held the import lock in ${heldBySlow.length} samples, first: ${heldBySlow[0]}`);
  assert.equal(exportSessions.length, STALLED, `${exportSessions.length} of the ${STALLED} stalled exports had a session`);
  assert.equal(small.status, 200, `3-record import with exports stalled and an upload half-way: ${small.status} ${small.text.slice(0, 300)} — ${smallLock}`);
  assert.equal(created(small), 3);
  assert.ok(small.ms < 5000, `3-record import took ${secs(small.ms)} s (want < 5 s) — ${smallLock || fmtLockHolders()}`);
  assert.equal(big.status, 200, `${BIG}-record import with exports stalled and an upload half-way: ${big.status} ${big.text.slice(0, 300)} — ${bigLock}`);
  assert.equal(created(big), BIG);
  assert.ok(big.ms <= bound, `${BIG}-record import took ${secs(big.ms)} s with stalls, ${secs(alone.ms)} s alone (bound ${secs(bound)} s)`);
  assert.notEqual(goneMs, null, `the cut upload's session was still in PostgreSQL 5 s after the cut — ${fmtLockHolders()}`);
  assert.ok(goneMs <= 1000, `the cut upload's session went only after ${secs(goneMs)} s (want ≤ 1 s)`);
  assert.deepEqual(lockAfterCut, [], 'the cut upload still holds or awaits the import lock');
  assert.equal(slowWritten, 0, `${slowWritten} records of the cut upload were written`);
  assert.equal(blocked.status, 503, `an import meeting a held import lock: ${blocked.status} ${blocked.text.slice(0, 300)}`);
  assert.match(blocked.headers['content-type'] || '', /^application\/problem\+json/);
  assert.equal(blocked.headers['retry-after'], '5');
  assert.equal(blockedProblem.status, 503);
  assert.match(blockedProblem.detail || '', /Another import/);
  assert.equal(blockedWritten, 0);
  assert.deepEqual(problems, []);
});

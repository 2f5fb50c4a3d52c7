// Fault 4 (slowloris): many connections that send nothing, many that send a request header
// one byte every 2 s, and some that send a whole header then their body (POST /import,
// POST /people) one byte every 2 s, held open against a server with ORGWATCH_THREADS=2; and
// one honest upload at 2 kB/s for ~45 s (an import of 900 people).
// Asserts: meanwhile other clients (a fresh connection every 250 ms: /health and /people) are
// answered 200 within 5 s each; the server closes every slow connection by its connection
// timeout + 10 s (30 s: libmicrohttpd's idle timeout for the silent ones, the header deadline of
// server/conns.c for the trickling headers, its minimum body rate — 30 s plus a second per
// 500 bytes — for the trickling bodies; FAULTS_CONNECTION_TIMEOUT tells this test another
// value); /metrics counts the header timeouts and the slow bodies; the honest upload, slower
// than the timeout but above the minimum rate, is answered 200 with every record created and
// nothing of the cut imports is written; the server lives and stops cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EDITOR_KEY, afterFaultTest, alive, connect, countPeople, fmtTally, now, parseMetrics, personLines, port, report, request, rssKb, runTag, secs, sleep, startServer, stopAndCheck, tally } from './lib.mjs';

const NAME = 'slowloris';
const SILENT = 100;
const TRICKLE = 100;
const BODY_TRICKLE = 20; // half POST /import, half POST /people
const STEADY_LINES = 900; // the honest upload: ~90 kB at STEADY_BPS
const STEADY_BPS = 2000;
const BYTE_EVERY_MS = 2000;
const TIMEOUT_S = Number(process.env.FAULTS_CONNECTION_TIMEOUT || 30);
const GRACE_S = 10;

let server;
const slow = [];
afterFaultTest(() => {
  for (const c of slow) {
    clearInterval(c.timer);
    c.socket.destroy();
  }
});

test('silent and byte-by-byte clients do not starve others and are timed out', { timeout: 180_000 }, async () => {
  // 10 trickled imports + the honest one each hold a stream slot (ORGWATCH_MAX_STREAMS, default 8).
  server = await startServer(NAME, port(NAME), { ORGWATCH_MAX_STREAMS: '32' });
  const p = server.port;
  const rss0 = rssKb(server.pid);
  const t0 = now();
  const header = `GET /people?limit=1 HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nUser-Agent: ${'slow'.repeat(40)}\r\n\r\n`;
  const open = async (kind) => {
    const socket = await connect(p);
    const c = { kind, socket, openedAt: now(), closedAt: null, sent: 0, answered: false };
    socket.on('error', () => {});
    socket.on('data', () => (c.answered = true));
    socket.on('close', () => {
      c.closedAt = now();
      clearInterval(c.timer);
    });
    if (kind === 'trickle') {
      c.timer = setInterval(() => {
        if (c.closedAt === null && c.sent < header.length) socket.write(header[c.sent++]);
      }, BYTE_EVERY_MS);
      socket.write(header[c.sent++]);
    } else if (kind === 'body') {
      // A whole header at once, then the body a byte at a time.
      const imp = slow.filter((x) => x.kind === 'body').length % 2 === 0;
      const body = imp ? personLines(`${bodyTag}-${slow.length}`, 1000).join('') : JSON.stringify({ full_name: 'x'.repeat(5000) });
      const head = imp
        ? `POST /import HTTP/1.1\r\nContent-Type: application/x-ndjson\r\n`
        : `POST /people HTTP/1.1\r\nContent-Type: application/json\r\n`;
      socket.write(`${head}Host: 127.0.0.1:${p}\r\nAuthorization: Bearer ${EDITOR_KEY}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      c.timer = setInterval(() => {
        if (c.closedAt === null && c.sent < body.length) socket.write(body[c.sent++]);
      }, BYTE_EVERY_MS);
    }
    slow.push(c);
  };
  const bodyTag = runTag('sb');
  for (let i = 0; i < SILENT; i++) await open('silent');
  for (let i = 0; i < TRICKLE; i++) await open('trickle');
  for (let i = 0; i < BODY_TRICKLE; i++) await open('body');
  const openMs = now() - t0;

  // The honest slow upload: STEADY_BPS bytes a second, in 200 ms steps.
  const steadyTag = runTag('ss');
  const steadyBody = personLines(steadyTag, STEADY_LINES).join('');
  const tSteady = now();
  const steady = request(p, 'POST', '/import', {
    headers: { authorization: `Bearer ${EDITOR_KEY}`, 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(steadyBody) },
    timeoutMs: 180_000,
    agent: false,
    body: (req) => {
      req.on('error', () => {});
      (async () => {
        const step = STEADY_BPS / 5;
        for (let at = 0; at < steadyBody.length; at += step) {
          req.write(steadyBody.slice(at, at + step));
          await sleep(200);
        }
        req.end();
      })().catch(() => {});
    },
  }).then(
    (r) => ({ ...r, secs: (now() - tSteady) / 1000 }),
    (e) => ({ status: e.code || e.message, text: '', secs: (now() - tSteady) / 1000 }),
  );

  // Others are served meanwhile, until every slow connection is closed or the deadline.
  const deadline = t0 + (TIMEOUT_S + GRACE_S) * 1000;
  const served = {};
  const failures = [];
  let slowest = 0;
  let n = 0;
  let peakRss = rss0;
  while (now() < deadline && slow.some((c) => c.closedAt === null)) {
    const path = n++ % 2 ? '/people?limit=5' : '/health';
    try {
      const r = await request(p, 'GET', path, { agent: false, timeoutMs: 5000 });
      tally(served, r.status);
      slowest = Math.max(slowest, r.ms);
      if (r.status !== 200) failures.push(`${path}: ${r.status} ${r.text.slice(0, 200)}`);
    } catch (e) {
      tally(served, e.code || e.message);
      failures.push(`${path}: ${e.code} ${e.message}`);
    }
    peakRss = Math.max(peakRss, rssKb(server.pid) ?? 0);
    await sleep(250);
  }
  const waitedMs = now() - t0;

  const closedBy = (kind) => {
    const cs = slow.filter((c) => c.kind === kind);
    const closed = cs.filter((c) => c.closedAt !== null).map((c) => (c.closedAt - c.openedAt) / 1000);
    return {
      total: cs.length,
      closed: closed.length,
      when: closed.length ? `after ${Math.min(...closed).toFixed(1)}-${Math.max(...closed).toFixed(1)} s` : 'none',
      answered: cs.filter((c) => c.answered).length,
      bytes: Math.max(...cs.map((c) => c.sent)),
    };
  };
  const silent = closedBy('silent');
  const trickle = closedBy('trickle');
  const bodies = closedBy('body');
  const honest = await steady;
  let honestCreated = null;
  try {
    honestCreated = JSON.parse(honest.text).created;
  } catch {
    /* reported below */
  }
  const metricsText = (await request(p, 'GET', '/metrics', { agent: false, timeoutMs: 5000 }).catch(() => null))?.text || '';
  const metrics = parseMetrics(metricsText);
  const headerTimeouts = metrics['orgwatch_http_connections_closed_total{reason="header_timeout"}'];
  const slowBodies = metrics['orgwatch_http_connections_closed_total{reason="body_too_slow"}'];
  const cutWritten = countPeople(bodyTag);
  const honestWritten = countPeople(steadyTag);
  const isAlive = alive(server.pid);
  const problems = await stopAndCheck(server);

  report(
    NAME,
    `${SILENT} silent + ${TRICKLE} byte-every-${BYTE_EVERY_MS / 1000}-s connections opened in ${secs(openMs)} s;` +
      ` meanwhile ${n} other requests: ${fmtTally(served)}, slowest ${slowest.toFixed(0)} ms;` +
      ` silent closed by the server ${silent.closed}/${silent.total} (${silent.when});` +
      ` trickling closed ${trickle.closed}/${trickle.total} (${trickle.when}; up to ${trickle.bytes} header bytes sent)` +
      ` within ${secs(waitedMs)} s (timeout ${TIMEOUT_S} s + ${GRACE_S} s);` +
      ` bodies a byte every ${BYTE_EVERY_MS / 1000} s closed ${bodies.closed}/${bodies.total} (${bodies.when}; up to ${bodies.bytes} body bytes sent),` +
      ` ${cutWritten} of their records written;` +
      ` the honest ${STEADY_BPS / 1000} kB/s upload of ${STEADY_LINES} lines: ${honest.status} in ${honest.secs.toFixed(1)} s, created ${honestCreated}, ${honestWritten} in the database;` +
      ` /metrics counts ${headerTimeouts} header timeouts and ${slowBodies} slow bodies; RSS ${rss0} → peak ${peakRss} kB; alive ${isAlive}`,
  );

  assert.ok(isAlive, 'the server died');
  assert.deepEqual(failures, [], 'other clients are answered 200 within 5 s while the slow ones hold connections');
  assert.equal(silent.closed, silent.total, `${silent.total - silent.closed} silent connections still open after ${TIMEOUT_S + GRACE_S} s`);
  assert.equal(
    trickle.closed,
    trickle.total,
    `${trickle.total - trickle.closed}/${trickle.total} connections sending a header byte every ${BYTE_EVERY_MS / 1000} s are still open` +
      ` after ${secs(waitedMs)} s: the ${TIMEOUT_S} s connection timeout restarts with every byte, and nothing bounds the time to` +
      ' receive a whole request header',
  );
  assert.ok(headerTimeouts >= 1, `/metrics counts ${headerTimeouts} connections cut for a late header`);
  assert.equal(bodies.closed, bodies.total, `${bodies.total - bodies.closed}/${bodies.total} bodies sent a byte every ${BYTE_EVERY_MS / 1000} s are still open`);
  assert.equal(bodies.answered, 0, 'a trickled body was answered instead of cut');
  assert.ok(slowBodies >= BODY_TRICKLE, `/metrics counts ${slowBodies} slow bodies, want ${BODY_TRICKLE}`);
  assert.equal(cutWritten, 0, 'records of the cut imports were written');
  assert.equal(honest.status, 200, `the honest slow upload: ${honest.status} ${honest.text.slice(0, 300)}`);
  assert.ok(honest.secs > TIMEOUT_S, `the honest upload took ${honest.secs} s, not longer than the ${TIMEOUT_S} s timeout: it tests nothing`);
  assert.equal(honestCreated, STEADY_LINES);
  assert.equal(honestWritten, STEADY_LINES);
  assert.deepEqual(problems, []);
});

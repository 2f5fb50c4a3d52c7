// Fault 4 (slowloris): many connections that send nothing, and many that send a request header
// one byte every 2 s, held open against a server with ORGWATCH_THREADS=2.
// Asserts: meanwhile other clients (a fresh connection every 250 ms: /health and /people) are
// answered 200 within 5 s each; the server closes every slow connection by its connection
// timeout + 10 s (30 s: libmicrohttpd's idle timeout for the silent ones, the header deadline of
// server/conns.c for the trickling ones; FAULTS_CONNECTION_TIMEOUT tells this test another value),
// /metrics counts the header timeouts; the server lives
// and stops cleanly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  alive,
  connect,
  fmtTally,
  now,
  parseMetrics,
  port,
  report,
  request,
  rssKb,
  secs,
  sleep,
  startServer,
  stopAndCheck,
  tally,
} from './lib.mjs';

const NAME = 'slowloris';
const SILENT = 100;
const TRICKLE = 100;
const BYTE_EVERY_MS = 2000;
const TIMEOUT_S = Number(process.env.FAULTS_CONNECTION_TIMEOUT || 30);
const GRACE_S = 10;

let server;
const slow = [];
after(async () => {
  for (const c of slow) {
    clearInterval(c.timer);
    c.socket.destroy();
  }
  if (server && !server.exit) await server.kill();
});

test('silent and byte-by-byte clients do not starve others and are timed out', { timeout: 180_000 }, async () => {
  server = await startServer(NAME, port(NAME));
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
    }
    slow.push(c);
  };
  for (let i = 0; i < SILENT; i++) await open('silent');
  for (let i = 0; i < TRICKLE; i++) await open('trickle');
  const openMs = now() - t0;

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
  const metricsText = (await request(p, 'GET', '/metrics', { agent: false, timeoutMs: 5000 }).catch(() => null))?.text || '';
  const headerTimeouts = parseMetrics(metricsText)['orgwatch_http_connections_closed_total{reason="header_timeout"}'];
  const isAlive = alive(server.pid);
  const problems = await stopAndCheck(server);

  report(
    NAME,
    `${SILENT} silent + ${TRICKLE} byte-every-${BYTE_EVERY_MS / 1000}-s connections opened in ${secs(openMs)} s;` +
      ` meanwhile ${n} other requests: ${fmtTally(served)}, slowest ${slowest.toFixed(0)} ms;` +
      ` silent closed by the server ${silent.closed}/${silent.total} (${silent.when});` +
      ` trickling closed ${trickle.closed}/${trickle.total} (${trickle.when}; up to ${trickle.bytes} header bytes sent)` +
      ` within ${secs(waitedMs)} s (timeout ${TIMEOUT_S} s + ${GRACE_S} s);` +
      ` /metrics counts ${headerTimeouts} header timeouts; RSS ${rss0} → peak ${peakRss} kB; alive ${isAlive}`,
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
  assert.deepEqual(problems, []);
});

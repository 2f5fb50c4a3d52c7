// Fault 7 (per-ip): one client address holding every connection it can. The server runs with
// ORGWATCH_MAX_CONNECTIONS_PER_IP=64 (the default) and ORGWATCH_MAX_CONNECTIONS=1024.
//  1. 1,100 idle connections from 127.0.0.1 (nothing sent, as a client with half-sent
//     requests would hold them): at most 64 (+1 per worker thread that accepted at the same
//     instant) stay open; every other one is closed by the server at once (within 2 s of
//     its connect), never left waiting in the backlog.
//  2. Meanwhile another client, 127.0.0.2, is answered: 20 requests, each 200 within 2 s.
//  3. /metrics counts the refusals: orgwatch_connections_refused_total{reason="per_ip"}
//     equals the connections the server closed at once.
//  4. The idle ones closed, 127.0.0.1 is served again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { THREADS, afterFaultTest, alive, idleConnections, parseMetrics, port, report, request, sleep, startServer, stopAndCheck } from './lib.mjs';

const NAME = 'per-ip';
const PER_IP = 64;
const FLOOD = 1100;
const CLOSED_WITHIN_MS = 2000;

let server;
const idle = idleConnections();
afterFaultTest(() => idle.destroyAll());

/** Opens an idle connection from 127.0.0.1: {s, connectedAt, closedAt, error, ...}. */
const openIdle = (p) => idle.open(p, { localAddress: '127.0.0.1' });

test(`${FLOOD} connections from one address against ORGWATCH_MAX_CONNECTIONS_PER_IP=${PER_IP}`, { timeout: 120_000 }, async () => {
  server = await startServer(NAME, port(NAME), {
    ORGWATCH_MAX_CONNECTIONS_PER_IP: String(PER_IP),
    ORGWATCH_MAX_CONNECTIONS: '1024',
  });
  const p = server.port;
  const before = parseMetrics((await request(p, 'GET', '/metrics', { localAddress: '127.0.0.2' })).text);

  // 1 and 2: the flood from 127.0.0.1, while 127.0.0.2 keeps asking.
  const other = [];
  const asking = (async () => {
    for (let i = 0; i < 20; i++) {
      try {
        const r = await request(p, 'GET', '/health', { agent: false, localAddress: '127.0.0.2', timeoutMs: 2000 });
        other.push(String(r.status));
      } catch (e) {
        other.push(e.code || e.message);
      }
      await sleep(50);
    }
  })();
  const conns = [];
  for (let i = 0; i < FLOOD; i += 100) conns.push(...(await Promise.all(Array.from({ length: Math.min(100, FLOOD - i) }, () => openIdle(p)))));
  await asking;
  await sleep(CLOSED_WITHIN_MS);
  const open = conns.filter((c) => c.connectedAt !== null && c.closedAt === null).length;
  const closedFast = conns.filter((c) => (c.connectedAt !== null && c.closedAt !== null && c.closedAt - c.connectedAt <= CLOSED_WITHIN_MS) || c.error === 'ECONNRESET').length;
  const neverConnected = conns.filter((c) => c.connectedAt === null && c.error !== 'ECONNRESET').length;
  const after_ = parseMetrics((await request(p, 'GET', '/metrics', { localAddress: '127.0.0.2' })).text);
  const key = 'orgwatch_connections_refused_total{reason="per_ip"}';
  const refusedCounted = after_[key] - (before[key] || 0);
  const ok200 = other.filter((o) => o === '200').length;

  // 4: the idle ones gone, 127.0.0.1 is served again.
  idle.destroyAll();
  await sleep(300);
  let again = '';
  try {
    again = String((await request(p, 'GET', '/health', { agent: false, timeoutMs: 2000 })).status);
  } catch (e) {
    again = e.code || e.message;
  }
  const wasAlive = alive(server.pid);
  const problems = await stopAndCheck(server);
  report(
    NAME,
    `${FLOOD} idle connections from 127.0.0.1: ${open} held open, ${closedFast} closed by the server within ${CLOSED_WITHIN_MS} ms, ` +
      `${neverConnected} never connected; /metrics per_ip refusals +${refusedCounted}; 127.0.0.2 meanwhile: ${ok200}/20 × 200 ` +
      `(${other.filter((o) => o !== '200').join(', ') || 'no other outcome'}); 127.0.0.1 afterwards: ${again}`,
  );
  assert.ok(wasAlive, 'the server died');
  assert.ok(open <= PER_IP + THREADS, `${open} connections from one address held open, more than ${PER_IP} (+${THREADS})`);
  assert.ok(open >= PER_IP, `only ${open} connections held open: the cap refused below ${PER_IP}`);
  assert.equal(neverConnected, 0, `${neverConnected} connections were left waiting (not accepted, not refused)`);
  assert.equal(open + closedFast, FLOOD, 'every connection is either held or refused at once');
  assert.equal(refusedCounted, closedFast, `/metrics counts ${refusedCounted} per_ip refusals; the server closed ${closedFast}`);
  assert.equal(ok200, 20, `another address was not served every time: ${other.join(', ')}`);
  assert.equal(again, '200', 'the address is served again once its connections are gone');
  assert.deepEqual(problems, []);
});

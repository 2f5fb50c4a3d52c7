// The server process itself (issue 2): bad settings, --help, graceful shutdown on SIGTERM/SIGINT,
// and 503-then-recover when PostgreSQL goes away and comes back.
// Each test starts its own `orgwatch serve` on a free port of 18081-18099.
//
// Environment: ORGWATCH_BIN (default build/orgwatch), ORGWATCH_TEST_DATABASE_URL, ORGWATCH_HOME,
// ORGWATCH_TEST_PG_STOP / ORGWATCH_TEST_PG_START (shell commands stopping/starting the test cluster).
// The database test stops the cluster the other test files use too: run the API test files one
// at a time (`node --test --test-concurrency=1 tests/api/`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { api, BASE, checkSpec, expectProblem, freePort, keys, REPO, sleep, uniq } from './lib.mjs';

import { BIN, DB_URL, HOME, childEnv, noBin, noDb, run, startServer, waitExit } from './helpers-server.mjs';

// ------------------------------------------------------------------ settings and usage

const badSettings = [
  ['ORGWATCH_THREADS', '0'],
  ['ORGWATCH_THREADS', 'many'],
  ['ORGWATCH_LISTEN', 'nonsense'],
  ['ORGWATCH_LISTEN', '127.0.0.1:99999'],
  ['ORGWATCH_MAX_BODY', 'lots'],
  ['ORGWATCH_PUBLIC_READS', 'maybe'],
  ['ORGWATCH_LOG', 'loud'],
  ['ORGWATCH_MAX_STREAMS', '0'],
  ['ORGWATCH_CACHE_MAX_AGE', '86401'],
];

for (const [name, value] of badSettings) {
  test(`${name}=${value} exits non-zero with one stderr line naming the setting`, { skip: noBin, timeout: 30_000 }, async () => {
    const port = await freePort(18081, 18099);
    const r = await run(['serve'], {
      ORGWATCH_DATABASE_URL: DB_URL || 'postgresql://127.0.0.1:1/orgwatch_unreachable',
      ORGWATCH_LISTEN: `127.0.0.1:${port}`,
      ORGWATCH_HOME: HOME,
      [name]: value,
    });
    assert.ok(!r.timedOut, `still running after 15 s (it should have refused ${name}=${value}):\n${r.stderr}`);
    assert.ok(r.code !== 0 && r.code !== null, `exit code ${r.code} (signal ${r.signal})`);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    assert.ok(lines[0].includes(name), `the line names ${name}: ${lines[0]}`);
  });
}

test('serve without ORGWATCH_DATABASE_URL exits non-zero naming it', { skip: noBin, timeout: 30_000 }, async () => {
  const port = await freePort(18081, 18099);
  const r = await run(['serve'], { ORGWATCH_LISTEN: `127.0.0.1:${port}`, ORGWATCH_HOME: HOME });
  assert.ok(!r.timedOut, 'it exits');
  assert.ok(r.code !== 0 && r.code !== null, `exit code ${r.code}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.ok(lines[0].includes('ORGWATCH_DATABASE_URL'), lines[0]);
});

for (const args of [['--help'], ['serve', '--help'], ['migrate', '--help'], ['key', 'create', '--help']]) {
  test(`orgwatch ${args.join(' ')} exits 0 with usage on stdout`, { skip: noBin, timeout: 30_000 }, async () => {
    const r = await run(args, {});
    assert.equal(r.code, 0, `exit code ${r.code}; stderr: ${r.stderr}`);
    assert.ok(r.stdout.trim().length > 0, 'prints usage');
    if (args.length === 1) assert.match(r.stdout, /serve/, 'the top-level usage lists `serve`');
  });
}

test('an unknown command is a usage error (non-zero exit, message on stderr)', { skip: noBin, timeout: 30_000 }, async () => {
  const r = await run(['frobnicate'], {});
  assert.ok(r.code !== 0 && r.code !== null, `exit code ${r.code}`);
  assert.ok(r.stderr.trim().length > 0);
});

// ------------------------------------------------------------------ shutdown

test('SIGTERM with a request in flight: the request completes, new connections are refused, exit 0', { skip: noDb, timeout: 60_000 }, async (t) => {
  if (!keys.editor) return t.skip('no editor key (ORGWATCH_TEST_EDITOR_KEY)');
  const server = await startServer();
  try {
    const name = `Shutdown Test ${uniq()}`;
    const body = JSON.stringify({ full_name: name });
    // A POST whose headers and first bytes are sent now and whose last bytes come after SIGTERM.
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/people',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${keys.editor}`,
      },
    });
    const answer = new Promise((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, headers: new Headers(res.headers), text }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 5));
    await sleep(300);
    server.proc.kill('SIGTERM');
    await sleep(400);

    // Stopped accepting: a fresh connection is refused (or at least not served).
    const fresh = await new Promise((resolve) => {
      const r = http.get({ host: '127.0.0.1', port: server.port, path: '/health', agent: false, timeout: 2000 }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      r.on('timeout', () => {
        r.destroy();
        resolve('timeout');
      });
      r.on('error', (e) => resolve(e.code || e.message));
    });
    assert.notEqual(fresh, 'answered 200', 'a new connection after SIGTERM is not served');

    req.end(body.slice(5));
    let res;
    try {
      res = await answer;
    } catch (e) {
      assert.fail(`the in-flight request was dropped: ${e.message}\n${server.output()}`);
    }
    res.body = JSON.parse(res.text);
    checkSpec(res, 'POST', '/people');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.full_name, name);

    const exit = await waitExit(server, 15_000);
    assert.deepEqual(exit, { code: 0, signal: null }, server.output());
  } finally {
    await server.stop('SIGKILL', 5000).catch(() => {});
  }
});

test('ORGWATCH_MAX_STREAMS: imports and exports over the limit get 503 with Retry-After; the slot frees when one ends', { skip: noDb, timeout: 60_000 }, async (t) => {
  if (!keys.editor) return t.skip('no editor key (ORGWATCH_TEST_EDITOR_KEY)');
  const server = await startServer({ ORGWATCH_MAX_STREAMS: '1' });
  try {
    const tag = `streams-${uniq()}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
    const lines = [0, 1].map((i) => `${JSON.stringify({ type: 'person', slug: `${tag}-${i}`, full_name: `Streams Person ${i}` })}\n`);
    const body = lines.join('');
    // An import whose first line is sent now and whose second comes later: it holds the slot.
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/import',
      agent: false,
      headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${keys.editor}` },
    });
    const answer = new Promise((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    req.write(lines[0]);
    let metrics;
    for (let i = 0; i < 50; i++) {
      metrics = await api('GET', '/metrics', { base: server.base });
      if (/^orgwatch_streams_open 1$/m.test(metrics.text)) break;
      await sleep(100);
    }
    assert.match(metrics.text, /^orgwatch_streams_open 1$/m, 'the held import counts as one stream');

    const exp = await api('GET', '/export', { base: server.base });
    expectProblem(exp, 503);
    checkSpec(exp, 'GET', '/export');
    assert.equal(exp.headers.get('retry-after'), '5');
    assert.match(exp.body.detail, /ORGWATCH_MAX_STREAMS/);
    const imp = await api('POST', '/import', { base: server.base, key: 'editor', raw: true, body: lines[1], headers: { 'content-type': 'application/x-ndjson' } });
    expectProblem(imp, 503);
    checkSpec(imp, 'POST', '/import');
    assert.equal(imp.headers.get('retry-after'), '5');
    metrics = await api('GET', '/metrics', { base: server.base });
    assert.match(metrics.text, /^orgwatch_streams_refused_total 2$/m);

    // The held import ends: 200, and the slot is free again.
    req.end(lines[1]);
    const done = await answer;
    assert.equal(done.status, 200, done.text);
    assert.equal(JSON.parse(done.text).created, 2);
    let again;
    for (let i = 0; i < 50; i++) {
      again = await api('GET', '/export?type=people', { base: server.base, raw: true });
      if (again.status !== 503) break;
      await sleep(100);
    }
    assert.equal(again.status, 200, `GET /export after the import ended: ${again.status}`);
    assert.ok(again.text.includes(`"${tag}-1"`), 'the export holds the imported person');
  } finally {
    await server.stop('SIGKILL', 5000).catch(() => {});
  }
});

test('SIGTERM and SIGINT on an idle server (with an idle keep-alive connection) exit 0 promptly', { skip: noDb, timeout: 60_000 }, async () => {
  for (const signal of ['SIGTERM', 'SIGINT']) {
    const server = await startServer();
    try {
      // fetch keeps this connection open and idle in its pool.
      const res = checkSpec(await api('GET', '/ready', { base: server.base }), 'GET', '/ready');
      assert.equal(res.status, 200, res.text);
      const t0 = Date.now();
      const exit = await server.stop(signal, 10_000);
      assert.deepEqual(exit, { code: 0, signal: null }, `${signal}:\n${server.output()}`);
      assert.ok(Date.now() - t0 < 10_000);
    } finally {
      await server.stop('SIGKILL', 5000).catch(() => {});
    }
  }
});

// ------------------------------------------------------------------ database outage

const PG_STOP = process.env.ORGWATCH_TEST_PG_STOP;
const PG_START = process.env.ORGWATCH_TEST_PG_START;
const noPgControl = noDb || (PG_STOP && PG_START ? false : 'ORGWATCH_TEST_PG_STOP / ORGWATCH_TEST_PG_START are not set');

function sh(command) {
  execSync(command, { shell: '/bin/sh', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/**
 * Runs body(pg) against server, where pg.stop() and pg.start() stop and start the database;
 * then stops the server with SIGTERM and expects a clean exit. Whatever happens, a database
 * body left stopped is started again and the server is killed.
 */
async function withDatabaseControl(server, body) {
  let stopped = false;
  const pg = {
    stop() {
      sh(PG_STOP);
      stopped = true;
    },
    start() {
      sh(PG_START);
      stopped = false;
    },
  };
  try {
    await body(pg);
    const exit = await server.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, server.output());
  } finally {
    if (stopped) {
      try {
        sh(PG_START);
      } catch (e) {
        console.error(`could not restart the database: ${e.message}`);
      }
    }
    await server.stop('SIGKILL', 5000).catch(() => {});
  }
}

// One request that must be answered (any status) within `ms`; resolves {res, ms}.
async function timed(method, p, opts, ms) {
  const t0 = Date.now();
  const res = await api(method, p, { ...opts, timeoutMs: ms });
  return { res, ms: Date.now() - t0 };
}

test('a database restart while the server is idle costs no failed request', { skip: noPgControl, timeout: 120_000 }, async () => {
  const server = await startServer();
  await withDatabaseControl(server, async (pg) => {
    // Every worker opens its connection.
    const warm = await Promise.all(Array.from({ length: 6 }, () => api('GET', '/people?limit=1', { base: server.base })));
    for (const r of warm) assert.equal(checkSpec(r, 'GET', '/people').status, 200, r.text);

    pg.stop();
    pg.start();

    // The database is up again: stale connections must be replaced, not reported as 503.
    const after = [];
    for (let i = 0; i < 3; i++) after.push(await api('GET', '/people?limit=1', { base: server.base, timeoutMs: 10_000 }));
    after.push(...(await Promise.all(Array.from({ length: 6 }, () => api('GET', '/people?limit=1', { base: server.base, timeoutMs: 10_000 })))));
    for (const r of after) {
      checkSpec(r, 'GET', '/people');
      assert.equal(r.status, 200, `after the restart: ${r.status} ${r.text}`);
    }
  });
});

test('database stopped → 503 problem within 5 s, /health still 200; database back → requests succeed within 10 s', { skip: noPgControl, timeout: 120_000 }, async () => {
  const server = await startServer();
  const mainWasReady = await api('GET', '/ready', { timeoutMs: 3000 }).then((r) => r.status === 200, () => false);
  await withDatabaseControl(server, async (pg) => {
    // Warm both workers' connections.
    for (let i = 0; i < 4; i++) {
      const res = checkSpec(await api('GET', '/people?limit=1', { base: server.base }), 'GET', '/people');
      assert.equal(res.status, 200, res.text);
    }

    pg.stop();

    const dbRequests = [
      ['GET', '/people?limit=1', '/people', {}],
      ['GET', '/ready', '/ready', {}],
      ['GET', `/people/${crypto.randomUUID()}`, '/people/{id}', {}],
    ];
    if (keys.editor) dbRequests.push(['POST', '/people', '/people', { body: { full_name: `Outage ${uniq()}` }, key: 'editor' }]);
    for (const [method, p, template, opts] of dbRequests) {
      let r;
      try {
        r = await timed(method, p, { ...opts, base: server.base }, 5000);
      } catch (e) {
        assert.fail(`${method} ${p} was not answered within 5 s of the outage: ${e.message}`);
      }
      checkSpec(r.res, method, template);
      expectProblem(r.res, 503);
    }
    // Several at once, so every worker thread meets the outage.
    const many = await Promise.all(
      Array.from({ length: 6 }, () => timed('GET', '/people?limit=1', { base: server.base }, 5000)),
    );
    for (const r of many) expectProblem(checkSpec(r.res, 'GET', '/people'), 503);

    const health = checkSpec(await api('GET', '/health', { base: server.base, timeoutMs: 2000 }), 'GET', '/health');
    assert.equal(health.status, 200);

    pg.start();

    const deadline = Date.now() + 10_000;
    let last;
    for (;;) {
      try {
        last = await api('GET', '/people?limit=1', { base: server.base, timeoutMs: 3000 });
        if (last.status === 200) break;
      } catch (e) {
        last = { status: e.message, text: '' };
      }
      assert.ok(Date.now() < deadline, `no recovery within 10 s; last answer ${last.status} ${last.text}\n${server.output()}`);
      await sleep(250);
    }
    checkSpec(last, 'GET', '/people');
    for (let i = 0; i < 4; i++) {
      const res = checkSpec(await api('GET', '/people?limit=1', { base: server.base }), 'GET', '/people');
      assert.equal(res.status, 200, 'every worker reconnected');
    }
    const ready = checkSpec(await api('GET', '/ready', { base: server.base }), 'GET', '/ready');
    assert.equal(ready.status, 200, ready.text);

    // The shared test server (ORGWATCH_TEST_URL) must recover by itself as well.
    if (mainWasReady) {
      const until = Date.now() + 15_000;
      let status;
      do {
        status = await api('GET', '/ready', { timeoutMs: 3000 }).then((r) => r.status, (e) => e.message);
        if (status === 200) break;
        await sleep(250);
      } while (Date.now() < until);
      assert.equal(status, 200, `${BASE} recovers after the outage`);
    }
  });
});

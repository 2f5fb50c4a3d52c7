// stream_faults.test.mjs — the live change stream (issue 27) through faults, with subscribers
// attached and writes going on: (a) the server SIGKILLed and started again on the same port,
// the subscribers resuming with Last-Event-ID (or after=); (b) the database restarted
// (ORGWATCH_TEST_PG_STOP / ORGWATCH_TEST_PG_START, as lifecycle.test.mjs) while the
// subscribers stay attached. In the end every subscriber has exactly the changes its filter
// selects — the log's commit order read from the database — each connection in commit order.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { api, sleep, uniq, waitFor } from './lib.mjs';
import { DB_URL, noDb, startServer } from './helpers-server.mjs';
import { changeEvents, checkSubscriber, dbOrderAfter, expectedEvents, follow, heldTransaction, logAfter, psql } from './helpers-stream.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await s.stop('SIGKILL', 5000).catch(() => {});
});
const settings = { ORGWATCH_STREAM_KEEPALIVE_S: '1', ORGWATCH_STREAMS_PER_CLIENT: '100', ORGWATCH_THREADS: '4' };
async function own(opts) {
  const s = await startServer(settings, opts);
  servers.push(s);
  return s;
}
const newest = () => Number(psql(DB_URL, 'SELECT ow_change_last()'));
const rand = (lo, hi) => lo + Math.random() * (hi - lo);
const merge = { 'content-type': 'application/merge-patch+json' };

/** A write that may fail while a fault lasts: the response, or undefined on a network error. */
async function tryWrite(base, method, path, body, headers = {}) {
  try {
    return await api(method, path, { base, key: 'editor', body, headers, raw: typeof body === 'string', timeoutMs: 15_000 });
  } catch {
    return undefined;
  }
}
async function mustWrite(base, method, path, body, headers) {
  const r = await tryWrite(base, method, path, body, headers);
  assert.ok(r && r.status >= 200 && r.status < 300, `${method} ${path} → ${r?.status} ${r?.text?.slice(0, 300)}`);
  return r.body;
}

/** API writes and a small import now and then into org F until `until`; counts what succeeded. */
async function writer(base, F, run, until) {
  let ok = 0;
  let failed = 0;
  for (let i = 0; Date.now() < until(); i++) {
    const steps = [
      () => tryWrite(base(), 'POST', '/organizations', { name: `Fault W ${run} ${i}` }),
      () => tryWrite(base(), 'POST', '/sources', { url: `https://news.example/${run}-${i}` }),
      () => tryWrite(base(), 'POST', '/layoffs', { org_id: F.id, announced_on: '2023-02', count: i + 1 }),
      () => tryWrite(base(), 'PATCH', `/organizations/${F.id}`, { description: `round ${i}` }, merge),
      () =>
        i % 4 === 0
          ? tryWrite(base(), 'POST', '/import', [{ type: 'person', slug: `${run}-p${i}`, full_name: `Fault P ${i}` }, { type: 'position', person: `${run}-p${i}`, org: F.slug, title: 'x', started_on: '2001', ended_on: '2002' }].map((r) => JSON.stringify(r)).join('\n') + '\n', { 'content-type': 'application/x-ndjson' })
          : undefined,
    ];
    for (const step of steps) {
      const r = await step();
      if (r === undefined) continue;
      if (r && r.status >= 200 && r.status < 300) ok++;
      else failed++;
    }
    if (failed) await sleep(100);
  }
  return { ok, failed };
}
/** Transactions held open 0.5–2 s through psql until `until`, writing a source and a team of F. */
async function heldWriter(F, run, until) {
  let n = 0;
  while (Date.now() < until()) {
    const tag = `${run}-held-${++n}`;
    await heldTransaction(DB_URL, `INSERT INTO sources (url) VALUES ('https://news.example/${tag}'); INSERT INTO teams (org_id, slug, name) VALUES ('${F.id}', '${tag}', '${tag}')`, rand(0.5, 2).toFixed(2), tag).catch(() => sleep(300));
  }
  return n;
}

function subscribers(base, F, S) {
  const defs = [
    { name: 'all (SSE)', q: {} },
    { name: 'all (SSE, churning)', q: {}, churnMs: [300, 2000] },
    { name: 'all (NDJSON)', q: {}, ndjson: true },
    { name: 'sources', q: { entity: 'source' }, churnMs: [500, 3000] },
    { name: 'org', q: { org: F.slug } },
    { name: 'coalesce=imports', q: { coalesce: 'imports' }, churnMs: [500, 3000] },
  ];
  return defs.map((d) => ({
    ...d,
    f: { entity: d.q.entity?.split(','), org: d.q.org ? F.id : undefined, coalesce: d.q.coalesce === 'imports' },
    sub: follow(base, { q: d.q, ndjson: d.ndjson, churnMs: d.churnMs, from: S }),
  }));
}

/** Waits until every subscriber has what it should, stops them, returns the problems. */
async function settle(t, base, subs, S) {
  const order = dbOrderAfter(DB_URL, S);
  const log = await logAfter(base(), S, 500);
  assert.deepEqual(log.map((e) => e.id), order.map((e) => e.id), 'GET /changes?after= lists the database\'s commit order');
  const byId = new Map();
  log.forEach((e, i) => byId.set(e.id, Object.assign(e, { txid: order[i].txid, imp: order[i].imp, pos: i })));
  for (const s of subs) s.want = expectedEvents(s.f, log);
  await waitFor(() => subs.every((s) => s.want.every((e) => s.sub.got().has(e.id))), 40_000, 250);
  await Promise.all(subs.map((s) => s.sub.stop()));
  const problems = [];
  for (const s of subs) {
    problems.push(...checkSubscriber(s.name, s.sub, s.want, byId));
    t.diagnostic(`${s.name}: ${s.want.length} changes, ${s.sub.conns.length} connections, ${s.sub.errors.length} failed connects`);
  }
  return { problems, log };
}

test('the server SIGKILLed and started again on its port: subscribers resume with Last-Event-ID and nothing is missing', { skip: noDb, timeout: 120_000 }, async (t) => {
  let a = await own();
  const port = a.port;
  const b = await own(); // the writers' server, up throughout
  const run = uniq('sk');
  const F = await mustWrite(b.base, 'POST', '/organizations', { name: `Fault Org ${run}` });
  const S = newest();
  const subs = subscribers(() => a.base, F, S);
  const end = Date.now() + 9_000;
  const until = () => end;
  const writing = Promise.all([writer(() => b.base, F, run, until), heldWriter(F, run, until)]);
  await sleep(3_000);
  // Every subscriber is receiving when the server dies.
  assert.ok(subs.every((s) => s.sub.conns.length > 0), 'every subscriber connected before the kill');
  a.proc.kill('SIGKILL');
  await a.exited;
  await sleep(500);
  a = await own({ port });
  const [w] = await writing;
  t.diagnostic(`writes: ${w.ok} ok, ${w.failed} failed`);
  assert.equal(w.failed, 0, 'the writers\' server was up throughout');
  // A write after the restart arrives too.
  const marker = await mustWrite(a.base, 'POST', '/sources', { url: `https://news.example/${run}-after-restart` });
  const { problems, log } = await settle(t, () => a.base, subs, S);
  assert.ok(log.some((e) => e.entity_id === marker.id));
  for (const s of subs) {
    assert.ok(s.sub.conns.length >= 2, `${s.name} connected again after the kill`);
    if (!s.churnMs) {
      const errs = s.sub.conns.filter((c) => c.error || c.ended).length;
      assert.ok(errs >= 1, `${s.name}: its connection broke with the server`);
    }
  }
  assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));
});

const PG_STOP = process.env.ORGWATCH_TEST_PG_STOP;
const PG_START = process.env.ORGWATCH_TEST_PG_START;
const noPgControl = noDb || (PG_STOP && PG_START ? false : 'ORGWATCH_TEST_PG_STOP / ORGWATCH_TEST_PG_START are not set');
const sh = (command) => execSync(command, { shell: '/bin/sh', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

test('the database restarted while subscribers stay attached: writes after the restart arrive on the same connections and nothing is missing', { skip: noPgControl, timeout: 120_000 }, async (t) => {
  const s = await own();
  const run = uniq('pg');
  const F = await mustWrite(s.base, 'POST', '/organizations', { name: `Outage Org ${run}` });
  const S = newest();
  const subs = subscribers(() => s.base, F, S);
  let stopWrites = false;
  const writing = writer(() => s.base, F, run, () => (stopWrites ? 0 : Infinity));
  await sleep(2_500);
  const before = new Map(subs.map((x) => [x.name, x.sub.current]));
  assert.ok(subs.every((x) => x.sub.conns.length > 0), 'every subscriber connected before the outage');
  let down = false;
  try {
    sh(PG_STOP);
    down = true;
    await sleep(2_000);
    sh(PG_START);
    down = false;
  } finally {
    if (down) sh(PG_START);
  }
  // Writes succeed again (the pool reconnects), then a few marked ones.
  assert.ok(await waitFor(async () => (await tryWrite(s.base, 'POST', '/sources', { url: `https://news.example/${run}-probe-${Date.now()}` }))?.status === 201, 20_000, 300), 'writes work again after the restart');
  await sleep(1_500);
  stopWrites = true;
  const w = await writing;
  t.diagnostic(`writes: ${w.ok} ok, ${w.failed} failed (during the outage)`);
  const markers = [];
  for (let i = 0; i < 3; i++) markers.push(await mustWrite(s.base, 'POST', '/sources', { url: `https://news.example/${run}-marker-${i}` }));
  const { problems } = await settle(t, () => s.base, subs, S);
  // The connections of the subscribers that do not disconnect on their own stayed open
  // through the outage and carried the writes made after it.
  for (const x of subs.filter((x) => !x.churnMs && !x.q.org)) {
    const c = before.get(x.name);
    const keys = new Set(changeEvents(c).map((e) => e.data?.entity_id));
    assert.ok(markers.every((m) => keys.has(m.id)), `${x.name}: the connection open before the restart got the writes after it (its connections: ${x.sub.conns.length}, error: ${c.error?.message})`);
  }
  assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));
});

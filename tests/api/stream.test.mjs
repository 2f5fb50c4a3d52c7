// stream.test.mjs — the live change stream (issue 27), GET /changes/stream, on servers of the
// test's own (short keep-alives, a short lifetime, a small per-client limit).
//
// The Done-when test: 4 writers at once (API writes; NDJSON imports; two writers holding
// transactions open through psql so that lower audit ids commit later) and 20 subscribers
// with different filters that disconnect at random and resume with Last-Event-ID or after=.
// At the end every subscriber got exactly the changes its filter selects (repeats by id
// removed), in commit order on every connection, and a client polling GET /changes?after=
// got the whole log in commit order, nothing skipped. The log's commit order is read from the
// database itself (audit_commits.seq), not only from the API.
//
// Then the features: reset on an unknown key, 400s naming the field, NDJSON, keep-alive, the
// lifetime's reconnect, the per-client limit, coalesce=imports, the headers, /metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, errorFields, expectProblem, sleep, uniq, waitFor } from './lib.mjs';
import { DB_URL, noDb, startServer } from './helpers-server.mjs';
import {
  changeEvents,
  checkStreamSpec,
  dbOrderAfter,
  eventKey,
  expectedEvents,
  filterWants,
  heldTransaction,
  holding,
  idDiff,
  logAfter,
  openStream,
  psql,
} from './helpers-stream.mjs';

const skip = noDb;
let server;
const servers = [];
after(async () => {
  for (const s of servers) await s.stop().catch(() => {});
});

async function ownServer(settings) {
  const s = await startServer({ ORGWATCH_STREAM_KEEPALIVE_S: '1', ORGWATCH_THREADS: '4', ...settings });
  servers.push(s);
  return s;
}

before(async () => {
  if (skip) return;
  // A small ring: subscribers that stay away a moment fall behind it and catch up from the
  // database, so both ways of reading the feed are exercised.
  server = await ownServer({ ORGWATCH_STREAMS_PER_CLIENT: '200', ORGWATCH_STREAM_RING: '64' });
});

const nd = (records) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const newest = () => Number(psql(DB_URL, 'SELECT ow_change_last()'));
const rand = (lo, hi) => lo + Math.random() * (hi - lo);

/** A write through the API that must succeed; returns the body. */
async function w(base, method, path, body, headers = {}) {
  const res = await api(method, path, { base, key: 'editor', body, headers, timeoutMs: 60_000 });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} → ${res.status} ${res.text.slice(0, 400)}`);
  return res.body;
}

async function importNd(base, records) {
  const res = await api('POST', '/import', { base, key: 'editor', raw: true, body: nd(records), headers: { 'content-type': 'application/x-ndjson' }, timeoutMs: 120_000 });
  assert.equal(res.status, 200, `POST /import → ${res.status} ${res.text.slice(0, 400)}`);
  return res.body;
}

// ------------------------------------------------------------------ the Done-when test

test('4 concurrent writers, 20 subscribers disconnecting at random: each gets exactly its filter\'s changes, in commit order per connection; a poller of /changes?after= skips nothing', { skip, timeout: 150_000 }, async (t) => {
  const base = server.base;
  const run = uniq('st');
  // A fresh organization of the run, a team in it and a person followed by one subscriber.
  // Positions in F are all in the past (2001–2002), so no person holds one there on the
  // day of the run and the org filter's expectation is computable from the entries alone.
  const F = await w(base, 'POST', '/organizations', { name: `Stream Org ${run}` });
  const T = await w(base, 'POST', '/teams', { org_id: F.id, name: `Stream Team ${run}` });
  const P = await w(base, 'POST', '/people', { full_name: `Stream Person ${run}` });
  const S = newest();

  const subs = [
    { name: 'all (SSE)', q: {} },
    { name: 'all (NDJSON, after=)', q: {}, ndjson: true },
    { name: 'all (SSE, resumes with after=)', q: {}, viaAfter: true },
    { name: 'organizations and teams', q: { entity: 'organization,team' } },
    { name: 'sources', q: { entity: 'source' } },
    { name: 'people', q: { entity: 'person' } },
    { name: 'departures and layoffs', q: { entity: 'departure,layoff' } },
    { name: 'deletes', q: { operation: 'delete' } },
    { name: 'updates and deletes', q: { operation: 'update,delete' } },
    { name: 'creates (NDJSON)', q: { operation: 'create' }, ndjson: true },
    { name: 'merges', q: { operation: 'merge' } },
    { name: 'org by slug', q: { org: F.slug } },
    { name: 'org by id, teams only', q: { org: F.id, entity: 'team' } },
    { name: 'org creates', q: { org: F.slug, operation: 'create' } },
    { name: 'team', q: { team: T.id } },
    { name: 'person by slug', q: { person: P.slug } },
    { name: 'person by id (NDJSON)', q: { person: P.id }, ndjson: true },
    { name: 'position updates', q: { entity: 'position', operation: 'update' } },
    { name: 'coalesce=imports', q: { coalesce: 'imports' } },
    { name: 'coalesce=imports, org', q: { coalesce: 'imports', org: F.slug } },
  ];
  assert.equal(subs.length, 20);
  // The filter in ids, for the expectation.
  for (const s of subs) {
    s.f = {
      entity: s.q.entity?.split(','),
      operation: s.q.operation?.split(','),
      org: s.q.org ? F.id : undefined,
      team: s.q.team,
      person: s.q.person ? P.id : undefined,
      coalesce: s.q.coalesce === 'imports',
    };
    s.conns = [];
    s.key = S;
    s.errors = [];
  }

  let stopSubs = false;
  async function subscriber(s) {
    let first = true;
    while (!stopSubs) {
      const params = new URLSearchParams(s.q);
      const headers = {};
      if (first || s.ndjson || s.viaAfter) params.set('after', String(s.key));
      else headers['last-event-id'] = String(s.key);
      first = false;
      let c;
      try {
        c = await openStream(base, `/changes/stream?${params}`, { ndjson: s.ndjson, headers });
      } catch (e) {
        s.errors.push(`connect: ${e.message}`);
        await sleep(200);
        continue;
      }
      if (c.status !== 200) {
        s.errors.push(`status ${c.status}: ${c.text.slice(0, 200)}`);
        await sleep(200);
        continue;
      }
      s.conns.push(c);
      const onEvent = () => {
        const evs = changeEvents(c);
        if (evs.length) s.key = eventKey(evs[evs.length - 1]);
        return false;
      };
      await c.next(onEvent, rand(200, 2500));
      onEvent();
      c.close();
      await c.finished;
      onEvent(); // events parsed before the abort landed
    }
  }
  const subDone = subs.map((s) => subscriber(s));

  // The poller: GET /changes?after=<last id seen> with small pages throughout.
  const polled = [];
  let stopPoll = false;
  const pollDone = (async () => {
    let key = S;
    for (;;) {
      const final = stopPoll;
      const res = await api('GET', `/changes?after=${key}&limit=${Math.ceil(rand(1, 40))}`, { base });
      assert.equal(res.status, 200, res.text);
      polled.push(...res.body.items);
      if (res.body.items.length) key = res.body.items[res.body.items.length - 1].id;
      else if (final) return;
      else await sleep(rand(50, 300));
    }
  })();

  // The writers.
  const until = Date.now() + 12_000;
  const apiWriter = async () => {
    let i = 0;
    let keep; // survivor of the next merge
    while (Date.now() < until) {
      i++;
      const o = await w(base, 'POST', '/organizations', { name: `Stream W ${run} ${i}` });
      await w(base, 'PATCH', `/organizations/${o.id}`, { description: `changed ${i}` }, { 'content-type': 'application/merge-patch+json' });
      const x = await w(base, 'POST', '/people', { full_name: `Stream X ${run} ${i}` });
      await w(base, 'POST', '/positions', { person_id: x.id, org_id: F.id, team_id: i % 2 ? T.id : undefined, title: `T${i}`, started_on: '2001', ended_on: '2002' });
      await w(base, 'POST', '/departures', { person_id: x.id, org_id: F.id, departed_on: '2003', destination_org_id: i % 3 === 0 ? o.id : undefined });
      const l = await w(base, 'POST', '/layoffs', { org_id: F.id, announced_on: '2023-01', count: i });
      await w(base, 'PATCH', `/layoffs/${l.id}`, { count: i + 1 }, { 'content-type': 'application/merge-patch+json' });
      await w(base, 'DELETE', `/layoffs/${l.id}`);
      await w(base, 'PATCH', `/people/${P.id}`, { bio: `bio ${i}` }, { 'content-type': 'application/merge-patch+json' });
      if (i % 3 === 0) await w(base, 'DELETE', `/organizations/${(await w(base, 'POST', '/organizations', { name: `Stream Gone ${run} ${i}` })).id}`);
      // A survivor takes 40 merges at most (a person has at most 100 aliases).
      if (keep && i % 40) await w(base, 'POST', `/people/${keep.id}/merge`, { duplicate: x.id });
      else keep = x;
      if (i === 2) {
        const pos = await w(base, 'POST', '/positions', { person_id: P.id, org_id: F.id, team_id: T.id, title: 'Followed', started_on: '2001', ended_on: '2002' });
        await w(base, 'PATCH', `/positions/${pos.id}`, { title: 'Followed, renamed' }, { 'content-type': 'application/merge-patch+json' });
      }
    }
    return i;
  };
  const importWriter = async () => {
    let i = 0;
    while (Date.now() < until) {
      i++;
      const recs = [];
      for (let k = 0; k < 8; k++) recs.push({ type: 'person', slug: `${run}-imp-${i}-${k}`, full_name: `Stream Imported ${i} ${k}` });
      // Every other import touches F (positions there), the others only people elsewhere.
      if (i % 2) for (let k = 0; k < 4; k++) recs.push({ type: 'position', person: `${run}-imp-${i}-${k}`, org: F.slug, title: `I${k}`, started_on: '2001', ended_on: '2002' });
      await importNd(base, recs);
      await sleep(rand(100, 600));
    }
    return i;
  };
  const held = [];
  const heldWriter = (which) => async () => {
    let i = 0;
    while (Date.now() < until) {
      i++;
      const tag = `${run}-held-${which}-${i}`;
      let sql = `INSERT INTO sources (url) VALUES ('https://news.example/${tag}')`;
      if (which === 'b') sql += `; INSERT INTO teams (org_id, slug, name) VALUES ('${F.id}', '${tag}', 'Held ${tag}')`;
      held.push(...(await heldTransaction(DB_URL, sql, rand(1, 3).toFixed(2))));
    }
    return i;
  };
  const counts = await Promise.all([apiWriter(), importWriter(), heldWriter('a')(), heldWriter('b')()]);
  t.diagnostic(`writer rounds: api ${counts[0]}, imports ${counts[1]}, held ${counts[2]} + ${counts[3]}`);
  stopPoll = true;
  await pollDone;

  // The truth: the database's commit order after S, and GET /changes?after=S.
  const order = dbOrderAfter(DB_URL, S);
  const log = await logAfter(base, S, 200);
  assert.deepEqual(log.map((e) => e.id), order.map((e) => e.id), 'GET /changes?after= lists the log in the database\'s commit order (seq, id)');
  const byId = new Map();
  log.forEach((e, i) => {
    Object.assign(e, { txid: order[i].txid, imp: order[i].imp, pos: i });
    byId.set(e.id, e);
  });
  // The run made commit order differ from id order (else it would not test the point).
  const inversions = log.filter((e, i) => i > 0 && e.id < log[i - 1].id).length;
  assert.ok(inversions > 0, 'a held transaction committed after a higher id (commit order ≠ id order)');
  for (const id of held) assert.ok(byId.has(id), `the held transaction's entry ${id} is in the log`);
  assert.ok(log.some((e) => e.imp), 'imports were written');
  t.diagnostic(`log: ${log.length} entries after ${S}; ${inversions} places where ids go back`);

  // The poller got the whole log, in order, each entry once.
  assert.deepEqual(polled.map((e) => e.id), log.map((e) => e.id), `the poller of /changes?after= (${idDiff(polled.map((e) => e.id), log.map((e) => e.id))})`);

  // Every subscriber gets there; then they stop.
  for (const s of subs) s.want = expectedEvents(s.f, log);
  const got = (s) => new Set(s.conns.flatMap((c) => changeEvents(c).map(eventKey)));
  await waitFor(() => subs.every((s) => s.want.every((e) => got(s).has(e.id))), 40_000, 250);
  stopSubs = true;
  await Promise.all(subDone);

  const problems = [];
  for (const s of subs) {
    const all = s.conns.flatMap((c) => changeEvents(c));
    const ids = [...new Set(all.map(eventKey))].sort((a, b) => byId.get(a)?.pos - byId.get(b)?.pos);
    const wantIds = s.want.map((e) => e.id);
    if (JSON.stringify(ids) !== JSON.stringify(wantIds)) problems.push(`${s.name}: ${idDiff(ids, wantIds)}`);
    const want = new Map(s.want.map((e) => [e.id, e]));
    s.conns.forEach((c, ci) => {
      if (c.error) problems.push(`${s.name}, connection ${ci}: ${c.error.message}`);
      const resets = c.events.filter((e) => e.event === 'reset' || e.event === 'reconnect');
      if (resets.length) problems.push(`${s.name}, connection ${ci}: unexpected ${resets[0].raw}`);
      let last = -1;
      for (const e of changeEvents(c)) {
        const k = eventKey(e);
        const entry = byId.get(k);
        if (!entry) {
          problems.push(`${s.name}, connection ${ci}: event ${k} is not in the log after ${S}`);
          continue;
        }
        if (entry.pos <= last) problems.push(`${s.name}, connection ${ci}: ${k} came after ${log[last].id} but precedes it in commit order`);
        last = entry.pos;
        const w0 = want.get(k);
        if (!w0) continue;
        if (w0.event === 'import.done') {
          if (!s.ndjson && e.event !== 'import.done') problems.push(`${s.name}: ${k} is ${e.event}, want import.done`);
          if (JSON.stringify(e.data) !== JSON.stringify({ event: 'import.done', id: k, counts: e.data.counts }) || !isDeepEqual(e.data.counts, w0.counts)) {
            problems.push(`${s.name}: import.done ${k}: ${JSON.stringify(e.data)}, want counts ${JSON.stringify(w0.counts)}`);
          }
        } else {
          if (!s.ndjson && (e.event !== w0.event || e.id !== String(k))) problems.push(`${s.name}: ${k} is id ${e.id} event ${e.event}, want ${w0.event}`);
          const { txid, imp, pos, ...plain } = entry;
          if (!isDeepEqual(e.data, plain)) problems.push(`${s.name}: data of ${k} differs from GET /changes: ${JSON.stringify(e.data).slice(0, 200)}`);
        }
      }
    });
    t.diagnostic(`${s.name}: ${wantIds.length} changes over ${s.conns.length} connections, ${all.length - ids.length} repeats${s.errors.length ? `; ${s.errors.length} failed connects: ${s.errors[0]}` : ''}`);
    if (s.errors.length) problems.push(`${s.name}: connects failed: ${s.errors.slice(0, 3).join('; ')}`);
  }
  // The filters were exercised: every subscriber expected something, and a filter left
  // something out.
  for (const s of subs) assert.ok(s.want.length > 0, `${s.name} expects at least one change`);
  assert.ok(subs.filter((s) => s.want.length < log.length).length >= 15);
  assert.ok(subs.every((s) => s.conns.length >= 3), 'every subscriber disconnected and resumed at least twice');
  // The small ring made resumed subscribers read from the database as well as from memory.
  const catchups = Number((await api('GET', '/metrics', { base })).text.match(/^orgwatch_stream_catchup_queries_total (\d+)$/m)?.[1]);
  t.diagnostic(`catch-up queries: ${catchups}`);
  assert.ok(catchups > 0, 'some subscribers caught up from the database');
  assert.deepEqual(problems, [], problems.slice(0, 40).join('\n'));
});

function isDeepEqual(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ GET /changes?after=

test('GET /changes?after=: a write that committed later but has a lower id comes after, and a resume from the newest id seen does not skip it', { skip, timeout: 60_000 }, async () => {
  const base = server.base;
  const tag = uniq('after');
  const S = newest();
  const slow = heldTransaction(DB_URL, `INSERT INTO sources (url) VALUES ('https://news.example/${tag}-slow')`, 3, tag);
  assert.ok(await waitFor(() => holding(DB_URL, tag), 10_000, 50), 'the slow transaction has written and holds');
  const fast = await w(base, 'POST', '/sources', { url: `https://news.example/${tag}-fast` });
  const seen = await logAfter(base, S);
  const fastEntry = seen.find((e) => e.entity_id === fast.id);
  assert.ok(fastEntry, 'the fast write is listed at once');
  assert.ok(!seen.some((e) => e.after?.url?.endsWith(`${tag}-slow`)), 'the slow one is not yet visible');
  const [slowEntryId] = await slow;
  assert.ok(slowEntryId < fastEntry.id, `the slow write took the lower id (${slowEntryId} < ${fastEntry.id})`);
  const later = await logAfter(base, seen[seen.length - 1].id);
  assert.ok(later.some((e) => e.id === slowEntryId), 'resuming after the newest id seen gives the slow write (lower id, later commit)');
  const whole = await logAfter(base, S);
  const ids = whole.map((e) => e.id);
  assert.ok(ids.indexOf(slowEntryId) > ids.indexOf(fastEntry.id), `commit order: ${JSON.stringify(ids)}`);
  // An unknown key is a 400 naming after.
  const bad = await api('GET', '/changes?after=999999999', { base });
  expectProblem(bad, 400);
  assert.ok(errorFields(bad).includes('after'), JSON.stringify(bad.body));
});

// ------------------------------------------------------------------ features

test('headers, retry and SSE events: the first bytes are retry:, each event has id, event <entity>.<operation> and the entry of GET /changes', { skip, timeout: 60_000 }, async (t) => {
  const base = server.base;
  const S = newest();
  const c = await openStream(base, `/changes/stream?after=${S}`);
  assert.equal(c.status, 200);
  assert.match(c.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(c.headers.get('cache-control'), 'no-cache');
  assert.equal(c.headers.get('x-accel-buffering'), 'no');
  const o = await w(base, 'POST', '/organizations', { name: `Stream Headers ${uniq()}` });
  await c.next((x) => changeEvents(x).some((e) => e.data.entity_id === o.id), 15_000);
  c.close();
  assert.ok(c.text.startsWith('retry: 2000\n\n'), `the first bytes: ${JSON.stringify(c.text.slice(0, 40))}`);
  assert.equal(c.retry, 2000);
  const ev = changeEvents(c).find((e) => e.data.entity_id === o.id);
  assert.ok(ev, 'the write arrived on the stream');
  assert.equal(ev.event, 'organization.create');
  const [entry] = (await logAfter(base, S)).filter((e) => e.entity_id === o.id);
  assert.equal(ev.id, String(entry.id));
  assert.deepEqual(ev.data, entry, 'data is the entry exactly as GET /changes gives it');
  if (!checkStreamSpec(await api('GET', '/changes/stream?after=abc', { base }))) t.diagnostic('openapi.yaml has no /changes/stream yet: not checked against the spec');
});

test('NDJSON (Accept and the .ndjson suffix): one entry per line; a blank line is the keep-alive', { skip, timeout: 60_000 }, async () => {
  const base = server.base;
  const S = newest();
  const viaAccept = await openStream(base, `/changes/stream?after=${S}&entity=source`, { ndjson: true });
  const viaSuffix = await openStream(base, `/changes/stream.ndjson?after=${S}&entity=source`);
  for (const c of [viaAccept, viaSuffix]) {
    assert.equal(c.status, 200, c.text);
    assert.equal(c.headers.get('content-type').split(';')[0], 'application/x-ndjson');
  }
  const s = await w(base, 'POST', '/sources', { url: `https://news.example/${uniq('nd')}` });
  for (const c of [viaAccept, viaSuffix]) {
    await c.next((x) => x.events.some((e) => e.data.entity_id === s.id) && x.comments.length > 0, 15_000);
    c.close();
    assert.ok(!c.text.startsWith('retry'), 'no SSE fields');
    const lines = c.text.split('\n').filter((l) => l !== '');
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `a JSON line: ${l.slice(0, 100)}`);
    const mine = c.events.filter((e) => e.data.entity_id === s.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].data.operation, 'create');
    assert.ok(c.events.every((e) => e.data.entity === 'source'));
    assert.ok(c.comments.length > 0, 'a blank keep-alive line within a few seconds (keep-alive 1 s)');
  }
});

test('a keep-alive comment arrives on an idle SSE stream', { skip, timeout: 30_000 }, async () => {
  const idle = await w(server.base, 'POST', '/people', { full_name: `Idle ${uniq()}` });
  const c = await openStream(server.base, `/changes/stream?after=${newest()}&person=${idle.id}`);
  await c.next((x) => x.comments.includes('keep-alive'), 10_000);
  c.close();
  assert.ok(c.comments.includes('keep-alive'), `got: ${JSON.stringify(c.text)}`);
  assert.equal(changeEvents(c).length, 0);
});

test('an unknown key: the first event is reset, with the newest change\'s id; then live from there (after= and Last-Event-ID)', { skip, timeout: 60_000 }, async () => {
  const base = server.base;
  for (const how of ['after', 'header']) {
    const path = how === 'after' ? '/changes/stream?after=999999999&entity=source' : '/changes/stream?entity=source';
    const c = await openStream(base, path, { headers: how === 'header' ? { 'last-event-id': '999999999' } : {} });
    assert.equal(c.status, 200);
    await c.next((x) => x.events.length > 0, 10_000);
    const N = newest();
    const [reset] = c.events;
    assert.equal(reset?.event, 'reset', `${how}: the first event: ${c.text}`);
    assert.ok(Number(reset.id) > 0 && Number(reset.id) <= N, `${how}: reset id ${reset.id} is a change's id`);
    assert.equal(reset.data.event, 'reset');
    assert.equal(reset.data.after, 999999999);
    assert.equal(String(reset.data.id), reset.id);
    const s = await w(base, 'POST', '/sources', { url: `https://news.example/${uniq('reset')}` });
    await c.next((x) => changeEvents(x).some((e) => e.data.entity_id === s.id), 15_000);
    c.close();
    assert.ok(changeEvents(c).some((e) => e.data.entity_id === s.id), `${how}: live after the reset`);
    const ids = changeEvents(c).map(eventKey);
    const after = await logAfter(base, Number(reset.id));
    const pos = new Map(after.map((e, i) => [e.id, i]));
    assert.ok(ids.every((k) => pos.has(k)), `${how}: only changes after the reset's id`);
  }
});

test('without after= or Last-Event-ID: from now on — a change committed before the request is not sent, one after it is', { skip, timeout: 30_000 }, async () => {
  const base = server.base;
  // The follower is held up for 3 s (its feed query reads positions, which a transaction
  // holds locked; writing a source does not touch positions), as a busy database would.
  const tag = uniq('lag');
  const lag = heldTransaction(DB_URL, 'LOCK TABLE positions IN ACCESS EXCLUSIVE MODE', 3, tag);
  assert.ok(await waitFor(() => holding(DB_URL, tag), 10_000, 50));
  const before = await w(base, 'POST', '/sources', { url: `https://news.example/${uniq('before')}` });
  // The write above has committed and been answered: it is in the past for this request.
  const c = await openStream(base, '/changes/stream?entity=source');
  await lag;
  const afterIt = await w(base, 'POST', '/sources', { url: `https://news.example/${uniq('after')}` });
  await c.next((x) => changeEvents(x).some((e) => e.data.entity_id === afterIt.id), 15_000);
  c.close();
  const got = changeEvents(c).map((e) => e.data.entity_id);
  assert.ok(got.includes(afterIt.id), 'the change after the request arrives');
  assert.ok(!got.includes(before.id), `the change committed before the request is not sent (got ${JSON.stringify(changeEvents(c).map((e) => e.id))})`);
});

test('Last-Event-ID wins over ?after=, and resumes exactly after that entry', { skip, timeout: 60_000 }, async () => {
  const base = server.base;
  const S = newest();
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await w(base, 'POST', '/sources', { url: `https://news.example/${uniq('lei')}` }));
  const log = (await logAfter(base, S)).filter((e) => e.entity === 'source');
  const k = log.find((e) => e.entity_id === made[0].id).id;
  const c = await openStream(base, `/changes/stream?after=${S}&entity=source`, { headers: { 'last-event-id': String(k) } });
  await c.next((x) => changeEvents(x).some((e) => e.data.entity_id === made[2].id), 15_000);
  c.close();
  const got = changeEvents(c).map((e) => e.data.entity_id);
  assert.deepEqual(got.slice(0, 2), [made[1].id, made[2].id], 'from the entry after Last-Event-ID, not from after=');
  assert.ok(!got.includes(made[0].id));
});

test('bad arguments: after and Last-Event-ID not ids, unknown org/team/person, unknown entity/operation/coalesce are 400 naming the field', { skip, timeout: 30_000 }, async () => {
  const base = server.base;
  const cases = [
    ['/changes/stream?after=abc', {}, 'after'],
    ['/changes/stream?after=-1', {}, 'after'],
    ['/changes/stream', { 'last-event-id': 'abc' }, 'Last-Event-ID'],
    [`/changes/stream?org=${uniq('no-such-org')}`, {}, 'org'],
    [`/changes/stream?team=${uniq('no-such-team')}`, {}, 'team'],
    [`/changes/stream?person=${uniq('no-such-person')}`, {}, 'person'],
    ['/changes/stream?entity=foo', {}, 'entity'],
    ['/changes/stream?entity=source,foo', {}, 'entity'],
    ['/changes/stream?operation=erase', {}, 'operation'],
    ['/changes/stream?coalesce=everything', {}, 'coalesce'],
    ['/changes/stream?colour=red', {}, 'colour'],
  ];
  for (const [path, headers, field] of cases) {
    const res = await api('GET', path, { base, headers });
    expectProblem(res, 400);
    assert.ok(errorFields(res).includes(field), `${path} ${JSON.stringify(headers)}: errors name ${field}: ${res.text}`);
    checkStreamSpec(res);
  }
});

test('coalesce=imports: one import.done event with the import\'s counts; imports that match no filter are not sent; without it the import arrives in full, in order', { skip, timeout: 60_000 }, async () => {
  const base = server.base;
  const run = uniq('co');
  const org = await w(base, 'POST', '/organizations', { name: `Coalesce Org ${run}` });
  const S = newest();
  const open = (q, ndjson) => openStream(base, `/changes/stream?after=${S}&${q}`, { ndjson });
  const coalesced = await open('coalesce=imports');
  const coalescedOrg = await open(`coalesce=imports&org=${org.slug}`);
  const full = await open('entity=person,position');
  const other = await importNd(base, [{ type: 'person', slug: `${run}-other`, full_name: 'Coalesce Other' }]);
  const recs = [];
  for (let k = 0; k < 5; k++) recs.push({ type: 'person', slug: `${run}-${k}`, full_name: `Coalesce ${k}` });
  for (let k = 0; k < 3; k++) recs.push({ type: 'position', person: `${run}-${k}`, org: org.slug, title: 'x', started_on: '2001', ended_on: '2002' });
  const mine = await importNd(base, recs);
  assert.ok(other && mine);
  const marker = await w(base, 'POST', '/sources', { url: `https://news.example/${run}-marker` });
  const log = await logAfter(base, S);
  const mineEntries = log.filter((e) => e.entity === 'position' && e.after?.org_id === org.id);
  assert.equal(mineEntries.length, 3);
  const order = dbOrderAfter(DB_URL, S);
  const txOf = new Map(order.map((e) => [e.id, e.txid]));
  const importTx = txOf.get(mineEntries[0].id);
  const importIds = order.filter((e) => e.txid === importTx).map((e) => e.id);
  const otherTx = txOf.get(log.find((e) => e.after?.slug === `${run}-other`).id);
  const otherIds = order.filter((e) => e.txid === otherTx).map((e) => e.id);

  await coalesced.next((x) => changeEvents(x).some((e) => e.data.entity_id === marker.id), 15_000);
  await coalescedOrg.next((x) => x.comments.length > 2, 10_000); // idle after the import
  await full.next((x) => changeEvents(x).filter((e) => importIds.includes(eventKey(e))).length === importIds.length, 15_000);
  for (const c of [coalesced, coalescedOrg, full]) c.close();

  const done = (c) => changeEvents(c).filter((e) => e.event === 'import.done');
  const dMine = done(coalesced).find((e) => e.id === String(importIds[importIds.length - 1]));
  assert.ok(dMine, `import.done with the import's last id ${importIds[importIds.length - 1]}: ${coalesced.text.slice(0, 1500)}`);
  assert.deepEqual(dMine.data, { event: 'import.done', id: importIds[importIds.length - 1], counts: { person: { create: 5 }, position: { create: 3 } } });
  assert.ok(done(coalesced).some((e) => e.id === String(otherIds[otherIds.length - 1])), 'the other import is one import.done too');
  assert.ok(!changeEvents(coalesced).some((e) => e.event !== 'import.done' && (importIds.includes(eventKey(e)) || otherIds.includes(eventKey(e)))), 'no entry of an import on its own');
  assert.ok(changeEvents(coalesced).some((e) => e.data.entity_id === marker.id), 'other writes as usual');
  assert.deepEqual(done(coalescedOrg).map((e) => e.data), [dMine.data], 'with org=: only the import that touched the org');
  const fullIds = changeEvents(full).map(eventKey).filter((k) => importIds.includes(k));
  assert.deepEqual(fullIds, importIds.filter((k) => filterWants({ entity: ['person', 'position'] }, log.find((e) => e.id === k))), 'without coalesce: every entry of the import, in order');
});

test('lifetime: after ORGWATCH_STREAM_LIFETIME_S an event: reconnect, then the stream ends; resuming from its id misses nothing', { skip, timeout: 60_000 }, async () => {
  const s = await ownServer({ ORGWATCH_STREAM_LIFETIME_S: '2' });
  const S = newest();
  const c = await openStream(s.base, `/changes/stream?after=${S}&entity=source`);
  const src = await w(s.base, 'POST', '/sources', { url: `https://news.example/${uniq('life')}` });
  await c.next((x) => x.ended, 20_000);
  assert.ok(c.ended, `the server ended the stream: ${c.text}`);
  const last = c.events[c.events.length - 1];
  assert.equal(last?.event, 'reconnect', `the last event: ${c.text.slice(-300)}`);
  assert.equal(last.data.event, 'reconnect');
  assert.ok(changeEvents(c).some((e) => e.data.entity_id === src.id));
  const src2 = await w(s.base, 'POST', '/sources', { url: `https://news.example/${uniq('life2')}` });
  const c2 = await openStream(s.base, '/changes/stream?entity=source', { headers: { 'last-event-id': last.id } });
  await c2.next((x) => changeEvents(x).some((e) => e.data.entity_id === src2.id), 15_000);
  c2.close();
  assert.ok(changeEvents(c2).some((e) => e.data.entity_id === src2.id), 'resumed from the reconnect id');
  assert.ok(!changeEvents(c2).some((e) => e.data.entity_id === src.id), 'not sent twice');
  const m = await api('GET', '/metrics', { base: s.base });
  assert.match(m.text, /^orgwatch_stream_disconnects_total\{reason="lifetime"\} [1-9]/m);
});

test('per-client limit: over ORGWATCH_STREAMS_PER_CLIENT a 429 problem; a closed stream frees its place; /metrics counts subscribers', { skip, timeout: 60_000 }, async () => {
  const s = await ownServer({ ORGWATCH_STREAMS_PER_CLIENT: '2' });
  const a = await openStream(s.base, '/changes/stream');
  const b = await openStream(s.base, '/changes/stream', { ndjson: true });
  assert.deepEqual([a.status, b.status], [200, 200]);
  const m = await api('GET', '/metrics', { base: s.base });
  const live = Number(m.text.match(/^orgwatch_stream_subscribers\{state="live"\} (\d+)$/m)?.[1]);
  assert.equal(live, 2, 'two subscribers in /metrics');
  const third = await api('GET', '/changes/stream', { base: s.base, timeoutMs: 10_000 });
  expectProblem(third, 429);
  assert.match(third.body.detail, /too many open streams/i);
  // Issue 27: "streams per key and per IP (default 16, then 429 with Retry-After)".
  assert.match(third.headers.get('retry-after') ?? '(none)', /^[1-9]\d*$/, 'the 429 says when to retry (Retry-After)');
  if (!checkStreamSpec(third)) assert.equal(third.body.status, 429);
  // With a key: counted per key and per address, so still over from this address.
  const keyed = await api('GET', '/changes/stream', { base: s.base, key: 'reader', timeoutMs: 10_000 });
  expectProblem(keyed, 429);
  a.close();
  await a.finished;
  const fourth = await waitFor(async () => {
    const c = await openStream(s.base, '/changes/stream');
    if (c.status === 200) return c;
    return undefined;
  }, 15_000, 300);
  assert.ok(fourth, 'a stream closed frees its place');
  fourth.close();
  b.close();
  const after = await waitFor(async () => {
    const t = (await api('GET', '/metrics', { base: s.base })).text;
    return /^orgwatch_stream_subscribers\{state="live"\} 0$/m.test(t) ? t : undefined;
  }, 15_000, 300);
  assert.ok(after, 'no subscriber left in /metrics once both are closed');
  assert.match(after, /^orgwatch_stream_refused_total [1-9]/m);
});

test('org filter: a person\'s change is selected the same way whether a subscriber reads it live or catches up from the database', { skip, timeout: 60_000 }, async () => {
  // Issue 27: org= selects "the people holding positions there at the time of the change".
  // Two subscribers with the same filter over the same stretch of the log must get the same
  // events: one follows live (the ring), the other reads the same stretch later, from the
  // database (a server started afterwards has none of it in memory).
  const base = server.base;
  const run = uniq('tags');
  const O = await w(base, 'POST', '/organizations', { name: `Tags Org ${run}` });
  const S = newest();
  const live = await openStream(base, `/changes/stream?after=${S}&org=${O.slug}`);
  const X = await w(base, 'POST', '/people', { full_name: `Tags Person ${run}` });
  await w(base, 'PATCH', `/people/${X.id}`, { bio: 'before the position was recorded' }, { 'content-type': 'application/merge-patch+json' });
  // Recorded afterwards: X has held a position at O since 2020, so also on the day of the
  // two changes above.
  const pos = await w(base, 'POST', '/positions', { person_id: X.id, org_id: O.id, title: 'Researcher', started_on: '2020' });
  const marker = await w(base, 'PATCH', `/organizations/${O.id}`, { description: 'marker' }, { 'content-type': 'application/merge-patch+json' });
  assert.ok(marker);
  const isMarker = (e) => e.data.entity === 'organization' && e.data.operation === 'update';
  await live.next((x) => changeEvents(x).some(isMarker), 15_000);
  live.close();
  const later = await ownServer({});
  const caught = await openStream(later.base, `/changes/stream?after=${S}&org=${O.slug}`);
  await caught.next((x) => changeEvents(x).some(isMarker), 15_000);
  caught.close();
  const names = (c) => changeEvents(c).map((e) => `${e.id} ${e.event}${e.data.entity_id === X.id ? ' (X)' : ''}`);
  assert.ok(changeEvents(live).some((e) => e.data.entity_id === pos.id), 'the position is selected live');
  assert.deepEqual(names(caught), names(live), 'the same events live and caught up from the database');
  await later.stop();
});

test('SIGTERM: every open stream gets event: reconnect before the server exits', { skip, timeout: 60_000 }, async () => {
  const s = await ownServer({});
  const S = newest();
  const sse = await openStream(s.base, `/changes/stream?after=${S}`);
  const nd2 = await openStream(s.base, `/changes/stream?after=${S}`, { ndjson: true });
  await sse.next((x) => x.comments.length > 0, 10_000);
  const exit = s.stop('SIGTERM');
  await sse.next((x) => x.ended, 15_000);
  await nd2.next((x) => x.ended, 15_000);
  const ex = await exit;
  assert.equal(ex.code, 0, `exit: ${JSON.stringify(ex)}\n${s.output().slice(-2000)}`);
  const last = sse.events[sse.events.length - 1];
  assert.equal(last?.event, 'reconnect', `the last SSE event: ${sse.text.slice(-300)}`);
  assert.ok(sse.ended, 'the SSE stream ended');
  nd2.close();
});

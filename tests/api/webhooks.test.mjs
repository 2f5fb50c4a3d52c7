// webhooks.test.mjs — signed webhooks (issue 27) against a local receiver (node http on
// 127.0.0.1) and a server of the test's own with ORGWATCH_WEBHOOK_ALLOW_NETS=127.0.0.0/8 and a
// 30 s retry window (the suite's shared server runs with the same two settings, since every
// server on the database delivers). What a user relies on: each change the filters want
// arrives once its transaction committed, in order, signed with the secret (Standard
// Webhooks), its body the entry GET /changes gives; failures (500s, a receiver that never
// answers) are retried; past the retry window the webhook is disabled and says why;
// redeliver starts it again; private and loopback URLs are refused without the allow list;
// only admin keys may touch webhooks; every bad input is a 400 naming the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { BASE, api, checkSpec, errorFields, expectProblem, freePort, keys, namesField, sleep, uniq, waitFor } from './lib.mjs';
import { noDb, startServer, testPorts } from './helpers-server.mjs';

const WINDOW_S = '30';
let server; // allow list 127.0.0.0/8, 30 s window
let recv; // the receiver
const made = []; // webhook ids to delete at the end

// ------------------------------------------------------------------ the receiver

// A receiver whose answer to each request `respond(req, n)` decides: a status, or 'hang'
// (never answers). Every request is kept: {path, headers, body, at}.
async function startReceiver() {
  const [lo, hi] = testPorts();
  const port = await freePort(Math.max(lo, hi - 49), hi); // the top of the range: below 32768
  const r = { got: [], hung: [], respond: () => 200, port };
  r.srv = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const entry = { path: req.url, headers: req.headers, body, at: Date.now() };
      r.got.push(entry);
      const answer = r.respond(entry, r.got.filter((g) => g.path === req.url).length);
      if (answer === 'hang') {
        r.hung.push(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end('seen');
    });
  });
  await new Promise((resolve) => r.srv.listen(port, '127.0.0.1', resolve));
  r.url = (path) => `http://127.0.0.1:${port}${path}`;
  r.at = (path) => r.got.filter((g) => g.path === path);
  return r;
}

// 1 when the request carries a valid Standard Webhooks signature by `secret`.
function verify(secret, h, body) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const want = crypto.createHmac('sha256', key).update(`${h['webhook-id']}.${h['webhook-timestamp']}.${body}`).digest('base64');
  return h['webhook-signature'].split(' ').includes(`v1,${want}`);
}

const base = () => server.base;
const admin = (method, path, body) => api(method, path, { base: base(), key: 'admin', body });

async function create(body) {
  const r = await admin('POST', '/webhooks', body);
  checkSpec(r, 'POST', '/webhooks');
  assert.equal(r.status, 201, r.text);
  made.push(r.body.id);
  return r.body;
}

async function newOrg(name = `Hook ${uniq()}`) {
  const r = await api('POST', '/organizations', { base: base(), key: 'editor', body: { name } });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// The entries of GET /changes after `after`, by id.
async function changesAfter(after) {
  const r = await api('GET', `/changes?after=${after}&limit=500`, { base: base() });
  assert.equal(r.status, 200, r.text);
  return new Map(r.body.items.map((e) => [e.id, e]));
}

// The sum of a metric over this test's server and the suite's (both deliver: either may have
// made an attempt).
async function metric(line) {
  let sum = 0;
  for (const b of new Set([base(), BASE])) {
    const r = await api('GET', '/metrics', { base: b }).catch(() => undefined);
    const m = r?.status === 200 && r.text.split('\n').find((l) => l.startsWith(`${line} `));
    if (m) sum += Number(m.slice(line.length + 1));
  }
  return sum;
}

const getHook = async (id) => (await admin('GET', `/webhooks/${id}`)).body;

before(async () => {
  if (noDb) return;
  recv = await startReceiver();
  server = await startServer({ ORGWATCH_WEBHOOK_ALLOW_NETS: '127.0.0.0/8', ORGWATCH_WEBHOOK_RETRY_WINDOW_S: WINDOW_S });
});

after(async () => {
  if (server) {
    for (const id of made) await admin('DELETE', `/webhooks/${id}`);
    await server.stop();
  }
  if (recv) {
    for (const res of recv.hung) res.destroy();
    recv.srv.closeAllConnections?.();
    await new Promise((resolve) => recv.srv.close(resolve));
  }
});

// ------------------------------------------------------------------ refusals and input

test('private, loopback and link-local URLs are refused without the allow list (400 naming url)', { skip: noDb, timeout: 60_000 }, async () => {
  const plain = await startServer({});
  try {
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/x', 'http://localhost:8080/x', 'http://127.0.0.1/x', 'http://192.168.1.20/x', 'http://[::ffff:10.0.0.1]/x', 'http://100.64.0.1/x', 'http://0.0.0.0/x', 'http://[fe80::1]/x']) {
      const r = await api('POST', '/webhooks', { base: plain.base, key: 'admin', body: { url } });
      expectProblem(r, 400);
      checkSpec(r, 'POST', '/webhooks');
      assert.ok(namesField(errorFields(r), 'url'), `${url}: ${r.text}`);
      assert.match(JSON.stringify(r.body.errors), /loopback|private|link-local|unspecified|shared/, url);
    }
  } finally {
    await plain.stop();
  }
  // With the allow list, 127.0.0.0/8 is allowed, and nothing else private.
  for (const url of ['http://10.0.0.1/hook', 'http://[::1]:8080/x', 'http://169.254.169.254/']) {
    const r = await admin('POST', '/webhooks', { url });
    expectProblem(r, 400);
    assert.ok(namesField(errorFields(r), 'url'), `${url}: ${r.text}`);
  }
});

test('only admin keys reach webhooks: 401 without a key, 403 for editors and readers', { skip: noDb }, async () => {
  const body = { url: recv.url('/nobody') };
  for (const [method, path] of [['POST', '/webhooks'], ['GET', '/webhooks'], ['GET', `/webhooks/${crypto.randomUUID()}`], ['DELETE', `/webhooks/${crypto.randomUUID()}`], ['GET', `/webhooks/${crypto.randomUUID()}/deliveries`], ['POST', `/webhooks/${crypto.randomUUID()}/redeliver?after=0`]]) {
    const template = path.replace(/[0-9a-f-]{36}/, '{id}').replace(/\?.*/, '');
    const none = await api(method, path, { base: base(), body: method === 'POST' ? body : undefined });
    expectProblem(none, 401);
    checkSpec(none, method, template);
    for (const key of ['editor', 'reader']) {
      if (!keys[key]) continue;
      const r = await api(method, path, { base: base(), key, body: method === 'POST' ? body : undefined });
      expectProblem(r, 403);
      checkSpec(r, method, template);
    }
  }
});

test('every bad input is a 400 naming its field; an unknown webhook is a 404', { skip: noDb }, async () => {
  const url = recv.url('/bad');
  const cases = [
    [{}, 'url'],
    [{ url: 'ftp://127.0.0.1/x' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'http://no-such-host.invalid/x' }, 'url'],
    [{ url, entity: ['departure', 'nope'] }, 'entity'],
    [{ url, entity: 'departure' }, 'entity'],
    [{ url, operation: ['create', 'x'] }, 'operation'],
    [{ url, org: `no-such-org-${uniq()}` }, 'org'],
    [{ url, team: `no-such-team-${uniq()}` }, 'team'],
    [{ url, person: crypto.randomUUID() }, 'person'],
    [{ url, secret: 'abc' }, 'secret'],
    [{ url, secret: 'whsec_c2hvcnQ=' }, 'secret'], // 5 bytes
    [{ url, secret: 'whsec_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' }, 'secret'],
    [{ url, after: 999999999999 }, 'after'],
    [{ url, after: -1 }, 'after'],
    [{ url, after: 'x' }, 'after'],
    [{ url, colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of cases) {
    const r = await admin('POST', '/webhooks', body);
    expectProblem(r, 400);
    checkSpec(r, 'POST', '/webhooks');
    assert.ok(namesField(errorFields(r), field), `${JSON.stringify(body)} should name ${field}: ${r.text}`);
  }
  const bad = await api('POST', '/webhooks', { base: base(), key: 'admin', body: '{"url":', raw: true, headers: { 'content-type': 'application/json' } });
  expectProblem(bad, 400);
  for (const id of [crypto.randomUUID(), 'nope']) {
    for (const [method, path, tpl] of [['GET', `/webhooks/${id}`, '/webhooks/{id}'], ['DELETE', `/webhooks/${id}`, '/webhooks/{id}'], ['GET', `/webhooks/${id}/deliveries`, '/webhooks/{id}/deliveries'], ['POST', `/webhooks/${id}/redeliver?after=0`, '/webhooks/{id}/redeliver']]) {
      const r = await admin(method, path);
      expectProblem(r, 404);
      checkSpec(r, method, tpl);
    }
  }
  const hook = await create({ url });
  for (const q of ['', '?after=', '?after=abc', '?after=-1', '?after=999999999999']) {
    const r = await admin('POST', `/webhooks/${hook.id}/redeliver${q}`);
    expectProblem(r, 400);
    checkSpec(r, 'POST', '/webhooks/{id}/redeliver');
    assert.ok(namesField(errorFields(r), 'after'), `${q}: ${r.text}`);
  }
  assert.equal((await admin('DELETE', `/webhooks/${hook.id}`)).status, 204);
  assert.equal((await admin('GET', `/webhooks/${hook.id}`)).status, 404);
});

// ------------------------------------------------------------------ deliveries

test('changes are delivered in commit order, signed, with the body GET /changes gives; the secret is shown once', { skip: noDb, timeout: 60_000 }, async () => {
  const path = `/ordered-${uniq()}`;
  const hook = await create({ url: recv.url(path), entity: ['organization'], operation: ['create'] });
  assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(Buffer.from(hook.secret.slice(6), 'base64').length, 32);
  assert.equal(hook.enabled, true);
  assert.equal(hook.disabled_reason, null);
  assert.deepEqual(hook.entity, ['organization']);
  const orgs = [];
  for (let i = 0; i < 4; i++) orgs.push(await newOrg());
  await api('PATCH', `/organizations/${orgs[0].id}`, { base: base(), key: 'editor', body: { description: 'not a create' }, headers: { 'content-type': 'application/merge-patch+json' } });
  const got = await waitFor(() => recv.at(path).length >= 4 && recv.at(path), 15_000);
  assert.ok(got, `4 deliveries expected, got ${recv.at(path).length}`);
  await sleep(1500); // nothing more comes (the update is filtered out)
  assert.equal(recv.at(path).length, 4);
  const changes = await changesAfter(hook.after);
  const ids = [];
  for (const g of got) {
    assert.equal(g.headers['content-type'], 'application/json');
    assert.ok(verify(hook.secret, g.headers, g.body), 'signature verifies with the secret');
    assert.ok(!verify(`whsec_${crypto.randomBytes(32).toString('base64')}`, g.headers, g.body));
    assert.ok(Math.abs(Number(g.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
    const entry = JSON.parse(g.body);
    assert.equal(g.headers['webhook-id'], `${hook.id}:${entry.id}`);
    assert.deepEqual(entry, changes.get(entry.id), 'the body is the entry of GET /changes');
    ids.push(entry.id);
  }
  assert.deepEqual(got.map((g) => JSON.parse(g.body).entity_id), orgs.map((o) => o.id), 'in the order the writes committed');
  const inLog = [...changes.values()].filter((e) => e.entity === 'organization' && e.operation === 'create').map((e) => e.id);
  assert.deepEqual(ids, inLog, 'every wanted change, in the order of GET /changes');
  // The secret is never shown again.
  const one = await admin('GET', `/webhooks/${hook.id}`);
  checkSpec(one, 'GET', '/webhooks/{id}');
  assert.equal(one.body.secret, undefined);
  const all = await admin('GET', '/webhooks');
  checkSpec(all, 'GET', '/webhooks');
  assert.ok(all.body.items.some((w) => w.id === hook.id));
  assert.ok(all.body.items.every((w) => w.secret === undefined));
  const d = await admin('GET', `/webhooks/${hook.id}/deliveries`);
  checkSpec(d, 'GET', '/webhooks/{id}/deliveries');
  assert.deepEqual(d.body.items.map((x) => x.change_id), [...ids].reverse(), 'newest first');
  for (const x of d.body.items) {
    assert.equal(x.status, 'delivered');
    assert.equal(x.attempts, 1);
    assert.equal(x.response_status, 200);
    assert.ok(x.response_ms >= 0);
  }
});

test('a given secret signs; filters on entity and org are respected', { skip: noDb, timeout: 60_000 }, async () => {
  const secret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  const a = await newOrg();
  const b = await newOrg();
  const path = `/filtered-${uniq()}`;
  const hook = await create({ url: recv.url(path), secret, entity: ['team', 'departure'], org: a.slug });
  assert.equal(hook.secret, secret);
  assert.equal(hook.org, a.slug, 'the filter comes back as written: a slug');
  const teamA = await api('POST', '/teams', { base: base(), key: 'editor', body: { name: `T ${uniq()}`, org_id: a.id } });
  assert.equal(teamA.status, 201, teamA.text);
  const teamB = await api('POST', '/teams', { base: base(), key: 'editor', body: { name: `T ${uniq()}`, org_id: b.id } });
  assert.equal(teamB.status, 201, teamB.text);
  await newOrg(); // an organization: not an entity it wants
  const got = await waitFor(() => recv.at(path).length >= 1 && recv.at(path), 10_000);
  assert.ok(got);
  await sleep(1500);
  assert.equal(recv.at(path).length, 1, 'only the team of org A');
  const entry = JSON.parse(got[0].body);
  assert.equal(entry.entity_id, teamA.body.id);
  assert.ok(verify(secret, got[0].headers, got[0].body));
});

test('a failing receiver gets the same message again (500s, then a timeout) until it answers 2xx, in order', { skip: noDb, timeout: 90_000 }, async () => {
  const path = `/flaky-${uniq()}`;
  recv.respond = (g, n) => (g.path !== path ? 200 : n <= 2 ? 500 : n === 3 ? 'hang' : 200);
  const hook = await create({ url: recv.url(path), entity: ['organization'] });
  const first = await newOrg();
  const second = await newOrg();
  const got = await waitFor(() => recv.at(path).length >= 5 && recv.at(path), 40_000, 250);
  assert.ok(got, `5 requests expected, got ${recv.at(path).length}`);
  const bodies = got.map((g) => JSON.parse(g.body).entity_id);
  assert.deepEqual(bodies, [first.id, first.id, first.id, first.id, second.id], 'retried until accepted, then the next');
  assert.equal(new Set(got.slice(0, 4).map((g) => g.headers['webhook-id'])).size, 1, 'one webhook-id for every retry');
  for (const g of got) assert.ok(verify(hook.secret, g.headers, g.body));
  assert.ok(got[1].at - got[0].at >= 800 && got[1].at - got[0].at < 10_000, 'first retry within 10 s');
  assert.ok(got[3].at - got[2].at >= 10_000, 'the hung attempt timed out after 10 s before the retry');
  const d = (await admin('GET', `/webhooks/${hook.id}/deliveries`)).body.items;
  const firstId = JSON.parse(got[0].body).id;
  const row = d.find((x) => x.change_id === firstId);
  assert.equal(row.status, 'delivered');
  assert.equal(row.attempts, 4);
  assert.ok((await metric('orgwatch_webhook_retries_total')) >= 3, 'retries counted');
  assert.ok((await metric('orgwatch_webhook_deliveries_total{outcome="failed"}')) >= 3);
  assert.ok((await metric('orgwatch_webhook_deliveries_total{outcome="delivered"}')) >= 2);
  assert.ok((await metric('orgwatch_webhook_delivery_seconds_bucket{le="+Inf"}')) >= 5);
});

test('a receiver that hangs holds up only its own webhook: another one is delivered while it hangs', { skip: noDb, timeout: 90_000 }, async () => {
  const slow = `/hangs-${uniq()}`;
  const fast = `/answers-${uniq()}`;
  const closed = []; // when each of the hanging receiver's requests was given up by the server
  const before = recv.respond;
  recv.respond = (g) => (g.path === slow ? 'hang' : 200);
  const org = await newOrg();
  const hangs = await create({ url: recv.url(slow), entity: ['organization'], org: org.id });
  const answers = await create({ url: recv.url(fast), entity: ['organization'], org: org.id });
  try {
    const r = await api('PATCH', `/organizations/${org.id}`, { base: base(), key: 'editor', body: { description: 'both want this' } });
    assert.equal(r.status, 200, r.text);
    const hung = await waitFor(() => recv.hung.length > 0 && recv.at(slow).length > 0, 30_000, 100);
    assert.ok(hung, 'the hanging receiver was called');
    for (const res of recv.hung) res.socket?.once('close', () => closed.push(Date.now()));
    const got = await waitFor(() => recv.at(fast)[0], 30_000, 100);
    assert.ok(got, 'the other webhook was delivered');
    assert.equal(JSON.parse(got.body).entity_id, org.id);
    assert.equal(recv.at(slow).length, 1, 'while the first attempt at the hanging receiver was still open');
    assert.ok(closed.length === 0 || got.at < closed[0], 'delivered before the hanging attempt was given up');
  } finally {
    await admin('DELETE', `/webhooks/${hangs.id}`);
    await admin('DELETE', `/webhooks/${answers.id}`);
    recv.respond = before;
  }
});

test('past the retry window the webhook is disabled and says why; redeliver re-enables it and delivers again in order', { skip: noDb, timeout: 120_000 }, async () => {
  const path = `/down-${uniq()}`;
  let down = true;
  recv.respond = (g) => (g.path === path && down ? 503 : 200);
  const hook = await create({ url: recv.url(path), entity: ['organization'] });
  const o1 = await newOrg();
  const o2 = await newOrg();
  const off = await waitFor(async () => {
    const w = await getHook(hook.id);
    return !w.enabled && w;
  }, 60_000, 500);
  assert.ok(off, 'disabled within the retry window and a little');
  assert.match(off.disabled_reason, /HTTP 503/);
  assert.match(off.disabled_reason, /could not be delivered/);
  const d = await admin('GET', `/webhooks/${hook.id}/deliveries`);
  checkSpec(d, 'GET', '/webhooks/{id}/deliveries');
  assert.equal(d.body.items[0].status, 'failed');
  assert.equal(d.body.items[0].response_status, 503);
  assert.match(d.body.items[0].last_error, /HTTP 503/);
  assert.ok(d.body.items[0].attempts >= 3);
  const tried = recv.at(path).length;
  assert.ok(recv.at(path).every((g) => JSON.parse(g.body).entity_id === o1.id), 'the second change waits behind the first');
  await sleep(2500);
  assert.equal(recv.at(path).length, tried, 'a disabled webhook is not called');
  assert.ok((await metric('orgwatch_webhooks_disabled_total')) >= 1, 'the disabling server counted it');
  const gauge = await api('GET', '/metrics', { base: base() });
  assert.match(gauge.text, /^orgwatch_webhooks\{state="disabled"\} [1-9]/m, 'disabled webhooks (of the database)');
  down = false;
  const r = await admin('POST', `/webhooks/${hook.id}/redeliver?after=${hook.after}`);
  checkSpec(r, 'POST', '/webhooks/{id}/redeliver');
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.enabled, true);
  assert.equal(r.body.disabled_reason, null);
  const got = await waitFor(() => recv.at(path).length >= tried + 2 && recv.at(path), 15_000);
  assert.ok(got);
  assert.deepEqual(got.slice(tried).map((g) => JSON.parse(g.body).entity_id), [o1.id, o2.id]);
  // Redeliver again from the start: both again, in order.
  const again = await admin('POST', `/webhooks/${hook.id}/redeliver?after=${hook.after}`);
  assert.equal(again.status, 202);
  const more = await waitFor(() => recv.at(path).length >= tried + 4 && recv.at(path), 15_000);
  assert.ok(more);
  assert.deepEqual(more.slice(tried + 2).map((g) => JSON.parse(g.body).entity_id), [o1.id, o2.id]);
  assert.equal((await getHook(hook.id)).enabled, true);
});

// The audit log (issue 3): every write — create, update, delete — appears in GET /changes with
// the acting key's name, the entity, its id, the operation and the record before/after;
// `since` and `entity` filter it; it pages with a cursor, oldest first.
// Runs against ORGWATCH_TEST_URL. Key names are compared exactly when known
// (ORGWATCH_TEST_<ROLE>_KEY_NAME, or keys lib.mjs created), else checked for consistency.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, checkSpec, expectProblem } from './lib.mjs';
import { changesOf, create, csvObjects, expectFields, keyName, make, page, patch, qs, read, remove, rfc3339, sourceUrls, walk, word } from './helpers-records.mjs';

const RUN = word(8);
const url = sourceUrls(RUN, 'changes');
const START = rfc3339(Date.now() - 2000);

const fx = {};
before(async () => {
  fx.org = await make('organizations', { name: `Changes Org ${RUN}` });
  fx.person = await make('people', { full_name: `Changes Person ${RUN}` });
});

after(async () => {
  if (fx.person) await remove('people', fx.person.id).catch(() => {});
  if (fx.org) await remove('organizations', fx.org.id).catch(() => {});
});

// The actor the editor key writes as: its known name, or what the log says for a write of ours.
let editorActor;
async function editorName() {
  if (editorActor) return editorActor;
  const known = keyName('editor');
  if (known) return (editorActor = known);
  const entries = await changesOf('organization', fx.org.id, START);
  assert.ok(entries.length > 0, 'the fixture organization is on record');
  return (editorActor = entries[0].actor);
}

test('create, update and delete of every resource appear in /changes with actor, entity, before and after', async () => {
  const since = rfc3339(Date.now() - 2000);
  const actor = await editorName();
  assert.ok(typeof actor === 'string' && actor.length > 0);
  assert.ok(!['system', 'anonymous', 'sample'].includes(actor), `the key's name, not a placeholder: ${actor}`);

  const team = await make('teams', { org_id: fx.org.id, name: `Audited team ${RUN}` });
  const cases = [
    ['organizations', 'organization', { name: `Audited org ${RUN}` }, { description: 'changed' }, 'description'],
    ['teams', 'team', { org_id: fx.org.id, name: `Audited team two ${RUN}` }, { reported_headcount: 3 }, 'reported_headcount'],
    ['people', 'person', { full_name: `Audited person ${RUN}` }, { bio: 'changed' }, 'bio'],
    ['positions', 'position', { person_id: fx.person.id, org_id: fx.org.id, team_id: team.id, started_on: '2001' }, { title: 'changed' }, 'title'],
    ['sources', 'source', { url: url('audited'), title: 'before' }, { title: 'after' }, 'title'],
  ];
  for (const [plural, entity, body, change, field] of cases) {
    const created = await make(plural, body);
    const updated = await patch(plural, created.id, change);
    assert.equal(updated.status, 200);
    assert.equal((await remove(plural, created.id)).status, 204);

    const entries = await changesOf(entity, created.id, since);
    assert.deepEqual(entries.map((e) => e.operation), ['create', 'update', 'delete'], `${entity}: three writes on record`);
    const [c, u, d] = entries;
    for (const e of entries) {
      assert.equal(e.entity, entity);
      assert.equal(e.entity_id, created.id);
      assert.equal(e.actor, actor, `${entity} ${e.operation}: the key's name as actor`);
      assert.ok(Date.parse(e.at) >= Date.parse(since), 'at is within the run');
    }
    assert.equal(c.before, null, 'create: no before');
    assert.equal(c.after.id, created.id, 'create: the record after');
    assert.equal(u.before[field] ?? null, created[field] ?? null, `update: before.${field} is the old value`);
    assert.deepEqual(u.after[field], change[field], `update: after.${field} is the new value`);
    assert.equal(d.before[field], change[field] ?? null, 'delete: the record as it was');
    assert.equal(d.after, null, 'delete: no after');
    assert.ok(c.id < u.id && u.id < d.id, 'ids increase with every write');
  }
  await remove('teams', team.id);
});

test('the admin key writes under its own name', async () => {
  const since = rfc3339(Date.now() - 2000);
  const p = await make('people', { full_name: `By admin ${RUN}` }, { key: 'admin' });
  await patch('people', p.id, { bio: 'x' }, { key: 'admin' });
  await remove('people', p.id, { key: 'admin' });
  const entries = await changesOf('person', p.id, since);
  assert.equal(entries.length, 3);
  const actors = new Set(entries.map((e) => e.actor));
  assert.equal(actors.size, 1);
  const actor = [...actors][0];
  assert.notEqual(actor, await editorName(), 'another key, another name');
  if (keyName('admin')) assert.equal(actor, keyName('admin'));
});

test('reads, rejected writes, no-op patches and idempotent replays leave no entry', async () => {
  const since = rfc3339(Date.now() - 2000);
  const res = await create('people', { full_name: `Quiet ${RUN}` }, { headers: { 'idempotency-key': `quiet-${RUN}` } });
  const id = res.body.id;
  await create('people', { full_name: `Quiet ${RUN}` }, { headers: { 'idempotency-key': `quiet-${RUN}` } }); // replay
  await read('people', id);
  await page(`/people${qs({ q: `Quiet ${RUN}` })}`);
  expectProblem(await patch('people', id, { bio: 'x' }, { headers: { 'if-match': '"stale"' } }), 412);
  expectProblem(await patch('people', id, { full_name: null }), 400);
  expectProblem(await patch('people', id, { slug: 'erik-meijer' }), 409);
  expectProblem(await patch('people', id, { bio: 'x' }, { key: 'reader' }), 403);
  expectProblem(await remove('people', id, { key: 'reader' }), 403);
  const noop = await patch('people', id, { full_name: `Quiet ${RUN}` });
  assert.equal(noop.status, 200);
  const empty = await patch('people', id, {});
  assert.equal(empty.status, 200);

  const entries = await changesOf('person', id, since);
  assert.deepEqual(entries.map((e) => e.operation), ['create'], 'only the create is on record');
  await remove('people', id);
});

test('since: only writes at or after the instant', async () => {
  const a = await make('sources', { url: url('early') });
  await new Promise((r) => setTimeout(r, 1100));
  const since = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  const b = await make('sources', { url: url('late') });
  const { items } = await walk(`/changes${qs({ since, limit: 1000 })}`);
  assert.ok(items.every((e) => Date.parse(e.at) >= Date.parse(since) - 999), 'every entry is at or after since (at has seconds precision)');
  assert.ok(items.some((e) => e.entity_id === b.id), 'the later write is listed');
  assert.ok(!items.some((e) => e.entity_id === a.id), 'the earlier write is not');
  const offset = since.replace('Z', '+00:00');
  const same = await walk(`/changes${qs({ since: offset, limit: 1000 })}`);
  assert.ok(same.items.some((e) => e.entity_id === b.id), 'an offset timestamp works too');
  const future = await page(`/changes${qs({ since: '2999-01-01T00:00:00Z' })}`);
  assert.deepEqual(future.body.items, []);
  assert.equal(future.body.next_cursor, null);
  for (const bad of ['yesterday', '2024-13-01T00:00:00Z', '2024-01-01T00:00', '1700000000']) {
    expectFields(await page(`/changes${qs({ since: bad })}`), ['since'], bad);
  }
  for (const s of [a, b]) await remove('sources', s.id);
});

test('entity: only writes to that kind of record; unknown entities are a 400', async () => {
  const s = await make('sources', { url: url('entity') });
  const o = await make('organizations', { name: `Entity org ${RUN}` });
  for (const [entity, id, other] of [['source', s.id, o.id], ['organization', o.id, s.id]]) {
    const { items } = await walk(`/changes${qs({ entity, since: START, limit: 1000 })}`);
    assert.ok(items.length > 0);
    assert.ok(items.every((e) => e.entity === entity), `entity=${entity} lists only ${entity} entries`);
    assert.ok(items.some((e) => e.entity_id === id));
    assert.ok(!items.some((e) => e.entity_id === other));
  }
  for (const entity of ['team', 'person', 'position', 'reporting_line', 'departure', 'layoff']) {
    const res = await page(`/changes${qs({ entity, limit: 5 })}`);
    assert.equal(res.status, 200, `entity=${entity} is allowed`);
    assert.ok(res.body.items.every((e) => e.entity === entity));
  }
  for (const bad of ['people', 'Person', 'organizations', 'x']) expectFields(await page(`/changes${qs({ entity: bad })}`), ['entity'], bad);
  expectFields(await page('/changes?colour=red'), ['colour']);
  await remove('sources', s.id);
  await remove('organizations', o.id);
});

test('pagination: oldest first, each entry once, Link rel=next, bad cursor and limit are 400', async () => {
  const since = rfc3339(Date.now() - 2000);
  const people = [];
  for (let i = 0; i < 5; i++) people.push(await make('people', { full_name: `Paged change ${i} ${RUN}` }));
  let inserted = 0;
  const { items, pages } = await walk(`/changes${qs({ entity: 'person', since, limit: 2 })}`, {
    between: async () => {
      if (inserted++ < 2) await make('people', { full_name: `Between pages ${inserted} ${RUN}` }).then((p) => people.push(p));
    },
  });
  assert.ok(pages >= 3, `pages: ${pages}`);
  const ids = items.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'no entry twice');
  for (let i = 1; i < items.length; i++) {
    assert.ok(items[i].id > items[i - 1].id, 'oldest first (ids increase)');
    assert.ok(Date.parse(items[i].at) >= Date.parse(items[i - 1].at), 'at never goes back');
  }
  for (const p of people) assert.ok(items.some((e) => e.entity_id === p.id && e.operation === 'create'), `${p.full_name}: its create is listed`);

  for (const bad of ['0', '1001', 'abc', '-5']) expectFields(await page(`/changes?limit=${bad}`), ['limit'], `limit=${bad}`);
  for (const bad of ['nope', '']) expectFields(await page(`/changes?cursor=${encodeURIComponent(bad)}`), ['cursor'], `cursor=${bad}`);
  const peopleCursor = (await page('/people?limit=1')).body.next_cursor;
  expectProblem(await page(`/changes?cursor=${encodeURIComponent(peopleCursor)}`), 400);
  for (const p of people) await remove('people', p.id);
});

test('Accept: text/csv on /changes: before and after as JSON text', async () => {
  const since = rfc3339(Date.now() - 2000);
  const p = await make('people', { full_name: `CSV, "audited" ${RUN}`, tags: ['a', 'b'] });
  await patch('people', p.id, { bio: 'line one\nline two' });
  const path = `/changes${qs({ entity: 'person', since, limit: 1000 })}`;
  const json = await page(path);
  const csv = await page(path, { headers: { accept: 'text/csv' } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const { header, rows } = csvObjects(csv.text);
  for (const col of ['id', 'at', 'actor', 'entity', 'entity_id', 'operation', 'before', 'after']) assert.ok(header.includes(col), `column ${col}`);
  assert.equal(rows.length, json.body.items.length);
  const mine = json.body.items.filter((e) => e.entity_id === p.id);
  assert.equal(mine.length, 2);
  for (const e of mine) {
    const row = rows.find((r) => r.id === String(e.id));
    assert.ok(row, `entry ${e.id} is a CSV row`);
    assert.equal(row.operation, e.operation);
    assert.equal(row.actor, e.actor);
    assert.equal(row.entity_id, p.id);
    assert.deepEqual(row.before === '' ? null : JSON.parse(row.before), e.before);
    assert.deepEqual(row.after === '' ? null : JSON.parse(row.after), e.after);
  }
  await remove('people', p.id);
});

test('GET /changes is a read: open without a key, and its entries match the schema', async () => {
  const res = await page('/changes?limit=20');
  assert.equal(res.status, 200);
  const withKey = checkSpec(await api('GET', '/changes?limit=1', { key: 'reader' }), 'GET', '/changes');
  assert.equal(withKey.status, 200);
  expectProblem(checkSpec(await api('POST', '/changes', { key: 'editor', body: {} }), 'POST', '/changes'), 405);
});

// Duplicate people (issue 3): GET /people/duplicates finds likely pairs with a score, and
// POST /people/{id}/merge folds a duplicate into a survivor — its facts move, its names become
// aliases, it is deleted, its old id and slug answer 301 to the survivor, and the audit log
// records the merge. Runs against ORGWATCH_TEST_URL; names are made up per run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, BASE, checkSpec, expectProblem } from './lib.mjs';
import { changesOf, create, expectFields, findInList, keyName, make, nameWord, page, patch, qs, read, remove, rfc3339, sourceUrls, walk, word } from './helpers-records.mjs';

const RUN = word(8);
const url = sourceUrls(RUN, 'merge');

// Two spellings of one made-up name: "Kabodefi Lurimatos" / "Kaobdefi Lurimatos".
function twoSpellings() {
  const first = nameWord(3);
  const last = nameWord(4);
  const typo = first[0] + first[2] + first[1] + first.slice(3); // swap two letters
  return [`${first} ${last}`, `${typo[0].toUpperCase()}${typo.slice(1).toLowerCase()} ${last}`];
}

const fx = {};
before(async () => {
  fx.org = await make('organizations', { name: `Merge Org ${RUN}` });
  fx.org2 = await make('organizations', { name: `Merge Other Org ${RUN}` });
  fx.team = await make('teams', { org_id: fx.org.id, name: 'Merge team' });
  fx.s1 = await make('sources', { url: url('s1'), title: 'Survivor source' });
  fx.s2 = await make('sources', { url: url('s2'), title: 'Duplicate source, shared stint' });
  fx.s3 = await make('sources', { url: url('s3'), title: 'Duplicate source, own stint' });
});

after(async () => {
  for (const [plural, key] of [['teams', 'team'], ['sources', 's1'], ['sources', 's2'], ['sources', 's3'], ['organizations', 'org'], ['organizations', 'org2']]) {
    if (fx[key]) await remove(plural, fx[key].id).catch(() => {});
  }
});

async function merge(survivor, duplicate, { key = 'editor', headers = {}, body } = {}) {
  const res = await api('POST', `/people/${encodeURIComponent(survivor)}/merge`, { key, headers, body: body ?? { duplicate } });
  return checkSpec(res, 'POST', '/people/{id}/merge');
}

// GET /people/duplicates until no person waits for its pairs (each call works through the
// waiting people for up to a second; Orgwatch-Duplicates-Pending counts those left).
async function settled() {
  const t0 = Date.now();
  for (;;) {
    const res = await page('/people/duplicates?limit=1');
    assert.equal(res.status, 200, res.text);
    const pending = res.headers.get('orgwatch-duplicates-pending');
    assert.match(pending || '', /^[0-9]+$/, 'Orgwatch-Duplicates-Pending is a count');
    if (pending === '0') return;
    assert.ok(Date.now() - t0 < 170_000, `${pending} people still waiting for their pairs`);
  }
}

// Walks /people/duplicates until the pair of these two ids shows up; returns it or undefined.
async function findPair(idA, idB) {
  const want = [idA, idB].sort().join(':');
  await settled();
  const { items } = await walk('/people/duplicates?limit=1000');
  return items.find((p) => [p.a.id, p.b.id].sort().join(':') === want);
}

test('GET /people/duplicates lists a pair of similar names with a score', async () => {
  const [right, wrong] = twoSpellings();
  const a = await make('people', { full_name: right });
  const b = await make('people', { full_name: wrong, aliases: [right.split(' ')[0]] });
  const pair = await findPair(a.id, b.id);
  assert.ok(pair, `the pair "${right}" / "${wrong}" is listed`);
  assert.equal(typeof pair.score, 'number');
  assert.ok(pair.score > 0 && pair.score <= 1, `0 < score ≤ 1: ${pair.score}`);
  const byId = { [a.id]: a, [b.id]: b };
  for (const side of [pair.a, pair.b]) {
    assert.equal(side.slug, byId[side.id].slug);
    assert.equal(side.full_name, byId[side.id].full_name);
    assert.deepEqual(side.aliases, byId[side.id].aliases);
  }

  // Highest score first, across pages.
  const { items } = await walk('/people/duplicates?limit=7', { maxPages: 100_000 });
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].score >= items[i].score, 'ordered by score, highest first');
  const keys = items.map((p) => `${p.a.id}:${p.b.id}`);
  assert.equal(new Set(keys).size, keys.length, 'no pair twice across pages');
  assert.ok(keys.every((k) => !keys.includes(k.split(':').reverse().join(':'))), 'a pair is listed once, not as a:b and b:a');

  // Unrelated names are no pair.
  const c = await make('people', { full_name: `${nameWord(4)} ${nameWord(4)}` });
  assert.equal(await findPair(a.id, c.id), undefined, 'dissimilar names are not a pair');

  const csv = await page('/people/duplicates?limit=5', { headers: { accept: 'text/csv' } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  expectFields(await page('/people/duplicates?limit=0'), ['limit']);
  expectFields(await page('/people/duplicates?cursor=nope'), ['cursor']);
  expectFields(await page('/people/duplicates?q=x'), ['q']);
  for (const p of [a, b, c]) await remove('people', p.id);
});

test('GET /people/duplicates follows renames and deletes', async () => {
  const [right, wrong] = twoSpellings();
  const a = await make('people', { full_name: right });
  const b = await make('people', { full_name: `${nameWord(4)} ${nameWord(3)}` });
  assert.equal(await findPair(a.id, b.id), undefined, 'unlike names: no pair');

  // b renamed to a spelling of a's name: now a pair.
  assert.equal((await patch('people', b.id, { full_name: wrong })).status, 200);
  const pair = await findPair(a.id, b.id);
  assert.ok(pair, 'a rename to a similar name makes a pair');
  assert.equal([pair.a, pair.b].find((x) => x.id === b.id).full_name, wrong, 'the pair shows the new name');

  // Renamed away again: the pair goes.
  assert.equal((await patch('people', b.id, { full_name: `${nameWord(4)} ${nameWord(3)}` })).status, 200);
  assert.equal(await findPair(a.id, b.id), undefined, 'a rename away removes the pair');

  // Similar again, then deleted: a deleted person leaves no pair behind.
  assert.equal((await patch('people', b.id, { full_name: wrong })).status, 200);
  assert.ok(await findPair(a.id, b.id), 'similar again');
  assert.equal((await remove('people', b.id)).status, 204);
  assert.equal(await findPair(a.id, b.id), undefined, 'a deleted person is in no pair');
  await remove('people', a.id);
});

test('POST /people/{id}/merge moves positions and their sources, keeps the names as aliases, deletes the duplicate', async () => {
  const since = rfc3339(Date.now() - 2000);
  const [right, wrong] = twoSpellings();
  const keep = await make('people', { full_name: right, aliases: ['Keep Alias'], tags: ['kept'], links: { x: 'https://x.com/keep' } });
  const dup = await make('people', {
    full_name: wrong,
    aliases: ['Dup Alias'],
    tags: ['duplicated'],
    links: { github: 'https://github.com/dup' },
    bio: 'Entered twice.',
  });
  const kp = await make('positions', { person_id: keep.id, org_id: fx.org.id, team_id: fx.team.id, title: 'Engineer', started_on: '2020', source_ids: [fx.s1.id] });
  const dpShared = await make('positions', { person_id: dup.id, org_id: fx.org.id, title: 'Engineer', started_on: '2020', source_ids: [fx.s2.id] });
  const dpOwn = await make('positions', { person_id: dup.id, org_id: fx.org2.id, title: 'Founder', started_on: '2022-05', source_ids: [fx.s3.id] });
  assert.ok(await findPair(keep.id, dup.id), 'the pair is listed as a likely duplicate first');

  const res = await merge(keep.slug, dup.slug);
  assert.equal(res.status, 200, `merge → ${res.status} ${res.text}`);
  assert.match(res.headers.get('etag') || '', /^(W\/)?"[^"]*"$/, 'an ETag');
  const survivor = res.body;
  assert.equal(survivor.id, keep.id);
  assert.equal(survivor.slug, keep.slug);
  assert.equal(survivor.full_name, right, 'the survivor keeps its name');
  for (const name of ['Keep Alias', wrong, 'Dup Alias']) assert.ok(survivor.aliases.includes(name), `aliases hold ${JSON.stringify(name)}: ${survivor.aliases}`);
  assert.ok(!survivor.aliases.includes(right), 'the survivor\'s own name is not an alias');
  assert.equal(new Set(survivor.aliases).size, survivor.aliases.length, 'no alias twice');
  assert.deepEqual((await read('people', keep.id)).body, survivor, 'GET shows the merged person');
  assert.equal((await read('people', keep.id)).headers.get('etag'), res.headers.get('etag'));

  // Positions: the duplicate's own stint moved with its source; the shared stint's source joined the survivor's.
  const own = await read('positions', dpOwn.id);
  assert.equal(own.status, 200, 'a moved position keeps its id');
  assert.equal(own.body.person_id, keep.id);
  assert.deepEqual(own.body.person, { id: keep.id, slug: keep.slug, full_name: right });
  assert.deepEqual(own.body.source_ids, [fx.s3.id], 'its sources move with it');
  const { items: positions } = await walk(`/positions${qs({ person: keep.id })}`);
  const ids = positions.map((p) => p.id);
  assert.ok(ids.includes(kp.id) && ids.includes(dpOwn.id), 'the survivor holds both stints');
  assert.ok(positions.every((p) => p.person_id === keep.id));
  const sources = new Set(positions.flatMap((p) => p.source_ids));
  for (const s of [fx.s1, fx.s2, fx.s3]) assert.ok(sources.has(s.id), `source ${s.url} still backs one of the survivor's positions`);
  const shared = await read('positions', dpShared.id);
  if (shared.status === 200) {
    assert.equal(shared.body.person_id, keep.id, 'the shared stint, if kept, belongs to the survivor');
  } else {
    expectProblem(shared, 404);
    const k = await read('positions', kp.id);
    assert.deepEqual(k.body.source_ids.sort(), [fx.s1.id, fx.s2.id].sort(), 'the same stint twice: one row with both sources');
  }
  assert.deepEqual(survivor.current_positions.map((p) => p.id).sort(), ids.filter((id) => positions.find((p) => p.id === id).ended_on === null).sort(),
    'current_positions shows the moved stint');
  assert.equal((await walk(`/positions${qs({ org: fx.org2.id })}`)).items.filter((p) => p.person_id === dup.id).length, 0);

  // The duplicate is gone; its id and slug answer 301 to the survivor.
  for (const old of [dup.id, dup.slug]) {
    const moved = await read('people', old);
    assert.equal(moved.status, 301, `GET /people/${old} → ${moved.status}`);
    const loc = moved.headers.get('location');
    assert.ok(loc, 'a Location');
    const target = await api('GET', new URL(loc, BASE).pathname + new URL(loc, BASE).search);
    checkSpec(target, 'GET', '/people/{id}');
    assert.equal(target.status, 200, `Location ${loc} answers 200`);
    assert.equal(target.body.id, keep.id, 'Location is the survivor');
  }
  assert.equal(await findInList(`/people${qs({ q: wrong, limit: 1000 })}`, dup.id), undefined, 'the duplicate leaves lists');
  assert.ok(await findInList(`/people${qs({ q: wrong, limit: 1000 })}`, keep.id), 'the duplicate\'s name now finds the survivor (alias)');
  assert.equal(await findPair(keep.id, dup.id), undefined, 'the pair leaves /people/duplicates');
  expectProblem(await merge(keep.id, dup.id), 400);

  // The audit log shows the merge.
  const audit = await walk(`/changes${qs({ entity: 'person', since, limit: 1000 })}`);
  const merges = audit.items.filter((e) => e.operation === 'merge' && [keep.id, dup.id].includes(e.entity_id));
  assert.ok(merges.length >= 1, `/changes?entity=person has operation "merge": ${JSON.stringify(audit.items.filter((e) => [keep.id, dup.id].includes(e.entity_id)).map((e) => e.operation))}`);
  const dupEntries = audit.items.filter((e) => e.entity_id === dup.id);
  assert.ok(dupEntries.length >= 2, 'the duplicate\'s creation and its end are on record');
  const last = dupEntries[dupEntries.length - 1];
  assert.equal(last.operation, 'merge', 'the duplicate\'s last entry is the merge');
  assert.equal(last.before?.id, dup.id, 'with the duplicate as it was');
  const actor = keyName('editor');
  for (const e of merges) {
    assert.ok(typeof e.actor === 'string' && e.actor.length > 0, 'the merge has an actor');
    if (actor) assert.equal(e.actor, actor, 'the editor key\'s name');
    else assert.equal(e.actor, dupEntries[0].actor, 'the same actor as the duplicate\'s creation (same key)');
  }

  for (const p of positions) await remove('positions', p.id);
  await remove('people', keep.id);
});

test('merge moves reporting lines and departures too', async () => {
  const [right, wrong] = twoSpellings();
  const keep = await make('people', { full_name: right });
  const dup = await make('people', { full_name: wrong });
  const manager = await make('people', { full_name: `Manager ${nameWord(3)}` });
  const report = await make('people', { full_name: `Report ${nameWord(3)}` });
  const up = await make('reporting-lines', { report_id: dup.id, manager_id: manager.id, valid_from: '2021', source_ids: [fx.s1.id] });
  const down = await make('reporting-lines', { report_id: report.id, manager_id: dup.id, valid_from: '2022' });
  const pos = await make('positions', { person_id: dup.id, org_id: fx.org2.id, started_on: '2021' });
  const dep = await make('departures', { person_id: dup.id, org_id: fx.org2.id, departed_on: '2023-03', kind: 'resigned', source_ids: [fx.s2.id] });

  const res = await merge(keep.id, dup.id);
  assert.equal(res.status, 200, res.text);
  const upNow = await read('reporting-lines', up.id);
  assert.equal(upNow.status, 200);
  assert.equal(upNow.body.report_id, keep.id, 'the duplicate\'s manager line moved');
  assert.deepEqual(upNow.body.source_ids, [fx.s1.id]);
  const downNow = await read('reporting-lines', down.id);
  assert.equal(downNow.body.manager_id, keep.id, 'lines where the duplicate managed moved');
  const depNow = await read('departures', dep.id);
  assert.equal(depNow.status, 200);
  assert.equal(depNow.body.person_id, keep.id, 'the departure moved');
  assert.deepEqual(depNow.body.source_ids, [fx.s2.id], 'with its sources');

  assert.equal((await remove('departures', dep.id)).status, 204);
  for (const l of [up, down]) assert.equal((await remove('reporting-lines', l.id)).status, 204);
  await remove('positions', pos.id);
  for (const p of [keep, manager, report]) await remove('people', p.id);
});

test('after a merge the old slug is not handed out again, and redirects follow a later merge', async () => {
  const [right, wrong] = twoSpellings();
  const keep = await make('people', { full_name: right });
  const dup = await make('people', { full_name: wrong });
  assert.equal((await merge(keep.slug, dup.id)).status, 200);

  const again = await make('people', { full_name: wrong });
  assert.notEqual(again.slug, dup.slug, 'a generated slug skips the merged person\'s slug');
  const taken = checkSpec(await api('POST', '/people', { key: 'editor', body: { full_name: 'x', slug: dup.slug } }), 'POST', '/people');
  expectProblem(taken, 409);

  // Merge the survivor into a third person: the first duplicate's slug now leads there.
  const third = await make('people', { full_name: `${right} Third` });
  assert.equal((await merge(third.id, keep.slug)).status, 200);
  for (const old of [dup.slug, dup.id, keep.slug, keep.id]) {
    const moved = await read('people', old);
    assert.equal(moved.status, 301, `${old} → ${moved.status}`);
    assert.equal((await api('GET', new URL(moved.headers.get('location'), BASE).pathname)).body.id, third.id, `${old} leads to the last survivor`);
  }
  const merged = (await read('people', third.id)).body;
  for (const name of [right, wrong]) assert.ok(merged.aliases.includes(name), `aliases carry ${name} along: ${merged.aliases}`);
  for (const p of [again, third]) await remove('people', p.id);
});

test('merge errors: into itself 400, unknown duplicate 400, unknown survivor 404, bad bodies 400, roles, If-Match', async () => {
  const [right, wrong] = twoSpellings();
  const keep = await make('people', { full_name: right });
  const dup = await make('people', { full_name: wrong });

  expectFields(await merge(keep.id, keep.id), ['duplicate'], 'into itself by id:');
  expectFields(await merge(keep.slug, keep.id), ['duplicate'], 'into itself by slug and id:');
  expectFields(await merge(keep.id, `no-such-person-${RUN}`), ['duplicate'], 'unknown duplicate:');
  expectFields(await merge(keep.id, randomUUID()), ['duplicate'], 'unknown duplicate id:');
  expectProblem(await merge(`no-such-person-${RUN}`, dup.id), 404);
  expectProblem(await merge(randomUUID(), dup.id), 404);
  expectFields(await merge(keep.id, null, { body: {} }), ['duplicate'], 'missing duplicate:');
  expectFields(await merge(keep.id, null, { body: { duplicate: '' } }), ['duplicate'], 'empty duplicate:');
  expectFields(await merge(keep.id, null, { body: { duplicate: dup.id, also: 1 } }), ['also'], 'unknown field:');
  expectFields(await merge(keep.id, null, { body: { duplicate: 5 } }), ['duplicate'], 'not a string:');
  expectProblem(await merge(keep.id, dup.id, { key: 'reader' }), 403);
  const anon = checkSpec(await api('POST', `/people/${keep.id}/merge`, { body: { duplicate: dup.id } }), 'POST', '/people/{id}/merge');
  expectProblem(anon, 401);
  expectProblem(await merge(keep.id, dup.id, { headers: { 'if-match': '"stale"' } }), 412);

  // Nothing happened: both still there.
  assert.equal((await read('people', keep.id)).status, 200);
  assert.equal((await read('people', dup.id)).status, 200);
  assert.deepEqual((await read('people', keep.id)).body.aliases, [], 'failed merges change nothing');

  const etag = (await read('people', keep.id)).headers.get('etag');
  const ok = await merge(keep.id, dup.slug, { headers: { 'if-match': etag } });
  assert.equal(ok.status, 200, 'If-Match with the survivor\'s current ETag');
  await remove('people', keep.id);
});

test('a merge that would give the survivor more aliases, tags or links than a write accepts is a 409 naming the field, and changes nothing', async () => {
  // The survivor must stay a record the API (and an import of the export) accepts.
  const names = (n, p) => Array.from({ length: n }, (_, i) => `${p} ${RUN} ${i}`);
  const links = (n, p) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${p}${i}`, `https://example.org/${p}/${i}`]));
  for (const [field, full, extra] of [
    ['aliases', { aliases: names(100, 'Alias') }, { aliases: ['One more alias'] }],
    ['tags', { tags: names(100, 'tag') }, { tags: ['one-more-tag'] }],
    ['links', { links: links(50, 'site') }, { links: { other: 'https://example.org/other' } }],
  ]) {
    const keep = await make('people', { full_name: `Full ${field} ${RUN}`, ...full });
    const dup = await make('people', { full_name: `Dup ${field} ${RUN}`, ...extra });
    const res = await merge(keep.id, dup.id);
    expectProblem(res, 409);
    assert.match(res.body.detail || '', new RegExp(`${field}; at most`), `detail: ${res.body.detail}`);
    assert.equal((await read('people', dup.id)).status, 200, `${field}: the duplicate is still there`);
    const after = (await read('people', keep.id)).body;
    assert.deepEqual(after[field], full[field], `${field}: the survivor is unchanged`);
    await remove('people', dup.id);
    await remove('people', keep.id);
  }
});

test('the audit log records who merged, and the merge is one change set', async () => {
  const since = rfc3339(Date.now() - 2000);
  const [right, wrong] = twoSpellings();
  const keep = await make('people', { full_name: right }, { key: 'admin' });
  const dup = await make('people', { full_name: wrong }, { key: 'admin' });
  const pos = await make('positions', { person_id: dup.id, org_id: fx.org.id, started_on: '1999' }, { key: 'admin' });
  const res = await merge(keep.id, dup.id, { key: 'admin' });
  assert.equal(res.status, 200);

  const forDup = await changesOf('person', dup.id, since);
  const forKeep = await changesOf('person', keep.id, since);
  const forPos = await changesOf('position', pos.id, since);
  assert.deepEqual(forDup.map((e) => e.operation), ['create', 'merge'], 'duplicate: created, then merged away');
  assert.equal(forDup[1].after, null, 'the duplicate has no "after"');
  assert.ok(forKeep.some((e) => e.operation === 'merge'), `survivor: a merge entry (${forKeep.map((e) => e.operation)})`);
  const keepMerge = forKeep.find((e) => e.operation === 'merge');
  assert.ok(keepMerge.after.aliases.includes(wrong), 'the survivor\'s "after" holds the new alias');
  assert.ok(forPos.some((e) => ['merge', 'update'].includes(e.operation) && e.after?.person_id === keep.id), 'the moved position is on record');
  const actors = new Set([...forDup, ...forKeep, ...forPos].map((e) => e.actor));
  assert.equal(actors.size, 1, `one actor for everything the admin key did: ${[...actors]}`);
  if (keyName('admin')) assert.equal([...actors][0], keyName('admin'));
  await remove('positions', pos.id);
  await remove('people', keep.id);
});

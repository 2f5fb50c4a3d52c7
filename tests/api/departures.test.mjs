// Departures and layoffs (issue 4): /departures and /layoffs with every convention of the
// contract (../shared/API.md): validation naming fields, unknown fields, enums, ETag / If-Match,
// Idempotency-Key, keyset pagination, CSV; closing positions and reporting lines in the
// departure's transaction; status and retraction; embedded summaries; every filter with
// range-overlap semantics at the edges of year, month and day precision; sorting; layoffs
// with their linked departures; /people/{id}/timeline.
// Runs against the server at ORGWATCH_TEST_URL (sample data loaded). Every record made here
// carries a random run word, so the file can run again and again on one database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, BASE, checkSpec, expectProblem, sleep } from './lib.mjs';
import { assertCsvCell, changesOf, csvObjects, expectEtagCycle, expectFields, keyName, make, page, parseCsv, patch, qs, read, remove, walk } from './helpers-records.mjs';
import { expectBadParam, fixtures, getOk, ids, line, pageOk, position, runWord, timeline } from './helpers-history.mjs';

const RUN = runWord();
const fx = fixtures(RUN);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ETAG_RE = /^(W\/)?"[^"]*"$/;

// POST without asserting the outcome (spec-checked).
async function post(plural, body, { key = 'editor', headers = {} } = {}) {
  return checkSpec(await api('POST', `/${plural}`, { key, body, headers }), 'POST', `/${plural}`);
}

// Departure ids of a /departures query (every page).
const depIds = (params) => ids(`/departures${qs(params)}`);
const sorted = (a) => [...a].sort();
const sameSet = (actual, expected, what) => assert.deepEqual(sorted(actual), sorted(expected), what);

const w = {}; // shared fixtures
before(async () => {
  w.org = await fx.org('Left Org');
  w.dest = await fx.org('Destination', { kind: 'startup' });
  w.other = await fx.org('Other Org', { kind: 'lab' });
  w.team = await fx.team(w.org, 'Research');
  w.otherTeam = await fx.team(w.other, 'Elsewhere');
  w.src1 = await fx.source('a-first');
  w.src2 = await fx.source('b-second');
  w.layoff = await make('layoffs', { org_id: w.org.id, announced_on: '2023-01', count: 120 });
  w.otherLayoff = await make('layoffs', { org_id: w.other.id, announced_on: '2023-01' });
});

const summaryOfPerson = (p) => ({ id: p.id, slug: p.slug, full_name: p.full_name });
const summaryOfOrg = (o) => ({ id: o.id, slug: o.slug, name: o.name });
const summaryOfTeam = (t) => ({ id: t.id, slug: t.slug, name: t.name });
const summaryOfSource = (s) => ({ id: s.id, url: s.url, publisher: s.publisher, title: s.title });

// ------------------------------------------------------------------ create, read, patch, delete

test('departures: create with every field (201, Location, ETag), read back with embedded summaries', async () => {
  const person = await fx.person('Leaver');
  const body = {
    person_id: person.id,
    org_id: w.org.id,
    team_id: w.team.id,
    title: 'Research Scientist',
    departed_on: '2024-04',
    announced_on: '2024-04-18',
    kind: 'resigned',
    reason_category: 'startup',
    reason: 'To "build something new".',
    destination_org_id: w.dest.id,
    destination_title: 'Founder',
    destination_kind: 'founded',
    layoff_id: w.layoff.id,
    returned_on: null,
    source_ids: [w.src2.id, w.src1.id],
    notes: 'Announced on X.',
    status: 'confirmed',
  };
  const res = await post('departures', body);
  assert.equal(res.status, 201, res.text);
  const d = res.body;
  assert.match(d.id, UUID_RE);
  assert.equal(new URL(res.headers.get('location'), BASE).pathname, `/departures/${d.id}`, 'Location names the departure');
  assert.match(res.headers.get('etag') || '', ETAG_RE);
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'source_ids') assert.deepEqual(d[k], v, k);
  }
  sameSet(d.source_ids, body.source_ids, 'source_ids');
  assert.deepEqual(d.person, summaryOfPerson(person), 'person summary');
  assert.deepEqual(d.org, summaryOfOrg(w.org), 'org summary');
  assert.deepEqual(d.team, summaryOfTeam(w.team), 'team summary');
  assert.deepEqual(d.destination_org, summaryOfOrg(w.dest), 'destination_org summary');
  assert.deepEqual(d.layoff, { id: w.layoff.id, announced_on: '2023-01', count: 120 }, 'layoff summary');
  assert.deepEqual(d.sources.map((s) => s.id), d.source_ids, 'sources in the order of source_ids');
  const byId = Object.fromEntries([w.src1, w.src2].map((s) => [s.id, summaryOfSource(s)]));
  for (const s of d.sources) assert.deepEqual(s, byId[s.id], 'source summary {id, url, publisher, title}');

  const got = await read('departures', d.id);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, d, 'GET returns what POST returned');
  assert.equal(got.headers.get('etag'), res.headers.get('etag'), 'the same ETag');

  // The same summaries in lists.
  const listed = (await walk(`/departures${qs({ person: person.id })}`)).items;
  assert.deepEqual(listed, [d], 'the list item is the record as GET returns it');
});

test('departures: defaults (kind, reason_category, destination_kind unknown; status reported)', async () => {
  const person = await fx.person('Defaults');
  const res = await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2023' });
  assert.equal(res.status, 201, res.text);
  const d = res.body;
  assert.equal(d.kind, 'unknown');
  assert.equal(d.reason_category, 'unknown');
  assert.equal(d.destination_kind, 'unknown');
  assert.equal(d.status, 'reported');
  for (const k of ['team_id', 'team', 'title', 'announced_on', 'reason', 'destination_org_id', 'destination_org', 'destination_title', 'layoff_id', 'layoff', 'returned_on', 'notes']) {
    assert.equal(d[k], null, `${k} is null`);
  }
  assert.deepEqual(d.source_ids, []);
  assert.deepEqual(d.sources, []);
});

test('departures: destination_kind defaults as openapi.yaml documents ("Default `unknown`") even with a destination_org', async () => {
  const person = await fx.person('DefaultDest');
  const res = await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2023', destination_org_id: w.dest.id });
  assert.equal(res.status, 201, res.text);
  assert.equal(
    res.body.destination_kind,
    'unknown',
    'openapi DepartureCreate.destination_kind says "Default `unknown`"; a different default must be documented there',
  );
});

test('departures: references by slug, "org/team" and source URL (the X / X_id rule)', async () => {
  const person = await fx.person('BySlug');
  const res = await post('departures', {
    person: person.slug,
    org: w.org.slug,
    team: `${w.org.slug}/${w.team.slug}`,
    destination_org: w.dest.slug,
    sources: [w.src1.url],
    departed_on: '2022-07-01',
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.person_id, person.id);
  assert.equal(res.body.org_id, w.org.id);
  assert.equal(res.body.team_id, w.team.id);
  assert.equal(res.body.destination_org_id, w.dest.id);
  assert.deepEqual(res.body.source_ids, [w.src1.id]);
});

test('departures: JSON merge patch (null clears, absent fields kept), then delete (204, then 404)', async () => {
  const person = await fx.person('Patched');
  const d = await fx.departure(person, w.org, '2023-05', {
    reason: 'burnout',
    notes: 'first',
    destination_org_id: w.dest.id,
    destination_kind: 'joined',
    source_ids: [w.src1.id],
  });
  const p = await patch('departures', d.id, { reason: null, notes: 'second', status: 'disputed', destination_org_id: null, source_ids: [w.src2.id] });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.reason, null);
  assert.equal(p.body.notes, 'second');
  assert.equal(p.body.status, 'disputed');
  assert.equal(p.body.destination_org_id, null);
  assert.equal(p.body.destination_org, null, 'the summary follows the id');
  assert.deepEqual(p.body.source_ids, [w.src2.id]);
  assert.deepEqual(p.body.sources.map((s) => s.id), [w.src2.id]);
  assert.equal(p.body.departed_on, '2023-05', 'absent fields are kept');
  assert.equal(p.body.destination_kind, 'joined');
  assert.deepEqual((await read('departures', d.id)).body, p.body, 'GET shows the patch');

  const cleared = await patch('departures', d.id, { source_ids: null });
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual(cleared.body.source_ids, [], 'source_ids: null clears the list');

  const del = await remove('departures', d.id);
  assert.equal(del.status, 204, del.text);
  expectProblem(await read('departures', d.id), 404);
  expectProblem(await remove('departures', d.id), 404);
  expectProblem(await patch('departures', d.id, { notes: 'x' }), 404);
  expectProblem(await read('departures', randomUUID()), 404);
});

// ------------------------------------------------------------------ validation

test('departures: validation names every bad field at once (required, dates, enums, unknown fields, types)', async () => {
  const person = await fx.person('Invalid');
  expectFields(await post('departures', {}), ['person_id', 'org_id', 'departed_on'], 'an empty body:');
  expectFields(
    await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: 'April 2024', announced_on: '2024-13', returned_on: '2024-02-30' }),
    ['departed_on', 'announced_on', 'returned_on'],
    'bad dates:',
  );
  expectFields(
    await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2023-02-29' }),
    ['departed_on'],
    '2023 is not a leap year:',
  );
  expectFields(
    await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2024', kind: 'quit', reason_category: 'money', destination_kind: 'elsewhere', status: 'rumoured' }),
    ['kind', 'reason_category', 'destination_kind', 'status'],
    'bad enums:',
  );
  expectFields(
    await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2024', departed_at: '2024', Kind: 'resigned' }),
    ['departed_at', 'Kind'],
    'unknown fields:',
  );
  expectFields(
    await post('departures', { person_id: 'not-a-uuid-at-all!', org_id: w.org.id, departed_on: 2024, title: 5, source_ids: 'x' }),
    ['departed_on', 'title', 'source_ids'],
    'wrong types:',
  );
  // References checked in the database, each naming its field.
  expectFields(await post('departures', { person_id: randomUUID(), org_id: w.org.id, departed_on: '2024' }), ['person_id'], 'unknown person:');
  expectFields(await post('departures', { person_id: person.id, org_id: randomUUID(), departed_on: '2024' }), ['org_id'], 'unknown org:');
  expectFields(
    await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2024', destination_org_id: randomUUID() }),
    ['destination_org_id'],
    'unknown destination_org:',
  );
  expectFields(await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2024', team_id: w.otherTeam.id }), ['team_id'], 'a team of another org:');
  expectFields(await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2024', layoff_id: w.otherLayoff.id }), ['layoff_id'], 'a layoff of another org:');
  expectFields(await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2024-05', returned_on: '2024-04' }), ['returned_on'], 'returned before leaving:');
  expectFields(await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2024', source_ids: [randomUUID()] }), ['source_ids'], 'an unknown source:');
  assert.deepEqual(await depIds({ person: person.id, status: 'all' }), [], 'nothing was recorded');

  const res = checkSpec(await api('POST', '/departures', { key: 'editor', body: '{"person_id": ', raw: true, headers: { 'content-type': 'application/json' } }), 'POST', '/departures');
  expectProblem(res, 400);
  const arr = checkSpec(await api('POST', '/departures', { key: 'editor', body: [] }), 'POST', '/departures');
  expectProblem(arr, 400);
  const ct = checkSpec(await api('POST', '/departures', { key: 'editor', body: 'person_id=x', raw: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'POST', '/departures');
  expectProblem(ct, 415);
});

test('departures: PATCH validation names fields; unknown fields are a 400; nothing changes', async () => {
  const person = await fx.person('PatchInvalid');
  const d = await fx.departure(person, w.org, '2023-03');
  expectFields(await patch('departures', d.id, { departed_on: '03/2023', kind: 'left', colour: 'red' }), ['departed_on', 'kind', 'colour']);
  expectFields(await patch('departures', d.id, { departed_on: null }), ['departed_on'], 'departed_on cannot be cleared:');
  expectFields(await patch('departures', d.id, { returned_on: '2022' }), ['returned_on'], 'returned before leaving:');
  assert.deepEqual((await read('departures', d.id)).body, d, 'the record is unchanged');
});

test('departures and layoffs: writes need a key (401) of role editor or above (403)', async () => {
  const person = await fx.person('Auth');
  const body = { person_id: person.id, org_id: w.org.id, departed_on: '2021' };
  const none = checkSpec(await api('POST', '/departures', { body }), 'POST', '/departures');
  expectProblem(none, 401);
  expectProblem(checkSpec(await api('POST', '/departures', { key: 'ow_not_a_real_key', body }), 'POST', '/departures'), 401);
  expectProblem(await post('departures', body, { key: 'reader' }), 403);
  expectProblem(await post('layoffs', { org_id: w.org.id, announced_on: '2021' }, { key: 'reader' }), 403);
  expectProblem(checkSpec(await api('POST', '/layoffs', { body: { org_id: w.org.id, announced_on: '2021' } }), 'POST', '/layoffs'), 401);
  const d = await fx.departure(person, w.org, '2021');
  expectProblem(await patch('departures', d.id, { notes: 'x' }, { key: 'reader' }), 403);
  expectProblem(await remove('departures', d.id, { key: 'reader' }), 403);
  expectProblem(await patch('layoffs', w.layoff.id, { description: 'x' }, { key: 'reader' }), 403);
  assert.equal((await post('departures', { ...body, departed_on: '2022' }, { key: 'admin' })).status, 201, 'admin may write');
  // Reads are open.
  assert.equal((await read('departures', d.id)).status, 200);
});

// ------------------------------------------------------------------ ETag, If-Match, Idempotency-Key

test('departures and layoffs: ETag, If-None-Match (304), If-Match (412 on mismatch) on PATCH and DELETE', async () => {
  const person = await fx.person('Etag');
  const records = [
    ['departures', await post('departures', { person_id: person.id, org_id: w.org.id, departed_on: '2020-01' }), { notes: 'changed' }],
    ['layoffs', await post('layoffs', { org_id: w.org.id, announced_on: '2020-01', count: 3 }), { description: 'changed' }],
  ];
  for (const [plural, created, change] of records) {
    assert.equal(created.status, 201, created.text);
    await expectEtagCycle(plural, created, change);
  }
});

test('departures and layoffs: Idempotency-Key replays the first answer and creates nothing new; another body is a 409', async () => {
  const person = await fx.person('Idem');
  const cases = [
    ['departures', { person_id: person.id, org_id: w.org.id, departed_on: '2019-09', kind: 'resigned' }, { notes: 'other' }],
    ['layoffs', { org_id: w.other.id, announced_on: '2019-09', count: 7, description: `idem ${RUN}` }, { count: 8 }],
  ];
  for (const [plural, body, change] of cases) {
    const key = `idem-${plural}-${RUN}-${randomUUID()}`;
    const first = await post(plural, body, { headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201, first.text);
    const second = await post(plural, body, { headers: { 'idempotency-key': key } });
    assert.equal(second.status, 201, `${plural}: the replay answers 201 again (a new create of this departure would be a 409): ${second.text}`);
    assert.deepEqual(second.body, first.body, `${plural}: the same body`);
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    assert.equal(second.headers.get('etag'), first.headers.get('etag'));
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    expectProblem(await post(plural, { ...body, ...change }, { headers: { 'idempotency-key': key } }), 409);
  }
  assert.equal((await depIds({ person: person.id })).length, 1, 'one departure recorded');
  const layoffs = (await walk(`/layoffs${qs({ org: w.other.id })}`)).items.filter((l) => l.description === `idem ${RUN}`);
  assert.equal(layoffs.length, 1, 'one layoff recorded');
});

// ------------------------------------------------------------------ pagination and CSV

test('departures: cursor pagination across pages in every sort order, each record once, with Link rel=next', async () => {
  const org = await fx.org('Paged');
  const dates = ['2021-03', '2020', '2022-01-15', '2020-06-30', '2021-11', '2023', '2019-12-31'];
  const announced = ['2021-04', null, '2022-02', '2020-07', '2021-11-20', null, '2020-01'];
  const made = [];
  for (let i = 0; i < dates.length; i++) {
    const p = await fx.person('Paged');
    made.push(await fx.departure(p, org, dates[i], { announced_on: announced[i] }));
  }
  for (const sort of [undefined, 'departed_on', '-departed_on', 'announced_on', '-announced_on']) {
    const whole = await walk(`/departures${qs({ org: org.slug, sort, limit: 1000 })}`);
    assert.equal(whole.pages, 1);
    assert.equal(whole.items.length, made.length, `sort=${sort}: every departure`);
    const paged = await walk(`/departures${qs({ org: org.slug, sort, limit: 2 })}`);
    assert.equal(paged.pages, 4, `sort=${sort}: 7 records in pages of 2`);
    assert.deepEqual(paged.items.map((x) => x.id), whole.items.map((x) => x.id), `sort=${sort}: the pages give the same order, each record once`);
  }
  // A record inserted between pages, before the cursor's position, is not repeated nor does it shift pages.
  const seen = new Set();
  const { items } = await walk(`/departures${qs({ org: org.slug, limit: 3 })}`, {
    between: async (i) => {
      if (i === 1) await fx.departure(await fx.person('Paged'), org, '1990');
    },
  });
  for (const x of items) {
    assert.ok(!seen.has(x.id), 'no repeats');
    seen.add(x.id);
  }
  for (const d of made) assert.ok(seen.has(d.id), 'no record skipped');

  await expectBadParam(`/departures${qs({ org: org.slug, cursor: 'not-a-cursor' })}`, '/departures', 'cursor');
  await expectBadParam(`/departures${qs({ limit: 0 })}`, '/departures', 'limit');
  await expectBadParam(`/departures${qs({ limit: 1001 })}`, '/departures', 'limit');
  await expectBadParam(`/layoffs${qs({ limit: 'x' })}`, '/layoffs', 'limit');
});

test('departures: sort=departed_on orders by the start of the partial date; -departed_on reverses', async () => {
  const org = await fx.org('Sorted');
  for (const on of ['2024-03', '2023-12-31', '2024-06-02', '2022', '2024-02']) await fx.departure(await fx.person('S'), org, on);
  const asc = (await walk(`/departures${qs({ org: org.id })}`)).items.map((x) => x.departed_on);
  assert.deepEqual(asc, ['2022', '2023-12-31', '2024-02', '2024-03', '2024-06-02'], 'departed_on is the default order');
  const desc = (await walk(`/departures${qs({ org: org.id, sort: '-departed_on' })}`)).items.map((x) => x.departed_on);
  assert.deepEqual(desc, [...asc].reverse());
});

test('departures: dates starting the same day sort by the end of their range (openapi: "then its end")', async () => {
  const org = await fx.org('Ties');
  // Three triples, each starting on one day: day < month < year by their ends.
  for (const y of ['2016', '2017', '2018']) {
    for (const on of [y, `${y}-01`, `${y}-01-01`]) await fx.departure(await fx.person('T'), org, on);
  }
  const asc = (await walk(`/departures${qs({ org: org.id, sort: 'departed_on' })}`)).items.map((x) => x.departed_on);
  assert.deepEqual(asc, ['2016-01-01', '2016-01', '2016', '2017-01-01', '2017-01', '2017', '2018-01-01', '2018-01', '2018']);
  const desc = (await walk(`/departures${qs({ org: org.id, sort: '-departed_on' })}`)).items.map((x) => x.departed_on);
  assert.deepEqual(desc, [...asc].reverse());
});

test('departures: sort=announced_on / -announced_on order by announcement (unannounced ones after the announced in ascending order)', async () => {
  const org = await fx.org('Announced');
  const rows = [
    ['2020-01', '2020-03'],
    ['2020-02', '2020-02-10'],
    ['2020-03', null],
    ['2020-04', '2019-12'],
  ];
  for (const [on, ann] of rows) await fx.departure(await fx.person('A'), org, on, { announced_on: ann });
  const asc = (await walk(`/departures${qs({ org: org.id, sort: 'announced_on' })}`)).items.map((x) => x.announced_on);
  assert.deepEqual(asc, ['2019-12', '2020-02-10', '2020-03', null]);
  const desc = (await walk(`/departures${qs({ org: org.id, sort: '-announced_on' })}`)).items.map((x) => x.announced_on);
  assert.deepEqual(desc.filter((x) => x !== null), ['2020-03', '2020-02-10', '2019-12'], 'descending among the announced');
  assert.equal(desc.length, 4);
});

test('departures and layoffs: Accept: text/csv gives a header row and the same rows as JSON', async () => {
  const org = await fx.org('Csv');
  const team = await fx.team(org, 'CsvTeam');
  const layoff = await make('layoffs', { org_id: org.id, team_id: team.id, announced_on: '2022-05', count: 4, description: 'Cut, "deep"\nreally', source_ids: [w.src1.id] });
  const p1 = await fx.person('Csv');
  const p2 = await fx.person('Csv');
  await fx.departure(p1, org, '2022-05', { team_id: team.id, reason: 'Said: "bye, all"', layoff_id: layoff.id, source_ids: [w.src1.id, w.src2.id], destination_org_id: w.dest.id });
  await fx.departure(p2, org, '2022-06-01', { notes: 'line one\r\nline two' });
  const missing = [];
  for (const [path, tmpl] of [
    [`/departures${qs({ org: org.slug })}`, '/departures'],
    [`/layoffs${qs({ org: org.slug })}`, '/layoffs'],
  ]) {
    const json = await pageOk(path);
    assert.ok(json.body.items.length > 0);
    const csv = await page(path, { tmpl, headers: { accept: 'text/csv' } });
    assert.equal(csv.status, 200, csv.text);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const { header, rows } = csvObjects(csv.text);
    assert.equal(rows.length, json.body.items.length, `${path}: the same number of rows`);
    json.body.items.forEach((item, i) => {
      assert.equal(rows[i].id, item.id, `${path}: row ${i} is the same record`);
      for (const col of header) if (col in item) assertCsvCell(rows[i][col], item[col], `${tmpl} row ${i} column ${col}`);
    });
    // "the same rows as CSV": every field of the JSON items has its column (layoff lists leave
    // `departures` out: it is null there).
    for (const field of Object.keys(json.body.items[0])) {
      if (field !== 'departures' && !header.includes(field)) missing.push(`${tmpl}: ${field}`);
    }
  }
  const paged = await page(`/departures${qs({ org: org.slug, limit: 1 })}`, { headers: { accept: 'text/csv' } });
  assert.equal(paged.status, 200);
  assert.equal(parseCsv(paged.text).length, 2, 'a header and one row');
  assert.match(paged.headers.get('link') || '', /rel="?next"?/, 'a Link to the next page');
  assert.deepEqual(missing, [], 'every JSON field has a CSV column');
});

// ------------------------------------------------------------------ closing positions and lines

test('recording a departure closes the open positions at that org (ended_on = departed_on) and the open reporting lines there, nothing else', async () => {
  const org = await fx.org('Closing');
  const elsewhere = await fx.org('Elsewhere');
  const team = await fx.team(org, 'Closing Team');
  const [p, m, r, y, r2] = await Promise.all(['Leaving', 'Manager', 'Report', 'Outside', 'Bystander'].map((l) => fx.person(l)));
  const pOpen = await fx.position(p, org, { team_id: team.id, title: 'Engineer', started_on: '2019-02' });
  const pOpen2 = await fx.position(p, org, { title: 'Advisor', started_on: '2021' });
  const pEnded = await fx.position(p, org, { title: 'Intern', started_on: '2015', ended_on: '2017' });
  const pOther = await fx.position(p, elsewhere, { title: 'Board member', started_on: '2020' });
  await fx.position(m, org, { title: 'Director', started_on: '2010' });
  await fx.position(r, org, { title: 'Engineer', started_on: '2021' });
  await fx.position(r2, org, { title: 'Engineer', started_on: '2021' });
  await fx.position(y, elsewhere, { title: 'Analyst', started_on: '2021' });
  const up = await fx.line(p, m, { valid_from: '2020' });
  const down = await fx.line(r, p, { valid_from: '2021-06' });
  const outside = await fx.line(y, p, { valid_from: '2022' });
  const bystander = await fx.line(r2, m, { valid_from: '2021' });

  const chartBefore = await getOk(`/organizations/${org.slug}/chart?as_of=2024-03-31`, '/organizations/{id}/chart');
  assert.ok(JSON.stringify(chartBefore).includes(p.id), 'on the chart before leaving');

  const res = await post('departures', { person_id: p.id, org_id: org.id, departed_on: '2024-04', destination_org_id: w.dest.id });
  assert.equal(res.status, 201, res.text);

  assert.equal((await position(pOpen.id)).ended_on, '2024-04', 'the open position ends on departed_on');
  assert.equal((await position(pOpen2.id)).ended_on, '2024-04', 'every open position there ends');
  assert.equal((await position(pEnded.id)).ended_on, '2017', 'an ended position keeps its end');
  assert.equal((await position(pOther.id)).ended_on, null, 'a position at another org stays open');
  assert.equal((await line(up.id)).valid_to, '2024-04', 'the line to their manager there ends');
  assert.equal((await line(down.id)).valid_to, '2024-04', 'the line of their report there ends');
  assert.equal((await line(outside.id)).valid_to, null, 'a line with someone who never worked there stays open');
  assert.equal((await line(bystander.id)).valid_to, null, "other people's lines stay open");

  const person = (await read('people', p.id)).body;
  assert.deepEqual(person.current_positions.map((x) => x.id), [pOther.id], 'current_positions keeps only the other org');
  const after = await getOk(`/organizations/${org.slug}/chart?as_of=2024-04-01`, '/organizations/{id}/chart');
  assert.ok(!JSON.stringify(after).includes(p.id), 'off the chart from the first day of the departure');
});

test('a departure that fails validation (or names an unknown destination_org or source) leaves positions and lines untouched', async () => {
  const org = await fx.org('Atomic');
  const [p, m] = await Promise.all([fx.person('Atomic'), fx.person('AtomicBoss')]);
  const pos = await fx.position(p, org, { title: 'Engineer', started_on: '2018' });
  await fx.position(m, org, { title: 'Boss', started_on: '2010' });
  const ln = await fx.line(p, m, { valid_from: '2019' });
  const posBefore = await read('positions', pos.id);
  const lineBefore = await read('reporting-lines', ln.id);
  const base = { person_id: p.id, org_id: org.id, departed_on: '2024-04' };
  const attempts = [
    [{ ...base, kind: 'vanished' }, 'kind'],
    [{ ...base, departed_on: '2024-04-31' }, 'departed_on'],
    [{ ...base, unknown_field: 1 }, 'unknown_field'],
    [{ ...base, destination_org_id: randomUUID() }, 'destination_org_id'],
    [{ ...base, destination_org: `no-such-org-${RUN}` }, 'destination_org'],
    [{ ...base, team_id: w.otherTeam.id }, 'team_id'],
    [{ ...base, layoff_id: w.otherLayoff.id }, 'layoff_id'],
    [{ ...base, layoff_id: randomUUID() }, 'layoff_id'],
    [{ ...base, source_ids: [w.src1.id, randomUUID()] }, 'source_ids'], // fails after the insert: rolled back
    [{ ...base, sources: [`https://example.org/orgwatch-tests/${RUN}/never-stored`] }, 'sources'],
  ];
  for (const [body, field] of attempts) {
    expectFields(await post('departures', body), [field], `${JSON.stringify(body)}:`);
    const posNow = await read('positions', pos.id);
    assert.deepEqual(posNow.body, posBefore.body, `after a rejected departure (${field}) the position is untouched`);
    assert.equal(posNow.headers.get('etag'), posBefore.headers.get('etag'));
    assert.deepEqual((await read('reporting-lines', ln.id)).body, lineBefore.body, `after a rejected departure (${field}) the line is untouched`);
  }
  assert.deepEqual(await depIds({ person: p.id, status: 'all' }), [], 'no departure was stored');
  // The valid one then works.
  assert.equal((await post('departures', base)).status, 201);
  assert.equal((await position(pos.id)).ended_on, '2024-04');
  assert.equal((await line(ln.id)).valid_to, '2024-04');
});

test('a person with no recorded position there can still be recorded as departed', async () => {
  const p = await fx.person('NoPosition');
  const res = await post('departures', { person_id: p.id, org_id: w.org.id, departed_on: '2023-10-02', destination_org_id: w.dest.id });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(await depIds({ person: p.slug }), [res.body.id]);
});

test('two departures of one person from one org on the same date are a 409 (POST and PATCH); other dates or orgs are fine', async () => {
  const p = await fx.person('Twice');
  const pos = await fx.position(p, w.other, { started_on: '2010' });
  const first = await fx.departure(p, w.org, '2024-02');
  const dup = await post('departures', { person_id: p.id, org_id: w.org.id, departed_on: '2024-02', kind: 'fired' });
  expectProblem(dup, 409);
  assert.ok(dup.body.detail, 'the 409 says why');
  const otherOrg = await post('departures', { person_id: p.id, org_id: w.other.id, departed_on: '2019' });
  assert.equal(otherOrg.status, 201, 'the same person leaving another org');
  assert.equal((await position(pos.id)).ended_on, '2019');
  const later = await fx.departure(p, w.org, '2024-09');
  expectProblem(await patch('departures', later.id, { departed_on: '2024-02' }), 409);
  assert.deepEqual(await depIds({ person: p.id, org: w.org.id }), [first.id, later.id]);
});

test('leaving twice after a return (returned_on) works; each departure closes the stint then open', async () => {
  const org = await fx.org('Boomerang');
  const p = await fx.person('Boomerang');
  const stint1 = await fx.position(p, org, { title: 'Engineer', started_on: '2018-01' });
  const d1 = await fx.departure(p, org, '2020-03', { returned_on: '2021-01', destination_org_id: w.dest.id });
  assert.equal(d1.returned_on, '2021-01', 'returned_on is kept');
  assert.equal((await position(stint1.id)).ended_on, '2020-03');
  const stint2 = await fx.position(p, org, { title: 'Senior Engineer', started_on: '2021-01' });
  const res = await post('departures', { person_id: p.id, org_id: org.id, departed_on: '2024-06', destination_org_id: w.other.id });
  assert.equal(res.status, 201, `leaving again after a return: ${res.text}`);
  assert.equal((await position(stint2.id)).ended_on, '2024-06', 'the second stint ends');
  assert.equal((await position(stint1.id)).ended_on, '2020-03', 'the first stint keeps its end');
  assert.deepEqual(await depIds({ person: p.id }), [d1.id, res.body.id], 'both departures, oldest first');
  // A return learned later is a merge patch.
  const back = await patch('departures', res.body.id, { returned_on: '2025-02' });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.returned_on, '2025-02');
  const events = (await timeline(p.id)).events.filter((e) => e.event === 'departed' || e.event === 'returned').map((e) => `${e.event}:${e.on}`);
  assert.deepEqual(events, ['departed:2020-03', 'returned:2021-01', 'departed:2024-06', 'returned:2025-02']);
});

test('status: a retracted departure leaves lists unless ?status= asks, stays readable and in the timeline (marked)', async () => {
  const p = await fx.person('Retracted');
  const q = await fx.person('Confirmed');
  const d = await fx.departure(p, w.org, '2022-02', { status: 'confirmed' });
  const kept = await fx.departure(q, w.org, '2022-02', { status: 'disputed' });
  const both = [d.id, kept.id];
  const scope = (extra) => depIds({ org: w.org.id, from: '2022-02', to: '2022-02', ...extra });
  const mine = async (extra) => (await scope(extra)).filter((id) => both.includes(id));
  sameSet(await mine({}), both, 'both listed by default');

  const r = await patch('departures', d.id, { status: 'retracted' });
  assert.equal(r.status, 200, r.text);
  // The status change is audited like any write.
  const audit = await changesOf('departure', d.id, d.created_at);
  const change = audit.find((e) => e.operation === 'update' && e.before?.status === 'confirmed' && e.after?.status === 'retracted');
  assert.ok(change, `the audit log has the status change: ${JSON.stringify(audit.map((e) => [e.operation, e.before?.status, e.after?.status]))}`);
  if (keyName('editor')) assert.equal(change.actor, keyName('editor'), 'by the editor key');
  assert.deepEqual(await mine({}), [kept.id], 'a retracted departure leaves the default list');
  assert.deepEqual(await depIds({ person: p.id }), [], '… and every filtered list');
  assert.deepEqual(await mine({ status: 'retracted' }), [d.id], '?status=retracted');
  sameSet(await mine({ status: 'all' }), both, '?status=all');
  sameSet(await mine({ status: 'retracted,disputed' }), both, '?status=retracted,disputed');
  assert.deepEqual(await mine({ status: 'confirmed' }), [], '?status=confirmed');
  assert.deepEqual(await mine({ status: 'disputed' }), [kept.id]);
  const got = await read('departures', d.id);
  assert.equal(got.status, 200, 'still readable by id');
  assert.equal(got.body.status, 'retracted');
  const ev = (await timeline(p.id)).events.find((e) => e.event === 'departed');
  assert.ok(ev, 'still in the timeline');
  assert.equal(ev.status, 'retracted', 'marked retracted in the timeline');
  assert.equal(ev.departure_id, d.id);
  const csv = await page(`/departures${qs({ person: p.id })}`, { headers: { accept: 'text/csv' } });
  assert.equal(csvObjects(csv.text).rows.length, 0, 'not in the CSV either');
  const csvAll = await page(`/departures${qs({ person: p.id, status: 'all' })}`, { headers: { accept: 'text/csv' } });
  assert.deepEqual(csvObjects(csvAll.text).rows.map((x) => x.id), [d.id]);
  // Created retracted from the start: same.
  const p2 = await fx.person('RetractedAtOnce');
  const d2 = await fx.departure(p2, w.org, '2022-03', { status: 'retracted' });
  assert.deepEqual(await depIds({ person: p2.id }), []);
  assert.deepEqual(await depIds({ person: p2.id, status: 'retracted' }), [d2.id]);

  await expectBadParam(`/departures${qs({ status: 'gone' })}`, '/departures', 'status');
  await expectBadParam(`/departures${qs({ status: 'reported,' })}`, '/departures', 'status');
});

test('a departure recorded as retracted closes nothing: the person stays on the chart', async () => {
  const org = await fx.org('RetractedChart');
  const p = await fx.person('StillHere');
  const pos = await fx.position(p, org, { started_on: '2019' });
  await fx.departure(p, org, '2024-04', { status: 'retracted' });
  assert.equal((await position(pos.id)).ended_on, null, 'the position stays open');
  const c = await getOk(`/organizations/${org.slug}/chart?as_of=2024-06-01`, '/organizations/{id}/chart');
  assert.deepEqual(c.roots.map((n) => n.person.slug), [p.slug], 'still on the chart');
});

test('editing or deleting a departure does not reopen the positions or lines it closed', async () => {
  const org = await fx.org('NoReopen');
  const [p, m] = await Promise.all([fx.person('NoReopen'), fx.person('NoReopenBoss')]);
  const pos = await fx.position(p, org, { started_on: '2019' });
  await fx.position(m, org, { started_on: '2010' });
  const ln = await fx.line(p, m, { valid_from: '2019' });
  const d = await fx.departure(p, org, '2024-04');
  assert.equal((await position(pos.id)).ended_on, '2024-04');
  for (const change of [{ departed_on: '2024-05' }, { status: 'retracted' }, { org_id: w.other.id }, { status: 'reported', org_id: org.id }]) {
    const res = await patch('departures', d.id, change);
    assert.equal(res.status, 200, `${JSON.stringify(change)}: ${res.text}`);
    assert.notEqual((await position(pos.id)).ended_on, null, `after ${JSON.stringify(change)} the position stays closed`);
    assert.notEqual((await line(ln.id)).valid_to, null, `after ${JSON.stringify(change)} the line stays closed`);
  }
  assert.equal((await remove('departures', d.id)).status, 204);
  assert.notEqual((await position(pos.id)).ended_on, null, 'after DELETE the position stays closed');
  assert.notEqual((await line(ln.id)).valid_to, null, 'after DELETE the line stays closed');
});

// ------------------------------------------------------------------ filters

test('departures filters: org, team, person, destination_org, kind, reason_category, destination_kind, layoff, updated_since (ids or slugs, combinable)', async () => {
  const org = await fx.org('Filtered');
  const g = await fx.org('FilteredOther');
  const [t1, t2] = [await fx.team(org, 'One'), await fx.team(org, 'Two')];
  const [d1, d2] = [await fx.org('DestOne'), await fx.org('DestTwo')];
  const layoff = await make('layoffs', { org_id: org.id, team_id: t2.id, announced_on: '2023-06', count: 40 });
  const [A, B, C] = await Promise.all(['Alpha', 'Beta', 'Gamma'].map((l) => fx.person(l)));
  const a = await fx.departure(A, org, '2023-02', { team_id: t1.id, kind: 'resigned', reason_category: 'startup', destination_org_id: d1.id, destination_kind: 'founded', announced_on: '2023-03' });
  const b = await fx.departure(B, org, '2023-06', { team_id: t2.id, kind: 'laid_off', reason_category: 'layoff', layoff_id: layoff.id, destination_kind: 'none' });
  const c = await fx.departure(C, org, '2024', { kind: 'fired', reason_category: 'competitor', destination_org_id: d2.id, destination_kind: 'joined' });
  const d = await fx.departure(A, g, '2023-09', { kind: 'retired', reason_category: 'personal', destination_org_id: d1.id, destination_kind: 'joined' });

  const cases = [
    [{ org: org.slug }, [a, b, c]],
    [{ org: org.id }, [a, b, c]],
    [{ team: t1.id }, [a]],
    [{ team: `${org.slug}/${t2.slug}` }, [b]],
    [{ team: t2.slug }, [b]],
    [{ person: A.slug }, [a, d]],
    [{ person: A.id, org: g.slug }, [d]],
    [{ destination_org: d1.slug }, [a, d]],
    [{ destination_org: d2.id }, [c]],
    [{ org: org.id, kind: 'laid_off' }, [b]],
    [{ org: org.id, kind: 'resigned' }, [a]],
    [{ org: org.id, reason_category: 'competitor' }, [c]],
    [{ org: org.id, destination_kind: 'none' }, [b]],
    [{ person: A.id, destination_kind: 'joined' }, [d]],
    [{ layoff: layoff.id }, [b]],
    [{ org: org.id, kind: 'resigned', destination_org: d1.id, reason_category: 'startup' }, [a]],
    [{ org: org.id, kind: 'fired', destination_org: d1.id }, []],
  ];
  for (const [params, expected] of cases) {
    sameSet(await depIds(params), expected.map((x) => x.id), `?${qs(params)}`);
  }

  await sleep(1100);
  const changed = await patch('departures', c.id, { notes: 'updated later' });
  assert.equal(changed.status, 200);
  assert.deepEqual(await depIds({ org: org.id, updated_since: changed.body.updated_at }), [c.id], 'updated_since');
  assert.deepEqual(await depIds({ org: org.id, updated_since: '2999-01-01T00:00:00Z' }), []);
  sameSet(await depIds({ org: org.id, updated_since: '2000-01-01T00:00:00Z' }), [a.id, b.id, c.id]);
});

test('departures filters: unknown or malformed values are a 400 naming the parameter', async () => {
  const cases = [
    ['org', `no-such-org-${RUN}`],
    ['org', randomUUID()],
    ['team', `no-such-team-${RUN}`],
    ['team', `${w.org.slug}/no-such-team-${RUN}`],
    ['person', `no-such-person-${RUN}`],
    ['destination_org', `no-such-org-${RUN}`],
    ['layoff', randomUUID()],
    ['layoff', 'not-a-uuid'],
    ['kind', 'quit'],
    ['reason_category', 'money'],
    ['destination_kind', 'moon'],
    ['from', '2024-13'],
    ['from', 'April 2024'],
    ['to', '2024-02-30'],
    ['updated_since', 'yesterday'],
    ['sort', 'name'],
    ['sort', '-person'],
    ['organisation', 'meta'],
    ['org', ''],
  ];
  for (const [param, value] of cases) await expectBadParam(`/departures${qs({ [param]: value })}`, '/departures', param);
  for (const [param, value] of [['org', `no-such-org-${RUN}`], ['team', `no-such-team-${RUN}`], ['from', '2024-00'], ['colour', 'x']]) {
    await expectBadParam(`/layoffs${qs({ [param]: value })}`, '/layoffs', param);
  }
});

test('departures from/to: overlap semantics at the edges of year, month and day precision, on both sides', async () => {
  const org = await fx.org('Overlap');
  const on = { before: '2023-12-31', y: '2024', m: '2024-04', d: '2024-04-15', after: '2025-01-01' };
  const byName = {};
  for (const [name, date] of Object.entries(on)) byName[name] = (await fx.departure(await fx.person(`Ov${name}`), org, date)).id;
  const cases = [
    // from only
    [{ from: '2024-05-01' }, ['y', 'after'], 'a "2024" departure matches from=2024-05-01; a "2024-04" one does not'],
    [{ from: '2024-04-30' }, ['y', 'm', 'after']],
    [{ from: '2024-04-16' }, ['y', 'm', 'after']],
    [{ from: '2024-04-15' }, ['y', 'm', 'd', 'after']],
    [{ from: '2024-04' }, ['y', 'm', 'd', 'after']],
    [{ from: '2024-05' }, ['y', 'after']],
    [{ from: '2024' }, ['y', 'm', 'd', 'after']],
    [{ from: '2024-12-31' }, ['y', 'after']],
    [{ from: '2025' }, ['after']],
    [{ from: '2025-01-02' }, []],
    [{ from: '2023-12-31' }, ['before', 'y', 'm', 'd', 'after']],
    // to only (inclusive up to the end of its range)
    [{ to: '2024-04-01' }, ['before', 'y', 'm'], 'to=2024-04-01 matches "2024-04"'],
    [{ to: '2024-03-31' }, ['before', 'y'], 'to=2024-03-31 does not match "2024-04"'],
    [{ to: '2024-04-14' }, ['before', 'y', 'm']],
    [{ to: '2024-04-15' }, ['before', 'y', 'm', 'd']],
    [{ to: '2024-03' }, ['before', 'y']],
    [{ to: '2024-04' }, ['before', 'y', 'm', 'd']],
    [{ to: '2024-01-01' }, ['before', 'y']],
    [{ to: '2023' }, ['before']],
    [{ to: '2023-12-30' }, []],
    [{ to: '2024-12-31' }, ['before', 'y', 'm', 'd']],
    // both
    [{ from: '2024-04-10', to: '2024-04-20' }, ['y', 'm', 'd'], 'from=2024-04-10 matches a "2024-04" departure'],
    [{ from: '2024-04-16', to: '2024-04-30' }, ['y', 'm']],
    [{ from: '2024-02', to: '2024-03' }, ['y']],
    [{ from: '2023-12-31', to: '2023-12-31' }, ['before']],
    [{ from: '2025', to: '2025' }, ['after']],
    [{ from: '2024-04-15', to: '2024-04-15' }, ['y', 'm', 'd']],
    [{ from: '2024', to: '2024' }, ['y', 'm', 'd']],
  ];
  for (const [params, expected, why] of cases) {
    sameSet(await depIds({ org: org.id, ...params }), expected.map((n) => byName[n]), `${qs(params)}${why ? ` (${why})` : ''}`);
  }
});

test('departures from/to: a period that ends before it starts is an empty list or a 400 naming from/to (never a bare database message)', async () => {
  for (const params of [{ from: '2025', to: '2024' }, { from: '2025-06', to: '2024' }, { from: '2024-05-02', to: '2024-05-01' }]) {
    for (const path of [`/departures${qs(params)}`, `/layoffs${qs(params)}`]) {
      const res = checkSpec(await api('GET', path), 'GET', path.split('?')[0]);
      if (res.status === 200) {
        assert.deepEqual(res.body.items, [], `${path}: nothing in an empty period`);
      } else {
        assert.equal(res.status, 400, `${path} → ${res.status} ${res.text}`);
        const fields = (res.body.errors || []).map((e) => e.field);
        assert.ok(fields.includes('from') || fields.includes('to'), `${path}: the 400 names from or to: ${JSON.stringify(res.body.errors)}`);
      }
    }
  }
});

// ------------------------------------------------------------------ layoffs

test('layoffs: create with every field, read, merge-patch, delete; embedded org, team and sources', async () => {
  const body = {
    org_id: w.org.id,
    team_id: w.team.id,
    announced_on: '2023-01',
    effective_on: '2023-03-31',
    count: 100,
    percentage: 12.5,
    description: 'A round of cuts.',
    source_ids: [w.src1.id],
  };
  const res = await post('layoffs', body);
  assert.equal(res.status, 201, res.text);
  const l = res.body;
  assert.equal(new URL(res.headers.get('location'), BASE).pathname, `/layoffs/${l.id}`);
  for (const [k, v] of Object.entries(body)) assert.deepEqual(l[k], v, k);
  assert.deepEqual(l.org, summaryOfOrg(w.org));
  assert.deepEqual(l.team, summaryOfTeam(w.team));
  assert.deepEqual(l.sources, [summaryOfSource(w.src1)]);
  assert.equal(l.named_departures, 0);
  assert.deepEqual(l.departures, []);
  const got = await read('layoffs', l.id);
  assert.deepEqual(got.body, l);
  const p = await patch('layoffs', l.id, { team_id: null, percentage: null, count: 90 });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.team_id, null);
  assert.equal(p.body.team, null);
  assert.equal(p.body.percentage, null);
  assert.equal(p.body.count, 90);
  assert.equal(p.body.announced_on, '2023-01');
  assert.equal((await remove('layoffs', l.id)).status, 204);
  expectProblem(await read('layoffs', l.id), 404);
});

test('layoffs: validation names every bad field (required org_id and announced_on, dates, ranges, unknown fields, team of another org)', async () => {
  expectFields(await post('layoffs', { count: -1, percentage: 101, announced_on: 'Q1 2023', effective_on: '2023-02-29', size: 3 }), ['org_id', 'count', 'percentage', 'announced_on', 'effective_on', 'size']);
  expectFields(await post('layoffs', { org_id: w.org.id, announced_on: '2023', team_id: w.otherTeam.id }), ['team_id'], 'a team of another org:');
  expectFields(await post('layoffs', { org_id: randomUUID(), announced_on: '2023' }), ['org_id'], 'an unknown org:');
  expectFields(await post('layoffs', { org_id: w.org.id, announced_on: '2023', count: 1.5 }), ['count']);
});

test('layoffs: announced_on is required (openapi LayoffCreate) — a layoff without it is a 400, not a record the spec cannot describe', async () => {
  const res = await api('POST', '/layoffs', { key: 'editor', body: { org_id: w.other.id, count: 1, description: `no date ${RUN}` } });
  if (res.status === 201) await remove('layoffs', res.body.id);
  checkSpec(res, 'POST', '/layoffs');
  expectFields(res, ['announced_on']);
});

test('GET /layoffs/{id} lists its linked departures (oldest first, retracted left out); count stays separate from named_departures', async () => {
  const org = await fx.org('LaidOff');
  const team = await fx.team(org, 'Probability');
  const layoff = await make('layoffs', { org_id: org.id, team_id: team.id, announced_on: '2022-11', count: 50, percentage: 100 });
  const [a, b, c] = await Promise.all(['LaidA', 'LaidB', 'LaidC'].map((l) => fx.person(l)));
  const db = await fx.departure(b, org, '2022-11-15', { layoff_id: layoff.id, kind: 'laid_off', team_id: team.id, title: 'Engineer' });
  const da = await fx.departure(a, org, '2022-11', { layoff_id: layoff.id, kind: 'laid_off' });
  const dc = await fx.departure(c, org, '2022-12', { layoff_id: layoff.id, kind: 'laid_off', status: 'retracted' });
  const got = (await read('layoffs', layoff.id)).body;
  assert.equal(got.count, 50, 'the reported count is kept');
  assert.equal(got.named_departures, 2, 'named departures are counted apart (retracted left out)');
  assert.deepEqual(got.departures.map((x) => x.id), [da.id, db.id], 'linked departures, oldest first');
  assert.deepEqual(got.departures[1], {
    id: db.id,
    person: summaryOfPerson(b),
    team: summaryOfTeam(team),
    title: 'Engineer',
    departed_on: '2022-11-15',
    status: 'reported',
  });
  assert.ok(!got.departures.some((x) => x.id === dc.id));
  const listed = (await walk(`/layoffs${qs({ org: org.id })}`)).items;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].named_departures, 2);
  assert.equal(listed[0].departures, null, 'lists leave departures out (null)');
  sameSet(await depIds({ layoff: layoff.id }), [da.id, db.id], '/departures?layoff=');
  assert.equal(db.layoff.count, 50, "a departure's layoff summary carries the count");

  const blocked = await remove('layoffs', layoff.id);
  expectProblem(blocked, 409);
  assert.match(blocked.body.detail || '', /departure/i, `the 409 says what refers to it: ${blocked.body.detail}`);
  for (const d of [da, db, dc]) assert.equal((await patch('departures', d.id, { layoff_id: null })).status, 200);
  assert.equal((await remove('layoffs', layoff.id)).status, 204, 'deletable once nothing refers to it');
});

test('layoffs filters: org, team, from/to (overlap on announced_on); pagination', async () => {
  const org = await fx.org('LayoffFilters');
  const team = await fx.team(org, 'Cut');
  const l1 = await make('layoffs', { org_id: org.id, announced_on: '2022-11' });
  const l2 = await make('layoffs', { org_id: org.id, team_id: team.id, announced_on: '2023' });
  const l3 = await make('layoffs', { org_id: org.id, announced_on: '2023-07-12' });
  const lids = (params) => ids(`/layoffs${qs({ org: org.slug, ...params })}`);
  sameSet(await lids({}), [l1.id, l2.id, l3.id]);
  sameSet(await lids({ team: team.id }), [l2.id]);
  sameSet(await lids({ from: '2022-11-30', to: '2022-12' }), [l1.id]);
  sameSet(await lids({ from: '2023-07-13' }), [l2.id], 'a "2023" layoff overlaps from=2023-07-13');
  sameSet(await lids({ to: '2022-10-31' }), []);
  sameSet(await lids({ from: '2023-07', to: '2023-07' }), [l2.id, l3.id]);
  const paged = await walk(`/layoffs${qs({ org: org.slug, limit: 1 })}`);
  assert.equal(paged.pages, 3);
  sameSet(paged.items.map((x) => x.id), [l1.id, l2.id, l3.id]);
});

// ------------------------------------------------------------------ timeline

test('GET /people/{id}/timeline: positions, manager changes, departures and returns in date order, each with its sources', async () => {
  const org = await fx.org('TimelineOrg');
  const dest = await fx.org('TimelineDest');
  const side = await fx.org('TimelineSide');
  const team = await fx.team(org, 'TimelineTeam');
  const [p, m] = await Promise.all([fx.person('Timeline'), fx.person('TimelineBoss')]);
  const [s1, s2, s3] = [await fx.source('tl-one'), await fx.source('tl-two'), await fx.source('tl-three')];
  await fx.position(m, org, { started_on: '2010' });
  const pos = await fx.position(p, org, { team_id: team.id, title: 'Scientist', started_on: '2019-03', source_ids: [s1.id] });
  const ln = await fx.line(p, m, { valid_from: '2020', source_ids: [s2.id] });
  const sidePos = await fx.position(p, side, { title: 'Advisor', started_on: '2024' });
  const dep = await fx.departure(p, org, '2024-04', { destination_org_id: dest.id, title: 'Scientist', source_ids: [s3.id], returned_on: '2025-02' });
  const destPos = await fx.position(p, dest, { title: 'Founder', started_on: '2024-05', source_ids: [s3.id] });

  const tl = await timeline(p.slug);
  assert.deepEqual(tl.person, summaryOfPerson(p));
  const got = tl.events.map((e) => `${e.event}@${e.on}`);
  const expected = [
    'position_started@2019-03',
    'manager_started@2020',
    'position_started@2024',
    'position_ended@2024-04',
    'manager_ended@2024-04',
    'departed@2024-04',
    'position_started@2024-05',
    'returned@2025-02',
  ];
  sameSet(got, expected, 'every event once');
  const key = (on) => {
    const [y, mo = '01', d = '01'] = on.split('-');
    return `${y}-${mo}-${d}`;
  };
  for (let i = 1; i < tl.events.length; i++) {
    assert.ok(key(tl.events[i - 1].on) <= key(tl.events[i].on), `date order: ${got[i - 1]} before ${got[i]}`);
  }
  assert.ok(got.indexOf('position_started@2024') < got.indexOf('departed@2024-04'), '"2024" (from Jan 1) sorts before "2024-04"');
  assert.ok(got.indexOf('departed@2024-04') < got.indexOf('returned@2025-02'));

  const find = (event, on) => tl.events.find((e) => e.event === event && e.on === on);
  const started = find('position_started', '2019-03');
  assert.equal(started.position_id, pos.id);
  assert.deepEqual(started.org, summaryOfOrg(org));
  assert.deepEqual(started.team, summaryOfTeam(team));
  assert.equal(started.title, 'Scientist');
  assert.deepEqual(started.sources, [summaryOfSource(s1)], 'a position event carries the position sources');
  const mgr = find('manager_started', '2020');
  assert.equal(mgr.reporting_line_id, ln.id);
  assert.deepEqual(mgr.manager, summaryOfPerson(m));
  assert.deepEqual(mgr.sources, [summaryOfSource(s2)], 'a manager event carries the line sources');
  const left = find('departed', '2024-04');
  assert.equal(left.departure_id, dep.id);
  assert.deepEqual(left.destination_org, summaryOfOrg(dest));
  assert.equal(left.status, 'reported');
  assert.deepEqual(left.sources, [summaryOfSource(s3)], 'a departure event carries its sources');
  const ret = find('returned', '2025-02');
  assert.equal(ret.departure_id, dep.id);
  assert.equal(find('position_started', '2024-05').position_id, destPos.id);
  assert.equal(find('position_started', '2024').position_id, sidePos.id);

  expectProblem(checkSpec(await api('GET', `/people/no-such-person-${RUN}/timeline`), 'GET', '/people/{id}/timeline'), 404);
});

test('GET /people/{id}/timeline for a sample person: Meijer left Meta 2024-04 for Automind', async () => {
  const tl = await timeline('erik-meijer');
  const left = tl.events.find((e) => e.event === 'departed' && e.org?.slug === 'meta');
  assert.ok(left, 'the departure from Meta');
  assert.equal(left.on, '2024-04');
  assert.equal(left.destination_org?.slug, 'automind');
  assert.ok(left.sources.length >= 1, 'with its source');
  const founded = tl.events.find((e) => e.event === 'position_started' && e.org?.slug === 'automind');
  assert.ok(founded && founded.on === '2024-04');
});

// The org chart through time (issue 5): /reporting-lines with every convention of the contract
// and its time rules (one manager at any instant, no cycle at any instant, valid_to after
// valid_from, no self-report, concurrent writers), charts as of a day (sample data: LeCun's
// change of manager in 2025), root and depth limits, partial-date edges, reports and manager
// chains, what changed at an organization between two dates, team members and alumni.
// Runs against the server at ORGWATCH_TEST_URL (sample data loaded). Every record made here
// carries a random run word, so the file can run again and again on one database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, BASE, checkSpec, expectProblem } from './lib.mjs';
import { assertCsvCell, csvObjects, expectFields, nameWord, page, patch, qs, read, remove, walk } from './helpers-records.mjs';
import {
  chainSlugs,
  changes,
  chart,
  expectBadParam,
  fixtures,
  flatten,
  ids,
  line,
  managers,
  pageOk,
  reports,
  runWord,
  shape,
  todayUtc,
} from './helpers-history.mjs';

const RUN = runWord();
const fx = fixtures(RUN);
const ETAG_RE = /^(W\/)?"[^"]*"$/;

async function postLine(body, { key = 'editor', headers = {} } = {}) {
  return checkSpec(await api('POST', '/reporting-lines', { key, body, headers }), 'POST', '/reporting-lines');
}
const sorted = (a) => [...a].sort();
const sameSet = (actual, expected, what) => assert.deepEqual(sorted(actual), sorted(expected), what);
const lineIds = (params) => ids(`/reporting-lines${qs(params)}`);
const summary = (p) => ({ id: p.id, slug: p.slug, full_name: p.full_name });

// Asserts a 409 problem whose detail names every one of `words`.
function expectConflictNaming(res, words, what) {
  expectProblem(res, 409);
  const detail = res.body.detail || '';
  for (const w of words) assert.ok(detail.includes(w), `${what}: the 409 detail names ${w}: ${detail}`);
}

// A small company used by the chart, reports and managers tests:
//   ceo ← vp1 ← e1 ← e11   (e1 under vp1 from 2021 until 2023, then under vp2)
//   ceo ← vp2 ← e2
//   z: at the org, managed by o who works elsewhere (so z is a root there)
const X = {};
before(async () => {
  X.org = await fx.org('Chart Co');
  X.elsewhere = await fx.org('Chart Elsewhere');
  X.eng = await fx.team(X.org, 'Engineering');
  X.ops = await fx.team(X.org, 'Operations');
  const names = ['ceo', 'vp1', 'vp2', 'e1', 'e11', 'e2', 'z', 'o'];
  const people = await Promise.all(names.map((n) => fx.person(`Chart ${n}`)));
  names.forEach((n, i) => (X[n] = people[i]));
  const titles = { ceo: 'CEO', vp1: 'VP Engineering', vp2: 'VP Operations', e1: 'Lead', e11: 'Engineer', e2: 'Operator', z: 'Liaison' };
  const teams = { vp1: X.eng, e1: X.eng, e11: X.eng, vp2: X.ops, e2: X.ops };
  for (const n of Object.keys(titles)) {
    X[`pos_${n}`] = await fx.position(X[n], X.org, { title: titles[n], team_id: teams[n]?.id ?? null, started_on: '2020' });
  }
  await fx.position(X.o, X.elsewhere, { title: 'Partner', started_on: '2015' });
  X.l_vp1 = await fx.line(X.vp1, X.ceo, { valid_from: '2021' });
  X.l_vp2 = await fx.line(X.vp2, X.ceo, { valid_from: '2021' });
  X.l_e1a = await fx.line(X.e1, X.vp1, { valid_from: '2021', valid_to: '2023' });
  X.l_e1b = await fx.line(X.e1, X.vp2, { valid_from: '2023' });
  X.l_e11 = await fx.line(X.e11, X.e1, { valid_from: '2021' });
  X.l_e2 = await fx.line(X.e2, X.vp2, { valid_from: '2021' });
  X.l_z = await fx.line(X.z, X.o, { valid_from: '2021' });
});
const s = (n) => X[n].slug;

// ------------------------------------------------------------------ reporting lines: CRUD and conventions

test('reporting-lines: create (201, Location, ETag) with embedded report/manager/sources, read, merge-patch, delete', async () => {
  const [r, m] = await Promise.all([fx.person('Report'), fx.person('Manager')]);
  const src = await fx.source('line');
  const res = await postLine({ report_id: r.id, manager_id: m.id, valid_from: '2022-03', valid_to: null, source_ids: [src.id] });
  assert.equal(res.status, 201, res.text);
  const l = res.body;
  assert.equal(new URL(res.headers.get('location'), BASE).pathname, `/reporting-lines/${l.id}`);
  assert.match(res.headers.get('etag') || '', ETAG_RE);
  assert.equal(l.report_id, r.id);
  assert.equal(l.manager_id, m.id);
  assert.equal(l.valid_from, '2022-03');
  assert.equal(l.valid_to, null);
  assert.deepEqual(l.report, summary(r));
  assert.deepEqual(l.manager, summary(m));
  assert.deepEqual(l.source_ids, [src.id]);
  assert.deepEqual(l.sources, [{ id: src.id, url: src.url, publisher: src.publisher, title: src.title }]);
  const got = await read('reporting-lines', l.id);
  assert.deepEqual(got.body, l);
  assert.equal(got.headers.get('etag'), res.headers.get('etag'));

  const p = await patch('reporting-lines', l.id, { valid_to: '2024-06-15', source_ids: null });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.valid_to, '2024-06-15');
  assert.equal(p.body.valid_from, '2022-03', 'absent fields are kept');
  assert.deepEqual(p.body.source_ids, []);
  assert.equal((await remove('reporting-lines', l.id)).status, 204);
  expectProblem(await read('reporting-lines', l.id), 404);
  expectProblem(await read('reporting-lines', randomUUID()), 404);
});

test('reporting-lines: references by slug (report, manager) and sources by URL', async () => {
  const [r, m] = await Promise.all([fx.person('SlugReport'), fx.person('SlugManager')]);
  const src = await fx.source('slugline');
  const res = await postLine({ report: r.slug, manager: m.slug, valid_from: '2020', sources: [src.url] });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.report_id, r.id);
  assert.equal(res.body.manager_id, m.id);
  assert.deepEqual(res.body.source_ids, [src.id]);
});

test('reporting-lines: validation names every bad field; unknown people; self-report; valid_to not after valid_from', async () => {
  const [r, m] = await Promise.all([fx.person('Valid'), fx.person('ValidBoss')]);
  expectFields(await postLine({}), ['report_id', 'manager_id'], 'an empty body:');
  expectFields(
    await postLine({ report_id: r.id, manager_id: m.id, valid_from: 'Jan 2025', valid_to: '2025-13', boss: 'x' }),
    ['valid_from', 'valid_to', 'boss'],
    'bad dates and an unknown field:',
  );
  expectFields(await postLine({ report_id: 'nope', manager_id: m.id, valid_from: '2025' }), ['report_id'], 'a malformed id:');
  expectFields(await postLine({ report_id: randomUUID(), manager_id: m.id, valid_from: '2025' }), ['report_id'], 'an unknown report:');
  expectFields(await postLine({ report_id: r.id, manager_id: randomUUID(), valid_from: '2025' }), ['manager_id'], 'an unknown manager:');
  expectFields(await postLine({ report: `no-such-person-${RUN}`, manager_id: m.id, valid_from: '2025' }), ['report'], 'an unknown report slug:');
  // A person cannot report to themself.
  const self = await postLine({ report_id: r.id, manager_id: r.id, valid_from: '2025' });
  expectProblem(self, 400);
  assert.ok(self.body.errors?.length > 0, 'the 400 names a field');
  // valid_to must come after valid_from (a period ends on the first day of valid_to).
  for (const [from, to] of [
    ['2025-03-01', '2025-03-01'],
    ['2025', '2024-12-31'],
    ['2025-06', '2025'],
    ['2025', '2025-01-01'],
    ['2025-03', '2025-03'],
  ]) {
    expectFields(await postLine({ report_id: r.id, manager_id: m.id, valid_from: from, valid_to: to }), ['valid_to'], `valid_from ${from}, valid_to ${to}:`);
  }
  assert.deepEqual(await lineIds({ report: r.id }), [], 'nothing was stored');
  // The shortest valid periods.
  const ok = await postLine({ report_id: r.id, manager_id: m.id, valid_from: '2025-03', valid_to: '2025-03-02' });
  assert.equal(ok.status, 201, `valid_from 2025-03, valid_to 2025-03-02 is one day: ${ok.text}`);
  // PATCH keeps the same rules.
  expectFields(await patch('reporting-lines', ok.body.id, { valid_to: '2025-02' }), ['valid_to']);
  const selfPatch = await patch('reporting-lines', ok.body.id, { manager_id: r.id });
  expectProblem(selfPatch, 400);
  expectFields(await patch('reporting-lines', ok.body.id, { colour: 1, valid_from: 'soon' }), ['colour', 'valid_from']);
});

test('reporting-lines: writes need an editor key; ETag / If-Match (412) / If-None-Match (304); Idempotency-Key', async () => {
  const [r, m] = await Promise.all([fx.person('EtagR'), fx.person('EtagM')]);
  const body = { report_id: r.id, manager_id: m.id, valid_from: '2019' };
  expectProblem(checkSpec(await api('POST', '/reporting-lines', { body }), 'POST', '/reporting-lines'), 401);
  expectProblem(await postLine(body, { key: 'reader' }), 403);

  const key = `idem-line-${RUN}-${randomUUID()}`;
  const first = await postLine(body, { headers: { 'idempotency-key': key } });
  assert.equal(first.status, 201, first.text);
  const again = await postLine(body, { headers: { 'idempotency-key': key } });
  assert.equal(again.status, 201, 'the replay answers 201 (a new create would overlap: 409)');
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  expectProblem(await postLine({ ...body, valid_from: '2018' }, { headers: { 'idempotency-key': key } }), 409);
  assert.deepEqual(await lineIds({ report: r.id }), [first.body.id], 'one line stored');

  const id = first.body.id;
  const etag0 = first.headers.get('etag');
  assert.equal((await read('reporting-lines', id, { headers: { 'if-none-match': etag0 } })).status, 304);
  expectProblem(await patch('reporting-lines', id, { valid_to: '2020' }, { headers: { 'if-match': '"stale"' } }), 412);
  assert.equal((await line(id)).valid_to, null, 'a 412 changes nothing');
  expectProblem(await patch('reporting-lines', id, { valid_to: '2020' }, { key: 'reader' }), 403);
  const ok = await patch('reporting-lines', id, { valid_to: '2020' }, { headers: { 'if-match': etag0 } });
  assert.equal(ok.status, 200, ok.text);
  assert.notEqual(ok.headers.get('etag'), etag0);
  expectProblem(await remove('reporting-lines', id, { headers: { 'if-match': etag0 } }), 412);
  assert.equal((await remove('reporting-lines', id, { headers: { 'if-match': ok.headers.get('etag') } })).status, 204);
});

test('reporting-lines list: filters report, manager (id or slug), as_of; pagination; CSV; bad filters are a 400 naming them', async () => {
  const boss = await fx.person('ListBoss');
  const reps = await Promise.all([1, 2, 3, 4, 5].map((i) => fx.person(`ListRep${i}`)));
  const made = [];
  for (let i = 0; i < reps.length; i++) made.push(await fx.line(reps[i], boss, { valid_from: `201${i}`, valid_to: i === 4 ? '2020-06' : null }));
  const other = await fx.person('ListOtherBoss');
  const extra = await fx.line(boss, other, { valid_from: '2010-05-05' });

  sameSet(await lineIds({ manager: boss.slug }), made.map((l) => l.id), 'manager by slug');
  sameSet(await lineIds({ manager: boss.id }), made.map((l) => l.id), 'manager by id');
  assert.deepEqual(await lineIds({ report: reps[2].slug }), [made[2].id], 'report');
  assert.deepEqual(await lineIds({ report: boss.id }), [extra.id]);
  sameSet(await lineIds({ manager: boss.id, as_of: '2012-06-01' }), [made[0].id, made[1].id, made[2].id], 'as_of');
  sameSet(await lineIds({ manager: boss.id, as_of: '2014-01-01' }), made.map((l) => l.id), 'as_of: a line from "2014" is in force on 2014-01-01');
  sameSet(await lineIds({ manager: boss.id, as_of: '2013-12-31' }), made.slice(0, 4).map((l) => l.id), 'as_of: … and not on 2013-12-31');
  sameSet(await lineIds({ manager: boss.id, as_of: '2020-06-01' }), made.slice(0, 4).map((l) => l.id), 'as_of: a line ending "2020-06" is over on 2020-06-01');
  sameSet(await lineIds({ manager: boss.id, as_of: '2020-05-31' }), made.map((l) => l.id));

  const paged = await walk(`/reporting-lines${qs({ manager: boss.id, limit: 2 })}`);
  assert.equal(paged.pages, 3);
  sameSet(paged.items.map((x) => x.id), made.map((l) => l.id), 'each line once across pages');

  const json = await pageOk(`/reporting-lines${qs({ manager: boss.id })}`);
  const csv = await page(`/reporting-lines${qs({ manager: boss.id })}`, { headers: { accept: 'text/csv' } });
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const { header, rows } = csvObjects(csv.text);
  assert.deepEqual(rows.map((x) => x.id), json.body.items.map((x) => x.id), 'the same rows in the same order');
  json.body.items.forEach((item, i) => {
    for (const col of header) if (col in item) assertCsvCell(rows[i][col], item[col], `row ${i} column ${col}`);
  });
  const missing = Object.keys(json.body.items[0]).filter((f) => !header.includes(f));

  for (const [param, value] of [
    ['report', `no-such-person-${RUN}`],
    ['manager', randomUUID()],
    ['as_of', '2024-06'],
    ['as_of', '2024-02-30'],
    ['updated_since', 'now'],
    ['boss', 'x'],
    ['cursor', 'garbage'],
    ['limit', '0'],
  ]) {
    await expectBadParam(`/reporting-lines${qs({ [param]: value })}`, '/reporting-lines', param);
  }
  assert.deepEqual(missing, [], `every JSON field has a CSV column (${header})`);
});

test('reporting lines of the sample without a known start (valid_from null) validate against openapi.yaml', async () => {
  // Andrew Bosworth reports to Mark Zuckerberg "since some time": the sample stores valid_from null.
  const res = checkSpec(await api('GET', `/reporting-lines${qs({ report: 'andrew-bosworth' })}`), 'GET', '/reporting-lines');
  assert.equal(res.status, 200);
  assert.equal(res.body.items.length, 1);
  assert.equal(res.body.items[0].manager.slug, 'mark-zuckerberg');
});

// ------------------------------------------------------------------ one manager at a time, no cycles

test('one manager at any instant: an overlapping line is a 409 naming the line it overlaps; touching periods are fine', async () => {
  const [r, m1, m2, m3] = await Promise.all(['OneR', 'OneM1', 'OneM2', 'OneM3'].map((l) => fx.person(l)));
  const first = await fx.line(r, m1, { valid_from: '2020', valid_to: '2023-06' });
  for (const [from, to] of [
    ['2022', null],
    ['2019', '2020-02'],
    ['2023-05', '2024'],
    ['2023-05-31', null],
    ['2019', null],
    ['2021-01-01', '2021-01-02'],
  ]) {
    expectConflictNaming(await postLine({ report_id: r.id, manager_id: m2.id, valid_from: from, valid_to: to }), [first.id], `overlap ${from}…${to}:`);
  }
  // The same manager again overlapping is also a second line at one instant.
  expectProblem(await postLine({ report_id: r.id, manager_id: m1.id, valid_from: '2021' }), 409);
  // A line from the first day the other ends, or ending the day it starts, meets without overlapping.
  const next = await postLine({ report_id: r.id, manager_id: m2.id, valid_from: '2023-06' });
  assert.equal(next.status, 201, `a line from 2023-06 after one ending 2023-06: ${next.text}`);
  const prev = await postLine({ report_id: r.id, manager_id: m3.id, valid_from: '2018', valid_to: '2020' });
  assert.equal(prev.status, 201, `a line ending 2020 before one from 2020: ${prev.text}`);
  // An open-ended line blocks every later one until it is closed.
  expectConflictNaming(await postLine({ report_id: r.id, manager_id: m3.id, valid_from: '2030' }), [next.body.id], 'after an open-ended line:');
  // PATCH is held to the same rule.
  expectConflictNaming(await patch('reporting-lines', first.id, { valid_to: '2024' }), [next.body.id], 'a PATCH that makes an overlap:');
  expectConflictNaming(await patch('reporting-lines', prev.body.id, { valid_from: '2017', valid_to: '2020-02' }), [first.id], 'a PATCH that makes an overlap:');
  const closed = await patch('reporting-lines', next.body.id, { valid_to: '2030' });
  assert.equal(closed.status, 200);
  assert.equal((await postLine({ report_id: r.id, manager_id: m3.id, valid_from: '2030' })).status, 201, 'free once closed');
  // Other people are not affected: m1 may have many reports at once.
  const other = await fx.person('OneOther');
  assert.equal((await postLine({ report_id: other.id, manager_id: m1.id, valid_from: '2021' })).status, 201);
});

test('no cycle at any instant: a line closing a cycle is a 409 naming the cycle (2 and 3 people, POST and PATCH)', async () => {
  const [a, b, c, d] = await Promise.all(['CycA', 'CycB', 'CycC', 'CycD'].map((l) => fx.person(l)));
  await fx.line(a, b, { valid_from: '2020' }); // a reports to b
  expectConflictNaming(await postLine({ report_id: b.id, manager_id: a.id, valid_from: '2021' }), [a.slug, b.slug], 'b → a after a → b:');
  await fx.line(b, c, { valid_from: '2020' }); // b reports to c
  expectConflictNaming(await postLine({ report_id: c.id, manager_id: a.id, valid_from: '2020' }), [a.slug, b.slug, c.slug], 'c → a closes a → b → c:');
  // A line valid before the others began closes no cycle.
  const early = await postLine({ report_id: c.id, manager_id: a.id, valid_from: '2015', valid_to: '2020' });
  assert.equal(early.status, 201, `c → a until 2020 (the others start in 2020): ${early.text}`);
  // PATCH that stretches it into the others' period closes the cycle.
  expectConflictNaming(await patch('reporting-lines', early.body.id, { valid_to: '2020-01-02' }), [a.slug, b.slug, c.slug], 'a PATCH stretching into the cycle:');
  // PATCH changing the manager of an innocent line into a cycle.
  const dl = await fx.line(c, d, { valid_from: '2021' });
  expectConflictNaming(await patch('reporting-lines', dl.id, { manager_id: a.id }), [a.slug, c.slug], 'a PATCH changing the manager:');
  assert.equal((await line(dl.id)).manager_id, d.id, 'the 409 PATCH changed nothing');
});

test('cycles count only where the periods overlap: disjoint periods are fine, an overlap of all lines at one instant is a 409', async () => {
  const [a, b] = await Promise.all([fx.person('PerA'), fx.person('PerB')]);
  await fx.line(a, b, { valid_from: '2020', valid_to: '2022' });
  const later = await postLine({ report_id: b.id, manager_id: a.id, valid_from: '2022', valid_to: '2024' });
  assert.equal(later.status, 201, `b → a from 2022, after a → b ended: ${later.text}`);
  const [c, d] = await Promise.all([fx.person('PerC'), fx.person('PerD')]);
  await fx.line(c, d, { valid_from: '2020', valid_to: '2022' });
  expectConflictNaming(await postLine({ report_id: d.id, manager_id: c.id, valid_from: '2021', valid_to: '2023' }), [c.slug, d.slug], 'a cycle only during 2021:');
  expectConflictNaming(await postLine({ report_id: d.id, manager_id: c.id, valid_from: '2021-12-31', valid_to: '2030' }), [c.slug, d.slug], 'a cycle only on 2021-12-31:');
  // Three lines pairwise overlapping but never all three at once: no instant has a cycle.
  const [x, y, z] = await Promise.all(['PerX', 'PerY', 'PerZ'].map((l) => fx.person(l)));
  await fx.line(x, y, { valid_from: '2020', valid_to: '2022' });
  await fx.line(y, z, { valid_from: '2021', valid_to: '2023' });
  const zx = await postLine({ report_id: z.id, manager_id: x.id, valid_from: '2022', valid_to: '2024' });
  assert.equal(zx.status, 201, `z → x from 2022: x → y has ended by then: ${zx.text}`);
  const [p, q, r] = await Promise.all(['PerP', 'PerQ', 'PerR'].map((l) => fx.person(l)));
  await fx.line(p, q, { valid_from: '2020', valid_to: '2022' });
  await fx.line(q, r, { valid_from: '2021', valid_to: '2023' });
  expectConflictNaming(await postLine({ report_id: r.id, manager_id: p.id, valid_from: '2021-06', valid_to: '2024' }), [p.slug, q.slug, r.slug], 'all three hold during 2021-06…2021-12:');
});

test('two concurrent requests that would together make a cycle: exactly one succeeds', async () => {
  for (let round = 0; round < 6; round++) {
    const [a, b] = await Promise.all([fx.person(`RaceA${round}`), fx.person(`RaceB${round}`)]);
    const periods = round % 2 === 0 ? [{ valid_from: '2020' }, { valid_from: '2020' }] : [{ valid_from: '2020', valid_to: '2022' }, { valid_from: '2021', valid_to: '2023' }];
    const results = await Promise.all([
      api('POST', '/reporting-lines', { key: 'editor', body: { report_id: a.id, manager_id: b.id, ...periods[0] } }),
      api('POST', '/reporting-lines', { key: 'editor', body: { report_id: b.id, manager_id: a.id, ...periods[1] } }),
    ]);
    for (const r of results) checkSpec(r, 'POST', '/reporting-lines');
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 409], `round ${round}: one 201 and one 409, got ${codes} ${results.map((r) => r.text).join(' | ')}`);
    const stored = [...(await lineIds({ report: a.id })), ...(await lineIds({ report: b.id }))];
    assert.equal(stored.length, 1, `round ${round}: one line stored`);
  }
  // Three people, three lines at once: any two are fine, the third closes the cycle.
  for (let round = 0; round < 3; round++) {
    const [a, b, c] = await Promise.all(['Tri1', 'Tri2', 'Tri3'].map((l) => fx.person(`${l}${round}`)));
    const results = await Promise.all(
      [
        [a, b],
        [b, c],
        [c, a],
      ].map(([r, m]) => api('POST', '/reporting-lines', { key: 'editor', body: { report_id: r.id, manager_id: m.id, valid_from: '2024-02-29' } })),
    );
    for (const r of results) checkSpec(r, 'POST', '/reporting-lines');
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 201, 409], `three-way round ${round}`);
  }
});

// ------------------------------------------------------------------ org charts

test('chart from the sample: on 2024-06-01 LeCun is a root; on 2025-06-01 he is under thomas-wang under mark-zuckerberg', async () => {
  const before2025 = await chart('meta', { as_of: '2024-06-01' });
  assert.equal(before2025.as_of, '2024-06-01');
  assert.equal(before2025.org.slug, 'meta');
  const b = flatten(before2025.roots);
  assert.ok(b.has('yann-lecun'), 'LeCun holds a position at Meta in 2024');
  assert.equal(b.get('yann-lecun').depth, 0, 'LeCun is a root before 2025');
  assert.ok(!b.has('thomas-wang'), 'Wang is not at Meta before 2025');
  assert.equal(b.get('yann-lecun').node.title, 'Chief AI Scientist');
  assert.equal(b.get('yann-lecun').node.team?.slug, 'fair');
  assert.ok(!b.has('erik-meijer'), 'Meijer left Meta in 2024-04');

  const after2025 = await chart('meta', { as_of: '2025-06-01' });
  const a = flatten(after2025.roots);
  assert.equal(a.get('yann-lecun')?.parent, 'thomas-wang', 'LeCun reports to Wang in 2025');
  assert.equal(a.get('thomas-wang')?.parent, 'mark-zuckerberg', 'Wang reports to Zuckerberg');
  assert.equal(a.get('mark-zuckerberg')?.depth, 0);
  assert.equal(a.get('yann-lecun').depth, 2);
  assert.ok(!a.has('erik-meijer'), 'Meijer left Meta in 2024-04');
  assert.ok(!a.has('devi-parikh'));

  // The edges of "2025": in force on 2025-01-01, not on 2024-12-31.
  assert.equal(flatten((await chart('meta', { as_of: '2024-12-31' })).roots).get('yann-lecun').depth, 0);
  assert.equal(flatten((await chart('meta', { as_of: '2025-01-01' })).roots).get('yann-lecun').parent, 'thomas-wang');
  // Meijer left "2024-04": on the chart on 2024-03-31, gone on 2024-04-01.
  assert.ok(flatten((await chart('meta', { as_of: '2024-03-31' })).roots).has('erik-meijer'));
  assert.ok(!flatten((await chart('meta', { as_of: '2024-04-01' })).roots).has('erik-meijer'));
});

test('chart: the tree as of a day, before and after a change of manager; title and team on each node', async () => {
  assert.deepEqual(
    shape((await chart(X.org.slug, { as_of: '2020-06-01' })).roots),
    Object.fromEntries(['ceo', 'vp1', 'vp2', 'e1', 'e11', 'e2', 'z'].map((n) => [s(n), {}])),
    'before any line, everyone holding a position is a root',
  );
  const y2022 = { [s('ceo')]: { [s('vp1')]: { [s('e1')]: { [s('e11')]: {} } }, [s('vp2')]: { [s('e2')]: {} } }, [s('z')]: {} };
  const y2023 = { [s('ceo')]: { [s('vp1')]: {}, [s('vp2')]: { [s('e1')]: { [s('e11')]: {} }, [s('e2')]: {} } }, [s('z')]: {} };
  const c2022 = await chart(X.org.slug, { as_of: '2022-06-01' });
  assert.deepEqual(shape(c2022.roots), y2022, '2022: e1 under vp1; z (managed from outside the org) is a root');
  assert.deepEqual(shape((await chart(X.org.slug, { as_of: '2022-12-31' })).roots), y2022, 'the last day before the change');
  assert.deepEqual(shape((await chart(X.org.slug, { as_of: '2023-01-01' })).roots), y2023, 'from 2023-01-01 e1 is under vp2');
  assert.deepEqual(shape((await chart(X.org.id, { as_of: '2024-01-01' })).roots), y2023, 'the org by id');
  const nodes = flatten(c2022.roots);
  assert.equal(nodes.get(s('e1')).node.title, 'Lead');
  assert.deepEqual(nodes.get(s('e1')).node.team, { id: X.eng.id, slug: X.eng.slug, name: X.eng.name });
  assert.equal(nodes.get(s('ceo')).node.team, null);
  assert.deepEqual(nodes.get(s('e11')).node.person, summary(X.e11));
  assert.deepEqual(c2022.org, { id: X.org.id, slug: X.org.slug, name: X.org.name });
});

test('chart: default as_of is today; root= and depth= limit the tree; depth=0 gives no reports', async () => {
  const today = await chart(X.org.slug);
  assert.equal(today.as_of, todayUtc(), 'as_of defaults to today');
  assert.deepEqual(today, await chart(X.org.slug, { as_of: todayUtc() }), 'the same as as_of=today');
  const day = { as_of: '2022-06-01' };
  assert.deepEqual(shape((await chart(X.org.slug, { ...day, depth: 1 })).roots), { [s('ceo')]: { [s('vp1')]: {}, [s('vp2')]: {} }, [s('z')]: {} }, 'depth=1');
  assert.deepEqual(shape((await chart(X.org.slug, { ...day, depth: 2 })).roots), { [s('ceo')]: { [s('vp1')]: { [s('e1')]: {} }, [s('vp2')]: { [s('e2')]: {} } }, [s('z')]: {} }, 'depth=2');
  assert.deepEqual(shape((await chart(X.org.slug, { ...day, depth: 0 })).roots), { [s('ceo')]: {}, [s('z')]: {} }, 'depth=0: the roots without reports');
  assert.deepEqual(shape((await chart(X.org.slug, { ...day, root: s('vp1') })).roots), { [s('vp1')]: { [s('e1')]: { [s('e11')]: {} } } }, 'root=vp1');
  assert.deepEqual(shape((await chart(X.org.slug, { ...day, root: X.vp1.id, depth: 1 })).roots), { [s('vp1')]: { [s('e1')]: {} } }, 'root (by id) and depth');
  assert.deepEqual(shape((await chart(X.org.slug, { ...day, root: s('e11') })).roots), { [s('e11')]: {} }, 'a leaf as root');
  assert.deepEqual(shape((await chart(X.org.slug, { as_of: '2023-06-01', root: s('vp2'), depth: 1 })).roots), { [s('vp2')]: { [s('e1')]: {}, [s('e2')]: {} } });
});

test('chart: root not at the org that day, bad as_of/depth/root, unknown org', async () => {
  const path = (params) => `/organizations/${X.org.slug}/chart${qs(params)}`;
  const tmpl = '/organizations/{id}/chart';
  await expectBadParam(path({ as_of: '2022-06-01', root: s('o') }), tmpl, 'root'); // works elsewhere
  await expectBadParam(path({ as_of: '2019-06-01', root: s('ceo') }), tmpl, 'root'); // before anyone started
  await expectBadParam(path({ as_of: '2022-06-01', root: `no-such-person-${RUN}` }), tmpl, 'root');
  await expectBadParam(path({ as_of: '2022-06' }), tmpl, 'as_of');
  await expectBadParam(path({ as_of: '2022-02-30' }), tmpl, 'as_of');
  await expectBadParam(path({ as_of: 'today' }), tmpl, 'as_of');
  await expectBadParam(path({ depth: -1 }), tmpl, 'depth');
  await expectBadParam(path({ depth: 'all' }), tmpl, 'depth');
  await expectBadParam(path({ levels: 2 }), tmpl, 'levels');
  expectProblem(checkSpec(await api('GET', `/organizations/no-such-org-${RUN}/chart`), 'GET', tmpl), 404);
});

test('chart: siblings ordered by name with case and accents ignored, then id; names and titles keep every character', async () => {
  const org = await fx.org('Order Co');
  const boss = await fx.person('Boss');
  await fx.position(boss, org, { started_on: '2020' });
  // Folded: "anna …", "bob "q" …", "emile …", "zoe …" — not the byte order of the names.
  const labels = ['Zoë', 'Émile', 'anna', 'Bob "Q"'];
  const kids = [];
  for (const l of labels) {
    const p = await fx.person(l);
    await fx.position(p, org, { started_on: '2020', title: `${l} \\ <Lead> \u2028 ✓` });
    await fx.line(p, boss, { valid_from: '2020' });
    kids.push(p);
  }
  const c = await chart(org.slug, { as_of: '2024-01-01' });
  assert.equal(c.roots.length, 1);
  const got = c.roots[0].reports;
  assert.deepEqual(got.map((n) => n.person.full_name.split(' ')[0]), ['anna', 'Bob', 'Émile', 'Zoë'], 'siblings by folded name');
  for (const n of got) {
    const p = kids.find((k) => k.id === n.person.id);
    assert.equal(n.person.full_name, p.full_name, 'the name as stored');
    assert.equal(n.title, `${labels[kids.indexOf(p)]} \\ <Lead> \u2028 ✓`, 'the title as stored');
  }
});

test('chart: a large tree (1,200 people, wide and 6 deep) streams whole and matches its reporting lines', async () => {
  const org = await fx.org('Big Co');
  const tag = `${RUN}-big`;
  const slug = (i) => `chart-${tag}-${i}`.toLowerCase();
  const N = 1200;
  const manager = (i) => (i === 0 ? null : i < 6 ? i - 1 : (i * 7) % Math.min(i, 300)); // a chain of 6, then fan-out
  const lines = [];
  for (let i = 0; i < N; i++) lines.push({ type: 'person', slug: slug(i), full_name: `Big ${nameWord()} ${nameWord()}` }); // unlike each other (GET /people/duplicates)
  for (let i = 0; i < N; i++) lines.push({ type: 'position', person: slug(i), org: org.slug, title: `T${i}`, started_on: '2021' });
  for (let i = 1; i < N; i++) lines.push({ type: 'reporting_line', report: slug(i), manager: slug(manager(i)), valid_from: '2021' });
  const res = await api('POST', '/import', {
    key: 'editor',
    body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    raw: true,
    headers: { 'content-type': 'application/x-ndjson' },
    timeoutMs: 300_000,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const c = await chart(org.slug, { as_of: '2024-01-01' });
  const nodes = flatten(c.roots);
  assert.equal(nodes.size, N, 'every person once');
  assert.deepEqual(c.roots.map((n) => n.person.slug), [slug(0)], 'one root');
  for (let i = 1; i < N; i++) assert.equal(nodes.get(slug(i)).parent, slug(manager(i)), `${slug(i)} under its manager`);
  for (const { node } of nodes.values()) {
    const names = node.reports.map((r) => r.person.full_name);
    assert.deepEqual(names, [...names].sort(), 'siblings in name order');
  }
  const depth3 = flatten((await chart(org.slug, { as_of: '2024-01-01', depth: 3 })).roots);
  assert.equal(Math.max(...[...depth3.values()].map((v) => v.depth)), 3, 'depth=3 stops at the third level');
  const sub = flatten((await chart(org.slug, { as_of: '2024-01-01', root: slug(5) })).roots);
  const below5 = [...nodes.keys()].filter((k) => {
    for (let v = nodes.get(k); v; v = v.parent ? nodes.get(v.parent) : null) if (v.node.person.slug === slug(5)) return true;
    return false;
  });
  assert.deepEqual([...sub.keys()].sort(), below5.sort(), 'root= gives exactly the subtree');
});

test('chart before and after a departure: the leaver is gone from the first day, their reports become roots', async () => {
  const org = await fx.org('Leaving Co');
  const [boss, mid, low] = await Promise.all(['LvBoss', 'LvMid', 'LvLow'].map((l) => fx.person(l)));
  for (const p of [boss, mid, low]) await fx.position(p, org, { started_on: '2020' });
  await fx.line(mid, boss, { valid_from: '2020' });
  await fx.line(low, mid, { valid_from: '2020' });
  await fx.departure(mid, org, '2024-06', { destination_org_id: X.elsewhere.id });
  assert.deepEqual(shape((await chart(org.slug, { as_of: '2024-05-31' })).roots), { [boss.slug]: { [mid.slug]: { [low.slug]: {} } } });
  assert.deepEqual(shape((await chart(org.slug, { as_of: '2024-06-01' })).roots), { [boss.slug]: {}, [low.slug]: {} });
});

test('partial-date edges: a line valid from "2025" is in force on 2025-01-01, not on 2024-12-31; one ending "2026-03" is over on 2026-03-01', async () => {
  const org = await fx.org('Edges');
  const [a, b, c] = await Promise.all(['EdgeA', 'EdgeB', 'EdgeC'].map((l) => fx.person(l)));
  for (const p of [a, b, c]) await fx.position(p, org, { started_on: '2020' });
  const l = await fx.line(a, b, { valid_from: '2025', valid_to: '2026-03' });
  await fx.line(c, b, { valid_from: '2025-03-15' });
  const cases = [
    ['2024-12-31', [], []],
    ['2025-01-01', [b.slug], []],
    ['2025-03-14', [b.slug], []],
    ['2025-03-15', [b.slug], [b.slug]],
    ['2026-02-28', [b.slug], [b.slug]],
    ['2026-03-01', [], [b.slug]],
  ];
  for (const [day, aChain, cChain] of cases) {
    assert.deepEqual(chainSlugs(await managers(a.slug, { as_of: day })), aChain, `a's managers on ${day}`);
    assert.deepEqual(chainSlugs(await managers(c.slug, { as_of: day })), cChain, `c's managers on ${day}`);
    const nodes = flatten((await chart(org.slug, { as_of: day })).roots);
    assert.equal(nodes.get(a.slug).parent, aChain[0] ?? null, `a on the chart on ${day}`);
    assert.equal(nodes.get(c.slug).parent, cChain[0] ?? null, `c on the chart on ${day}`);
    assert.deepEqual(await lineIds({ report: a.id, as_of: day }), aChain.length ? [l.id] : [], `/reporting-lines?as_of=${day}`);
  }
  // A position ended "2024-06" is not held on 2024-06-01.
  const d = await fx.person('EdgeD');
  await fx.position(d, org, { started_on: '2021-02-10', ended_on: '2024-06' });
  assert.ok(flatten((await chart(org.slug, { as_of: '2024-05-31' })).roots).has(d.slug));
  assert.ok(!flatten((await chart(org.slug, { as_of: '2024-06-01' })).roots).has(d.slug));
  assert.ok(!flatten((await chart(org.slug, { as_of: '2021-02-09' })).roots).has(d.slug));
  assert.ok(flatten((await chart(org.slug, { as_of: '2021-02-10' })).roots).has(d.slug));
});

// ------------------------------------------------------------------ reports and managers

test('GET /people/{id}/reports: every level by default (each with its depth), depth limits, as_of', async () => {
  const all = await reports(s('ceo'), { as_of: '2022-06-01' });
  assert.deepEqual(all.person, summary(X.ceo));
  assert.equal(all.as_of, '2022-06-01');
  assert.deepEqual(shape(all.reports), { [s('vp1')]: { [s('e1')]: { [s('e11')]: {} } }, [s('vp2')]: { [s('e2')]: {} } });
  for (const [slug, { node, depth }] of flatten(all.reports)) assert.equal(node.depth, depth + 1, `${slug} carries its depth (1 = direct report)`);
  assert.equal(flatten(all.reports).get(s('e1')).node.title, 'Lead');
  assert.deepEqual(shape((await reports(s('ceo'), { as_of: '2022-06-01', depth: 1 })).reports), { [s('vp1')]: {}, [s('vp2')]: {} }, 'depth=1: direct reports');
  assert.deepEqual(shape((await reports(X.ceo.id, { as_of: '2022-06-01', depth: 2 })).reports), { [s('vp1')]: { [s('e1')]: {} }, [s('vp2')]: { [s('e2')]: {} } }, 'depth=2');
  assert.deepEqual((await reports(s('ceo'), { as_of: '2022-06-01', depth: 0 })).reports, [], 'depth=0: no level below the person');
  assert.deepEqual(shape((await reports(s('vp2'), { as_of: '2023-06-01' })).reports), { [s('e1')]: { [s('e11')]: {} }, [s('e2')]: {} }, 'after the change');
  assert.deepEqual((await reports(s('ceo'), { as_of: '2020-06-01' })).reports, [], 'before any line');
  assert.deepEqual((await reports(s('e11'), { as_of: '2022-06-01' })).reports, [], 'a leaf');
  // Reports across organizations: o manages z (who works at X.org).
  assert.deepEqual(shape((await reports(s('o'), { as_of: '2022-06-01' })).reports), { [s('z')]: {} });
  const dflt = await reports(s('ceo'));
  assert.equal(dflt.as_of, todayUtc(), 'as_of defaults to today');
  // Sample: Wang's reports in 2025.
  const wang = await reports('thomas-wang', { as_of: '2025-06-01' });
  sameSet(wang.reports.map((r) => r.person.slug), ['yann-lecun', 'bucky-friedman', 'zhao']);
  assert.deepEqual((await reports('thomas-wang', { as_of: '2024-06-01' })).reports, []);
  const zuck = await reports('mark-zuckerberg', { as_of: '2025-06-01' });
  assert.equal(flatten(zuck.reports).get('yann-lecun')?.node.depth, 2, 'LeCun is two levels under Zuckerberg in 2025');

  expectProblem(checkSpec(await api('GET', `/people/no-such-person-${RUN}/reports`), 'GET', '/people/{id}/reports'), 404);
  await expectBadParam(`/people/${s('ceo')}/reports?depth=x`, '/people/{id}/reports', 'depth');
  await expectBadParam(`/people/${s('ceo')}/reports?as_of=2022`, '/people/{id}/reports', 'as_of');
});

test('GET /people/{id}/reports: a report holding two positions that day shows the one at an organization of the manager, else the earliest', async () => {
  const third = await fx.org('Chart Third');
  const [mgr, dual, dual2] = await Promise.all([fx.person('Chart Mgr'), fx.person('Chart Dual'), fx.person('Chart Dual Two')]);
  await fx.position(mgr, X.org, { title: 'Director', started_on: '2019' });
  await fx.position(dual, X.elsewhere, { title: 'Advisor', started_on: '2018' });
  await fx.position(dual, X.org, { title: 'Researcher', started_on: '2021-02' });
  await fx.position(dual2, third, { title: 'Second', started_on: '2020' });
  await fx.position(dual2, X.elsewhere, { title: 'First', started_on: '2019-05' });
  await fx.line(dual, mgr, { valid_from: '2021-03' });
  await fx.line(dual2, mgr, { valid_from: '2021-03' });
  const got = flatten((await reports(mgr.slug, { as_of: '2022-06-01' })).reports);
  assert.equal(got.size, 2, 'each report once');
  assert.equal(got.get(dual.slug).node.title, 'Researcher', 'the position at the manager\'s organization, not the earlier one');
  assert.equal(got.get(dual2.slug).node.title, 'First', 'no shared organization: the earliest');
});

test('GET /people/{id}/managers: the chain up to the top, nearest first, as of a day', async () => {
  const c2022 = await managers(s('e11'), { as_of: '2022-06-01' });
  assert.deepEqual(c2022.person, summary(X.e11));
  assert.equal(c2022.as_of, '2022-06-01');
  assert.deepEqual(chainSlugs(c2022), [s('e1'), s('vp1'), s('ceo')], 'nearest first');
  assert.equal(c2022.managers[0].title, 'Lead');
  assert.deepEqual(c2022.managers[0].org, { id: X.org.id, slug: X.org.slug, name: X.org.name });
  assert.deepEqual(c2022.managers[1].team, { id: X.eng.id, slug: X.eng.slug, name: X.eng.name });
  assert.deepEqual(c2022.managers.map((m) => m.depth), [1, 2, 3]);
  assert.deepEqual(chainSlugs(await managers(X.e11.id, { as_of: '2023-06-01' })), [s('e1'), s('vp2'), s('ceo')], 'after the change');
  assert.deepEqual(chainSlugs(await managers(s('ceo'), { as_of: '2022-06-01' })), [], 'the top has no managers');
  assert.deepEqual(chainSlugs(await managers(s('e11'), { as_of: '2020-06-01' })), [], 'before any line');
  assert.deepEqual(chainSlugs(await managers(s('z'), { as_of: '2022-06-01' })), [s('o')], 'a manager at another org');
  assert.equal((await managers(s('e11'))).as_of, todayUtc(), 'as_of defaults to today');
  // Sample.
  assert.deepEqual(chainSlugs(await managers('yann-lecun', { as_of: '2025-06-01' })), ['thomas-wang', 'mark-zuckerberg']);
  assert.deepEqual(chainSlugs(await managers('yann-lecun', { as_of: '2024-06-01' })), []);
  expectProblem(checkSpec(await api('GET', `/people/no-such-person-${RUN}/managers`), 'GET', '/people/{id}/managers'), 404);
  await expectBadParam(`/people/${s('e11')}/managers?as_of=2022-13-01`, '/people/{id}/managers', 'as_of');
  await expectBadParam(`/people/${s('e11')}/managers?depth=1`, '/people/{id}/managers', 'depth');
});

// ------------------------------------------------------------------ changes between two dates

test('GET /organizations/{id}/changes: joined, left (with destination), manager_changed (old → new), team_changed, within the period', async () => {
  const org = await fx.org('Changes Co');
  const dest = await fx.org('Changes Dest', { kind: 'startup' });
  const [t1, t2] = [await fx.team(org, 'Alpha'), await fx.team(org, 'Beta')];
  const [boss, boss2, mover, leaver, newbie, retracted] = await Promise.all(['ChBoss', 'ChBoss2', 'ChMover', 'ChLeaver', 'ChNewbie', 'ChRetracted'].map((l) => fx.person(l)));
  for (const p of [boss, boss2, leaver, retracted]) await fx.position(p, org, { started_on: '2020', title: 'Staff' });
  await fx.position(mover, org, { started_on: '2020', ended_on: '2023-05', team_id: t1.id, title: 'Engineer' });
  await fx.position(mover, org, { started_on: '2023-05', team_id: t2.id, title: 'Senior Engineer' });
  const np = await fx.position(newbie, org, { started_on: '2023-02-14', team_id: t1.id, title: 'Intern' });
  await fx.line(mover, boss, { valid_from: '2021', valid_to: '2023-07' });
  await fx.line(mover, boss2, { valid_from: '2023-07' });
  const dep = await fx.departure(leaver, org, '2023-08', { destination_org_id: dest.id, destination_title: 'CTO', destination_kind: 'founded', title: 'Staff' });
  await fx.departure(retracted, org, '2023-09', { status: 'retracted' });

  const ch = await changes(org.slug, { from: '2023', to: '2023' });
  assert.deepEqual(ch.org, { id: org.id, slug: org.slug, name: org.name });
  assert.equal(ch.from, '2023');
  assert.equal(ch.to, '2023');
  assert.deepEqual(ch.joined.map((j) => j.person.slug), [newbie.slug], 'joined: a new position; a team move is not a join');
  assert.equal(ch.joined[0].started_on, '2023-02-14');
  assert.equal(ch.joined[0].position_id, np.id);
  assert.equal(ch.joined[0].team?.slug, t1.slug);
  assert.deepEqual(ch.left.map((l) => l.person.slug), [leaver.slug], 'left (a retracted departure is left out)');
  const left = ch.left[0];
  assert.equal(left.departed_on, '2023-08');
  assert.deepEqual(left.destination_org, { id: dest.id, slug: dest.slug, name: dest.name }, 'with its destination');
  assert.equal(left.destination_title, 'CTO');
  assert.equal(left.destination_kind, 'founded');
  assert.equal(left.departure_id, dep.id);
  const mc = ch.manager_changed.filter((m) => m.person.slug === mover.slug);
  assert.equal(mc.length, 1, `one manager change of the mover: ${JSON.stringify(ch.manager_changed)}`);
  assert.equal(mc[0].on, '2023-07');
  assert.equal(mc[0].from_manager?.slug, boss.slug, 'old manager');
  assert.equal(mc[0].to_manager?.slug, boss2.slug, 'new manager');
  assert.deepEqual(ch.team_changed.map((t) => t.person.slug), [mover.slug]);
  assert.equal(ch.team_changed[0].on, '2023-05');
  assert.equal(ch.team_changed[0].from_team?.slug, t1.slug);
  assert.equal(ch.team_changed[0].to_team?.slug, t2.slug);

  // Narrower windows (overlap semantics on the event dates).
  const h2 = await changes(org.id, { from: '2023-07-15', to: '2023-12' });
  assert.deepEqual(h2.left.map((l) => l.person.slug), [leaver.slug]);
  assert.deepEqual(h2.joined, []);
  assert.deepEqual(h2.team_changed, []);
  assert.deepEqual(h2.manager_changed.map((m) => m.person.slug), [mover.slug], 'a "2023-07" change overlaps from=2023-07-15');
  const spring = await changes(org.slug, { from: '2023-02-14', to: '2023-05-01' });
  assert.deepEqual(spring.joined.map((j) => j.person.slug), [newbie.slug]);
  assert.deepEqual(spring.team_changed.map((t) => t.person.slug), [mover.slug]);
  assert.deepEqual(spring.left, []);
  assert.deepEqual(spring.manager_changed, []);
  const y2020 = await changes(org.slug, { from: '2020', to: '2020' });
  sameSet(y2020.joined.map((j) => j.person.slug), [boss, boss2, leaver, retracted, mover].map((p) => p.slug), 'everyone who started in 2020');
  const quiet = await changes(org.slug, { from: '2025-01-01', to: '2025-12-31' });
  for (const k of ['joined', 'left', 'manager_changed', 'team_changed']) assert.deepEqual(quiet[k], [], `nothing in 2025: ${k}`);
});

test('GET /organizations/{id}/changes on the sample: Meijer left for Automind in 2024-04; LeCun got a manager in 2025', async () => {
  const april = await changes('meta', { from: '2024-04', to: '2024-04' });
  const meijer = april.left.find((l) => l.person.slug === 'erik-meijer');
  assert.ok(meijer, 'Meijer left in 2024-04');
  assert.equal(meijer.destination_org?.slug, 'automind');
  const y2025 = await changes('meta', { from: '2025-01-01', to: '2025-12-31' });
  const lecun = y2025.manager_changed.find((m) => m.person.slug === 'yann-lecun');
  assert.ok(lecun, 'LeCun has a new manager in 2025');
  assert.equal(lecun.to_manager?.slug, 'thomas-wang');
  assert.ok(y2025.joined.some((j) => j.person.slug === 'thomas-wang'), 'Wang joined in 2025');
});

test('GET /organizations/{id}/changes: from and to are required (400 naming them); bad dates; unknown org 404', async () => {
  const tmpl = '/organizations/{id}/changes';
  await expectBadParam('/organizations/meta/changes?to=2024', tmpl, 'from');
  await expectBadParam('/organizations/meta/changes?from=2024', tmpl, 'to');
  const both = await expectBadParam('/organizations/meta/changes', tmpl, 'from');
  assert.ok(both.body.errors.some((e) => e.field === 'to'), 'both named at once');
  await expectBadParam('/organizations/meta/changes?from=2024-13&to=2025', tmpl, 'from');
  await expectBadParam('/organizations/meta/changes?from=2024&to=someday', tmpl, 'to');
  await expectBadParam('/organizations/meta/changes?from=2024&to=2025&org=x', tmpl, 'org');
  expectProblem(checkSpec(await api('GET', `/organizations/no-such-org-${RUN}/changes?from=2024&to=2025`), 'GET', tmpl), 404);
  // A period ending before it starts: nothing changed in it, or a 400 naming from/to.
  const res = checkSpec(await api('GET', '/organizations/meta/changes?from=2025-06&to=2024'), 'GET', tmpl);
  if (res.status !== 200) {
    assert.equal(res.status, 400, res.text);
    assert.ok(res.body.errors?.some((e) => e.field === 'from' || e.field === 'to'), `the 400 names from or to: ${res.text}`);
  }
});

// ------------------------------------------------------------------ teams: members and alumni

test('teams from the sample: the Probability team (meta%2Fprobability and bare slug): members as of a day, alumni with departure and where they are now', async () => {
  for (const key of ['meta%2Fprobability', 'probability']) {
    const members = (await walk(`/teams/${key}/members${qs({ as_of: '2022-10-31' })}`, { tmpl: '/teams/{id}/members' })).items;
    assert.ok(members.some((m) => m.person.slug === 'erik-meijer'), `${key}: Meijer is a member on 2022-10-31`);
    const after = (await walk(`/teams/${key}/members${qs({ as_of: '2022-11-01' })}`, { tmpl: '/teams/{id}/members' })).items;
    assert.ok(!after.some((m) => m.person.slug === 'erik-meijer'), `${key}: a position ended "2022-11" is over on 2022-11-01`);
    const alumni = (await walk(`/teams/${key}/alumni`, { tmpl: '/teams/{id}/alumni' })).items;
    const meijer = alumni.find((x) => x.person.slug === 'erik-meijer');
    assert.ok(meijer, `${key}: Meijer is an alumnus`);
    assert.equal(meijer.current, false);
    assert.equal(meijer.ended_on, '2022-11');
    assert.equal(meijer.departure?.departed_on, '2024-04', 'his departure from Meta');
    assert.equal(meijer.departure?.destination_org?.slug, 'automind');
    assert.ok(meijer.current_positions.some((p) => p.org.slug === 'automind'), 'where he is now');
  }
  expectProblem(checkSpec(await api('GET', `/teams/meta%2Fno-such-team-${RUN}/alumni`), 'GET', '/teams/{id}/alumni'), 404);
  expectProblem(checkSpec(await api('GET', `/teams/no-such-team-${RUN}/members`), 'GET', '/teams/{id}/members'), 404);
});

test('teams: members as of a day and alumni (current flag, departure with destination, current positions), paged, by id, org%2Fteam and bare slug; CSV', async () => {
  const org = await fx.org('Team Co');
  const dest = await fx.org('Team Dest', { kind: 'lab' });
  const team = await fx.team(org, 'Research Group');
  const [m1, m2, m3, m4] = await Promise.all(['TmStay', 'TmEnded', 'TmLeft', 'TmRetracted'].map((l) => fx.person(l)));
  const p1 = await fx.position(m1, org, { team_id: team.id, title: 'Scientist', started_on: '2020' });
  const p2 = await fx.position(m2, org, { team_id: team.id, title: 'Engineer', started_on: '2021', ended_on: '2023' });
  const p3 = await fx.position(m3, org, { team_id: team.id, title: 'Lead', started_on: '2022' });
  const p4 = await fx.position(m4, org, { team_id: team.id, title: 'Analyst', started_on: '2019-06' });
  const dep = await fx.departure(m3, org, '2024-02', { destination_org_id: dest.id, destination_title: 'Head of Research', destination_kind: 'joined', kind: 'resigned', reason_category: 'competitor' });
  const now3 = await fx.position(m3, dest, { title: 'Head of Research', started_on: '2024-02' });
  await fx.departure(m4, org, '2023', { status: 'retracted' });

  const keys = [team.id, `${org.slug}%2F${team.slug}`, team.slug];
  const memberSlugs = async (key, as_of) =>
    (await walk(`/teams/${key}/members${qs({ as_of })}`, { tmpl: '/teams/{id}/members' })).items.map((m) => m.person.slug);
  for (const key of keys) {
    sameSet(await memberSlugs(key, '2022-06-01'), [m1, m2, m3, m4].map((p) => p.slug), `${key}: members on 2022-06-01`);
    sameSet(await memberSlugs(key, '2023-01-01'), [m1, m3, m4].map((p) => p.slug), `${key}: a position ended "2023" is over on 2023-01-01`);
    sameSet(await memberSlugs(key, '2024-03-01'), [m1, m4].map((p) => p.slug), `${key}: after the departure`);
    sameSet(await memberSlugs(key, '2019-06-01'), [m4.slug], `${key}: a position from "2019-06" counts from 2019-06-01`);
    sameSet(await memberSlugs(key, '2019-05-31'), [], `${key}: … and not before`);
  }
  sameSet(await memberSlugs(team.id), [m1, m4].map((p) => p.slug), 'as_of defaults to today');
  const one = (await walk(`/teams/${team.id}/members${qs({ as_of: '2022-06-01' })}`, { tmpl: '/teams/{id}/members' })).items.find((m) => m.person.slug === m2.slug);
  assert.deepEqual(one, { person: summary(m2), title: 'Engineer', started_on: '2021', ended_on: '2023', position_id: p2.id });
  const paged = await walk(`/teams/${team.id}/members${qs({ as_of: '2022-06-01', limit: 1 })}`, { tmpl: '/teams/{id}/members' });
  assert.equal(paged.pages, 4, 'one member a page');
  sameSet(paged.items.map((m) => m.position_id), [p1.id, p2.id, p3.id, p4.id], 'each member once');

  const alumni = (await walk(`/teams/${keys[1]}/alumni`, { tmpl: '/teams/{id}/alumni' })).items;
  const by = Object.fromEntries(alumni.map((a) => [a.person.slug, a]));
  sameSet(Object.keys(by), [m1, m2, m3, m4].map((p) => p.slug), 'everyone who ever was in the team');
  assert.equal(by[m1.slug].current, true);
  assert.equal(by[m1.slug].departure, null);
  assert.deepEqual(by[m1.slug].current_positions.map((p) => p.id), [p1.id]);
  assert.equal(by[m2.slug].current, false);
  assert.equal(by[m2.slug].ended_on, '2023');
  assert.equal(by[m2.slug].departure, null, 'no departure recorded');
  assert.equal(by[m3.slug].current, false);
  assert.equal(by[m3.slug].title, 'Lead');
  assert.equal(by[m3.slug].started_on, '2022');
  assert.equal(by[m3.slug].ended_on, '2024-02', 'the departure closed the position');
  assert.deepEqual(by[m3.slug].departure, {
    id: dep.id,
    departed_on: '2024-02',
    kind: 'resigned',
    reason_category: 'competitor',
    destination_org: { id: dest.id, slug: dest.slug, name: dest.name },
    destination_title: 'Head of Research',
    destination_kind: 'joined',
    status: 'reported',
  });
  assert.deepEqual(by[m3.slug].current_positions.map((p) => [p.id, p.org.slug, p.title]), [[now3.id, dest.slug, 'Head of Research']], 'where they are now');
  assert.equal(by[m4.slug].departure, null, 'a retracted departure is left out');
  const pagedAlumni = await walk(`/teams/${team.slug}/alumni${qs({ limit: 3 })}`, { tmpl: '/teams/{id}/alumni' });
  assert.equal(pagedAlumni.pages, 2);
  sameSet(pagedAlumni.items.map((a) => a.person.slug), Object.keys(by));

  // CSV of both lists: the same rows as JSON.
  for (const [path, tmpl] of [
    [`/teams/${team.id}/members${qs({ as_of: '2022-06-01' })}`, '/teams/{id}/members'],
    [`/teams/${keys[1]}/alumni`, '/teams/{id}/alumni'],
  ]) {
    const json = await pageOk(path, { tmpl });
    const csv = await page(path, { tmpl, headers: { accept: 'text/csv' } });
    assert.equal(csv.status, 200, csv.text);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const { header, rows } = csvObjects(csv.text);
    assert.equal(rows.length, json.body.items.length, `${tmpl}: the same number of rows`);
    for (const f of Object.keys(json.body.items[0])) assert.ok(header.includes(f), `${tmpl}: a ${f} column (${header})`);
    json.body.items.forEach((item, i) => {
      for (const col of header) assertCsvCell(rows[i][col], item[col], `${tmpl} row ${i} column ${col}`);
    });
  }
  const csvPage = await page(`/teams/${team.id}/members${qs({ as_of: '2022-06-01', limit: 2 })}`, { tmpl: '/teams/{id}/members', headers: { accept: 'text/csv' } });
  assert.equal(csvObjects(csvPage.text).rows.length, 2);
  assert.match(csvPage.headers.get('link') || '', /rel="?next"?/);

  await expectBadParam(`/teams/${team.id}/members?as_of=2022`, '/teams/{id}/members', 'as_of');
  await expectBadParam(`/teams/${team.id}/members?since=2022-01-01`, '/teams/{id}/members', 'since');
  await expectBadParam(`/teams/${team.id}/alumni?as_of=2022-01-01`, '/teams/{id}/alumni', 'as_of');
  await expectBadParam(`/teams/${team.id}/alumni?limit=0`, '/teams/{id}/alumni', 'limit');
});

// Bulk import at COPY speed (issue 13): the set-based apply of people, positions, reporting
// lines and departures keeps every promise of the record-by-record path. One manager at a time
// and no cycle are checked for the whole batch (staged lines against each other and against
// the table), every bad line of a big file is named, every record written gets its audit row,
// a dry run writes nothing, a re-import is all `unchanged`, a natural key given twice in one
// file is one record when the lines are identical and a 422 naming both when they differ, departures close what a single POST /departures closes, and
// new ids are time-ordered (UUID version 7).
// Runs against ORGWATCH_TEST_URL with the editor key of lib.mjs; the audit-row count reads the
// database when ORGWATCH_TEST_DATABASE_URL is set (psql), and is skipped otherwise.
// Every slug carries a random word, so the file can run again and again on one database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, checkSpec } from './lib.mjs';
import { qs, read, walk, word } from './helpers-records.mjs';

const RUN = word(8);
const slug = (what) => `bi-${RUN}-${what}`;
const nd = (records) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL;

async function importBody(body, { dryRun } = {}) {
  const q = qs({ dry_run: dryRun === undefined ? undefined : String(dryRun) });
  const res = await api('POST', `/import${q}`, { key: 'editor', body, raw: true, headers: { 'content-type': 'application/x-ndjson' }, timeoutMs: 300_000 });
  return checkSpec(res, 'POST', '/import');
}

function report(res, status) {
  assert.equal(res.status, status, `import → ${res.status} ${res.text.slice(0, 3000)}`);
  return res.body;
}

const all = async (p) => (await walk(p)).items;

/** An organization and `n` people with a position there each (enough for the set-based path). */
function base(tag, n) {
  const org = slug(`${tag}-org`);
  const recs = [{ type: 'organization', slug: org, name: `Bulk ${tag} ${RUN}` }];
  for (let i = 1; i <= n; i++) recs.push({ type: 'person', slug: slug(`${tag}-${i}`), full_name: `Bulk ${tag} ${i} ${RUN}` });
  for (let i = 1; i <= n; i++) recs.push({ type: 'position', person: slug(`${tag}-${i}`), org, title: `T${i}`, started_on: '2020' });
  return { org, recs, p: (i) => slug(`${tag}-${i}`) };
}

test('one manager at a time: two lines of one file that overlap, and a line that overlaps the table, are named', async () => {
  const { recs, p } = base('ovl', 6);
  recs.push({ type: 'reporting_line', report: p(2), manager: p(1), valid_from: '2021' });
  recs.push({ type: 'reporting_line', report: p(3), manager: p(1), valid_from: '2021' });
  recs.push({ type: 'reporting_line', report: p(4), manager: p(1), valid_from: '2021' });
  report(await importBody(nd(recs)), 200);

  const lines = [
    { type: 'reporting_line', report: p(5), manager: p(1), valid_from: '2021', valid_to: '2023' }, // line 1: fine
    { type: 'reporting_line', report: p(5), manager: p(2), valid_from: '2022' }, // line 2: overlaps line 1
    { type: 'reporting_line', report: p(2), manager: p(3), valid_from: '2022' }, // line 3: overlaps p2 → p1 in the table
    { type: 'reporting_line', report: p(6), manager: p(1), valid_from: '2023' }, // line 4: fine
  ];
  const r = report(await importBody(nd(lines)), 422);
  assert.deepEqual(r.errors.map((e) => e.line), [2, 3], JSON.stringify(r.errors));
  assert.match(r.errors[0].message, /^conflict: .*already reports to .*line 1 of this import.*one manager at a time/);
  assert.match(r.errors[1].message, /^conflict: .*already reports to .*reporting line [0-9a-f-]{36}.*one manager at a time/);
  assert.equal(r.errors_total, 2);
  // All or nothing: the good lines were not written either.
  assert.deepEqual(await all(`/reporting-lines${qs({ report: p(5) })}`), []);
  assert.deepEqual(await all(`/reporting-lines${qs({ report: p(6) })}`), []);
});

test('no cycle: one closed by the batch’s own lines, and one closed with lines already in the table', async () => {
  const { recs, p } = base('cyc', 8);
  recs.push({ type: 'reporting_line', report: p(2), manager: p(1), valid_from: '2021' });
  recs.push({ type: 'reporting_line', report: p(3), manager: p(2), valid_from: '2021' });
  report(await importBody(nd(recs)), 200);

  const lines = [
    { type: 'reporting_line', report: p(5), manager: p(4), valid_from: '2021' }, // 1
    { type: 'reporting_line', report: p(6), manager: p(5), valid_from: '2021' }, // 2
    { type: 'reporting_line', report: p(4), manager: p(6), valid_from: '2021' }, // 3: closes 4 → 6 → 5 → 4
    { type: 'reporting_line', report: p(1), manager: p(3), valid_from: '2022' }, // 4: closes 1 → 3 → 2 → 1 (table)
    { type: 'reporting_line', report: p(7), manager: p(3), valid_from: '2021' }, // 5: fine
    { type: 'reporting_line', report: p(8), manager: p(7), valid_from: '2020', valid_to: '2021' }, // 6: fine
  ];
  const r = report(await importBody(nd(lines)), 422);
  assert.deepEqual(r.errors.map((e) => e.line), [3, 4], JSON.stringify(r.errors));
  assert.equal(r.errors[0].message, `conflict: this line would close a reporting cycle: ${p(4)} → ${p(6)} → ${p(5)} → ${p(4)}`);
  assert.equal(r.errors[1].message, `conflict: this line would close a reporting cycle: ${p(1)} → ${p(3)} → ${p(2)} → ${p(1)}`);

  // Lines that never meet in time close no cycle: 1 → 3 before 2021 only, while 2 → 1 holds from 2021.
  const apart = [
    { type: 'reporting_line', report: p(5), manager: p(4), valid_from: '2021' },
    { type: 'reporting_line', report: p(4), manager: p(5), valid_from: '2019', valid_to: '2021' },
  ];
  report(await importBody(nd(apart)), 200);
});

test('a big file names every bad line and field; nothing of it is written', async () => {
  const { org, recs, p } = base('big', 3);
  report(await importBody(nd(recs)), 200);
  const big = [];
  const bad = [];
  for (let i = 1; i <= 3000; i++) {
    if (i % 250 === 0) {
      big.push({ type: 'position', person: slug(`nobody-${i}`), org, started_on: String(1900 + (i % 100)) });
      bad.push([i, 'person']);
    } else if (i % 250 === 100) {
      big.push({ type: 'position', person: p(1), org: slug(`no-org-${i}`), started_on: '2001' });
      bad.push([i, 'org']);
    } else {
      big.push({ type: 'position', person: p(1 + (i % 3)), org, title: `stint ${i}`, started_on: `${1000 + i}` });
    }
  }
  const r = report(await importBody(nd(big)), 422);
  assert.equal(r.records, 3000);
  assert.equal(r.errors_total, bad.length);
  assert.deepEqual(r.errors.map((e) => [e.line, e.field]), bad);
  assert.match(r.errors[0].message, /^no organization with id or slug '/);
  assert.match(r.errors[1].message, /^no person with id or slug '/);
  assert.equal((await all(`/positions${qs({ person: p(2) })}`)).length, 1, 'nothing of the file was written');
});

test('a dry run writes nothing; the import writes one audit row a record; a re-import is all unchanged', async () => {
  const { recs, p } = base('audit', 40);
  for (let i = 2; i <= 40; i++) recs.push({ type: 'reporting_line', report: p(i), manager: p(Math.floor(i / 2)), valid_from: '2021' });
  for (let i = 30; i <= 40; i++) recs.push({ type: 'departure', person: p(i), org: slug('audit-org'), departed_on: '2024-02', kind: 'resigned' });
  const body = nd(recs);

  const dry = report(await importBody(body, { dryRun: true }), 200);
  assert.equal(dry.dry_run, true);
  assert.equal(dry.created, recs.length);
  assert.equal((await read('people', p(1))).status, 404, 'a dry run writes nothing');

  const auditBefore = DB_URL ? countAudit() : 0;
  const done = report(await importBody(body), 200);
  assert.deepEqual([done.created, done.updated, done.unchanged], [recs.length, 0, 0]);
  if (DB_URL) {
    // One create a record, and one update for each position and line a departure closed:
    // 11 positions, and the lines of the leavers 30..40 as reports (11) and as managers
    // (the reports of 30..40 that exist: 60..80 do not; none).
    const closed = 11 + 11;
    assert.equal(countAudit() - auditBefore, recs.length + closed, 'audit rows: one a record written, one a record closed');
  }
  const pos = await all(`/positions${qs({ person: p(35) })}`);
  assert.deepEqual(pos.map((x) => x.ended_on), ['2024-02'], 'the departure closed the position');
  const lines = await all(`/reporting-lines${qs({ report: p(35) })}`);
  assert.deepEqual(lines.map((x) => x.valid_to), ['2024-02'], 'and the line');

  const again = report(await importBody(body), 200);
  assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, recs.length]);
});

function countAudit() {
  return Number(execFileSync('psql', [DB_URL, '-XqAt', '-c', 'SELECT count(*) FROM audit_log'], { encoding: 'utf8' }).trim());
}

test('a natural key twice in one file (issue 26): identical lines are one record, differing ones a 422 naming both', async () => {
  const { org, recs, p } = base('twice', 3);
  const person = recs.find((r) => r.type === 'person' && r.slug === p(1));
  const position = recs.find((r) => r.type === 'position' && r.person === p(2));
  // Differing lines: nothing written, each later line named with the first and the fields.
  const bad = [...recs, { ...person, full_name: `Renamed ${RUN}` }, { ...position, title: 'Later title' }];
  const rejected = report(await importBody(nd(bad)), 422);
  const lineOf = (r) => bad.indexOf(r) + 1;
  assert.deepEqual(rejected.errors.map((e) => [e.line, e.field]),
    [[bad.length - 1, 'full_name'], [bad.length, 'title']]);
  assert.match(rejected.errors[0].message, new RegExp(`^same person as line ${lineOf(person)} \\(slug\\) with other values: full_name Bulk twice 1 ${RUN} ≠ Renamed ${RUN}$`));
  assert.match(rejected.errors[1].message, new RegExp(`^same position as line ${lineOf(position)} \\(person, org, started_on\\) with other values: title T2 ≠ Later title$`));
  assert.equal((await api('GET', `/people/${p(1)}`)).status, 404, 'nothing written');
  // Identical lines: written once, listed as duplicates.
  const good = [...recs, { ...person }, { ...position }];
  const r = report(await importBody(nd(good)), 200);
  assert.deepEqual([r.created, r.updated, r.unchanged], [recs.length, 0, 0]);
  assert.deepEqual(r.duplicates, [{ line: good.length - 1, same_as: lineOf(person) }, { line: good.length, same_as: lineOf(position) }]);
  assert.deepEqual((await all(`/positions${qs({ person: p(2) })}`)).map((x) => x.title), ['T2']);
  const again = report(await importBody(nd(good)), 200);
  assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, recs.length]);
});

test('departures in an import close positions and lines exactly as POST /departures does', async () => {
  const closedBy = async (tag, viaImport) => {
    const { org, recs, p } = base(tag, 8);
    for (let i = 2; i <= 8; i++) recs.push({ type: 'reporting_line', report: p(i), manager: p(i - 1), valid_from: '2021' });
    recs.push({ type: 'position', person: p(3), org, title: 'Second stint', started_on: '2025' }); // starts after: stays open
    report(await importBody(nd(recs)), 200);
    const deps = [
      { person: p(2), org, departed_on: '2024-03', kind: 'resigned' },
      { person: p(3), org, departed_on: '2024-04', kind: 'resigned' }, // its manager left first
      { person: p(5), org, departed_on: '2024-05', status: 'retracted' }, // closes nothing
      { person: p(6), org, departed_on: '2024-06' },
      { person: p(6), org, departed_on: '2024-07' }, // leaves again: finds nothing open
    ];
    if (viaImport) report(await importBody(nd(deps.map((d) => ({ type: 'departure', ...d })))), 200);
    else for (const d of deps) assert.equal((await api('POST', '/departures', { key: 'editor', body: d })).status, 201);
    const out = [];
    for (let i = 1; i <= 8; i++) {
      const pos = (await all(`/positions${qs({ person: p(i) })}`)).map((x) => [x.started_on, x.ended_on]).sort();
      const lines = (await all(`/reporting-lines${qs({ report: p(i) })}`)).map((x) => [x.valid_from, x.valid_to]);
      out.push({ i, pos, lines });
    }
    return out;
  };
  const a = await closedBy('depimp', true);
  const b = await closedBy('deppost', false);
  assert.deepEqual(a, b);
  assert.deepEqual(a[2].lines, [['2021', '2024-03']], 'the line of 3 under 2 is closed by 2, who left first');
  assert.deepEqual(a[2].pos, [['2020', '2024-04'], ['2025', null]]);
  assert.deepEqual(a[5].pos, [['2020', '2024-06']], 'the first of two departures closes the position');
});

test('new ids are time-ordered UUIDs (version 7)', async () => {
  const { recs, p } = base('v7', 3);
  report(await importBody(nd(recs)), 200);
  const ids = [];
  for (let i = 1; i <= 3; i++) ids.push((await read('people', p(i))).body.id);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, id);
  const ms = (id) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(Math.abs(ms(ids[0]) - Date.now()) < 10 * 60_000, 'the first 48 bits are the time of creation (ms)');
});

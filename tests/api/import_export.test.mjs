// Bulk import and export (issue 6): POST /import (NDJSON and CSV, references by slug or natural
// key, upsert by natural key, all or nothing with every error and its line, dry run, streaming
// of large bodies, concurrent imports) and GET /export (the import format, dependency order,
// CSV of one type, export → import into an empty database → the same bytes).
// Runs against ORGWATCH_TEST_URL with the editor and reader keys of lib.mjs. The round trip
// into an empty database needs ORGWATCH_BIN, ORGWATCH_TEST_DATABASE_URL and psql (it creates,
// and drops again, a database on the test cluster and serves it on a free port); without them
// it falls back to re-importing into the server under test.
// Every slug, name and URL made here carries a random word, so the file can run again and
// again on one database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { api, BASE, checkSpec, expectProblem, freePort, keys, REPO, sleep, waitFor } from './lib.mjs';
import { changesOf, csvObjects, keyName, nameWord, qs, read, rfc3339, walk, word } from './helpers-records.mjs';

const RUN = word(8);
const slug = (what) => `ie-${RUN}-${what}`;
const url = (what) => `https://example.org/orgwatch-tests/${RUN}/${what}`;
const nd = (records) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
const BIG_TIMEOUT = 600_000;

/** POST /import, spec-checked. `body` is sent as is. */
async function importBody(body, { type, dryRun, ct = 'application/x-ndjson', key = 'editor', base, timeoutMs = 120_000 } = {}) {
  const q = qs({ type, dry_run: dryRun === undefined ? undefined : String(dryRun) });
  const headers = ct === null ? {} : { 'content-type': ct };
  const res = await api('POST', `/import${q}`, { key, body, raw: true, headers, base, timeoutMs });
  return checkSpec(res, 'POST', '/import');
}

/** Asserts an import report: status and the counts given. */
function expectReport(res, status, counts) {
  assert.equal(res.status, status, `import → ${res.status} ${res.text.slice(0, 2000)}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/);
  for (const [k, v] of Object.entries(counts)) assert.equal(res.body[k], v, `report.${k}: ${res.text.slice(0, 2000)}`);
  if (status === 200) {
    assert.deepEqual(res.body.errors, []);
    assert.equal(res.body.errors_total, 0);
  } else {
    assert.equal(res.body.created, 0);
    assert.equal(res.body.updated, 0);
    assert.equal(res.body.unchanged, 0);
    assert.ok(res.body.errors.length >= 1);
    assert.equal(res.body.errors_total, res.body.errors.length);
  }
  return res.body;
}

/** Imports the records as NDJSON and asserts the report (status, counts); returns it. */
async function importRecords(records, status, counts) {
  return expectReport(await importBody(nd(records)), status, counts);
}

/** GET a path and spec-check it against `tmpl`. */
async function get(p, tmpl, opts = {}) {
  return checkSpec(await api('GET', p, opts), 'GET', tmpl);
}

async function expect404(plural, key) {
  const res = await read(plural, key);
  assert.equal(res.status, 404, `${plural}/${key} must not exist: ${res.status} ${res.text.slice(0, 300)}`);
}

/** All items of a list, every page walked. */
async function all(p) {
  return (await walk(p)).items;
}

/** GET /export (?type=), spec-checked; returns the response. */
async function exportAll({ type, csv = false, base, timeoutMs = 300_000 } = {}) {
  const res = await api('GET', `/export${qs({ type })}`, { base, timeoutMs, headers: csv ? { accept: 'text/csv' } : {} });
  if (!base) checkSpec(res, 'GET', '/export');
  assert.equal(res.status, 200, `GET /export → ${res.status} ${res.text.slice(0, 500)}`);
  return res;
}

const exportLines = (text) => text.split('\n').filter((l) => l !== '');

// ------------------------------------------------------------------ the fixture

const S1 = url('first-report');
const S2 = url('second-report');
const O = slug('org');
const CHILD = slug('child');
const D = slug('dest');
const T = `${O}/research`;
const T2 = `${O}/vision`;
const P1 = slug('ada');
const P2 = slug('bob');
const P3 = slug('cyd');
const L = randomUUID();

const fixture = [
  { type: 'source', url: S1, title: `First report ${RUN}`, publisher: 'Example Times', published_on: '2024-03' },
  { type: 'source', url: S2, title: `Second report ${RUN}` },
  { type: 'organization', slug: O, name: `Import Org ${RUN}`, kind: 'lab', founded_on: '2015' },
  { type: 'organization', slug: CHILD, name: `Import Child ${RUN}`, kind: 'lab', parent: O },
  { type: 'organization', slug: D, name: `Import Dest ${RUN}`, kind: 'startup' },
  { type: 'team', org: O, slug: 'research', name: 'Research' },
  { type: 'team', org: O, slug: 'vision', name: 'Vision', parent: T, formed_on: '2020' },
  { type: 'person', slug: P1, full_name: `Ada Import ${RUN}`, aliases: [`A. Import ${RUN}`], tags: ['published-ai-research'], links: { x: 'https://x.com/ada' } },
  { type: 'person', slug: P2, full_name: `Bob Import ${RUN}` },
  { type: 'person', slug: P3, full_name: `Cyd Import ${RUN}` },
  { type: 'position', person: P1, org: O, team: T, title: 'Research Scientist', started_on: '2022', sources: [S1] },
  { type: 'position', person: P2, org: O, team: T2, title: 'Engineer', started_on: '2023-02' },
  { type: 'position', person: P3, org: O, team: T, title: 'Director', started_on: '2021-06-01' },
  { type: 'reporting_line', report: P1, manager: P3, valid_from: '2022', sources: [S2] },
  { type: 'layoff', id: L, org: O, team: T2, announced_on: '2024-03', count: 10, description: 'Vision cut', sources: [S1] },
  { type: 'departure', person: P2, org: O, team: T2, title: 'Engineer', departed_on: '2024-03-15', kind: 'laid_off', reason_category: 'layoff', layoff: L, sources: [S1, S2] },
  {
    type: 'departure', person: P1, org: O, team: T, departed_on: '2024-06', kind: 'resigned', reason_category: 'startup',
    destination_org: D, destination_title: 'Founder', destination_kind: 'founded', sources: [S1],
  },
];
const FIXTURE = nd(fixture);
const fx = {}; // records read back after the import

test('NDJSON: every record type, mixed in dependency order, references by slug and natural key', async () => {
  const res = await importBody(FIXTURE);
  expectReport(res, 200, { created: fixture.length, updated: 0, unchanged: 0, records: fixture.length, dry_run: false });

  fx.org = (await read('organizations', O)).body;
  fx.dest = (await read('organizations', D)).body;
  const child = (await read('organizations', CHILD)).body;
  assert.equal(child.parent_id, fx.org.id, 'organization "parent" by slug');

  fx.research = (await read('teams', T)).body;
  fx.vision = (await read('teams', T2)).body;
  assert.equal(fx.research.org_id, fx.org.id, 'team "org" by slug');
  assert.equal(fx.vision.parent_id, fx.research.id, 'team "parent" as org/team');
  assert.equal(fx.vision.formed_on, '2020');

  fx.p1 = (await read('people', P1)).body;
  fx.p2 = (await read('people', P2)).body;
  fx.p3 = (await read('people', P3)).body;
  assert.deepEqual(fx.p1.aliases, [`A. Import ${RUN}`]);
  assert.deepEqual(fx.p1.tags, ['published-ai-research']);
  assert.deepEqual(fx.p1.links, { x: 'https://x.com/ada' });

  const [pos1] = await all(`/positions${qs({ person: P1 })}`);
  assert.ok(pos1, 'the position of P1 exists');
  assert.equal(pos1.org_id, fx.org.id);
  assert.equal(pos1.team_id, fx.research.id, 'position "team" as org/team');
  assert.equal(pos1.started_on, '2022');
  assert.equal(pos1.ended_on, '2024-06', 'the departure later in the file closed the position');
  assert.equal(pos1.source_ids.length, 1, 'position "sources" by URL');

  const lines = await all(`/reporting-lines${qs({ report: P1 })}`);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].manager_id, fx.p3.id, 'reporting line "manager" by slug');
  assert.equal(lines[0].valid_to, '2024-06', 'the departure closed the open reporting line at that organization');

  const layoff = (await get(`/layoffs/${L}`, '/layoffs/{id}')).body;
  assert.equal(layoff.id, L, 'a layoff keeps the id it was imported with');
  assert.equal(layoff.team_id, fx.vision.id);
  assert.equal(layoff.count, 10);

  const [d2] = await all(`/departures${qs({ person: P2 })}`);
  assert.equal(d2.layoff_id, L, 'departure "layoff" by id');
  assert.equal(d2.team_id, fx.vision.id);
  assert.deepEqual(d2.sources.map((s) => s.url).sort(), [S1, S2].sort(), 'departure "sources" by URL');
  const [d1] = await all(`/departures${qs({ person: P1 })}`);
  assert.equal(d1.destination_org_id, fx.dest.id, 'departure "destination_org" by slug');
  assert.equal(d1.destination_kind, 'founded');
  fx.d1 = d1;
  assert.ok(layoff.departures === null || layoff.departures.some((x) => x.id === d2.id) || layoff.named_departures >= 1);
});

test('NDJSON with ?type=: lines without "type" take it', async () => {
  const a = slug('typed-a');
  const res = await importBody(nd([{ slug: a, full_name: `Typed ${RUN}` }]), { type: 'people' });
  expectReport(res, 200, { created: 1, records: 1 });
  assert.equal((await read('people', a)).status, 200);
});

test('re-importing the same file reports every line unchanged and changes nothing', async () => {
  const before1 = await read('people', P1);
  const [dep] = await all(`/departures${qs({ person: P2 })}`);
  const res = await importBody(FIXTURE);
  expectReport(res, 200, { created: 0, updated: 0, unchanged: fixture.length, records: fixture.length });
  const after1 = await read('people', P1);
  assert.equal(after1.headers.get('etag'), before1.headers.get('etag'), 'the ETag of an unchanged record stays');
  const [dep2] = await all(`/departures${qs({ person: P2 })}`);
  assert.equal(dep2.updated_at, dep.updated_at);
});

test('a changed field is counted updated and recorded in GET /changes', async () => {
  const since = rfc3339(Date.now() - 1500);
  const changed = fixture.map((r) => {
    if (r.type === 'person' && r.slug === P1) return { ...r, bio: `Changed by import ${RUN}` };
    if (r.type === 'departure' && r.person === P1) return { ...r, reason: 'Founded a company' };
    return r;
  });
  const res = await importBody(nd(changed));
  expectReport(res, 200, { created: 0, updated: 2, unchanged: fixture.length - 2 });
  assert.equal((await read('people', P1)).body.bio, `Changed by import ${RUN}`);

  const personChanges = await changesOf('person', fx.p1.id, since);
  const pc = personChanges.at(-1);
  assert.ok(pc, 'the import wrote an audit entry for the person');
  assert.equal(pc.operation, 'update');
  assert.equal(pc.before.bio, null);
  assert.equal(pc.after.bio, `Changed by import ${RUN}`);
  const name = keyName('editor');
  if (name) assert.equal(pc.actor, name, 'the actor is the importing key');
  else assert.equal(typeof pc.actor, 'string');

  const depChanges = await changesOf('departure', fx.d1.id, since);
  assert.ok(depChanges.some((e) => e.operation === 'update' && e.after.reason === 'Founded a company'), JSON.stringify(depChanges));
  // Only the two changed records were written.
  const again = await importBody(nd(changed));
  expectReport(again, 200, { created: 0, updated: 0, unchanged: fixture.length });
});

// ------------------------------------------------------------------ errors: all or nothing

test('every error kind is reported with its line and field, and nothing is written', async () => {
  // A merged person's slug (a natural key the database still holds) and a reporting line.
  const m1 = slug('merge-keep');
  const m2 = slug('merge-gone');
  const a = slug('line-a');
  const b = slug('line-b');
  const c = slug('line-c');
  await importRecords(
    [
      { type: 'person', slug: m1, full_name: `Merge Keep ${RUN}` },
      { type: 'person', slug: m2, full_name: `Merge Gone ${RUN}` },
      { type: 'person', slug: a, full_name: `Line A ${RUN}` },
      { type: 'person', slug: b, full_name: `Line B ${RUN}` },
      { type: 'person', slug: c, full_name: `Line C ${RUN}` },
      { type: 'reporting_line', report: a, manager: b, valid_from: '2020' },
    ],
    200,
    { created: 6 },
  );
  const merged = await api('POST', `/people/${m1}/merge`, { key: 'editor', body: { duplicate: m2 } });
  assert.equal(checkSpec(merged, 'POST', '/people/{id}/merge').status, 200, merged.text);

  const newOrg = slug('err-org');
  const newPerson = slug('err-person');
  const typo = slug('err-typo');
  const newSource = url('err-source');
  const body = [
    JSON.stringify({ type: 'organization', slug: newOrg, name: `Err Org ${RUN}` }), // 1 good
    '{"type": "person", "slug": "broken", ', // 2 not JSON
    JSON.stringify({ type: 'spaceship', name: 'x' }), // 3 unknown type
    JSON.stringify({ type: 'person', slug: typo, full_name: 'Typo', nickname: 'x' }), // 4 unknown field
    JSON.stringify({ type: 'person', slug: newPerson, full_name: `Err Person ${RUN}` }), // 5 good
    JSON.stringify({ type: 'position', person: slug('ghost'), org: O, started_on: '2020' }), // 6 unknown reference
    JSON.stringify({ type: 'person', slug: m2, full_name: 'Back again' }), // 7 natural key held by a merged person
    JSON.stringify({ type: 'reporting_line', report: a, manager: c, valid_from: '2021' }), // 8 overlapping line
    JSON.stringify({ type: 'departure', person: P3, org: O, departed_on: '2024-13' }), // 9 bad date
    '', // 10 blank: skipped
    JSON.stringify({ type: 'source', url: newSource }), // 11 good
  ].join('\n');
  const res = await importBody(body + '\n');
  const rep = expectReport(res, 422, { records: 10, dry_run: false });
  const expected = [
    { line: 2, field: null, message: /json/i },
    { line: 3, field: 'type' },
    { line: 4, field: 'nickname' },
    { line: 6, field: 'person', message: /ghost/ },
    { line: 7, field: 'slug', message: /merged/ },
    { line: 8, message: /conflict|reports to|one manager/i },
    { line: 9, field: 'departed_on' },
  ];
  for (const e of expected) {
    const hit = rep.errors.find((x) => x.line === e.line && (!('field' in e) || x.field === e.field) && (!e.message || e.message.test(x.message)));
    assert.ok(hit, `an error on line ${e.line}${'field' in e ? ` naming ${e.field}` : ''}: ${JSON.stringify(rep.errors)}`);
  }
  const lines = [...new Set(rep.errors.map((x) => x.line))].sort((x, y) => x - y);
  assert.deepEqual(lines, [2, 3, 4, 6, 7, 8, 9], 'errors on the bad lines only');
  assert.deepEqual(rep.errors.map((x) => x.line), [...rep.errors.map((x) => x.line)].sort((x, y) => x - y), 'errors in line order');

  // Nothing was written: not even the good lines.
  await expect404('organizations', newOrg);
  await expect404('people', newPerson);
  await expect404('people', typo);
  assert.equal((await all(`/positions${qs({ person: P3 })}`)).length, 1);
  assert.equal((await all(`/reporting-lines${qs({ report: a })}`)).length, 1);
  assert.equal((await all(`/departures${qs({ person: P3 })}`)).length, 0);
  const sources = await exportAll({ type: 'sources' });
  assert.ok(!sources.text.includes(newSource), 'the good source line was not written');
});

test('CSV errors: line numbers count physical lines (a quoted field may span several); unknown columns are errors of line 1', async () => {
  const ok1 = slug('csv-err-ok');
  const csv =
    'person,org,departed_on,kind,notes\n' + // 1
    `${P3},${O},2025-01,resigned,"two\nlines"\n` + // 2-3 good
    `${slug('nobody')},${O},2025-01,resigned,\n` + // 4 unknown person
    `${P3},${O},2025-02-30,resigned,\n` + // 5 bad date
    `${P3},${O},2025-03,vanished,\n`; // 6 bad kind
  const rep = expectReport(await importBody(csv, { type: 'departures', ct: 'text/csv' }), 422, { records: 4 });
  const has = (line, field) => rep.errors.some((e) => e.line === line && e.field === field);
  assert.ok(has(4, 'person'), JSON.stringify(rep.errors));
  assert.ok(has(5, 'departed_on'), JSON.stringify(rep.errors));
  assert.ok(has(6, 'kind'), JSON.stringify(rep.errors));
  assert.ok(!rep.errors.some((e) => e.line === 2 || e.line === 3), 'the good record spanning lines 2-3 has no error');
  assert.equal((await all(`/departures${qs({ person: P3 })}`)).length, 0, 'nothing written');

  const bad = `slug,full_name,nickname\n${ok1},Ok ${RUN},x\n`;
  const rep2 = expectReport(await importBody(bad, { type: 'people', ct: 'text/csv' }), 422, {});
  assert.ok(rep2.errors.some((e) => e.line === 1 && e.field === 'nickname'), JSON.stringify(rep2.errors));
  await expect404('people', ok1);
});

test('an error on the last line of a 20,000-line file leaves nothing written', async () => {
  const n = 20_000;
  const lines = [];
  for (let i = 1; i < n; i++) lines.push(JSON.stringify({ type: 'person', slug: slug(`bulk-${i}`), full_name: `Bulk ${RUN} ${i}` }));
  lines.push(JSON.stringify({ type: 'position', person: slug('bulk-1'), org: slug('no-such-org'), started_on: '2024' }));
  const res = await importBody(lines.join('\n') + '\n', { timeoutMs: BIG_TIMEOUT });
  const rep = expectReport(res, 422, { records: n });
  assert.deepEqual(
    rep.errors.map((e) => [e.line, e.field]),
    [[n, 'org']],
    `one error, on line ${n}: ${JSON.stringify(rep.errors)}`,
  );
  for (const i of [1, 2, 500, 501, 10_000, n - 1]) await expect404('people', slug(`bulk-${i}`));
});

test('a 3,000-line import of new people, their positions and departures commits whole, statistics refreshed along the way', async () => {
  // Past 1,000 and 2,000 records the import ANALYZEs the tables it fills inside its transaction;
  // the file must still commit exactly once and every row be readable afterwards. Names are
  // random so these people are not each other's likely duplicates (GET /people/duplicates).
  const n = 1000;
  const org = slug('bulk-org');
  const lines = [JSON.stringify({ type: 'organization', slug: org, name: `Bulk Org ${RUN}` })];
  for (let i = 1; i <= n; i++) lines.push(JSON.stringify({ type: 'person', slug: slug(`many-${i}`), full_name: `Many ${randomUUID().replace(/-/g, '')}` }));
  for (let i = 1; i <= n; i++) lines.push(JSON.stringify({ type: 'position', person: slug(`many-${i}`), org, started_on: '2021', title: 'Engineer' }));
  for (let i = 1; i <= n; i++) lines.push(JSON.stringify({ type: 'departure', person: slug(`many-${i}`), org, departed_on: `2024-0${1 + (i % 9)}`, kind: 'resigned' }));
  const rep = expectReport(await importBody(lines.join('\n') + '\n', { timeoutMs: BIG_TIMEOUT }), 200, { created: 3 * n + 1, records: 3 * n + 1 });
  assert.deepEqual(rep.errors, []);
  const deps = await all(`/departures?org=${org}&limit=200`);
  assert.equal(deps.length, n, 'every departure is there once');
  const again = expectReport(await importBody(lines.join('\n') + '\n', { timeoutMs: BIG_TIMEOUT }), 200, { created: 0, unchanged: 3 * n + 1 });
  assert.deepEqual(again.errors, []);
});

test('?dry_run=true validates everything, reports the counts and writes nothing', async () => {
  const fresh = [slug('dry-1'), slug('dry-2'), slug('dry-3')];
  const body = nd([
    ...fresh.map((s, i) => ({ type: 'person', slug: s, full_name: `Dry ${RUN} ${i}` })),
    { type: 'person', slug: P3, full_name: `Cyd Import ${RUN}` }, // unchanged
    { type: 'person', slug: P2, full_name: `Bob Import ${RUN}`, bio: 'dry run bio' }, // would change
    { type: 'position', person: fresh[0], org: O, started_on: '2025' }, // refers to a line above
  ]);
  const rep = expectReport(await importBody(body, { dryRun: true }), 200, { created: 4, updated: 1, unchanged: 1, records: 6, dry_run: true });
  assert.equal(rep.dry_run, true);
  for (const s of fresh) await expect404('people', s);
  assert.equal((await read('people', P2)).body.bio, null, 'the change was not written');

  const withError = body + JSON.stringify({ type: 'position', person: slug('nobody'), org: O }) + '\n';
  const rep2 = expectReport(await importBody(withError, { dryRun: true }), 422, { records: 7, dry_run: true });
  assert.deepEqual(rep2.errors.map((e) => [e.line, e.field]), [[7, 'person']]);

  const plain = expectReport(await importBody(body, { dryRun: false }), 200, { created: 4, updated: 1, unchanged: 1, dry_run: false });
  assert.equal(plain.records, 6);
  assert.equal((await read('people', fresh[0])).status, 200, 'dry_run=false writes');
});

// ------------------------------------------------------------------ CSV

const BOM = '\ufeff';

async function csvPeopleCase(eol, withBom, tagWord) {
  const c1 = slug(`csv-${tagWord}-1`);
  const c2 = slug(`csv-${tagWord}-2`);
  const rows = [
    'slug,full_name,aliases,tags,bio,links',
    `${c1},"Doe, ""Jr."" ${RUN}","Jay; J. Doe","[""csv"",""quoted""]","First line${eol}second, with a comma",`,
    `${c2},Plain ${RUN},,,,"{""x"":""https://x.com/${tagWord}""}"`,
  ];
  const body = (withBom ? BOM : '') + rows.join(eol) + eol;
  expectReport(await importBody(body, { type: 'people', ct: 'text/csv; charset=utf-8' }), 200, { created: 2, records: 2 });
  const p1 = (await read('people', c1)).body;
  assert.equal(p1.full_name, `Doe, "Jr." ${RUN}`, 'embedded comma and doubled quotes');
  assert.deepEqual(p1.aliases, ['Jay', 'J. Doe'], 'a list cell as "a; b"');
  assert.deepEqual(p1.tags, ['csv', 'quoted'], 'a list cell as JSON text');
  assert.equal(p1.bio, `First line${eol}second, with a comma`, 'an embedded line break is kept');
  assert.deepEqual(p1.links, {}, 'an empty links cell is absent');
  const p2 = (await read('people', c2)).body;
  assert.deepEqual(p2.aliases, []);
  assert.deepEqual(p2.tags, []);
  assert.equal(p2.bio, null, 'an empty cell is an absent field');
  assert.deepEqual(p2.links, { x: `https://x.com/${tagWord}` }, 'an object cell as JSON text');

  // The same file again: unchanged. Then a row with empty cells: absent fields keep their values.
  expectReport(await importBody(body, { type: 'people', ct: 'text/csv' }), 200, { created: 0, unchanged: 2 });
  const sparse = (withBom ? BOM : '') + ['slug,full_name,aliases,tags,bio', `${c1},"Doe, ""Jr."" ${RUN}",,,`].join(eol) + eol;
  expectReport(await importBody(sparse, { type: 'people', ct: 'text/csv' }), 200, { unchanged: 1 });
  const again = (await read('people', c1)).body;
  assert.equal(again.bio, p1.bio, 'an empty bio cell does not clear the bio');
  assert.deepEqual(again.aliases, p1.aliases);
  return { c1, c2 };
}

test('CSV with a BOM and CRLF line ends: RFC 4180 quoting, list and object cells, empty cells absent', async () => {
  await csvPeopleCase('\r\n', true, 'crlf');
});

test('CSV with LF line ends and no BOM: the same', async () => {
  const { c1, c2 } = await csvPeopleCase('\n', false, 'lf');
  // Departures by CSV: references by slug, sources as "a; b" or as JSON text.
  const csv =
    'person,org,team,departed_on,kind,destination_org,sources,notes\n' +
    `${c1},${O},${T},2025-02,resigned,${D},"${S1}; ${S2}","said ""bye"", then left"\n` +
    `${c2},${O},,2025,unknown,,"[""${S2}""]",\n`;
  expectReport(await importBody(csv, { type: 'departures', ct: 'text/csv' }), 200, { created: 2 });
  const [d1] = await all(`/departures${qs({ person: c1 })}`);
  assert.equal(d1.team_id, fx.research.id);
  assert.equal(d1.destination_org_id, fx.dest.id);
  assert.deepEqual(d1.sources.map((s) => s.url).sort(), [S1, S2].sort());
  assert.equal(d1.notes, 'said "bye", then left');
  const [d2] = await all(`/departures${qs({ person: c2 })}`);
  assert.equal(d2.team_id, null);
  assert.equal(d2.departed_on, '2025');
  assert.deepEqual(d2.sources.map((s) => s.url), [S2]);
  expectReport(await importBody(csv, { type: 'departures', ct: 'text/csv' }), 200, { unchanged: 2 });
});

// ------------------------------------------------------------------ request errors

test('CSV without ?type= is a 400 naming type; an unknown type or dry_run value is a 400', async () => {
  const csv = `slug,full_name\n${slug('notype')},No Type\n`;
  let res = await importBody(csv, { ct: 'text/csv' });
  expectProblem(res, 400);
  assert.ok(res.body.errors.some((e) => e.field === 'type'), res.text);
  res = await importBody(csv, { ct: 'text/csv', type: 'spaceships' });
  expectProblem(res, 400);
  assert.ok(res.body.errors.some((e) => e.field === 'type'), res.text);
  res = await importBody(nd([{ type: 'person', slug: slug('notype'), full_name: 'x' }]), { dryRun: 'yes' });
  expectProblem(res, 400);
  assert.ok(res.body.errors.some((e) => e.field === 'dry_run'), res.text);
  await expect404('people', slug('notype'));
});

test('a body that is neither NDJSON nor CSV is a 415', async () => {
  const line = nd([{ type: 'person', slug: slug('wrongtype'), full_name: 'Wrong Type' }]);
  for (const ct of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
    expectProblem(await importBody(line, { ct }), 415);
  }
  expectProblem(await importBody(Buffer.from(line), { ct: null }), 415);
  await expect404('people', slug('wrongtype'));
});

test('a reader key gets 403, no key or a bad key 401', async () => {
  const line = nd([{ type: 'person', slug: slug('reader'), full_name: 'Reader' }]);
  expectProblem(await importBody(line, { key: 'reader' }), 403);
  const anon = checkSpec(await api('POST', '/import', { body: line, raw: true, headers: { 'content-type': 'application/x-ndjson' } }), 'POST', '/import');
  expectProblem(anon, 401);
  expectProblem(await importBody(line, { key: 'ow_not_a_real_key' }), 401);
  await expect404('people', slug('reader'));
});

// ------------------------------------------------------------------ concurrency

test('concurrent imports of overlapping files do not duplicate records', async () => {
  const org = slug('conc-org');
  const head = [{ type: 'organization', slug: org, name: `Conc Org ${RUN}` }, { type: 'source', url: url('conc-src') }];
  const common = [];
  const only = { a: [], b: [] };
  const recordsOf = (s, i) => [
    { type: 'person', slug: s, full_name: `Conc ${RUN} ${i}` },
    { type: 'position', person: s, org, started_on: '2020', sources: [url('conc-src')] },
    // Layoffs have no unique constraint in the database: only serialized imports keep them single.
    { type: 'layoff', org, announced_on: `2023-01-${String((i % 28) + 1).padStart(2, '0')}`, count: i, description: `${i}` },
  ];
  for (let i = 0; i < 28; i++) (i < 20 ? common : i < 24 ? only.a : only.b).push(...recordsOf(slug(`conc-${i}`), i));
  // Departures (a natural key in the database) of the people of the common part.
  const deps = [];
  for (let i = 0; i < 10; i++) deps.push({ type: 'departure', person: slug(`conc-${i}`), org, departed_on: '2024-05', kind: 'resigned' });
  const fileA = nd([...head, ...common, ...only.a, ...deps]);
  const fileB = nd([...head, ...only.b, ...common, ...deps]);
  const [ra, rb] = await Promise.all([importBody(fileA), importBody(fileB)]);
  for (const r of [ra, rb]) assert.equal(r.status, 200, `both imports succeed (one waits for the other): ${r.text.slice(0, 1000)}`);
  const distinct = head.length + common.length + only.a.length + only.b.length + deps.length;
  assert.equal(ra.body.created + rb.body.created, distinct, `every distinct record created once: ${ra.text} ${rb.text}`);

  const people = await all(`/positions${qs({ org })}`);
  assert.equal(people.length, 28, 'one position per person');
  assert.equal(new Set(people.map((p) => p.person_id)).size, 28);
  const layoffs = await all(`/layoffs${qs({ org })}`);
  assert.equal(layoffs.length, 28, `one layoff per natural key, got ${layoffs.length}`);
  assert.equal((await all(`/departures${qs({ org })}`)).length, 10);
  const srcLines = exportLines((await exportAll({ type: 'sources' })).text).filter((l) => l.includes(url('conc-src')));
  assert.equal(srcLines.length, 1, 'one source');
});

// ------------------------------------------------------------------ export

// Layoffs and departures come before positions and reporting lines: a departure closes the
// open positions it ends, so on a round trip positions must arrive after it, as exported.
const RANK = { source: 1, organization: 2, team: 3, person: 4, layoff: 5, departure: 6, position: 7, reporting_line: 8 };

test('GET /export streams NDJSON in the import format, in dependency order', async () => {
  const res = await exportAll();
  assert.match(res.headers.get('content-type'), /^application\/x-ndjson/);
  assert.ok(res.text.endsWith('\n'), 'every line ends with a newline');
  let last = 0;
  const ours = [];
  for (const [i, line] of exportLines(res.text).entries()) {
    let rec;
    assert.doesNotThrow(() => (rec = JSON.parse(line)), `line ${i + 1} is JSON: ${line}`);
    assert.ok(rec.type in RANK, `line ${i + 1} has a record type: ${line}`);
    assert.ok(RANK[rec.type] >= last, `line ${i + 1} (${rec.type}) comes after its dependencies`);
    last = RANK[rec.type];
    for (const k of ['created_at', 'updated_at', 'source_ids', 'person_id', 'org_id']) assert.ok(!(k in rec), `line ${i + 1}: no ${k}`);
    if (rec.type !== 'layoff') assert.ok(!('id' in rec), `line ${i + 1}: no id`);
    if (line.includes(RUN)) ours.push(rec);
  }
  const dep = ours.find((r) => r.type === 'departure' && r.person === P2);
  assert.deepEqual(
    { ...dep, sources: [...dep.sources].sort() },
    {
      type: 'departure', person: P2, org: O, team: T2, title: 'Engineer', departed_on: '2024-03-15', kind: 'laid_off',
      reason_category: 'layoff', destination_kind: 'unknown', layoff: L, sources: [S1, S2].sort(), status: 'reported',
    },
  );
  const team = ours.find((r) => r.type === 'team' && r.slug === 'vision' && r.org === O);
  assert.equal(team.parent, T);
  const vision = ours.indexOf(team);
  assert.ok(ours.findIndex((r) => r.type === 'team' && r.slug === 'research' && r.org === O) < vision, 'parent teams first');

  const people = await exportAll({ type: 'people' });
  const types = new Set(exportLines(people.text).map((l) => JSON.parse(l).type));
  assert.deepEqual([...types], ['person'], '?type=people exports people only');
});

test('GET /export?type=departures with Accept: text/csv: a header row, and rows that import back unchanged', async () => {
  const res = await exportAll({ type: 'departures', csv: true });
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  const { header, rows } = csvObjects(res.text);
  assert.deepEqual(header, [
    'person', 'org', 'team', 'title', 'departed_on', 'announced_on', 'kind', 'reason_category', 'reason', 'destination_org',
    'destination_title', 'destination_kind', 'layoff', 'returned_on', 'sources', 'notes', 'status',
  ]);
  const row = rows.find((r) => r.person === P2);
  assert.ok(row, 'the fixture departure is a row');
  assert.equal(row.org, O);
  assert.equal(row.team, T2);
  assert.equal(row.departed_on, '2024-03-15');
  assert.equal(row.layoff, L);
  assert.deepEqual(JSON.parse(row.sources).sort(), [S1, S2].sort(), 'lists as JSON text');
  assert.equal(row.announced_on, '', 'absent values are empty cells');

  const back = await importBody(res.text, { type: 'departures', ct: 'text/csv', timeoutMs: BIG_TIMEOUT });
  expectReport(back, 200, { created: 0, updated: 0, unchanged: rows.length, records: rows.length });
});

test('CSV export needs ?type=; an unknown type is a 400', async () => {
  let res = checkSpec(await api('GET', '/export', { headers: { accept: 'text/csv' } }), 'GET', '/export');
  expectProblem(res, 400);
  assert.ok(res.body.errors.some((e) => e.field === 'type'), res.text);
  res = checkSpec(await api('GET', '/export?type=spaceships'), 'GET', '/export');
  expectProblem(res, 400);
  assert.ok(res.body.errors.some((e) => e.field === 'type'), res.text);
});

// ------------------------------------------------------------------ round trip into an empty database

const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) {
    try {
      await f();
    } catch (e) {
      console.error(`cleanup: ${e.message}`);
    }
  }
});

function psqlAvailable() {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The connection string of another database on the same server as `conn` (URI or key=value). */
function withDatabase(conn, db) {
  if (/^postgres(ql)?:\/\//.test(conn)) {
    const u = new URL(conn);
    u.pathname = `/${db}`;
    return u.toString();
  }
  return /(^|\s)dbname\s*=/.test(conn) ? conn.replace(/(^|\s)dbname\s*=\s*('[^']*'|\S+)/, `$1dbname=${db}`) : `${conn} dbname=${db}`;
}

const roundTripReady = () => process.env.ORGWATCH_BIN && process.env.ORGWATCH_TEST_DATABASE_URL && psqlAvailable();

/**
 * A fresh, migrated, empty database served by ORGWATCH_BIN on a free port; returns
 * {base, key, stop()}. Dropped again at the end of the file.
 */
async function emptyServer(tagWord) {
  const bin = process.env.ORGWATCH_BIN.includes('/') ? path.resolve(process.env.ORGWATCH_BIN) : process.env.ORGWATCH_BIN;
  const admin = withDatabase(process.env.ORGWATCH_TEST_DATABASE_URL, 'postgres');
  const db = `ow_rt_${RUN}_${tagWord}`;
  const dbUrl = withDatabase(process.env.ORGWATCH_TEST_DATABASE_URL, db);
  const psql = (sql) => execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin, '-c', sql], { stdio: 'pipe', timeout: 60_000 });
  psql(`CREATE DATABASE ${db}`);
  cleanups.push(() => psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
  const env = { ...process.env, ORGWATCH_DATABASE_URL: dbUrl, ORGWATCH_HOME: process.env.ORGWATCH_HOME || REPO, ORGWATCH_LOG: 'warn' };
  execFileSync(bin, ['migrate'], { env, stdio: 'pipe', timeout: 120_000 });
  const key = execFileSync(bin, ['key', 'create', '--name', `rt-${RUN}`, '--role', 'editor'], { env, encoding: 'utf8', timeout: 30_000 }).trim();
  const port = await freePort();
  const child = spawn(bin, ['serve'], { env: { ...env, ORGWATCH_LISTEN: `127.0.0.1:${port}`, ORGWATCH_THREADS: '2', ORGWATCH_RATE_READS: '0', ORGWATCH_RATE_IMPORTS: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  cleanups.push(stop);
  const base = `http://127.0.0.1:${port}`;
  const ready = await waitFor(async () => (await api('GET', '/ready', { base, timeoutMs: 2000 })).status === 200, 30_000);
  assert.ok(ready, `the second server on ${base} became ready: ${stderr}`);
  return { base, key, stop };
}

/** The first line where two exports differ, for the failure message. */
function firstDifference(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n  before: ${x[i]}\n  after:  ${y[i]}`;
  }
  return 'no line differs';
}

/** Export → import into an empty database → export; returns both exports. */
async function roundTrip(tagWord) {
  const first = (await exportAll()).bytes;
  const srv = await emptyServer(tagWord);
  const res = await importBody(first, { key: srv.key, base: srv.base, timeoutMs: BIG_TIMEOUT });
  const lines = exportLines(first.toString('utf8')).length;
  expectReport(res, 200, { created: lines, updated: 0, unchanged: 0, records: lines });
  const second = (await exportAll({ base: srv.base })).bytes;
  // Importing the same export again into the copy changes nothing.
  const again = await importBody(first, { key: srv.key, base: srv.base, timeoutMs: BIG_TIMEOUT });
  expectReport(again, 200, { created: 0, updated: 0, unchanged: lines });
  await srv.stop();
  return { first, second };
}

test('export → import into an empty database → export gives the same bytes', async (t) => {
  if (!roundTripReady()) {
    t.diagnostic('no ORGWATCH_BIN / ORGWATCH_TEST_DATABASE_URL / psql: re-importing into the server under test instead');
    const first = (await exportAll()).text;
    const n = exportLines(first).length;
    expectReport(await importBody(first, { timeoutMs: BIG_TIMEOUT }), 200, { created: 0, updated: 0, unchanged: n });
    const second = (await exportAll()).text;
    assert.ok(first === second, `the export after re-importing differs at ${firstDifference(first, second)}`);
    return;
  }
  const { first, second } = await roundTrip('all');
  assert.ok(first.equals(second), `the export of the copy differs at ${firstDifference(first.toString(), second.toString())}`);
});

test('round trip: a position entered after the departure was recorded (still open) stays open', async (t) => {
  // Recording a departure closes the open positions there; a position added afterwards (an
  // older stint entered late) stays as entered. The export must bring it back as it is.
  if (!roundTripReady()) return t.skip('needs ORGWATCH_BIN, ORGWATCH_TEST_DATABASE_URL and psql');
  const who = slug('late-stint');
  const org = slug('late-org');
  await importRecords(
    [
      { type: 'organization', slug: org, name: `Late Org ${RUN}` },
      { type: 'person', slug: who, full_name: `Late Stint ${RUN}` },
      { type: 'departure', person: who, org, departed_on: '2024-05', kind: 'resigned' },
      { type: 'position', person: who, org, title: 'Engineer', started_on: '2021' },
    ],
    200,
    { created: 4 },
  );
  const [pos] = await all(`/positions${qs({ person: who })}`);
  assert.equal(pos.ended_on, null, 'the position entered after the departure is open');
  const { first, second } = await roundTrip('late');
  const line = (buf) => exportLines(buf.toString()).find((l) => l.includes(`"position"`) && l.includes(who));
  assert.equal(line(second), line(first), 'the position line survives the round trip unchanged');
});

// ------------------------------------------------- departures in bulk (the set-based path)
// A batch of new departures with no error is written by set-based statements (0013); one line
// per import goes record by record. Both must leave the same records behind.

const EQ_ORG = slug('eq-org');
const EQ_DEST = slug('eq-dest');
const EQ_S1 = url('eq-s1');
const EQ_S2 = url('eq-s2');
const EQ_LAYOFF = randomUUID();
const eqPerson = (g, i) => slug(`eq-${g}-${i}`);

/** Everything a group needs before its departures: people, positions, a chain of lines. */
function eqSetup(g) {
  const recs = [];
  for (let i = 1; i <= 8; i++) {
    recs.push({ type: 'person', slug: eqPerson(g, i), full_name: `${nameWord()} ${nameWord()} ${RUN}` });
    recs.push({ type: 'position', person: eqPerson(g, i), org: EQ_ORG, team: `${EQ_ORG}/alpha`, title: `T${i}`, started_on: '2020' });
    if (i > 1) recs.push({ type: 'reporting_line', report: eqPerson(g, i), manager: eqPerson(g, i - 1), valid_from: '2021' });
  }
  return recs;
}

/** The departures of a group: every optional field and every way of naming a reference. */
function eqDepartures(g, ids) {
  const p = (i) => eqPerson(g, i);
  return [
    { type: 'departure', person: p(1), org: EQ_ORG, departed_on: '2024-03', kind: 'resigned', destination_org: EQ_DEST, destination_kind: 'joined', sources: [EQ_S1] },
    { type: 'departure', person: p(2), org: EQ_ORG, team: `${EQ_ORG}/alpha`, departed_on: '2024-04-15', kind: 'laid_off', reason_category: 'layoff', layoff: EQ_LAYOFF, sources: [EQ_S1, EQ_S2, EQ_S1] },
    { type: 'departure', person: p(3), org: EQ_ORG, departed_on: '2024-05', status: 'retracted', notes: 'denied' },
    { type: 'departure', person: p(4), org: EQ_ORG, departed_on: '2024', title: 'T4', reason: 'burnout "quoted"', source_ids: [ids.s2] },
    { type: 'departure', person: p(5), org: EQ_ORG, departed_on: '2024-06', returned_on: '2025-01', announced_on: '2024-05' },
    { type: 'departure', person: p(6), org_id: ids.org, departed_on: '2024-07', destination_org_id: ids.dest, destination_title: 'CTO' },
    { type: 'departure', person_id: ids.people[7], org: EQ_ORG, departed_on: '2024-08-01', status: 'confirmed' },
    { type: 'departure', person: p(8), org: EQ_ORG, departed_on: '2024-09', team: 'alpha-' + RUN.toLowerCase() },
  ];
}

const EQ_SINCE = rfc3339(Date.now() - 5000);

/** The audit entries of a departure: operation, actor, and the record after, without what
 * differs between groups (ids, times). */
async function eqAudit(id) {
  const strip = (doc) => {
    if (!doc) return doc;
    const { id: _i, person_id: _p, created_at: _c, updated_at: _u, ...rest } = doc;
    return rest;
  };
  return (await changesOf('departure', id, EQ_SINCE)).map((e) => [e.operation, e.actor, strip(e.after)]);
}

/** What a group's import left: departures (without ids and times) and their audit entries,
 * positions, lines. */
async function eqState(g) {
  const out = [];
  for (let i = 1; i <= 8; i++) {
    const who = eqPerson(g, i);
    const raw = await all(`/departures${qs({ person: who, status: 'all' })}`);
    const audit = [];
    for (const d of raw) audit.push(await eqAudit(d.id));
    const deps = raw.map((d) => ({
      title: d.title, departed_on: d.departed_on, announced_on: d.announced_on, kind: d.kind, reason_category: d.reason_category,
      reason: d.reason, team: d.team?.slug ?? null, destination_org: d.destination_org?.slug ?? null, destination_title: d.destination_title,
      destination_kind: d.destination_kind, layoff_id: d.layoff_id, returned_on: d.returned_on, notes: d.notes, status: d.status,
      sources: d.sources.map((s) => s.url).sort(),
    }));
    const pos = (await all(`/positions${qs({ person: who })}`)).map((x) => [x.started_on, x.ended_on]);
    const lines = (await all(`/reporting-lines${qs({ report: who })}`)).map((x) => [x.valid_from, x.valid_to]);
    out.push({ i, deps, audit, pos, lines });
  }
  return out;
}

test('departures in bulk: one file (set-based) and one line per import (record by record) leave the same records', async () => {
  const setup = [
    { type: 'source', url: EQ_S1, title: `Eq one ${RUN}` },
    { type: 'source', url: EQ_S2, title: `Eq two ${RUN}` },
    { type: 'organization', slug: EQ_ORG, name: `Eq Org ${RUN}` },
    { type: 'organization', slug: EQ_DEST, name: `Eq Dest ${RUN}` },
    { type: 'team', org: EQ_ORG, slug: 'alpha-' + RUN.toLowerCase(), name: 'Alpha bare' },
    { type: 'team', org: EQ_ORG, slug: 'alpha', name: 'Alpha' },
    { type: 'layoff', id: EQ_LAYOFF, org: EQ_ORG, announced_on: '2024-04', count: 5 },
    ...eqSetup('fast'),
    ...eqSetup('slow'),
    ...eqSetup('fastodd'),
    ...eqSetup('slowodd'),
  ];
  await importRecords(setup, 200, { created: setup.length });
  const org = (await read('organizations', EQ_ORG)).body;
  const dest = (await read('organizations', EQ_DEST)).body;
  const s2 = (await read('sources', EQ_S2)).body;
  const idsOf = async (g) => ({ org: org.id, dest: dest.id, s2: s2.id, people: { 7: (await read('people', eqPerson(g, 7))).body.id } });

  // All eight leave (each one's manager leaves too: what ends is closed one departure at a
  // time), then only every other one (no line joins two leavers: closed in two updates).
  const odd = (recs) => recs.filter((_, k) => k % 2 === 0);
  const fast = eqDepartures('fast', await idsOf('fast'));
  await importRecords(fast, 200, { created: 8 });
  for (const rec of eqDepartures('slow', await idsOf('slow'))) await importRecords([rec], 200, { created: 1 });
  await importRecords(odd(eqDepartures('fastodd', await idsOf('fastodd'))), 200, { created: 4 });
  for (const rec of odd(eqDepartures('slowodd', await idsOf('slowodd')))) await importRecords([rec], 200, { created: 1 });

  const [a, b] = [await eqState('fast'), await eqState('slow')];
  assert.deepEqual(a, b, 'the same departures, sources, audit entries, closed positions and closed lines');
  assert.deepEqual(a[0].audit[0].map((e) => e[0]), ['create'], 'one audit entry, create, for a departure written in bulk');
  assert.equal(a[0].audit[0][0][2].departed_on, '2024-03', 'the audit entry holds the record');
  const [c, d] = [await eqState('fastodd'), await eqState('slowodd')];
  assert.deepEqual(c, d, 'every other person leaving: the same records');
  assert.deepEqual(c[1].lines, [['2021', '2024-03']], 'the line of a stayer under a leaver is closed by the leaver');
  assert.deepEqual(c[1].pos, [['2020', null]], 'the stayer keeps the position');
  assert.equal(a[0].deps[0].sources.length, 1);
  assert.deepEqual(a[1].deps[0].sources, [EQ_S1, EQ_S2].sort(), 'a repeated source is linked once');
  assert.equal(a[0].pos[0][1], '2024-03', 'the departure closed the position');
  assert.equal(a[2].pos[0][1], null, 'a retracted departure closes nothing');
  assert.equal(a[1].lines[0][1], '2024-03', 'the line closed by the first of the two to leave (its manager, line 1)');

  // Re-importing the file: every line unchanged (the batch goes record by record).
  await importRecords(fast, 200, { created: 0, unchanged: 8 });
  // A bad line among new departures: the batch is refused with that line named, nothing written.
  const more = [1, 2, 3].map((i) => ({ type: 'departure', person: eqPerson('fast', i), org: EQ_ORG, departed_on: '2025-0' + i }));
  more.splice(1, 0, { type: 'departure', person: eqPerson('fast', 4), org: EQ_ORG, departed_on: '2025-02', team: `${EQ_DEST}/alpha` });
  const bad = await importRecords(more, 422, {});
  assert.deepEqual(bad.errors.map((e) => [e.line, e.field]), [[2, 'team']], JSON.stringify(bad.errors));
  for (let i = 1; i <= 3; i++) assert.equal((await all(`/departures${qs({ person: eqPerson('fast', i), status: 'all' })}`)).length, 1, 'nothing written');
  // A departure of another organization's layoff is refused the same way.
  const wrongLayoff = [
    { type: 'departure', person: eqPerson('fast', 5), org: EQ_DEST, departed_on: '2025-03', layoff: EQ_LAYOFF },
    { type: 'departure', person: eqPerson('fast', 6), org: EQ_DEST, departed_on: '2025-03' },
  ];
  const bad2 = await importRecords(wrongLayoff, 422, {});
  assert.deepEqual(bad2.errors.map((e) => e.line), [1], JSON.stringify(bad2.errors));
});

// A layoffs tracker's table loads as it is (issue 26). The test builds a table shaped like the
// public trackers' (company, location, industry, laid off, share laid off, M/D/YYYY date, stage,
// country, source; NULLs, trailing spaces, exact duplicate rows, same-day pairs that differ,
// country variants, stages as trackers spell them), converts it as a journalist's short script
// would (NULL → absent, M/D/YYYY → ISO, fraction → percent), and sends it as NDJSON and as CSV:
// a differing pair is a 422 naming both lines and the fields; identical lines are listed as
// duplicates; once the pair is resolved the file imports; a second import is all `unchanged`
// and writes no audit row; /stats/layoffs equals a direct sum over the file for every
// group_by. Then: organizations by name (ambiguous, created on request), the new fields on
// writes (names and spellings normalised, unknown ones a 400 naming both), the filters.
// Every company name carries a random word, and the industries too, so the statistics of this
// run can be read apart from anything else in the database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, checkSpec } from './lib.mjs';
import { qs, walk, word, parseCsv } from './helpers-records.mjs';

const RUN = word(8);
const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL;
const nd = (records) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const COUNTRIES = [
  ['United States', 'US'], ['United States.', 'US'], ['USA', 'US'], ['UK', 'GB'], ['United Kingdom', 'GB'],
  ['South Korea', 'KR'], ['Russia', 'RU'], ['Vietnam', 'VN'], ['Czech Republic', 'CZ'], ['Hong Kong', 'HK'],
  ['Germany', 'DE'], ['India', 'IN'], ['Brazil', 'BR'], ['Côte d’Ivoire', 'CI'],
];
const STAGES = [
  ['Series B', 'series_b'], ['Post-IPO', 'post_ipo'], ['Private Equity', 'private_equity'], ['Seed', 'seed'],
  ['Acquired', 'acquired'], ['Unknown', 'unknown'], ['Series J', 'series_j'], ['Subsidiary', 'subsidiary'], ['NULL', null],
];
const INDUSTRIES = ['Retail', 'Fintech', 'Crypto', 'Healthcare'].map((i) => `${i} ${RUN}`);

/**
 * A tracker's table: rows of strings as the trackers publish them. 60 companies, 160 rows, dates
 * 2020–2023, a few exact duplicate rows and one same-day pair with different counts.
 */
function trackerTable(tag, seed) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const companies = [];
  for (let i = 0; i < 60; i++) {
    const [country, code] = pick(COUNTRIES);
    const [stage, stageCode] = pick(STAGES);
    companies.push({
      name: `${tag} Co ${i} ${RUN}`, location: pick(['SF Bay Area', 'New York City ', 'London', 'Berlin', 'Seoul', 'NULL']),
      industry: pick(INDUSTRIES) + (r() < 0.3 ? ' ' : ''), country, code, stage, stageCode,
    });
  }
  const rows = [];
  const used = new Set();
  while (rows.length < 160) {
    const c = pick(companies);
    const y = 2020 + Math.floor(r() * 4), m = 1 + Math.floor(r() * 12), d = 1 + Math.floor(r() * 28);
    const date = `${m}/${d}/${y}`;
    const key = `${c.name}|${date}|${c.location}`;
    if (used.has(key)) continue;
    used.add(key);
    rows.push({
      company: c.name, location: c.location, industry: c.industry,
      total_laid_off: r() < 0.2 ? 'NULL' : String(1 + Math.floor(r() * 2000)),
      percentage_laid_off: r() < 0.4 ? 'NULL' : (Math.floor(r() * 100) / 100).toString(),
      date, stage: c.stage, country: c.country,
      source: `https://example.org/tracker/${RUN}/${tag}/${Math.floor(r() * 40)}`,
      c,
    });
  }
  // Exact duplicate rows (the tracker's own repeats), and a same-day pair that differs.
  for (const i of [5, 17, 42]) rows.splice(i + 3, 0, { ...rows[i] });
  const pairAt = 70;
  rows.splice(pairAt + 1, 0, { ...rows[pairAt], total_laid_off: rows[pairAt].total_laid_off === '54' ? '30' : '54' });
  if (rows[pairAt].total_laid_off === 'NULL') rows[pairAt] = { ...rows[pairAt], total_laid_off: '600' };
  return { companies, rows, pairAt };
}

/** The journalist's conversion: NULL → absent, M/D/YYYY → ISO, fraction → percent. */
const isoDate = (mdy) => {
  const [m, d, y] = mdy.split('/');
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
};
const val = (s) => (s === 'NULL' ? undefined : s);
function layoffOf(row) {
  const out = { type: 'layoff', org: row.company, announced_on: isoDate(row.date) };
  if (val(row.location) !== undefined) out.location = row.location;
  if (val(row.total_laid_off) !== undefined) out.count = Number(row.total_laid_off);
  if (val(row.percentage_laid_off) !== undefined) out.percentage = Math.round(Number(row.percentage_laid_off) * 10000) / 100;
  out.sources = [row.source];
  return out;
}
function organizationOf(row) {
  const out = { type: 'organization', name: row.company, kind: 'company', industry: row.industry, country: row.country };
  if (val(row.stage) !== undefined) out.stage = row.stage;
  if (val(row.location) !== undefined) out.headquarters = row.location;
  return out;
}
/** The NDJSON file: per row a source, an organization and a layoff line (as the script writes them). */
function ndjsonFile(rows) {
  const lines = [];
  for (const row of rows) {
    lines.push({ type: 'source', url: row.source, title: `Tracker row ${RUN}` });
    lines.push(organizationOf(row));
    lines.push(layoffOf(row));
  }
  return lines;
}

async function importNd(lines, query = {}) {
  const res = await api('POST', `/import${qs(query)}`, { key: 'editor', body: nd(lines), raw: true, headers: { 'content-type': 'application/x-ndjson' }, timeoutMs: 120_000 });
  return checkSpec(res, 'POST', '/import');
}
async function importCsv(type, text, query = {}) {
  const res = await api('POST', `/import${qs({ type, ...query })}`, { key: 'editor', body: text, raw: true, headers: { 'content-type': 'text/csv' }, timeoutMs: 120_000 });
  return checkSpec(res, 'POST', '/import');
}
function answer(res, status) {
  assert.equal(res.status, status, `import → ${res.status} ${res.text.slice(0, 3000)}`);
  return res.body;
}
const auditRows = () => Number(execFileSync('psql', [DB_URL, '-XqAt', '-c', 'SELECT count(*) FROM audit_log'], { encoding: 'utf8' }).trim());

/** The statistics a tracker answers, summed straight from the converted rows (each layoff once). */
function expectedStats(layoffs, orgOf, groupBy) {
  const groups = new Map();
  const keyOf = (l) => {
    const o = orgOf(l.org);
    switch (groupBy) {
      case 'year': return l.announced_on.slice(0, 4);
      case 'month': return l.announced_on.slice(0, 7);
      case 'quarter': return `${l.announced_on.slice(0, 4)}-Q${Math.floor((Number(l.announced_on.slice(5, 7)) - 1) / 3) + 1}`;
      case 'org': return o.id;
      case 'industry': return o.industry;
      case 'country': return o.country;
      default: return o.stage;
    }
  };
  const add = (g, l) => {
    g.layoffs += 1;
    g.laid_off += l.count ?? 0;
    g.without_count += l.count === undefined ? 1 : 0;
    g.orgSet.add(l.org);
  };
  const total = { layoffs: 0, laid_off: 0, without_count: 0, orgSet: new Set() };
  for (const l of layoffs) {
    const k = keyOf(l);
    if (!groups.has(k)) groups.set(k, { key: k, layoffs: 0, laid_off: 0, without_count: 0, orgSet: new Set() });
    add(groups.get(k), l);
    add(total, l);
  }
  const clean = (g) => ({ layoffs: g.layoffs, laid_off: g.laid_off, without_count: g.without_count, orgs: g.orgSet.size });
  return { groups: new Map([...groups].map(([k, g]) => [k, clean(g)])), total: clean(total) };
}

async function stats(query) {
  const res = checkSpec(await api('GET', `/stats/layoffs${qs(query)}`), 'GET', '/stats/layoffs');
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** For each industry of the run (so that nothing else in the database counts), every group_by. */
async function assertStatsMatch(layoffs, orgOf) {
  for (const industry of INDUSTRIES) {
    const mine = layoffs.filter((l) => orgOf(l.org).industry === industry);
    assert.ok(mine.length > 0, `rows in ${industry}`);
    for (const groupBy of ['month', 'quarter', 'year', 'org', 'industry', 'country', 'stage']) {
      const want = expectedStats(mine, orgOf, groupBy);
      const got = await stats({ group_by: groupBy, industry: industry.toLowerCase() });
      assert.equal(got.group_by, groupBy);
      assert.deepEqual(got.total, want.total, `${industry} ${groupBy} total`);
      const nonEmpty = got.groups.filter((g) => g.layoffs > 0);
      assert.deepEqual(new Map(nonEmpty.map((g) => [g.key, { layoffs: g.layoffs, laid_off: g.laid_off, without_count: g.without_count, orgs: g.orgs }])),
        want.groups, `${industry} ${groupBy} groups`);
      if (['month', 'quarter', 'year'].includes(groupBy)) {
        const keys = got.groups.map((g) => g.key);
        assert.deepEqual(keys, [...keys].sort(), 'periods in order');
        assert.equal(new Set(keys).size, keys.length);
        if (groupBy === 'year') {
          const first = Number(keys[0]), last = Number(keys.at(-1));
          assert.equal(keys.length, last - first + 1, 'every year between the first and the last, empty ones included');
        }
      } else {
        const order = got.groups.map((g) => g.laid_off);
        assert.deepEqual(order, [...order].sort((a, b) => b - a), 'largest laid_off first');
      }
    }
  }
}

test('a tracker table as NDJSON: the differing pair named, duplicates listed, then imported; re-import all unchanged, no audit row; statistics equal the file', async () => {
  const { rows, pairAt } = trackerTable('Nd', 2611);
  const lines = ndjsonFile(rows);
  // Rejected: the second row of the pair names the first, the key and the count.
  const before = DB_URL ? auditRows() : 0;
  const rejected = answer(await importNd(lines), 422);
  const firstLine = 3 * pairAt + 3, laterLine = 3 * pairAt + 6;
  const pairErrors = rejected.errors.filter((e) => e.line === laterLine);
  assert.equal(pairErrors.length, 1, JSON.stringify(rejected.errors.slice(0, 5)));
  const keyFields = rows[pairAt].location === 'NULL' ? 'org, announced_on' : 'org, announced_on, location';
  assert.equal(pairErrors[0].field, 'count');
  assert.equal(pairErrors[0].message, `same layoff as line ${firstLine} (${keyFields}) with other values: count ${rows[pairAt].total_laid_off} ≠ ${rows[pairAt + 1].total_laid_off}`);
  assert.equal(rejected.errors_total, 1, JSON.stringify(rejected.errors.slice(0, 5)));
  assert.ok(rejected.duplicates.length > 0, 'identical lines are listed even in a rejection');
  if (DB_URL) assert.equal(auditRows(), before, 'nothing written');
  assert.equal((await api('GET', `/organizations${qs({ q: `Nd Co 0 ${RUN}` })}`)).body.items.length, 0);

  // The journalist resolves the pair (keeps the first row) and imports again.
  const resolved = rows.filter((_, i) => i !== pairAt + 1);
  const good = ndjsonFile(resolved);
  const done = answer(await importNd(good), 200);
  assert.equal(done.records, good.length);
  // Every line is either written once or listed as the duplicate of the first line of its record.
  const dups = new Map(done.duplicates.map((d) => [d.line, d.same_as]));
  for (const [line, same] of dups) {
    assert.ok(same < line);
    assert.deepEqual(good[line - 1], good[same - 1], `line ${line} is identical to line ${same}`);
  }
  const layoffKeys = new Set(resolved.map((r) => `${r.company}|${r.date}|${r.location.trim().toLowerCase()}`));
  const orgNames = new Set(resolved.map((r) => r.company));
  const urls = new Set(resolved.map((r) => r.source));
  assert.equal(done.created, layoffKeys.size + orgNames.size + urls.size, 'one record a natural key');
  assert.equal(good.length - dups.size, done.created);
  assert.equal(done.updated + done.unchanged, 0);

  // Read back: the company's attributes as the tracker said them, normalised.
  const orgs = new Map();
  for (const industry of INDUSTRIES) {
    for (const o of (await walk(`/organizations${qs({ industry })}`)).items) orgs.set(o.name, o);
  }
  assert.equal(orgs.size, orgNames.size);
  for (const row of resolved) {
    const o = orgs.get(row.company);
    assert.equal(o.industry, row.industry.trim());
    assert.equal(o.country, row.c.code, row.country);
    assert.equal(o.stage, row.c.stageCode, row.stage);
    assert.equal(o.headquarters, val(row.location)?.trim() ?? null);
  }

  // A second identical import: every record unchanged, no audit row.
  const beforeAgain = DB_URL ? auditRows() : 0;
  const again = answer(await importNd(good), 200);
  assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, good.length - dups.size]);
  assert.deepEqual(again.duplicates, done.duplicates);
  if (DB_URL) assert.equal(auditRows(), beforeAgain, 'a re-import writes no audit row');

  // The statistics equal a direct sum over the file.
  const layoffs = [];
  const seen = new Set();
  for (const row of resolved) {
    const k = `${row.company}|${row.date}|${row.location.trim().toLowerCase()}`;
    if (seen.has(k)) continue;
    seen.add(k);
    layoffs.push(layoffOf(row));
  }
  await assertStatsMatch(layoffs, (name) => orgs.get(name));

  // The layoffs list filters by the organization's attributes; CSV carries the new columns.
  const us = (await walk(`/layoffs${qs({ industry: INDUSTRIES[0], country: 'us' })}`)).items;
  const wantUs = layoffs.filter((l) => orgs.get(l.org).industry === INDUSTRIES[0] && orgs.get(l.org).country === 'US');
  assert.equal(us.length, wantUs.length);
  const csv = await api('GET', `/layoffs.csv${qs({ industry: INDUSTRIES[0], limit: 5 })}`);
  assert.equal(csv.status, 200);
  assert.ok(parseCsv(csv.text)[0].includes('location'), 'the CSV header names location');
  const ocsv = await api('GET', `/organizations.csv${qs({ industry: INDUSTRIES[0], limit: 5 })}`);
  for (const col of ['industry', 'headquarters', 'country', 'stage']) assert.ok(parseCsv(ocsv.text)[0].includes(col), col);
});

test('the same tracker table as CSV: organizations then layoffs by company name, duplicates listed, re-import unchanged', async () => {
  const { rows, pairAt } = trackerTable('Csv', 977);
  const resolved = rows.filter((_, i) => i !== pairAt + 1);
  const cell = (s) => (s === undefined ? '' : /[",\n]/.test(String(s)) ? `"${String(s).replace(/"/g, '""')}"` : String(s));
  const orgCsv = ['name,kind,industry,country,stage,headquarters',
    ...resolved.map((r) => { const o = organizationOf(r); return [o.name, o.kind, o.industry, o.country, o.stage, o.headquarters].map(cell).join(','); })].join('\r\n') + '\r\n';
  const o = answer(await importCsv('organization', orgCsv), 200);
  const companies = new Set(resolved.map((r) => r.company));
  assert.equal(o.created, companies.size);
  assert.equal(o.duplicates.length, resolved.length - companies.size, 'every repeated company row listed');
  const layoffCsv = (rs) => ['org,announced_on,location,count,percentage',
    ...rs.map((r) => { const l = layoffOf(r); return [l.org, l.announced_on, l.location, l.count, l.percentage].map(cell).join(','); })].join('\n') + '\n';
  // The differing pair in CSV: the record's line numbers (the header is line 1).
  const bad = answer(await importCsv('layoff', layoffCsv(rows)), 422);
  assert.equal(bad.errors.length, 1);
  assert.equal(bad.errors[0].line, pairAt + 3);
  assert.match(bad.errors[0].message, new RegExp(`^same layoff as line ${pairAt + 2} \\(org, announced_on`));
  const good = answer(await importCsv('layoff', layoffCsv(resolved)), 200);
  const keys = new Set(resolved.map((r) => `${r.company}|${r.date}|${r.location.trim().toLowerCase()}`));
  assert.equal(good.created, keys.size);
  assert.equal(good.duplicates.length, resolved.length - keys.size);
  const again = answer(await importCsv('layoff', layoffCsv(resolved)), 200);
  assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, keys.size]);
});

test('two layoffs by one company on one day in different places are two layoffs; location is part of the key', async () => {
  const org = `loc-${RUN}`;
  const lines = [
    { type: 'organization', slug: org, name: `Loc ${RUN}`, industry: `Loc ${RUN}` },
    { type: 'layoff', org, announced_on: '2023-01-18', location: 'Seattle', count: 878 },
    { type: 'layoff', org, announced_on: '2023-01-18', location: 'Bangalore', count: 300 },
    { type: 'layoff', org, announced_on: '2023-01-18', count: 10 },
  ];
  const a = answer(await importNd(lines), 200);
  assert.equal(a.created, 4);
  const list = (await walk(`/layoffs${qs({ org })}`)).items.map((l) => [l.location, l.count]).sort();
  assert.deepEqual(list, [[null, 10], ['Bangalore', 300], ['Seattle', 878]]);
  // The key compares location case-insensitively: a later file with "seattle" updates that one.
  const b = answer(await importNd([{ type: 'layoff', org, announced_on: '2023-01-18', location: 'seattle', count: 900 }]), 200);
  assert.deepEqual([b.created, b.updated], [0, 1]);
  const s = await stats({ group_by: 'org', industry: `Loc ${RUN}` });
  assert.deepEqual(s.total, { layoffs: 3, laid_off: 1210, without_count: 0, orgs: 1 });
});

test('organizations by name in imports: exact name (case and spaces aside), ambiguous names named, ?create=organizations', async () => {
  const a = `byname-a-${RUN}`, b = `byname-b-${RUN}`;
  answer(await importNd([
    { type: 'organization', slug: a, name: `Twin Labs ${RUN}` },
    { type: 'organization', slug: b, name: `twin  labs ${RUN}` },
    { type: 'organization', slug: `byname-c-${RUN}`, name: `Solo Works ${RUN}` },
  ]), 200);
  // One match: the line uses it.
  const one = answer(await importNd([{ type: 'layoff', org: `  SOLO works ${RUN} `, announced_on: '2024-02', count: 5 }]), 200);
  assert.equal(one.created, 1);
  const got = (await walk(`/layoffs${qs({ org: `byname-c-${RUN}` })}`)).items;
  assert.equal(got.length, 1);
  // Two: a 422 naming both candidates; nothing written.
  const amb = answer(await importNd([{ type: 'layoff', org: `Twin Labs ${RUN}`, announced_on: '2024-03' }]), 422);
  assert.equal(amb.errors[0].field, 'org');
  assert.match(amb.errors[0].message, new RegExp(`2 organizations are named .*${a}, ${b}`));
  // None: unknown without ?create=, created with it (and reported), then found by name.
  const missing = `Brand New ${RUN}`;
  const unknown = answer(await importNd([{ type: 'layoff', org: missing, announced_on: '2024-04' }]), 422);
  assert.equal(unknown.errors[0].field, 'org');
  assert.deepEqual(unknown.created_organizations, []);
  // A dry run says which it would create, and creates none.
  const dry = answer(await importNd([{ type: 'layoff', org: missing, announced_on: '2024-04', count: 7 }],
    { create: 'organizations', dry_run: 'true' }), 200);
  assert.deepEqual(dry.created_organizations.map((c) => c.line), [1]);
  assert.equal(dry.created, 2);
  assert.equal((await api('GET', `/organizations/brand-new-${RUN.toLowerCase()}`)).status, 404, 'nothing written');
  const created = answer(await importNd([
    { type: 'layoff', org: missing, announced_on: '2024-04', count: 7 },
    { type: 'layoff', org: missing.toUpperCase(), announced_on: '2024-05', count: 8 },
  ], { create: 'organizations' }), 200);
  const slug = `brand-new-${RUN.toLowerCase()}`;
  assert.deepEqual(created.created_organizations, [{ line: 1, field: 'org', slug }]);
  assert.equal(created.created, 3, 'the organization and two layoffs');
  const org = await api('GET', `/organizations/${slug}`);
  assert.equal(org.status, 200);
  assert.equal(org.body.kind, 'company');
  assert.equal(org.body.name, missing);
  // ?create= takes only `organizations`.
  const badCreate = await importNd([{ type: 'layoff', org: missing, announced_on: '2024-06' }], { create: 'people' });
  assert.equal(badCreate.status, 400);
  assert.equal(badCreate.body.errors[0].field, 'create');
});

test('organizations: industry, headquarters, country and stage on writes, normalised; unknown values a 400 naming each field', async () => {
  const res = await api('POST', '/organizations', { key: 'editor', body: { name: `Attr ${RUN}`, industry: '  Food  ', headquarters: ' Lagos ', country: 'nigeria', stage: 'Series C' } });
  assert.equal(res.status, 201, res.text);
  checkSpec(res, 'POST', '/organizations');
  assert.deepEqual([res.body.industry, res.body.headquarters, res.body.country, res.body.stage], ['Food', 'Lagos', 'NG', 'series_c']);
  for (const [given, code] of [['USA', 'US'], ['United States.', 'US'], ['UK', 'GB'], ['South Korea', 'KR'], ['Russia', 'RU'], ['Vietnam', 'VN'], ['Czech Republic', 'CZ'], ['Hong Kong', 'HK'], ['de', 'DE'], ['FRA', 'FR']]) {
    const p = await api('PATCH', `/organizations/${res.body.id}`, { key: 'editor', body: { country: given } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.country, code, given);
  }
  const bad = await api('POST', '/organizations', { key: 'editor', body: { name: `Attr2 ${RUN}`, country: 'Atlantis', stage: 'Series Z' } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['country', 'stage']);
  const cleared = await api('PATCH', `/organizations/${res.body.id}`, { key: 'editor', body: { country: null, stage: null, industry: null } });
  assert.deepEqual([cleared.body.country, cleared.body.stage, cleared.body.industry], [null, null, null]);
  // In an import the same errors name the line.
  const imp = answer(await importNd([{ type: 'organization', name: `Attr3 ${RUN}`, country: 'Atlantis' }]), 422);
  assert.deepEqual(imp.errors.map((e) => [e.line, e.field]), [[1, 'country']]);
});

test('filters: country takes an ISO code only, stage a stored value; bad ones are a 400 naming them', async () => {
  for (const path of ['/organizations', '/layoffs', '/departures', '/stats/layoffs', '/stats/departures', '/stats/flows']) {
    const c = await api('GET', `${path}${qs({ country: 'Atlantis' })}`);
    assert.equal(c.status, 400, path);
    assert.equal(c.body.errors[0].field, 'country');
    const s = await api('GET', `${path}${qs({ stage: 'Series B' })}`);
    assert.equal(s.status, 400, path);
    assert.equal(s.body.errors[0].field, 'stage');
    assert.equal((await api('GET', `${path}${qs({ country: 'us', stage: 'series_b', industry: 'AI' })}`)).status, 200, path);
  }
  const g = await api('GET', '/stats/layoffs?group_by=team');
  assert.equal(g.status, 400);
  assert.equal(g.body.errors[0].field, 'group_by');
  const o = await api('GET', '/stats/layoffs?org=no-such-org-' + RUN);
  assert.equal(o.status, 400);
  assert.equal(o.body.errors[0].field, 'org');
});

test('a re-import of an accepted file with every type, every optional field absent and present, is all unchanged and writes no audit row', async () => {
  const s = (w) => `ri-${RUN}-${w}`;
  const layoffId = '0190d3c4-6f1e-7a2b-8c3d-' + Array.from({ length: 12 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
  const urlA = `https://example.org/${s('a')}`, urlB = `https://example.org/${s('b')}`;
  const lines = [
    { type: 'source', url: urlA, title: 'A', publisher: 'Pub', author: 'Au Thor', published_on: '2024-03' },
    { type: 'source', url: urlB },
    { type: 'organization', name: `Ri B ${RUN}` },
    { type: 'organization', slug: s('org-a'), name: `Ri A ${RUN}`, kind: 'startup', website: 'https://example.org', founded_on: '2019',
      parent: `ri-b-${RUN}`, description: 'Line one\nline two', industry: 'AI ', headquarters: 'Paris', country: 'France', stage: 'Series A' },
    { type: 'team', org: s('org-a'), name: 'Team B' },
    { type: 'team', org: s('org-a'), slug: 'team-a', parent: `${s('org-a')}/team-b`, name: 'Team A', description: 'd',
      formed_on: '2020-02', dissolved_on: '2024', reported_headcount: 12 },
    { type: 'person', full_name: `Ri Person B ${RUN}` },
    { type: 'person', slug: s('p-a'), full_name: `Ri Person A ${RUN}`, aliases: ['Alias'], bio: 'Bio', links: { web: 'https://example.org/a' }, tags: ['t1', 't2'] },
    { type: 'person', slug: s('p-c'), full_name: `Ri Person C ${RUN}` },
    { type: 'layoff', org: s('org-a'), announced_on: '2023' },
    { type: 'layoff', id: layoffId, org: s('org-a'), team: `${s('org-a')}/team-a`, announced_on: '2023-05-02', effective_on: '2023-06',
      location: 'Paris ', count: 40, percentage: 12.5, description: 'Cut', sources: [urlA, urlB] },
    { type: 'position', person: `ri-person-b-${RUN}`, org: s('org-a') },
    { type: 'position', person: s('p-a'), org: s('org-a'), team: `${s('org-a')}/team-a`, title: 'Lead', started_on: '2020-01', ended_on: '2023-05-02', sources: [urlA] },
    { type: 'position', person: s('p-c'), org: s('org-a'), title: 'Engineer', started_on: '2021' },
    { type: 'reporting_line', report: `ri-person-b-${RUN}`, manager: s('p-c') },
    { type: 'reporting_line', report: s('p-a'), manager: s('p-c'), valid_from: '2020-02', valid_to: '2022', sources: [urlB] },
    { type: 'departure', person: s('p-c'), org: s('org-a'), departed_on: '2024-02' },
    { type: 'departure', person: s('p-a'), org: s('org-a'), team: `${s('org-a')}/team-a`, title: 'Lead', departed_on: '2023-05-02',
      announced_on: '2023-05', kind: 'laid_off', reason_category: 'layoff', reason: 'Cut', destination_org: `ri-b-${RUN}`,
      destination_title: 'CTO', destination_kind: 'joined', layoff: layoffId, returned_on: '2024-09', sources: [urlA], notes: 'n', status: 'confirmed' },
  ];
  const first = answer(await importNd(lines), 200);
  assert.deepEqual([first.created, first.updated, first.unchanged], [lines.length, 0, 0]);
  const before = DB_URL ? auditRows() : 0;
  const again = answer(await importNd(lines), 200);
  assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, lines.length]);
  if (DB_URL) assert.equal(auditRows(), before, 'no audit row');
  // The same as CSV, type by type.
  for (const type of ['organization', 'layoff']) {
    const recs = lines.filter((l) => l.type === type);
    const cols = [...new Set(recs.flatMap((r) => Object.keys(r)))].filter((c) => c !== 'type');
    const cell = (v) => (v === undefined ? '' : typeof v === 'object' ? `"${JSON.stringify(v).replace(/"/g, '""')}"` : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const csv = [cols.join(','), ...recs.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
    const c = answer(await importCsv(type, csv), 200);
    assert.deepEqual([c.created, c.updated, c.unchanged], [0, 0, recs.length], type);
  }
  if (DB_URL) assert.equal(auditRows(), before, 'no audit row from the CSV either');
});

test('/layoffs?sort=-count: the largest first over every page, unknown counts last, the cursor bound to the sort', async () => {
  const org = `sorted-${RUN}`;
  const counts = [5, null, 900, 40, null, 900, 1, 300, 12];
  answer(await importNd([
    { type: 'organization', slug: org, name: `Sorted ${RUN}` },
    ...counts.map((c, i) => ({ type: 'layoff', org, announced_on: `2021-0${i + 1}`, ...(c === null ? {} : { count: c }) })),
  ]), 200);
  const seen = [];
  let cursor;
  for (let i = 0; i < 20; i++) {
    const res = checkSpec(await api('GET', `/layoffs${qs({ org, sort: '-count', limit: 2, cursor })}`), 'GET', '/layoffs');
    assert.equal(res.status, 200, res.text);
    seen.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen.map((l) => l.count), [900, 900, 300, 40, 12, 5, 1, null, null]);
  assert.equal(new Set(seen.map((l) => l.id)).size, counts.length, 'each layoff once');
  const first = await api('GET', `/layoffs${qs({ org, limit: 2 })}`);
  const mixed = await api('GET', `/layoffs${qs({ org, sort: '-count', cursor: first.body.next_cursor })}`);
  assert.equal(mixed.status, 400);
  assert.equal(mixed.body.errors[0].field, 'cursor');
  const bad = await api('GET', `/layoffs${qs({ sort: 'count' })}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].field, 'sort');
  const csv = await api('GET', `/layoffs.csv${qs({ org, sort: '-count', all: 'true' })}`);
  const rows = parseCsv(csv.text);
  const c = rows[0].indexOf('count');
  assert.deepEqual(rows.slice(1).map((r) => r[c]), ['900', '900', '300', '40', '12', '5', '1', '', '']);
});

// write_paths.test.mjs — one write rule, two paths (issue 25): the same random records written
// one by one through the API (POST /<plural>) and as one import file (POST /import) end as the
// same rows, the same audit rows and, for bad records, the same errors. Every record type,
// each optional field absent or present at random, references by slug; departures close
// positions and reporting lines on both paths. Two copies of one scenario are written under two
// prefixes (A through the API, B by import) and compared with the prefix taken out: the export
// of each (GET /export) and the audit rows of each (the database, ids replaced by the records'
// natural keys); then the same bad records against each copy: the API's errors (field and
// message) and the import's errors of their lines.
// Environment: ORGWATCH_TEST_URL, the editor key of lib.mjs, ORGWATCH_TEST_DATABASE_URL (psql,
// for the audit rows), ORGWATCH_TEST_SEED (the scenario's seed; random and printed otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api } from './lib.mjs';
import { word } from './helpers-records.mjs';

const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL;
const SEED = Number(process.env.ORGWATCH_TEST_SEED || Math.floor(Math.random() * 2 ** 31));
const RUN = word(6);
const PREFIX = { A: `wpa${RUN}`, B: `wpb${RUN}` };
const PLURAL = {
  source: 'sources', organization: 'organizations', team: 'teams', person: 'people', position: 'positions',
  reporting_line: 'reporting-lines', layoff: 'layoffs', departure: 'departures',
};

/** mulberry32: the scenario is a function of SEED alone. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The scenario, with "@" where the prefix goes: records in an order the API can write them. */
function scenario(seed) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const maybe = (v) => (r() < 0.5 ? v : undefined);
  const day = (y0, y1) => {
    const y = y0 + Math.floor(r() * (y1 - y0 + 1));
    const m = String(1 + Math.floor(r() * 12)).padStart(2, '0');
    return pick([`${y}`, `${y}-${m}`, `${y}-${m}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`]);
  };
  const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const out = [];
  const add = (type, rec) => out.push({ type, ...clean(rec) });
  const sources = [1, 2, 3, 4].map((i) => `https://example.org/@/source-${i}`);
  for (const url of sources) {
    add('source', { url, title: maybe(`Title of ${url}`), publisher: maybe(pick(['Fortune', 'The Information', null])),
      author: maybe('A. Writer'), published_on: maybe(day(2020, 2024)) });
  }
  const someSources = () => maybe(sources.filter(() => r() < 0.4));
  const orgs = [1, 2, 3].map((i) => `@-org-${i}`);
  for (const slug of orgs) {
    add('organization', { slug, name: `Org ${slug}`, kind: maybe(pick(['company', 'startup', 'lab'])),
      website: maybe(`https://${slug.replace('@', 'x')}.example`), founded_on: maybe(day(1990, 2015)),
      description: maybe('An organization.'), industry: maybe(pick(['AI', 'Robotics'])),
      headquarters: maybe('Paris'), country: maybe(pick(['FR', 'United States', 'gbr'])), stage: maybe(pick(['Series B', 'Post-IPO'])) });
  }
  const teams = [];
  for (const org of orgs) {
    for (const t of [1, 2]) {
      const slug = `team-${t}`;
      add('team', { org, slug, name: `Team ${t} of ${org}`, description: maybe('A team.'), formed_on: maybe(day(2015, 2018)),
        reported_headcount: maybe(Math.floor(r() * 50)) });
      teams.push({ org, ref: `${org}/${slug}` });
    }
  }
  const people = [];
  for (let i = 1; i <= 12; i++) {
    const slug = `@-person-${i}`;
    add('person', { slug, full_name: `Person ${i} @`, bio: maybe(`Bio ${i}`), tags: maybe(r() < 0.5 ? ['ai'] : []),
      aliases: maybe([`P${i} @`]), links: maybe({ web: `https://p${i}.example` }) });
    people.push({ slug, org: orgs[i % 3] });
  }
  for (const p of people) {
    const team = maybe(pick(teams.filter((t) => t.org === p.org)).ref);
    add('position', { person: p.slug, org: p.org, team, title: maybe(pick(['Engineer', 'Scientist', 'Director'])),
      started_on: pick(['2019', '2020-03', '2020-06-15']), ended_on: maybe(r() < 0.3 ? '2026' : null), sources: someSources() });
  }
  // Reporting lines: within an organization, each person after the first of it under an earlier one.
  for (const org of orgs) {
    const staff = people.filter((p) => p.org === org);
    for (let k = 1; k < staff.length; k++) {
      add('reporting_line', { report: staff[k].slug, manager: staff[Math.floor(r() * k)].slug,
        valid_from: pick(['2021', '2021-02']), valid_to: maybe(r() < 0.3 ? '2027' : null), sources: someSources() });
    }
  }
  for (const org of orgs) {
    add('layoff', { org, announced_on: day(2022, 2023), location: maybe(pick(['Seattle', 'Remote'])), count: maybe(Math.floor(r() * 500)),
      percentage: maybe(Math.round(r() * 300) / 10), effective_on: maybe('2023-06'), description: maybe('Cuts.'), sources: someSources() });
  }
  // Departures of the last person of each organization (a leaf: closing their line ends nobody's).
  for (const org of orgs) {
    const staff = people.filter((p) => p.org === org);
    add('departure', { person: staff[staff.length - 1].slug, org, departed_on: day(2024, 2024),
      announced_on: maybe('2024-12'), kind: maybe(pick(['resigned', 'laid_off', 'unknown'])),
      reason_category: maybe(pick(['startup', 'competitor', 'other'])), reason: maybe('To found a company.'),
      destination_org: maybe(pick(orgs.filter((o) => o !== org))), destination_title: maybe('Founder'),
      destination_kind: maybe(pick(['founded', 'joined'])), notes: maybe('Noted.'),
      status: maybe(pick(['reported', 'confirmed'])), sources: someSources() });
  }
  return out;
}

/** Bad records, each meant to fail one rule, against the scenario's records. */
function badRecords() {
  return [
    { type: 'source', title: 'no url' },
    { type: 'source', url: 'not a url' },
    { type: 'organization', slug: '@-bad-org', name: 'x'.repeat(301) },
    { type: 'organization', name: 'Bad kind @', kind: 'bogus' },
    { type: 'organization', name: 'Bad country @', country: 'Atlantis' },
    { type: 'team', org: '@-no-such-org', slug: 'x', name: 'X' },
    { type: 'person', slug: '@-bad-person' },
    { type: 'person', full_name: 'Bad tags @', tags: 'ai' },
    { type: 'position', person: '@-person-1', org: '@-no-such-org', started_on: '2020' },
    { type: 'position', person: '@-person-1', org: '@-org-2', started_on: '2020-13' },
    { type: 'position', person: '@-person-1', org: '@-org-2', started_on: '2022', ended_on: '2021' },
    { type: 'reporting_line', report: '@-person-1', manager: '@-person-1', valid_from: '2023' },
    { type: 'reporting_line', report: '@-person-4', manager: '@-no-such-person', valid_from: '2022' },
    { type: 'reporting_line', report: '@-person-4', manager: '@-person-7', valid_from: '2021-06' },
    // person-1 heads org-2's staff (1, 4, 7, 10) and person-4 reports to it from 2021: a cycle
    { type: 'reporting_line', report: '@-person-1', manager: '@-person-4', valid_from: '2022' },
    { type: 'layoff', org: '@-org-1' },
    { type: 'layoff', org: '@-org-1', announced_on: '2023', count: 'many' },
    { type: 'departure', person: '@-person-2', org: '@-org-2' },
    { type: 'departure', person: '@-person-2', org: '@-org-2', departed_on: '2024', kind: 'vanished' },
    { type: 'departure', person: '@-no-such-person', org: '@-org-2', departed_on: '2024' },
  ];
}

const withPrefix = (v, p) => JSON.parse(JSON.stringify(v).replaceAll('@', p));
const withoutPrefix = (s, p) => s.replaceAll(p, '@');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** An error message with the prefix taken out and record ids (the two copies' own) as <id>. */
const normalized = (m, p) => withoutPrefix(String(m), p).replace(UUID, '<id>');

async function post(rec) {
  const { type, ...body } = rec;
  return api('POST', `/${PLURAL[type]}`, { key: 'editor', body });
}

async function importLines(records) {
  const body = records.map((x) => JSON.stringify(x)).join('\n') + '\n';
  return api('POST', '/import', { key: 'editor', body, raw: true, headers: { 'content-type': 'application/x-ndjson' }, timeoutMs: 120_000 });
}

/** The export lines of every record of prefix p, prefix taken out, sorted. */
async function exported(p) {
  const res = await api('GET', '/export');
  assert.equal(res.status, 200, res.text.slice(0, 300));
  // A layoff has no natural name and is exported with its id, which the two copies do not share.
  const line = (l) => (l.includes('"type": "layoff"') ? l.replace(/"id": "[0-9a-f-]{36}", /, '') : l);
  return res.text.split('\n').filter((l) => l.includes(p)).map((l) => withoutPrefix(line(l), p)).sort();
}

const psql = (sql) => execFileSync('psql', [DB_URL, '-XqAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', timeout: 60_000 });

/** The audit rows of the records of prefix p: entity, operation and both images, each id
 * replaced by its record's natural key and the times left out, sorted. */
function auditOf(p) {
  const labels = `
    SELECT id, 'source:' || url FROM sources UNION ALL
    SELECT id, 'organization:' || slug FROM organizations UNION ALL
    SELECT t.id, 'team:' || o.slug || '/' || t.slug FROM teams t JOIN organizations o ON o.id = t.org_id UNION ALL
    SELECT id, 'person:' || slug FROM people UNION ALL
    SELECT x.id, 'position:' || pe.slug || '@' || o.slug || ':' || coalesce(x.started_on, '') FROM positions x
      JOIN people pe ON pe.id = x.person_id JOIN organizations o ON o.id = x.org_id UNION ALL
    SELECT x.id, 'line:' || a.slug || '<' || coalesce(x.valid_from, '') FROM reporting_lines x JOIN people a ON a.id = x.report_id UNION ALL
    SELECT x.id, 'layoff:' || o.slug || ':' || x.announced_on || ':' || coalesce(x.location, '') FROM layoffs x
      JOIN organizations o ON o.id = x.org_id UNION ALL
    SELECT x.id, 'departure:' || pe.slug || '@' || o.slug || ':' || x.departed_on FROM departures x
      JOIN people pe ON pe.id = x.person_id JOIN organizations o ON o.id = x.org_id`;
  const rows = psql(`WITH labels (id, label) AS (${labels})
    SELECT json_build_object('entity', a.entity, 'operation', a.operation, 'record', l.label,
      'before', a.before - '{id,created_at,updated_at}'::text[], 'after', a.after - '{id,created_at,updated_at}'::text[])
    FROM audit_log a JOIN labels l ON l.id = a.entity_id WHERE l.label LIKE '%${p}%' ORDER BY a.id`);
  const ids = new Map(psql(`WITH labels (id, label) AS (${labels}) SELECT id || ' ' || label FROM labels WHERE label LIKE '%${p}%'`)
    .split('\n').filter(Boolean).map((l) => [l.slice(0, 36), l.slice(37)]));
  return rows.split('\n').filter(Boolean)
    .map((l) => withoutPrefix(l.replace(UUID, (id) => ids.get(id) ?? 'another-record'), p))
    .sort();
}

test('the same records through the API one by one and as one import: the same rows, audit rows and errors', { timeout: 300_000 }, async (t) => {
  t.diagnostic(`seed ${SEED} (ORGWATCH_TEST_SEED=${SEED} to run this scenario again)`);
  const records = scenario(SEED);
  // A: one POST a record, in order; every one accepted.
  for (const rec of withPrefix(records, PREFIX.A)) {
    const res = await post(rec);
    assert.equal(res.status, 201, `POST ${rec.type} ${JSON.stringify(rec)} → ${res.status} ${res.text.slice(0, 500)}`);
  }
  // B: one file.
  const imp = await importLines(withPrefix(records, PREFIX.B));
  assert.equal(imp.status, 200, `import → ${imp.status} ${imp.text.slice(0, 2000)}`);

  assert.deepEqual(await exported(PREFIX.B), await exported(PREFIX.A), 'the records as exported');
  if (DB_URL) {
    const audit = auditOf(PREFIX.A);
    assert.ok(audit.length >= records.length, `${audit.length} audit rows for ${records.length} records`);
    assert.deepEqual(auditOf(PREFIX.B), audit, 'the audit rows');
  }

  // The bad records: the API's errors of each, and the import's errors of its line (the file
  // written against B's records), as (field, message) with the prefix taken out.
  const bad = badRecords();
  const apiErrors = [];
  for (const rec of withPrefix(bad, PREFIX.A)) {
    const res = await post(rec);
    assert.ok(res.status >= 400 && res.status < 500, `POST ${JSON.stringify(rec)} → ${res.status} ${res.text.slice(0, 300)}`);
    // A problem without a list of errors (a 409) says its kind by its type; an import line says
    // it in its message ("conflict: ...").
    const kind = String(res.body?.type ?? '').split('/').pop();
    apiErrors.push((res.body?.errors ?? [{ field: null, message: `${kind}: ${res.body?.detail}` }])
      .map((e) => `${e.field}: ${normalized(e.message, PREFIX.A)}`).sort());
  }
  const bimp = await importLines(withPrefix(bad, PREFIX.B));
  assert.equal(bimp.status, 422, `import of the bad records → ${bimp.status} ${bimp.text.slice(0, 500)}`);
  const byLine = bad.map(() => []);
  for (const e of bimp.body.errors) byLine[e.line - 1].push(`${e.field}: ${normalized(e.message, PREFIX.B)}`);
  const mismatches = bad.map((rec, i) => ({ record: rec, api: apiErrors[i], import: byLine[i].sort() }))
    .filter((m) => JSON.stringify(m.api) !== JSON.stringify(m.import));
  assert.deepEqual(mismatches, [], 'errors that differ between the API and the import');
  // Nothing of the bad records was written by either path.
  assert.deepEqual(await exported(PREFIX.B), await exported(PREFIX.A), 'the records after the bad ones');
});

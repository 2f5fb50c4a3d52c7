// targets.mjs — the sqlmap targets of `make security` (scripts/security.sh), enumerated from
// openapi.yaml so that a new endpoint, parameter or body field cannot be forgotten.
//
//   node tests/security/targets.mjs setup     create the fixture records (below) through the
//                                              API; prints the context JSON on stdout
//   node tests/security/targets.mjs targets CONTEXT.json
//                                              prints the targets, one JSON object a line
//
// Environment: SEC_BASE (http://127.0.0.1:18121), SEC_KEY (an editor key).
//
// Every operation of openapi.yaml is classified; the generator stops with an error naming
// what is missing when it meets a query parameter without a value below, a path without an
// {id} value, a request body schema without a body, or a body field that no body variant
// carries. Kinds of targets (one sqlmap run each):
//   query   GET with its query parameters at valid values, all of them tested (-p)
//   path    the {id}/{file} path segment of every operation that has one, marked with *
//   cursor  the keyset values inside a `cursor`, one target per cursor part: the cursor is
//           checksummed, so raw sqlmap payloads would all be refused before any SQL runs;
//           tamper/ow_cursor.py re-encodes every payload into a valid cursor instead
//   body    POST/PATCH JSON bodies, every scalar and array element tested; the bodies are
//           written per schema below, in variants (slug references / id references) that
//           together carry every property of the schema
//   header  request headers that reach the database: If-Match (PATCH, DELETE),
//           Idempotency-Key (POST), Authorization (the key lookup), and User-Agent/Referer
//           (level 3's own header tests, once)
//   delete  DELETE /{id} of a fixture record with a never-matching If-Match: 412 and
//           nothing deleted, yet {id} and If-Match both reach ow_record_delete
//   import  POST /import: one NDJSON line of each record type (see importLines) and CSV
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = (process.env.SEC_BASE || 'http://127.0.0.1:18121').replace(/\/+$/, '');
const KEY = process.env.SEC_KEY || '';

function die(msg) {
  process.stderr.write(`targets.mjs: ${msg}\n`);
  process.exit(1);
}

// ------------------------------------------------------------------ HTTP

async function api(method, p, body) {
  const headers = { Accept: 'application/json' };
  if (KEY) headers.Authorization = `Bearer ${KEY}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(BASE + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text };
}

async function must(method, p, body, want) {
  const r = await api(method, p, body);
  if (r.status !== want) die(`setup: ${method} ${p} answered ${r.status} (want ${want}): ${r.text.slice(0, 400)}`);
  return r.json;
}

// ------------------------------------------------------------------ fixture records
//
// Created once through the API before any sqlmap run; all slugs start with `sec-`. They make
// every filter of the query targets match at least one record (so sqlmap's "false" payloads
// change the answer), give every list a second page (a cursor) and give PATCH/DELETE
// records of their own.

const SRC = 'https://example.org/sec/source-1';
const VSRC = 'https://example.org/sec/victim-source';

export const FIXTURE = {
  orgs: [
    { slug: 'sec-parent', name: 'Secprobe Parent Lab', kind: 'lab' },
    {
      slug: 'sec-org', name: 'Secprobe Org', kind: 'startup', website: 'https://example.org/sec-org',
      founded_on: '2019-03', parent: 'sec-parent', description: 'Fixture of make security.',
    },
  ],
  teams: [
    { org: 'sec-org', slug: 'sec-parent-team', name: 'Secprobe Parent Team' },
    {
      org: 'sec-org', slug: 'sec-team', name: 'Secprobe Team', parent: 'sec-org/sec-parent-team',
      description: 'Fixture team.', formed_on: '2020', reported_headcount: 10,
    },
  ],
  sources: [
    { url: SRC, title: 'Secprobe news', publisher: 'Secwire', author: 'Sec Author', published_on: '2024-06' },
    { url: 'https://example.org/sec/source-2', title: 'Secprobe news 2', publisher: 'Secwire', published_on: '2024-07' },
  ],
  people: [
    { slug: 'sec-manager', full_name: 'Mallory Secmanager', tags: ['sec-tag'] },
    {
      slug: 'sec-person', full_name: 'Secure Probeperson', aliases: ['Sec Probe'], bio: 'Fixture person.',
      links: { website: 'https://example.org/sec-person' }, tags: ['sec-tag'],
    },
    { slug: 'sec-person-dup-a', full_name: 'Secure Probepersons' },
    { slug: 'sec-person-dup-b', full_name: 'Secure Probeperzon' },
    { slug: 'sec-leaver', full_name: 'Lena Secleaver', tags: ['sec-tag'] },
    { slug: 'sec-creator', full_name: 'Cosmo Seccreator' },
  ],
  positions: [
    { person: 'sec-manager', org: 'sec-org', team: 'sec-org/sec-team', title: 'Head', started_on: '2019-01', sources: [SRC] },
    { person: 'sec-person', org: 'sec-org', team: 'sec-org/sec-team', title: 'Engineer', started_on: '2020-01', sources: [SRC] },
    { person: 'sec-leaver', org: 'sec-org', team: 'sec-org/sec-team', title: 'Engineer', started_on: '2021-01', sources: [SRC] },
  ],
  lines: [
    { report: 'sec-person', manager: 'sec-manager', valid_from: '2020-01', sources: [SRC] },
    { report: 'sec-leaver', manager: 'sec-manager', valid_from: '2021-01', sources: [SRC] },
  ],
  layoff: {
    org: 'sec-org', team: 'sec-org/sec-team', announced_on: '2024-06', effective_on: '2024-07', count: 5,
    percentage: 10, description: 'Fixture layoff.', sources: [SRC],
  },
  // + a departure of sec-leaver linked to the layoff (made in setup(), it needs the layoff id)
};

// The records that PATCH, DELETE and the If-Match/Authorization targets work on. A PATCH
// body equals the record as created, so every PATCH is a no-op and the baseline stays 200.
function victimBodies(ids) {
  return {
    person: {
      slug: 'sec-victim', full_name: 'Victor Secvictim', aliases: ['Vic Secvictim'], bio: 'Fixture.',
      links: { website: 'https://example.org/victim' }, tags: ['sec-victim'],
    },
    organization: {
      slug: 'sec-victim-org', name: 'Secprobe Victim Org', kind: 'nonprofit', website: 'https://example.org/victim-org',
      founded_on: '2001', parent: 'sec-parent', description: 'Fixture.',
    },
    team: {
      org: 'sec-org', slug: 'sec-victim-team', name: 'Secprobe Victim Team', parent: 'sec-org/sec-parent-team',
      description: 'Fixture.', formed_on: '2001', dissolved_on: '2030', reported_headcount: 3,
    },
    source: { url: VSRC, title: 'Victim source', publisher: 'Victimwire', author: 'Vic Author', published_on: '2001-02-03' },
    position: {
      person: 'sec-victim', org: 'sec-org', team: 'sec-org/sec-team', title: 'Victim title', started_on: '2001',
      ended_on: '2002', sources: [VSRC],
    },
    reporting_line: { report: 'sec-victim', manager: 'sec-manager', valid_from: '2001', valid_to: '2002', sources: [VSRC] },
    layoff: {
      org: 'sec-org', team: 'sec-org/sec-team', announced_on: '2001-05', effective_on: '2001-06', count: 2,
      percentage: 1.5, description: 'Fixture.', sources: [VSRC],
    },
    departure: {
      person: 'sec-victim', org: 'sec-org', team: 'sec-org/sec-team', title: 'Victim title', departed_on: '2002',
      announced_on: '2002', kind: 'laid_off', reason_category: 'layoff', reason: 'Fixture.',
      destination_org: 'sec-parent', destination_title: 'Fellow', destination_kind: 'joined',
      layoff: ids ? ids.victimLayoff : undefined, returned_on: '2003', notes: 'Fixture.', status: 'confirmed',
      sources: [VSRC],
    },
  };
}

const PLURAL = {
  person: 'people', organization: 'organizations', team: 'teams', source: 'sources', position: 'positions',
  reporting_line: 'reporting-lines', layoff: 'layoffs', departure: 'departures',
};

async function setup() {
  if (!KEY) die('SEC_KEY (an editor key) is not set');
  const ctx = { ids: {} };
  for (const o of FIXTURE.orgs) await must('POST', '/organizations', o, 201);
  for (const t of FIXTURE.teams) await must('POST', '/teams', t, 201);
  for (const s of FIXTURE.sources) await must('POST', '/sources', s, 201);
  for (const p of FIXTURE.people) await must('POST', '/people', p, 201);
  for (const p of FIXTURE.positions) await must('POST', '/positions', p, 201);
  for (const l of FIXTURE.lines) await must('POST', '/reporting-lines', l, 201);
  const layoff = await must('POST', '/layoffs', FIXTURE.layoff, 201);
  ctx.ids.layoff = layoff.id;
  const dep = await must('POST', '/departures', {
    person: 'sec-leaver', org: 'sec-org', team: 'sec-org/sec-team', title: 'Engineer', departed_on: '2024-06-15',
    announced_on: '2024-06', kind: 'laid_off', reason_category: 'layoff', reason: 'Team cut',
    destination_org: 'openai', destination_title: 'Researcher', destination_kind: 'joined', layoff: layoff.id,
    notes: 'Fixture departure.', status: 'confirmed', sources: [SRC],
  }, 201);
  ctx.ids.departure = dep.id;

  // The victims, in dependency order; the departure needs a layoff of its own.
  const order = ['person', 'organization', 'team', 'source', 'position', 'reporting_line', 'layoff'];
  let v = victimBodies(null);
  ctx.victims = {};
  for (const e of order) ctx.victims[e] = (await must('POST', `/${PLURAL[e]}`, v[e], 201)).id;
  ctx.ids.victimLayoff = ctx.victims.layoff;
  // The layoff the created departures link to: not the PATCH victim (whose answer would
  // grow with every departure linked to it) nor the one the read targets filter by.
  ctx.ids.creatorLayoff = (await must('POST', '/layoffs', { org: 'sec-org', announced_on: '1801', description: 'Departures made by make security.' }, 201)).id;
  v = victimBodies(ctx.ids);
  ctx.victims.departure = (await must('POST', '/departures', v.departure, 201)).id;

  // Ids of everything the id-reference body variants and the query values use.
  const one = async (p) => (await must('GET', p, undefined, 200)).id;
  for (const s of ['sec-parent', 'sec-org', 'openai', 'sec-victim-org']) ctx.ids[`org:${s}`] = await one(`/organizations/${s}`);
  for (const s of ['sec-manager', 'sec-person', 'sec-leaver', 'sec-creator', 'sec-victim']) ctx.ids[`person:${s}`] = await one(`/people/${s}`);
  for (const s of ['sec-team', 'sec-parent-team', 'sec-victim-team']) ctx.ids[`team:${s}`] = await one(`/teams/sec-org%2F${s}`);
  for (const [k, u] of [['source:1', SRC], ['source:victim', VSRC]]) {
    const r = await must('GET', `/sources?q=${encodeURIComponent(u)}&limit=1000`, undefined, 200);
    const hit = r.items.find((s) => s.url === u);
    if (!hit) die(`setup: source ${u} not found`);
    ctx.ids[k] = hit.id;
  }
  const pos = await must('GET', `/positions?person=sec-person&limit=1`, undefined, 200);
  ctx.ids.position = pos.items[0].id;
  const line = await must('GET', `/reporting-lines?report=sec-person&limit=1`, undefined, 200);
  ctx.ids.line = line.items[0].id;
  return ctx;
}

// ------------------------------------------------------------------ openapi.yaml

function loadSpec() {
  const spec = YAML.parse(readFileSync(path.join(REPO, 'openapi.yaml'), 'utf8'));
  const deref = (x) => {
    let n = 0;
    while (x && x.$ref) {
      if (++n > 20) die(`$ref loop at ${x.$ref}`);
      let o = spec;
      for (const k of x.$ref.replace(/^#\//, '').split('/')) o = o[k];
      x = o;
    }
    return x;
  };
  return { spec, deref };
}

// Every property of a schema, following allOf/anyOf/oneOf.
function schemaProps(deref, schema, out = new Set()) {
  const s = deref(schema);
  if (!s) return out;
  for (const k of Object.keys(s.properties || {})) out.add(k);
  for (const key of ['allOf', 'anyOf', 'oneOf']) for (const sub of s[key] || []) schemaProps(deref, sub, out);
  return out;
}

// ------------------------------------------------------------------ values

// Query parameter values: by name, overridden per path. Each list of values is chosen so the
// answer is a 200 holding the fixture records.
const QUERY = {
  '*': {
    q: 'Secprobe', org: 'sec-org', team: 'sec-org/sec-team', person: 'sec-leaver', tag: 'sec-tag',
    updated_since: '2020-01-01T00:00:00Z', limit: '5', parent: 'sec-parent', kind: 'laid_off',
    destination_org: 'openai', reason_category: 'layoff', destination_kind: 'joined', from: '2024-01',
    to: '2024-12', layoff: (c) => c.ids.layoff, sort: '-departed_on', status: 'reported,confirmed',
    as_of: '2024-06-01', depth: '3', root: 'sec-manager', current: 'true', report: 'sec-person',
    manager: 'sec-manager', publisher: 'Secwire', group_by: 'month', type: 'person', since: '2020-01-01T00:00:00Z',
    entity: 'person', dry_run: 'false',
  },
  '/people': { q: 'Secure Probeperson', person: undefined },
  '/organizations': { kind: 'startup' },
  '/teams': { q: 'Secprobe Team', parent: 'sec-org/sec-parent-team' },
  '/positions': { person: 'sec-person' },
  '/sources': { q: 'Secprobe news' },
  '/stats/attrition': { group_by: 'team' },
  '/import': { type: 'person' },
};

// {id} (and {file}) path values by path.
const PATHID = {
  '/people/{id}': 'sec-person', '/people/{id}/timeline': 'sec-person', '/people/{id}/reports': 'sec-manager',
  '/people/{id}/managers': 'sec-person', '/people/{id}/merge': 'sec-creator',
  '/organizations/{id}': 'sec-org', '/organizations/{id}/chart': 'sec-org', '/organizations/{id}/changes': 'sec-org',
  '/teams/{id}': 'sec-org%2Fsec-team', '/teams/{id}/members': 'sec-org%2Fsec-team', '/teams/{id}/alumni': 'sec-org%2Fsec-team',
  '/positions/{id}': (c) => c.ids.position, '/reporting-lines/{id}': (c) => c.ids.line,
  '/departures/{id}': (c) => c.ids.departure, '/layoffs/{id}': (c) => c.ids.layoff,
  '/sources/{id}': (c) => c.ids['source:1'], '/assets/{file}': 'app.js',
};

// Cursor shapes beyond the plain one: lists ordered another way encode other keyset values.
const CURSOR_SHAPES = {
  '/people': [{ q: 'Secure Probeperson' }],
  '/organizations': [{ q: 'Secprobe' }],
  '/teams': [{ q: 'Secprobe' }],
  '/sources': [{ q: 'Secprobe' }],
  '/departures': [{ sort: '-announced_on' }],
};
// Query parameters a list needs for a 200 at all (beyond limit).
const CURSOR_NEEDS = { '/teams/{id}/members': { as_of: '2024-06-01' } };

const resolve = (v, ctx) => (typeof v === 'function' ? v(ctx) : v);

function queryValue(p, name, ctx) {
  const o = QUERY[p] || {};
  const v = name in o ? o[name] : QUERY['*'][name];
  return resolve(v, ctx);
}

// ------------------------------------------------------------------ bodies
//
// Per request body schema: the JSON bodies to send, as variants. `random` names the fields
// that make the record's natural key: sqlmap's --eval replaces them with a fresh value on
// every request that is not testing them, so each create is a 201 and not a 409 duplicate.

function bodies(ctx) {
  const I = ctx.ids;
  const v = victimBodies(I);
  const idsOf = {
    person: { ...v.person },
    organization: { ...v.organization, parent: undefined, parent_id: I['org:sec-parent'] },
    team: { ...v.team, org: undefined, parent: undefined, org_id: I['org:sec-org'], parent_id: I['team:sec-parent-team'] },
    source: { ...v.source },
    position: {
      ...v.position, person: undefined, org: undefined, team: undefined, sources: undefined,
      person_id: I['person:sec-victim'], org_id: I['org:sec-org'], team_id: I['team:sec-team'], source_ids: [I['source:victim']],
    },
    reporting_line: {
      ...v.reporting_line, report: undefined, manager: undefined, sources: undefined,
      report_id: I['person:sec-victim'], manager_id: I['person:sec-manager'], source_ids: [I['source:victim']],
    },
    layoff: {
      ...v.layoff, org: undefined, team: undefined, sources: undefined, org_id: I['org:sec-org'],
      team_id: I['team:sec-team'], source_ids: [I['source:victim']],
    },
    departure: {
      ...v.departure, person: undefined, org: undefined, team: undefined, destination_org: undefined,
      layoff: undefined, sources: undefined, person_id: I['person:sec-victim'], org_id: I['org:sec-org'],
      team_id: I['team:sec-team'], destination_org_id: I['org:sec-parent'], layoff_id: I.victimLayoff,
      source_ids: [I['source:victim']],
    },
  };
  const clean = (o) => JSON.parse(JSON.stringify(o));
  // Both variants, or one when the schema has no references (the two bodies are equal).
  const patch = (e) => {
    const a = { name: 'slug refs', body: clean(v[e]) };
    const b = { name: 'id refs', body: clean(idsOf[e]) };
    return JSON.stringify(a.body) === JSON.stringify(b.body) ? [{ ...a, name: 'all fields' }] : [a, b];
  };
  // Creates: the victims' bodies with another natural key (randomized per request).
  const create = (e, over, random) =>
    patch(e).map((x) => ({ ...x, body: clean({ ...x.body, ...over }), random }));
  const creator = { person: 'sec-creator' };
  const creatorId = { person_id: I['person:sec-creator'] };
  const withCreator = (e, over, random) =>
    create(e, over, random).map((x) => ({
      ...x,
      body: clean(x.name === 'id refs' ? { ...x.body, ...creatorId } : { ...x.body, ...creator }),
    }));
  const lineCreate = create('reporting_line', { valid_from: '1801-02-03', valid_to: '1801-02-04' }, ['valid_from', 'valid_to'])
    .map((x) => ({
      ...x,
      body: clean(x.name === 'id refs' ? { ...x.body, report_id: I['person:sec-creator'] } : { ...x.body, report: 'sec-creator' }),
    }));
  return {
    PersonCreate: create('person', { slug: 'sec-created' }, ['slug']),
    PersonPatch: patch('person'),
    OrganizationCreate: create('organization', { slug: 'sec-created-org' }, ['slug']),
    OrganizationPatch: patch('organization'),
    TeamCreate: create('team', { slug: 'sec-created-team' }, ['slug']),
    TeamPatch: patch('team'),
    SourceCreate: create('source', { url: 'https://example.org/sec/created' }, ['url']),
    SourcePatch: patch('source'),
    PositionCreate: withCreator('position', { started_on: '1801-02-03', ended_on: '1950' }, ['started_on']),
    PositionPatch: patch('position'),
    ReportingLineCreate: lineCreate,
    ReportingLinePatch: patch('reporting_line'),
    LayoffCreate: create('layoff', {}, []),
    LayoffPatch: patch('layoff'),
    DepartureCreate: withCreator('departure', { departed_on: '1801-02-03', announced_on: '1801', returned_on: '1960' }, ['departed_on'])
      .map((x) => ({ ...x, body: { ...x.body, ...(x.name === 'id refs' ? { layoff_id: I.creatorLayoff } : { layoff: I.creatorLayoff }) } })),
    DeparturePatch: patch('departure'),
    // The duplicate is a fresh person made by --eval before each request (a merge deletes it).
    MergeRequest: [{ name: 'body', body: { duplicate: 'sec-merge-dup' }, random: ['duplicate'] }],
  };
}

// Python for sqlmap --eval: gives the natural-key fields a fresh value unless the request is
// testing them (then they differ from the original and are left alone). Runs with the JSON
// body's top-level fields as globals; helper names are deleted so sqlmap does not add them
// to the body.
function evalCode(random, body) {
  if (!random || random.length === 0) return null;
  const lines = ['import random as _r, datetime as _dt'];
  const g = (k) => `globals().get(${JSON.stringify(k)})`;
  const day = '(_dt.date(1000, 1, 1) + _dt.timedelta(days=_r.randrange(320000)))';
  if (random.includes('valid_from')) {
    // A reporting line of one day on a random date: lines of one report never overlap.
    lines.push(`_d = ${day}`);
    lines.push(`if ${g('valid_from')} == ${JSON.stringify(body.valid_from)}: valid_from = _d.isoformat()`);
    lines.push(`if ${g('valid_to')} == ${JSON.stringify(body.valid_to)}: valid_to = (_d + _dt.timedelta(days=1)).isoformat()`);
    lines.push('del _d');
  }
  for (const k of random) {
    if (k === 'valid_from' || k === 'valid_to') continue;
    const orig = JSON.stringify(body[k]);
    let fresh;
    if (k === 'started_on' || k === 'departed_on') fresh = `${day}.isoformat()`;
    else if (k === 'duplicate') {
      // A new person to merge, made through the API with the same key.
      lines.push(`if ${g(k)} == ${orig}:`);
      lines.push('    import json as _j, urllib.request as _u');
      lines.push('    _s = "sec-merge-dup-%d" % _r.randrange(10 ** 12)');
      lines.push(`    _q = _u.Request(${JSON.stringify(BASE + '/people')}, data=_j.dumps({"slug": _s, "full_name": "Secure Probeperson Dup"}).encode(), headers={"Content-Type": "application/json", "Authorization": "Bearer " + ${JSON.stringify(KEY)}}, method="POST")`);
      lines.push('    _u.urlopen(_q, timeout=30).read()');
      lines.push('    duplicate = _s');
      lines.push('    del _s, _q');
      continue;
    } else fresh = `${orig} + "-%d" % _r.randrange(10 ** 12)`;
    lines.push(`if ${g(k)} == ${orig}: ${k} = ${fresh}`);
  }
  return lines.join('\n');
}

// Names sqlmap gives the values of a JSON body (it tests every scalar, nested ones included,
// and every array element under the array's name).
function jsonParamNames(body, out = new Set()) {
  for (const [k, v] of Object.entries(body)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) jsonParamNames(v, out);
    else out.add(k);
  }
  return out;
}

// ------------------------------------------------------------------ import bodies

// One NDJSON line per record type, each the natural key of a fixture record (so the upsert
// finds it and answers "unchanged": a stable 200), with -p on what only the import reads:
// the `type` and the natural-key fields its upsert looks records up by (server:
// ow_import_one). The rest of each record goes to the same ow_*_write functions as POST and
// PATCH, whose every field the body targets test; references (org, person, team, ...) are
// resolved by the same ow_ref. One line a target because sqlmap names a JSON value by its
// key and would test only one of several `slug`s in a multi-line body.
function importLines(ctx) {
  return [
    { line: { type: 'organization', slug: 'sec-org', name: 'Secprobe Org' }, test: ['type', 'slug'] },
    { line: { type: 'team', org: 'sec-org', slug: 'sec-team', name: 'Secprobe Team' }, test: ['slug'] },
    { line: { type: 'person', slug: 'sec-person', full_name: 'Secure Probeperson' }, test: ['slug'] },
    { line: { type: 'source', url: SRC, title: 'Secprobe news' }, test: ['url'] },
    { line: { type: 'position', person: 'sec-person', org: 'sec-org', started_on: '2020-01', title: 'Engineer' }, test: ['started_on'] },
    { line: { type: 'reporting_line', report: 'sec-person', manager: 'sec-manager', valid_from: '2020-01' }, test: ['valid_from'] },
    { line: { type: 'departure', person: 'sec-leaver', org: 'sec-org', departed_on: '2024-06-15', kind: 'laid_off' }, test: ['departed_on'] },
    { line: { type: 'layoff', id: ctx.ids.layoff, org: 'sec-org', announced_on: '2024-06' }, test: ['id'] },
    { line: { type: 'layoff', org: 'sec-org', team: 'sec-org/sec-team', announced_on: '2024-06', count: 5 }, test: ['announced_on'] },
  ];
}

// ------------------------------------------------------------------ targets

function targets(ctx) {
  const { spec, deref } = loadSpec();
  const out = [];
  const skipped = [];
  const B = bodies(ctx);
  const auth = `Authorization: Bearer ${KEY}`;
  const qs = (o) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
  const fillPath = (p, mark) => {
    const m = p.match(/\{(\w+)\}/);
    if (!m) return p;
    if (!(p in PATHID)) die(`no value for the path parameter of ${p}: add it to PATHID in tests/security/targets.mjs`);
    return p.replace(m[0], resolve(PATHID[p], ctx) + (mark ? '*' : ''));
  };

  for (const [p, item] of Object.entries(spec.paths)) {
    if (p === '/changes/stream') {
      // A live stream never ends and sqlmap compares whole answers. Its arguments pass the same
      // checks as every list's (server/filter.c) and reach one parameterised statement.
      skipped.push(`GET ${p} (a live stream: no whole answer to compare)`);
      continue;
    }
    const common = (item.parameters || []).map(deref);
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const M = method.toUpperCase();
      const params = [...common, ...(op.parameters || []).map(deref)];
      const query = params.filter((x) => x.in === 'query');
      const pathParams = params.filter((x) => x.in === 'path');
      const headers = params.filter((x) => x.in === 'header').map((x) => x.name);
      const label = `${M} ${p}`;
      const queryValues = {};
      for (const q of query) {
        if (q.name === 'cursor') continue;
        const v = queryValue(p, q.name, ctx);
        if (v === undefined) die(`no value for query parameter '${q.name}' of ${label}: add it to QUERY in tests/security/targets.mjs`);
        queryValues[q.name] = v;
      }
      const queryNames = Object.keys(queryValues);
      const withQuery = (u, extra = {}) => {
        const s = qs({ ...queryValues, ...extra });
        return s ? `${u}?${s}` : u;
      };
      const rb = op.requestBody && op.requestBody.content;
      const writes = M !== 'GET';
      const hdrs = writes ? [auth] : [];

      if (!writes && !queryNames.length && !pathParams.length) {
        skipped.push(`${label} (no parameters)`);
        continue;
      }
      for (const h of headers) {
        if (!['If-Match', 'If-None-Match', 'Idempotency-Key'].includes(h)) die(`header parameter '${h}' of ${label} is not handled in tests/security/targets.mjs`);
      }

      // query: GET with query parameters.
      if (M === 'GET' && queryNames.length) {
        out.push({
          name: `${label} ?${queryNames.join(',')}`, kind: 'query', method: M, op: label,
          url: BASE + withQuery(fillPath(p, false)), params: queryNames, expect: 200, headers: hdrs,
        });
      }
      // path: the {id} segment.
      if (pathParams.length && M !== 'DELETE') {
        const t = { name: `${label} {${pathParams[0].name}}`, kind: 'path', method: M, op: label, url: BASE + withQuery(fillPath(p, true)), params: null, expect: 200, headers: hdrs, tests: [pathParams[0].name] };
        if (M === 'PATCH' || M === 'POST') {
          const schemaName = pathSchemaName(rb);
          const variant = B[schemaName] && B[schemaName][0];
          if (!variant) die(`no body for ${schemaName} (${label})`);
          // The body is sent as it is (not tested here: the body targets do that).
          const victim = M === 'PATCH' ? ctx.victims[entityOf(p)] : null;
          if (victim) t.url = BASE + p.replace('{id}', `${victim}*`);
          t.data = JSON.stringify(variant.body);
          t.headers = [...hdrs, 'Content-Type: application/json'];
          if (variant.random && variant.random.length) {
            // --eval needs sqlmap to read the body as JSON; -p keeps it to the path segment.
            t.eval = evalCode(variant.random, variant.body);
            t.params = ['#1*'];
          } else {
            t.noJson = true;
          }
        }
        out.push(t);
      }
      // cursor: the keyset values inside the cursor.
      if (M === 'GET' && query.some((x) => x.name === 'cursor')) {
        const shapes = [{}, ...(CURSOR_SHAPES[p] || [])];
        for (const shape of shapes) {
          const base = fillPath(p, false);
          const extra = { ...(CURSOR_NEEDS[p] || {}), ...shape, limit: '1' };
          out.push({ name: `${label} cursor${Object.keys(shape).length ? ` (${qs(shape)})` : ''}`, kind: 'cursor', method: M, op: label, cursorOf: `${base}?${qs(extra)}`, url: BASE + base, extra, params: ['cursor'], expect: 200, headers: hdrs });
        }
      }
      // body: POST/PATCH JSON bodies.
      if (rb && rb['application/json'] && (M === 'POST' || M === 'PATCH')) {
        const schemaName = pathSchemaName(rb);
        const variants = B[schemaName];
        if (!variants) die(`no body for schema ${schemaName} of ${label}: add it to bodies() in tests/security/targets.mjs`);
        const props = schemaProps(deref, rb['application/json'].schema);
        const covered = new Set(variants.flatMap((x) => Object.keys(x.body)));
        const missing = [...props].filter((x) => !covered.has(x));
        if (missing.length) die(`the bodies of ${schemaName} (${label}) leave out ${missing.join(', ')}: add them to bodies() in tests/security/targets.mjs`);
        const unknown = [...covered].filter((x) => !props.has(x));
        if (unknown.length) die(`the bodies of ${schemaName} (${label}) carry ${unknown.join(', ')}, which the schema does not have`);
        let url;
        if (M === 'PATCH') url = BASE + p.replace('{id}', ctx.victims[entityOf(p)]);
        else url = BASE + fillPath(p, false);
        const expect = M === 'POST' && !p.endsWith('/merge') ? 201 : 200;
        // The first variant tests all its fields; the others only the fields it does not carry
        // (the id references), not the shared ones a second time.
        const firstNames = jsonParamNames(variants[0].body);
        variants.forEach((v, i) => {
          const names = [...jsonParamNames(v.body)].filter((x) => i === 0 || !firstNames.has(x));
          out.push({
            name: `${label} body (${v.name})`, kind: 'body', method: M, op: label, url, data: JSON.stringify(v.body),
            params: names, expect, headers: [...hdrs, 'Content-Type: application/json'],
            eval: evalCode(v.random, v.body),
          });
        });
        // Headers that reach the database.
        if (headers.includes('If-Match') && M === 'PATCH') {
          out.push({
            name: `${label} If-Match`, kind: 'header', method: M, op: label, url, data: JSON.stringify(variants[0].body),
            headers: [...hdrs, 'Content-Type: application/json', 'If-Match: "sec-never-matches"*'], expect: 412, noJson: true, tests: ['If-Match'],
          });
        }
        if (headers.includes('Idempotency-Key') && p === '/people') {
          // A create that always ends in 409 (the slug exists): the key is claimed in the
          // database, the write fails, all is rolled back, so every answer is the same 409
          // (a key that succeeded would make the next identical request a replay instead).
          out.push({
            name: `${label} Idempotency-Key`, kind: 'header', method: M, op: label, url,
            data: JSON.stringify({ slug: 'sec-person', full_name: 'Secure Probeperson' }),
            headers: [...hdrs, 'Content-Type: application/json', 'Idempotency-Key: sec-idem-1*'], expect: 409, noJson: true, tests: ['Idempotency-Key'],
          });
        }
        if (p === '/sources/{id}') {
          out.push({
            name: `${label} Authorization`, kind: 'header', method: M, op: label, url, data: JSON.stringify(variants[0].body),
            headers: ['Content-Type: application/json', `${auth}*`], expect: 200, noJson: true, tests: ['Authorization'],
            ignoreCode: 401, // every payload makes the key unknown: sqlmap must go on past the 401s
          });
        }
      } else if (rb && p === '/import') {
        // Every record type the import takes (the `type` enum, singular and plural names)
        // must have its line.
        const singular = (t) => ({ people: 'person', persons: 'person' })[t] || t.replace(/-/g, '_').replace(/s$/, '');
        const types = new Set((deref(query.find((x) => x.name === 'type')).schema.enum || []).map(singular));
        const lines = importLines(ctx);
        const have = new Set(lines.map((x) => x.line.type));
        const missingTypes = [...types].filter((t) => !have.has(t));
        if (missingTypes.length) die(`POST /import: no NDJSON line for type(s) ${missingTypes.join(', ')}: add them to importLines() in tests/security/targets.mjs`);
        lines.forEach((x, i) => {
          const first = i === 0; // the query parameters once
          out.push({
            name: `${label} NDJSON ${x.line.type}${first ? ' + ?' + queryNames.join(',') : ''}`, kind: 'import', method: M, op: label,
            url: BASE + (first ? withQuery(p) : p), data: JSON.stringify(x.line) + '\n',
            params: [...(first ? queryNames : []), ...x.test], expect: 200,
            headers: [...hdrs, 'Content-Type: application/x-ndjson'],
          });
        });
        // CSV: the C parser (quoting, "a; b" lists) in front of the same import.
        const csv = 'slug,full_name,aliases\r\nsec-person*,Secure Probeperson,"Sec Probe; Secure P.*"\r\n';
        out.push({
          name: `${label} CSV body`, kind: 'import', method: M, op: label, url: `${BASE}${p}?type=person*&dry_run=false`, data: csv,
          params: null, expect: 200, headers: [...hdrs, 'Content-Type: text/csv'], tests: ['type', 'slug', 'aliases'],
        });
      } else if (rb) {
        die(`request body of ${label} (${Object.keys(rb).join(', ')}) is not handled in tests/security/targets.mjs`);
      }
      // delete: {id} and If-Match of DELETE, nothing deleted.
      if (M === 'DELETE') {
        const victim = ctx.victims[entityOf(p)];
        if (!victim) die(`no fixture record for ${label}`);
        out.push({
          name: `${label} {id},If-Match`, kind: 'delete', method: M, op: label, url: `${BASE}${p.replace('{id}', `${victim}*`)}`,
          headers: [...hdrs, 'If-Match: "sec-never-matches"*'], expect: 412, tests: ['id', 'If-Match'],
        });
      }
      if (M === 'GET' && !queryNames.length && !pathParams.length) skipped.push(label);
    }
  }
  // Level 3 also tests User-Agent and Referer; the server reads neither, so once is enough.
  out.push({
    name: 'GET /people User-Agent,Referer', kind: 'header', method: 'GET', op: 'GET /people', url: `${BASE}/people?limit=5`,
    params: ['User-Agent', 'Referer'], expect: 200, headers: [],
  });
  // Reads first (they expect the fixture as set up), then the writes.
  const rank = (t) => (t.method === 'GET' ? 0 : t.kind === 'delete' ? 3 : t.kind === 'import' ? 2 : 1);
  const sorted = out.map((t, i) => [rank(t), i, t]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
  return { targets: sorted, skipped };
}

function pathSchemaName(rb) {
  const s = rb && (rb['application/json'] || Object.values(rb)[0]);
  const ref = s && s.schema && s.schema.$ref;
  return ref ? ref.split('/').pop() : null;
}

function entityOf(p) {
  const plural = p.split('/')[1];
  return Object.keys(PLURAL).find((e) => PLURAL[e] === plural);
}

// ------------------------------------------------------------------ cursors

function decodeCursor(c) {
  const b = Buffer.from(c.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const n = b[1];
  const parts = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    const len = b.readUInt16BE(at);
    parts.push(b.subarray(at + 2, at + 2 + len).toString('utf8'));
    at += 2 + len;
  }
  return parts;
}

// Fills in the cursor targets: a real next_cursor, one target per part it holds.
async function withCursors(list) {
  const out = [];
  for (const t of list) {
    if (t.kind !== 'cursor') {
      out.push(t);
      continue;
    }
    const r = await api('GET', t.cursorOf);
    const cur = r.json && r.json.next_cursor;
    if (r.status !== 200 || !cur) die(`no next_cursor from GET ${t.cursorOf} (status ${r.status}): the fixture needs a second page there`);
    const parts = decodeCursor(cur);
    parts.forEach((part, i) => {
      out.push({
        ...t, name: `${t.name} part ${i + 1}/${parts.length}`, url: `${t.url}?${new URLSearchParams({ ...t.extra, cursor: cur })}`,
        env: { OW_SQLMAP_CURSOR: cur, OW_SQLMAP_CURSOR_PART: String(i) }, tamper: true, cursorPart: part,
      });
    });
  }
  out.forEach((t, i) => (t.n = i + 1));
  return out;
}

// ------------------------------------------------------------------ main

const [cmd, arg] = process.argv.slice(2);
if (cmd === 'setup') {
  process.stdout.write(JSON.stringify(await setup()) + '\n');
} else if (cmd === 'targets') {
  const ctx = JSON.parse(readFileSync(arg, 'utf8'));
  const { targets: list, skipped } = targets(ctx);
  for (const t of await withCursors(list)) process.stdout.write(JSON.stringify(t) + '\n');
  for (const s of skipped) process.stderr.write(`not a target: ${s}\n`);
} else {
  die('usage: node tests/security/targets.mjs setup | targets CONTEXT.json');
}

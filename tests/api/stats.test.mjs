// Dashboard statistics (issue 7): GET /stats/departures for every group_by (empty periods,
// the unknown-month rule, every filter, status lists), GET /stats/flows (unknown destinations
// as `to: null`) and GET /stats/attrition (numbers worked out by hand on records made here,
// group_by=team). Runs against ORGWATCH_TEST_URL; the records are imported with the editor key
// under slugs unique to the run, and every question is scoped to this run's organizations.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, checkSpec, expectProblem } from './lib.mjs';
import { qs, read, word } from './helpers-records.mjs';

const RUN = word(8);
const slug = (what) => `st-${RUN}-${what}`;
const ORG = slug('org');
const X = slug('dest-x');
const Y = slug('dest-y');
const LAYOFF = randomUUID();

async function importOk(records) {
  const body = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const res = await api('POST', '/import', { key: 'editor', body, raw: true, headers: { 'content-type': 'application/x-ndjson' } });
  checkSpec(res, 'POST', '/import');
  assert.equal(res.status, 200, `fixture import: ${res.text.slice(0, 2000)}`);
  return res.body;
}

async function stats(kind, params, status = 200) {
  const tmpl = `/stats/${kind}`;
  const res = checkSpec(await api('GET', `${tmpl}${qs(params)}`), 'GET', tmpl);
  if (status === 200) assert.equal(res.status, 200, `${tmpl}${qs(params)} → ${res.status} ${res.text.slice(0, 1000)}`);
  else expectProblem(res, status);
  return res.body;
}

/** {key: count} of a departures-stats answer, and checks total = sum of counts. */
function counts(body) {
  const out = {};
  for (const g of body.groups) out[g.key] = g.count;
  assert.equal(body.total, body.groups.reduce((s, g) => s + g.count, 0), 'total is the sum of the counts');
  return out;
}

const months = (from, to) => {
  const out = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m === 13) [y, m] = [y + 1, 1];
  }
  return out;
};

// Departures of ORG (d7 retracted):
//   d1 2023-02-10 alpha resigned  startup      -> X (joined)    confirmed
//   d2 2023-02    alpha laid_off  layoff       -> none (unknown) layoff LAYOFF
//   d3 2023-05-20 beta  resigned  competitor   -> X (joined)
//   d4 2023       beta  retired   personal     -> none (unknown)
//   d5 2023-11    -     resigned  startup      -> Y (founded)
//   d6 2024-01-15 alpha fired     other        -> Y (joined)
//   d7 2023-08    alpha resigned  startup      -> X              retracted
//   d8 2023-06    beta  resigned  compensation -> none (none)    disputed
const fx = {};
before(async () => {
  const people = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
  await importOk([
    { type: 'organization', slug: ORG, name: `Stats Org ${RUN}`, kind: 'lab' },
    { type: 'organization', slug: X, name: `Xeno ${RUN}`, kind: 'startup' },
    { type: 'organization', slug: Y, name: `Yonder ${RUN}`, kind: 'startup' },
    { type: 'team', org: ORG, slug: 'alpha', name: 'Alpha' },
    { type: 'team', org: ORG, slug: 'beta', name: 'Beta' },
    ...people.map((p) => ({ type: 'person', slug: slug(p), full_name: `Stats ${p} ${RUN}` })),
    { type: 'layoff', id: LAYOFF, org: ORG, announced_on: '2023-02', count: 5 },
    { type: 'departure', person: slug('p1'), org: ORG, team: `${ORG}/alpha`, departed_on: '2023-02-10', kind: 'resigned', reason_category: 'startup', destination_org: X, destination_kind: 'joined', status: 'confirmed' },
    { type: 'departure', person: slug('p2'), org: ORG, team: `${ORG}/alpha`, departed_on: '2023-02', kind: 'laid_off', reason_category: 'layoff', layoff: LAYOFF },
    { type: 'departure', person: slug('p3'), org: ORG, team: `${ORG}/beta`, departed_on: '2023-05-20', kind: 'resigned', reason_category: 'competitor', destination_org: X, destination_kind: 'joined' },
    { type: 'departure', person: slug('p4'), org: ORG, team: `${ORG}/beta`, departed_on: '2023', kind: 'retired', reason_category: 'personal' },
    { type: 'departure', person: slug('p5'), org: ORG, departed_on: '2023-11', kind: 'resigned', reason_category: 'startup', destination_org: Y, destination_kind: 'founded' },
    { type: 'departure', person: slug('p6'), org: ORG, team: `${ORG}/alpha`, departed_on: '2024-01-15', kind: 'fired', reason_category: 'other', destination_org: Y, destination_kind: 'joined' },
    { type: 'departure', person: slug('p7'), org: ORG, team: `${ORG}/alpha`, departed_on: '2023-08', kind: 'resigned', reason_category: 'startup', destination_org: X, status: 'retracted' },
    { type: 'departure', person: slug('p8'), org: ORG, team: `${ORG}/beta`, departed_on: '2023-06', kind: 'resigned', reason_category: 'compensation', destination_kind: 'none', status: 'disputed' },
  ]);
  fx.org = (await read('organizations', ORG)).body;
  fx.x = (await read('organizations', X)).body;
  fx.y = (await read('organizations', Y)).body;
  fx.alpha = (await read('teams', `${ORG}/alpha`)).body;
  fx.beta = (await read('teams', `${ORG}/beta`)).body;
});

// ------------------------------------------------------------------ /stats/departures: periods

test('group_by=month: every month from `from` to `to`, empty ones included; a year-only departure in "YYYY-unknown"', async () => {
  const body = await stats('departures', { group_by: 'month', org: ORG, from: '2023-01', to: '2024-03' });
  assert.equal(body.group_by, 'month');
  const keys = body.groups.map((g) => g.key);
  assert.deepEqual(keys, [...months('2023-01', '2023-12'), '2023-unknown', ...months('2024-01', '2024-03')], 'months in order, the unknown bucket after December');
  const c = counts(body);
  assert.deepEqual(c, {
    '2023-01': 0, '2023-02': 2, '2023-03': 0, '2023-04': 0, '2023-05': 1, '2023-06': 1, '2023-07': 0, '2023-08': 0,
    '2023-09': 0, '2023-10': 0, '2023-11': 1, '2023-12': 0, '2023-unknown': 1, '2024-01': 1, '2024-02': 0, '2024-03': 0,
  });
  assert.equal(body.total, 7, 'the retracted departure is left out');
  const label = Object.fromEntries(body.groups.map((g) => [g.key, g.label]));
  assert.equal(label['2023-02'], 'February 2023');
  assert.equal(label['2024-01'], 'January 2024');
  assert.equal(label['2023-unknown'], '2023 (month unknown)');
  assert.equal(c['2023-01'], 0, 'the year-only departure is not guessed into January');
});

test('group_by=quarter: quarters with empty ones, and "YYYY (quarter unknown)"', async () => {
  const body = await stats('departures', { group_by: 'quarter', org: ORG, from: '2023-01', to: '2024-06' });
  assert.equal(body.group_by, 'quarter');
  assert.deepEqual(body.groups.map((g) => g.key), ['2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4', '2023-unknown', '2024-Q1', '2024-Q2']);
  assert.deepEqual(counts(body), { '2023-Q1': 2, '2023-Q2': 2, '2023-Q3': 0, '2023-Q4': 1, '2023-unknown': 1, '2024-Q1': 1, '2024-Q2': 0 });
  const label = Object.fromEntries(body.groups.map((g) => [g.key, g.label]));
  assert.equal(label['2023-Q2'], 'Q2 2023');
  assert.equal(label['2023-unknown'], '2023 (quarter unknown)');
});

test('group_by=year: a year-only departure counts under its year; empty years included', async () => {
  const body = await stats('departures', { group_by: 'year', org: ORG, from: '2021', to: '2025' });
  assert.equal(body.group_by, 'year');
  assert.deepEqual(body.groups.map((g) => [g.key, g.label, g.count]), [
    ['2021', '2021', 0], ['2022', '2022', 0], ['2023', '2023', 6], ['2024', '2024', 1], ['2025', '2025', 0],
  ]);
  assert.ok(!body.groups.some((g) => g.key.includes('unknown')));
});

test('month is the default grouping; without from/to the periods span the departures counted, contiguous', async () => {
  const body = await stats('departures', { org: ORG });
  assert.equal(body.group_by, 'month');
  const c = counts(body);
  assert.equal(body.total, 7);
  const monthKeys = body.groups.map((g) => g.key).filter((k) => !k.endsWith('unknown'));
  assert.deepEqual(monthKeys, months(monthKeys[0], monthKeys.at(-1)), 'no month is skipped');
  assert.ok(monthKeys[0] <= '2023-02' && monthKeys.at(-1) === '2024-01', `from the first to the last departure: ${monthKeys}`);
  assert.equal(c['2023-unknown'], 1);
});

test('a window inside a year still counts that year\'s year-only departures, in the unknown bucket (overlap)', async () => {
  const body = await stats('departures', { group_by: 'month', org: ORG, from: '2023-03', to: '2023-04' });
  assert.deepEqual(counts(body), { '2023-03': 0, '2023-04': 0, '2023-unknown': 1 });
  const days = await stats('departures', { group_by: 'month', org: ORG, from: '2023-02-10', to: '2023-02-10' });
  assert.deepEqual(counts(days), { '2023-02': 2, '2023-unknown': 1 }, 'a day matches the month-precision and year-only departures around it');
});

test('a period with no departures at all lists its empty periods', async () => {
  const body = await stats('departures', { group_by: 'quarter', org: ORG, from: '2019', to: '2019' });
  assert.deepEqual(counts(body), { '2019-Q1': 0, '2019-Q2': 0, '2019-Q3': 0, '2019-Q4': 0 });
  assert.equal(body.total, 0);
});

// ------------------------------------------------------------------ /stats/departures: categories

function byKey(body) {
  return Object.fromEntries(body.groups.map((g) => [g.key === null ? 'null' : g.key, { label: g.label, count: g.count }]));
}

function assertByCount(body) {
  for (let i = 1; i < body.groups.length; i++) {
    const [a, b] = [body.groups[i - 1], body.groups[i]];
    assert.ok(a.count > b.count || (a.count === b.count && a.label <= b.label), `ordered by count, then label: ${JSON.stringify(body.groups)}`);
  }
}

test('group_by=team, org and destination_org: keyed by id (null for none), labelled by name, largest first', async () => {
  const team = await stats('departures', { group_by: 'team', org: ORG });
  assert.equal(team.group_by, 'team');
  assert.deepEqual(byKey(team), {
    [fx.alpha.id]: { label: 'Alpha', count: 3 },
    [fx.beta.id]: { label: 'Beta', count: 3 },
    null: { label: 'No team', count: 1 },
  });
  assertByCount(team);

  const org = await stats('departures', { group_by: 'org', org: ORG });
  assert.deepEqual(byKey(org), { [fx.org.id]: { label: fx.org.name, count: 7 } });

  const dest = await stats('departures', { group_by: 'destination_org', org: ORG });
  assert.deepEqual(byKey(dest), {
    [fx.x.id]: { label: fx.x.name, count: 2 },
    [fx.y.id]: { label: fx.y.name, count: 2 },
    null: { label: 'Unknown', count: 3 },
  });
  assertByCount(dest);
  assert.equal(dest.groups[0].key, null, 'the largest group first');
});

test('group_by=kind, reason_category and destination_kind: keyed by value, labelled in words', async () => {
  const kind = await stats('departures', { group_by: 'kind', org: ORG });
  assert.deepEqual(byKey(kind), {
    resigned: { label: 'Resigned', count: 4 },
    laid_off: { label: 'Laid Off', count: 1 },
    retired: { label: 'Retired', count: 1 },
    fired: { label: 'Fired', count: 1 },
  });
  assertByCount(kind);
  const reason = await stats('departures', { group_by: 'reason_category', org: ORG });
  assert.deepEqual(
    Object.fromEntries(reason.groups.map((g) => [g.key, g.count])),
    { startup: 2, layoff: 1, competitor: 1, personal: 1, other: 1, compensation: 1 },
  );
  assertByCount(reason);
  const dkind = await stats('departures', { group_by: 'destination_kind', org: ORG });
  assert.deepEqual(Object.fromEntries(dkind.groups.map((g) => [g.key, g.count])), { joined: 3, founded: 1, unknown: 2, none: 1 });
  assertByCount(dkind);
});

// ------------------------------------------------------------------ /stats/departures: filters

test('the /departures filters apply: team, person, destination_org, kind, reason_category, destination_kind, layoff, updated_since', async () => {
  const total = async (params) => (await stats('departures', { group_by: 'year', org: ORG, ...params })).total;
  assert.equal(await total({ team: `${ORG}/alpha` }), 3);
  assert.equal(await total({ team: fx.beta.id }), 3);
  assert.equal(await total({ person: slug('p3') }), 1);
  assert.equal(await total({ destination_org: X }), 2);
  assert.equal(await total({ kind: 'resigned' }), 4);
  assert.equal(await total({ reason_category: 'startup' }), 2);
  assert.equal(await total({ destination_kind: 'none' }), 1);
  assert.equal(await total({ layoff: LAYOFF }), 1);
  assert.equal(await total({ updated_since: '2999-01-01T00:00:00Z' }), 0);
  assert.equal(await total({ kind: 'resigned', destination_org: X }), 2, 'filters combine');
  assert.equal(await total({ kind: 'resigned', destination_org: Y }), 1);
  assert.equal(await total({ kind: 'fired', team: `${ORG}/beta` }), 0);
  assert.equal(await total({ from: '2024-01', to: '2024-01' }), 1);
});

test('status: comma-separated statuses or "all"; retracted departures only when asked for', async () => {
  const total = async (status) => (await stats('departures', { group_by: 'kind', org: ORG, status })).total;
  assert.equal(await total(undefined), 7);
  assert.equal(await total('all'), 8);
  assert.equal(await total('retracted'), 1);
  assert.equal(await total('confirmed,disputed'), 2);
  assert.equal(await total('reported,confirmed,disputed,retracted'), 8);
  const month = await stats('departures', { group_by: 'month', org: ORG, status: 'all', from: '2023-08', to: '2023-08' });
  assert.deepEqual(counts(month), { '2023-08': 1, '2023-unknown': 1 });
});

test('400 on a bad group_by, status, filter value or unknown reference, naming the parameter', async () => {
  const bad = async (params, field) => {
    const body = await stats('departures', params, 400);
    assert.ok(body.errors?.some((e) => e.field === field), `${JSON.stringify(params)} names ${field}: ${JSON.stringify(body)}`);
  };
  await bad({ group_by: 'week' }, 'group_by');
  await bad({ group_by: '' }, 'group_by');
  await bad({ group_by: 'MONTH' }, 'group_by');
  await bad({ status: 'gone' }, 'status');
  await bad({ status: 'reported,gone' }, 'status');
  await bad({ status: '' }, 'status');
  await bad({ status: 'reported,' }, 'status');
  await bad({ org: slug('no-such-org') }, 'org');
  await bad({ team: `${ORG}/no-such-team` }, 'team');
  await bad({ from: '2023-13' }, 'from');
  await bad({ to: 'April 2024' }, 'to');
  await bad({ kind: 'vanished' }, 'kind');
  await bad({ frm: '2023' }, 'frm');
});

test('"all" is not a status to combine with others: status=reported,all is a 400 or means all', async () => {
  const res = checkSpec(await api('GET', `/stats/departures${qs({ group_by: 'kind', org: ORG, status: 'reported,all' })}`), 'GET', '/stats/departures');
  if (res.status === 400) {
    expectProblem(res, 400);
    return;
  }
  assert.equal(res.status, 200);
  assert.equal(res.body.total, 8, `status=reported,all must not silently mean status=reported: ${res.text}`);
});

test('to before from is a 400 naming the parameter (all three statistics)', async () => {
  for (const kind of ['departures', 'flows', 'attrition']) {
    const body = await stats(kind, { org: ORG, from: '2024-05', to: '2024-01' }, 400);
    assert.ok(
      body.errors?.some((e) => e.field === 'to' || e.field === 'from'),
      `/stats/${kind}?from=2024-05&to=2024-01 names from or to: ${JSON.stringify(body.errors)}`,
    );
  }
});

// ------------------------------------------------------------------ /stats/flows

test('/stats/flows: from each organization to each destination, unknown destinations as `to: null`', async () => {
  const body = await stats('flows', { org: ORG });
  for (const f of body.flows) {
    assert.equal(f.from.id, fx.org.id, 'org selects the organization left');
    assert.ok('to' in f, 'every flow has `to`');
  }
  const got = Object.fromEntries(body.flows.map((f) => [f.to === null ? 'null' : f.to.slug, f.count]));
  assert.deepEqual(got, { [X]: 2, [Y]: 2, null: 3 });
  assert.equal(body.flows[0].to, null, 'largest flow first');
  assert.deepEqual(body.flows.find((f) => f.to?.slug === X).to, { id: fx.x.id, slug: X, name: fx.x.name });

  const all = await stats('flows', { org: ORG, status: 'all' });
  assert.equal(all.flows.find((f) => f.to?.slug === X).count, 3, 'status=all brings the retracted departure back');
  const window = await stats('flows', { org: ORG, from: '2024', to: '2024' });
  assert.deepEqual(window.flows.map((f) => [f.to?.slug ?? null, f.count]), [[Y, 1]]);
  const none = await stats('flows', { org: ORG, from: '2019', to: '2019' });
  assert.deepEqual(none.flows, []);

  const everywhere = await stats('flows', {});
  const ours = everywhere.flows.filter((f) => f.from.id === fx.org.id);
  assert.equal(ours.reduce((s, f) => s + f.count, 0), 7, 'without org, every organization (this one included)');

  for (const [params, field] of [[{ org: slug('nope') }, 'org'], [{ status: 'gone' }, 'status'], [{ from: '2024-00' }, 'from']]) {
    const bad = await stats('flows', params, 400);
    assert.ok(bad.errors?.some((e) => e.field === field), JSON.stringify(bad));
  }
});

// ------------------------------------------------------------------ /stats/attrition

// AORG over 2024 (366 days), positions counted from the first day of started_on up to the
// first day of ended_on:
//   Alpha: a1, a2 all year; a3 left on 2024-01-01 (0 days)      → 2.00, 1 departure, rate 0.5
//   Beta:  b1 from 2024-07-01 (184 days)                        → 0.50, 0 departures, rate 0
//   Delta: d1 all year; d2 left on 2024-07-01 (182 days)        → 1.50, 1 departure, rate 1/1.4973
//   Gamma: nobody                                               → 0, rate null
//   The organization: 1464 days / 366 = 4.00, 2 departures      → rate 0.5
//   (a retracted departure from Alpha in 2024 counts nowhere)
const AORG = slug('attr-org');
before(async () => {
  const p = (s) => slug(`attr-${s}`);
  await importOk([
    { type: 'organization', slug: AORG, name: `Attrition Org ${RUN}` },
    ...['alpha', 'beta', 'delta', 'gamma'].map((t) => ({ type: 'team', org: AORG, slug: t, name: t[0].toUpperCase() + t.slice(1) })),
    ...['a1', 'a2', 'a3', 'a4', 'b1', 'd1', 'd2'].map((s) => ({ type: 'person', slug: p(s), full_name: `Attr ${s} ${RUN}` })),
    { type: 'position', person: p('a1'), org: AORG, team: `${AORG}/alpha`, started_on: '2023' },
    { type: 'position', person: p('a2'), org: AORG, team: `${AORG}/alpha`, started_on: '2023-06' },
    { type: 'position', person: p('a3'), org: AORG, team: `${AORG}/alpha`, started_on: '2022' },
    { type: 'position', person: p('b1'), org: AORG, team: `${AORG}/beta`, started_on: '2024-07-01' },
    { type: 'position', person: p('d1'), org: AORG, team: `${AORG}/delta`, started_on: '2020' },
    { type: 'position', person: p('d2'), org: AORG, team: `${AORG}/delta`, started_on: '2021-03-04' },
    { type: 'departure', person: p('a3'), org: AORG, team: `${AORG}/alpha`, departed_on: '2024-01-01', kind: 'resigned' },
    { type: 'departure', person: p('d2'), org: AORG, team: `${AORG}/delta`, departed_on: '2024-07-01', kind: 'resigned' },
    { type: 'departure', person: p('a4'), org: AORG, team: `${AORG}/alpha`, departed_on: '2024-05', kind: 'resigned', status: 'retracted' },
  ]);
});

const near = (a, b, what) => assert.ok(Math.abs(a - b) < 0.00051, `${what}: ${a} ≈ ${b}`);

test('/stats/attrition: departures, average headcount from positions and the rate, on numbers worked out by hand', async () => {
  const body = await stats('attrition', { org: AORG, from: '2024', to: '2024' });
  assert.equal(body.org.slug, AORG);
  assert.equal(body.team, null);
  assert.equal(body.from, '2024');
  assert.equal(body.to, '2024');
  assert.equal(body.departures, 2);
  assert.equal(body.average_headcount, 4);
  assert.equal(body.rate, 0.5);
  assert.ok(!('teams' in body), 'no teams without group_by=team');

  const alpha = await stats('attrition', { team: `${AORG}/alpha`, from: '2024-01-01', to: '2024-12-31' });
  assert.equal(alpha.team.slug, 'alpha');
  assert.equal(alpha.departures, 1, 'a team with 2 people all year and 1 departure');
  assert.equal(alpha.average_headcount, 2);
  assert.equal(alpha.rate, 0.5);
});

test('/stats/attrition?group_by=team: one row per team, ordered by name', async () => {
  const body = await stats('attrition', { org: AORG, from: '2024', to: '2024', group_by: 'team' });
  assert.equal(body.departures, 2);
  assert.ok(Array.isArray(body.teams));
  assert.deepEqual(body.teams.map((r) => r.team.slug), ['alpha', 'beta', 'delta', 'gamma']);
  const row = Object.fromEntries(body.teams.map((r) => [r.team.slug, r]));
  for (const r of body.teams) assert.equal(r.org.slug, AORG);
  assert.deepEqual([row.alpha.departures, row.alpha.average_headcount, row.alpha.rate], [1, 2, 0.5]);
  assert.deepEqual([row.beta.departures, row.beta.average_headcount, row.beta.rate], [0, 0.5, 0]);
  assert.equal(row.delta.departures, 1);
  assert.equal(row.delta.average_headcount, 1.5);
  near(row.delta.rate, 366 / (366 + 182), 'delta rate = 1 / (1 + 182/366)');
  assert.deepEqual([row.gamma.departures, row.gamma.average_headcount, row.gamma.rate], [0, 0, null], 'no headcount: rate null');
});

test('/stats/attrition: the default window is the 12 months to today', async () => {
  const body = await stats('attrition', { org: AORG });
  assert.match(body.from, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(body.to, /^\d{4}-\d{2}-\d{2}$/);
  const day = 86_400_000;
  const from = Date.parse(`${body.from}T00:00:00Z`);
  const to = Date.parse(`${body.to}T00:00:00Z`);
  assert.ok(Math.abs(to - Date.now()) < 2 * day, `to is today: ${body.to}`);
  const span = Math.round((to - from) / day) + 1;
  assert.ok(span === 365 || span === 366, `a year of days, both ends included: ${body.from} … ${body.to} (${span})`);
});

test('/stats/attrition: 400 for group_by=team without org or team, a bad group_by, an unknown org', async () => {
  const need = await stats('attrition', { group_by: 'team' }, 400);
  assert.ok(need.errors?.some((e) => e.field === 'org' || e.field === 'group_by'), JSON.stringify(need));
  const badGroup = await stats('attrition', { org: AORG, group_by: 'org' }, 400);
  assert.ok(badGroup.errors?.some((e) => e.field === 'group_by'), JSON.stringify(badGroup));
  const unknown = await stats('attrition', { org: slug('nope') }, 400);
  assert.ok(unknown.errors?.some((e) => e.field === 'org'), JSON.stringify(unknown));
  const date = await stats('attrition', { org: AORG, from: '2024-02-30' }, 400);
  assert.ok(date.errors?.some((e) => e.field === 'from'), JSON.stringify(date));
});

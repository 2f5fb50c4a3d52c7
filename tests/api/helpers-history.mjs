// Helpers of the departures and org-chart suites (departures.test.mjs, orgchart.test.mjs):
// fixtures made of fresh, uniquely named records; reading charts, trees, chains, timelines
// and lists with spec checks. Everything goes through api() and checkSpec() of lib.mjs and
// the record helpers of helpers-records.mjs.
import assert from 'node:assert/strict';
import { api, checkSpec } from './lib.mjs';
import { make, nameWord, page, qs, walk, word } from './helpers-records.mjs';

/** A run marker (lower-case letters) to put in names, slugs and URLs of one suite run. */
export function runWord() {
  return word(8);
}

/** Makes fresh records of one run: organizations, teams, people, sources, positions, lines. */
export function fixtures(run) {
  let n = 0;
  const seq = () => `${++n}${word(3)}`;
  return {
    org: (label = 'Org', extra = {}) => make('organizations', { name: `${label} ${run} ${seq()}`, kind: 'company', ...extra }),
    team: (org, label = 'Team', extra = {}) => make('teams', { org_id: org.id, name: `${label} ${run} ${seq()}`, ...extra }),
    // A made-up name word keeps people of different runs from looking alike.
    person: (label = 'P', extra = {}) => make('people', { full_name: `${label} ${nameWord()} ${run}${seq()}`, ...extra }),
    source: (label = 'src', extra = {}) =>
      make('sources', { url: `https://example.org/orgwatch-tests/${run}/${label}-${seq()}`, title: `${label} ${run}`, publisher: `Pub ${run}`, ...extra }),
    position: (person, org, extra = {}) => make('positions', { person_id: person.id, org_id: org.id, ...extra }),
    line: (report, manager, extra = {}) => make('reporting-lines', { report_id: report.id, manager_id: manager.id, ...extra }),
    departure: (person, org, departed_on, extra = {}) => make('departures', { person_id: person.id, org_id: org.id, departed_on, ...extra }),
  };
}

/** GET a JSON resource with a spec check against `tmpl`; asserts 200 and returns the body. */
export async function getOk(path, tmpl, opts = {}) {
  const res = checkSpec(await api('GET', path, opts), 'GET', tmpl);
  assert.equal(res.status, 200, `GET ${path} → ${res.status} ${res.text}`);
  return res.body;
}

/** The ids of every item of a list (all pages). */
export async function ids(pathWithQuery, opts) {
  return (await walk(pathWithQuery, opts)).items.map((x) => x.id);
}

/** One position, read back (spec-checked). */
export async function position(id) {
  return getOk(`/positions/${id}`, '/positions/{id}');
}

/** One reporting line, read back (spec-checked). */
export async function line(id) {
  return getOk(`/reporting-lines/${id}`, '/reporting-lines/{id}');
}

/** GET /organizations/{id}/chart with these query parameters; the body. */
export async function chart(org, params = {}) {
  return getOk(`/organizations/${encodeURIComponent(org)}/chart${qs(params)}`, '/organizations/{id}/chart');
}

/** GET /people/{id}/reports; the body. */
export async function reports(person, params = {}) {
  return getOk(`/people/${encodeURIComponent(person)}/reports${qs(params)}`, '/people/{id}/reports');
}

/** GET /people/{id}/managers; the body. */
export async function managers(person, params = {}) {
  return getOk(`/people/${encodeURIComponent(person)}/managers${qs(params)}`, '/people/{id}/managers');
}

/** GET /people/{id}/timeline; the body. */
export async function timeline(person) {
  return getOk(`/people/${encodeURIComponent(person)}/timeline`, '/people/{id}/timeline');
}

/** GET /organizations/{id}/changes; the body. */
export async function changes(org, params = {}) {
  return getOk(`/organizations/${encodeURIComponent(org)}/changes${qs(params)}`, '/organizations/{id}/changes');
}

/**
 * Every node of a tree of ChartNodes as a Map slug → {node, depth, parent} (depth 0 = the
 * given nodes; parent = the slug above or null). Asserts nobody appears twice.
 */
export function flatten(nodes, depth = 0, parent = null, into = new Map()) {
  for (const node of nodes) {
    const slug = node.person.slug;
    assert.ok(!into.has(slug), `${slug} appears once in the tree`);
    into.set(slug, { node, depth, parent });
    assert.ok(Array.isArray(node.reports), `${slug} has a reports array`);
    flatten(node.reports, depth + 1, slug, into);
  }
  return into;
}

/** The nested shape of a tree as plain data: {slug: {child: {...}}}, for deepEqual. */
export function shape(nodes) {
  const out = {};
  for (const node of nodes) out[node.person.slug] = shape(node.reports);
  return out;
}

/** The slugs of a chain of managers, nearest first. */
export function chainSlugs(body) {
  return body.managers.map((m) => m.person.slug);
}

/** Today's date, UTC, YYYY-MM-DD. */
export function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

/** A GET expected to be a 400 naming `param`; spec-checked against `tmpl`. */
export async function expectBadParam(path, tmpl, param) {
  const res = checkSpec(await api('GET', path), 'GET', tmpl);
  assert.equal(res.status, 400, `GET ${path} → ${res.status} ${res.text} (expected 400 naming ${param})`);
  const fields = (res.body.errors || []).map((e) => e.field);
  assert.ok(fields.includes(param), `GET ${path}: errors name ${param}: ${JSON.stringify(res.body.errors)}`);
  return res;
}

/** A list page as it comes (spec-checked against `tmpl`), asserting 200. */
export async function pageOk(pathWithQuery, opts = {}) {
  const res = await page(pathWithQuery, opts);
  assert.equal(res.status, 200, `GET ${pathWithQuery} → ${res.status} ${res.text}`);
  return res;
}

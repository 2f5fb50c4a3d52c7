// The route table of the server (server/routes.c) and the operations of openapi.yaml must be
// the same set of "METHOD /path" pairs: a route the spec does not describe is an undocumented
// endpoint, an operation the server does not route is a promise it cannot keep.
// Needs no server: the route table comes from `orgwatch routes` (the table the server
// builds from server/routes.c and the record types of server/rtypes.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';
import { REPO, SPEC_PATH } from './lib.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every "METHOD /path" the server routes, from its own table (`orgwatch routes`). */
export function serverRoutes() {
  const bin = process.env.ORGWATCH_BIN || path.join(REPO, 'build', 'orgwatch');
  return execFileSync(bin, ['routes'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split(' ').slice(0, 2).join(' '));
}

/** Every "METHOD /path" of openapi.yaml. */
export function operationsOf(doc) {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of METHODS) if (item && item[m]) ops.push(`${m.toUpperCase()} ${p}`);
  }
  return ops;
}

const routes = serverRoutes();
const spec = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
const operations = operationsOf(spec);

test('the route table parses: every resource has its five routes and nothing is listed twice', () => {
  assert.ok(routes.length >= 40, `expected the full table, parsed ${routes.length} routes: ${routes.join(', ')}`);
  const seen = new Set();
  for (const r of routes) {
    assert.ok(!seen.has(r), `the route table lists ${r} twice`);
    seen.add(r);
  }
  for (const plural of ['organizations', 'teams', 'people', 'positions', 'sources', 'departures', 'layoffs', 'reporting-lines']) {
    for (const r of [`GET /${plural}`, `POST /${plural}`, `GET /${plural}/{id}`, `PATCH /${plural}/{id}`, `DELETE /${plural}/{id}`]) {
      assert.ok(seen.has(r), `${r} is routed (a record type of rtypes.c)`);
    }
  }
  for (const r of ['POST /import', 'GET /export', 'GET /stats/departures', 'GET /stats/flows', 'GET /stats/attrition', 'GET /assets/{file}']) {
    assert.ok(seen.has(r), `${r} is routed`);
  }
});

test('every route of server/routes.c is an operation of openapi.yaml', () => {
  const ops = new Set(operations);
  const missing = routes.filter((r) => !ops.has(r));
  assert.deepEqual(missing, [], `routed but not in openapi.yaml: ${missing.join(', ')}`);
});

test('every operation of openapi.yaml is a route of server/routes.c', () => {
  const routed = new Set(routes);
  const extra = operations.filter((o) => !routed.has(o));
  assert.deepEqual(extra, [], `in openapi.yaml but not routed: ${extra.join(', ')}`);
});

test('path parameters are named alike in the spec and the route table', () => {
  // The pairs above match exactly, names included; this states it for each templated path.
  for (const r of routes.filter((x) => x.includes('{'))) {
    const [method, p] = r.split(' ');
    const op = spec.paths[p]?.[method.toLowerCase()];
    if (!op) continue; // reported by the test above
    const declared = [...(spec.paths[p].parameters || []), ...(op.parameters || [])]
      .map((x) => (x.$ref ? x.$ref.split('/').reduce((n, k) => (k === '#' ? spec : n?.[k]), null) : x))
      .filter((x) => x?.in === 'path')
      .map((x) => x.name)
      .sort();
    const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(declared, inPath, `${r}: openapi.yaml declares path parameters ${declared} for ${inPath}`);
  }
});

/** For each record list the server routes: its path plural and the names of its filters. */
export function listFilters() {
  const bin = process.env.ORGWATCH_BIN || path.join(REPO, 'build', 'orgwatch');
  const lists = new Map();
  for (const line of execFileSync(bin, ['routes'], { encoding: 'utf8' }).trim().split('\n')) {
    const [method, p, , , filters] = line.split(' ');
    if (method === 'GET' && filters && filters !== '-') lists.set(p.slice(1), filters.split(','));
  }
  return lists;
}

test('every list filter the server accepts is a documented query parameter, and no other', () => {
  const filters = listFilters();
  assert.equal(filters.size, 8, `eight record lists in the route table: ${[...filters.keys()]}`);
  const deref = (x) => (x.$ref ? x.$ref.split('/').reduce((n, k) => (k === '#' ? spec : n?.[k]), null) : x);
  for (const [plural, names] of filters) {
    const op = spec.paths[`/${plural}`]?.get;
    assert.ok(op, `GET /${plural} is in openapi.yaml`);
    const documented = (op.parameters || []).map(deref).filter((x) => x.in === 'query').map((x) => x.name);
    // Paging, the representation's parameters every list takes (format.c), and known_at,
    // which every read takes (known_at.c).
    const paging = ['limit', 'cursor', 'format', 'all', 'excel', 'known_at'];
    assert.deepEqual(
      documented.filter((n) => !paging.includes(n)).sort(),
      [...names].sort(),
      `GET /${plural}: openapi.yaml's query parameters vs the server's filters`,
    );
    for (const n of paging) assert.ok(documented.includes(n), `GET /${plural} documents ${n}`);
  }
});

// The route table of the server (server/routes.c) and the operations of openapi.yaml must be
// the same set of "METHOD /path" pairs: a route the spec does not describe is an undocumented
// endpoint, an operation the server does not route is a promise it cannot keep.
// Static: reads the two files, needs no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO, SPEC_PATH } from './lib.mjs';

const ROUTES_C = path.join(REPO, 'server', 'routes.c');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** C source without comments (string literals kept). */
function stripComments(src) {
  let out = '';
  for (let i = 0; i < src.length; ) {
    if (src[i] === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (src.startsWith('/*', i)) {
      const j = src.indexOf('*/', i + 2);
      i = j < 0 ? src.length : j + 2;
    } else if (src.startsWith('//', i)) {
      const j = src.indexOf('\n', i);
      i = j < 0 ? src.length : j;
    } else {
      out += src[i++];
    }
  }
  return out;
}

/** Concatenates adjacent C string literals and macro arguments: `"/" plural "/{id}"`. */
function joinPath(expr, args) {
  let s = '';
  for (const tok of expr.matchAll(/"((?:[^"\\]|\\.)*)"|([A-Za-z_]\w*)/g)) {
    if (tok[1] !== undefined) s += tok[1];
    else if (tok[2] in args) s += args[tok[2]];
    else throw new Error(`routes.c: cannot expand ${tok[2]} in ${expr}`);
  }
  return s;
}

/** Route entries `{"METHOD", <path expr>, handler, ...}` found in `body`. */
function entries(body, args = {}) {
  const found = [];
  for (const m of body.matchAll(/\{\s*"([A-Z]+)"\s*,\s*((?:"(?:[^"\\]|\\.)*"|\s|[A-Za-z_]\w*(?=\s*"|\s*,))+?)\s*,\s*ow_h_\w+/g)) {
    found.push(`${m[1]} ${joinPath(m[2], args)}`);
  }
  return found;
}

/** Every "METHOD /path" of the route table, function-like macros expanded. */
export function routesOf(source) {
  const src = stripComments(source).replace(/\\\r?\n/g, ' ');
  const macros = new Map();
  for (const m of src.matchAll(/#define\s+(\w+)\(([^)]*)\)\s*(.*)/g)) {
    macros.set(m[1], { params: m[2].split(',').map((p) => p.trim()), body: m[3] });
  }
  const table = /ow_routes\[\]\s*=\s*\{([\s\S]*?)\n\};/.exec(src);
  assert.ok(table, 'routes.c has the table `const struct ow_route ow_routes[] = {...};`');
  const routes = entries(table[1]);
  for (const [name, mac] of macros) {
    for (const call of table[1].matchAll(new RegExp(`\\b${name}\\s*\\(([^)]*)\\)`, 'g'))) {
      const values = call[1].split(',').map((v) => v.trim());
      const args = {};
      mac.params.forEach((p, i) => {
        const v = values[i] ?? '';
        args[p] = /^"(.*)"$/.test(v) ? v.slice(1, -1) : v;
      });
      const expanded = entries(mac.body, args);
      assert.ok(expanded.length > 0, `macro ${name} expands to route entries`);
      routes.push(...expanded);
    }
  }
  return routes;
}

/** Every "METHOD /path" of openapi.yaml. */
export function operationsOf(doc) {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of METHODS) if (item && item[m]) ops.push(`${m.toUpperCase()} ${p}`);
  }
  return ops;
}

const routes = routesOf(readFileSync(ROUTES_C, 'utf8'));
const spec = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
const operations = operationsOf(spec);

test('the route table parses: every resource has its five routes and nothing is listed twice', () => {
  assert.ok(routes.length >= 40, `expected the full table, parsed ${routes.length} routes: ${routes.join(', ')}`);
  const seen = new Set();
  for (const r of routes) {
    assert.ok(!seen.has(r), `routes.c lists ${r} twice`);
    seen.add(r);
  }
  for (const plural of ['organizations', 'teams', 'people', 'positions', 'sources', 'departures', 'layoffs', 'reporting-lines']) {
    for (const r of [`GET /${plural}`, `POST /${plural}`, `GET /${plural}/{id}`, `PATCH /${plural}/{id}`, `DELETE /${plural}/{id}`]) {
      assert.ok(seen.has(r), `${r} is routed (RECORD_ROUTES expanded)`);
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

/** For each resource of server/resources.c: its path plural and the names of its list filters. */
export function listFiltersOf(source) {
  const src = stripComments(source);
  const tables = new Map();
  for (const m of src.matchAll(/struct ow_filter (\w+)\[\]\s*=\s*\{([\s\S]*?)\n\};/g)) {
    tables.set(m[1], [...m[2].matchAll(/\{\s*"(\w+)"\s*,\s*OW_F_/g)].map((x) => x[1]));
  }
  const resources = new Map();
  for (const m of src.matchAll(/struct ow_resource ow_res_\w+\s*=\s*\{([\s\S]*?)\};/g)) {
    const plural = /"([a-z-]+)"/.exec(m[1])[1];
    const table = /\b(\w+_filters)\b(?!\))/.exec(m[1].replace(/N\(\w+\)/g, ''))[1];
    assert.ok(tables.has(table), `resources.c: ${plural} names the filter table ${table}`);
    resources.set(plural, tables.get(table));
  }
  return resources;
}

test('every list filter the server accepts is a documented query parameter, and no other', () => {
  const filters = listFiltersOf(readFileSync(path.join(REPO, 'server', 'resources.c'), 'utf8'));
  assert.equal(filters.size, 8, `eight resources parsed from resources.c: ${[...filters.keys()]}`);
  const deref = (x) => (x.$ref ? x.$ref.split('/').reduce((n, k) => (k === '#' ? spec : n?.[k]), null) : x);
  for (const [plural, names] of filters) {
    const op = spec.paths[`/${plural}`]?.get;
    assert.ok(op, `GET /${plural} is in openapi.yaml`);
    const documented = (op.parameters || []).map(deref).filter((x) => x.in === 'query').map((x) => x.name);
    const paging = ['limit', 'cursor'];
    assert.deepEqual(
      documented.filter((n) => !paging.includes(n)).sort(),
      [...names].sort(),
      `GET /${plural}: openapi.yaml's query parameters vs the server's filters`,
    );
    for (const n of paging) assert.ok(documented.includes(n), `GET /${plural} documents ${n}`);
  }
});

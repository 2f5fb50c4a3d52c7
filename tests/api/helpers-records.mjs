// Helpers shared by the record API suites (records, departures, people_merge, changes): creating
// records with spec checks, walking keyset pages, parsing CSV, unique names, the ETag cycle. Everything here goes
// through api() and checkSpec() of lib.mjs.
import assert from 'node:assert/strict';
import { api, BASE, checkSpec, errorFields, expectProblem, namesField } from './lib.mjs';

/** The openapi.yaml path template of a record path: '/people' or '/people/{id}'. */
export function template(plural, withId = false) {
  return withId ? `/${plural}/{id}` : `/${plural}`;
}

/** Lower-case letters only, so a tag survives slug generation unchanged and folds to itself. */
export function word(n = 8) {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (let i = 0; i < n; i++) s += a[Math.floor(Math.random() * a.length)];
  return s;
}

/** A made-up, pronounceable word (for names that must not resemble names of other runs). */
export function nameWord(syllables = 3) {
  const c = 'bdfgklmnprstvz';
  const v = 'aeiou';
  let s = '';
  for (let i = 0; i < syllables; i++) s += c[Math.floor(Math.random() * c.length)] + v[Math.floor(Math.random() * v.length)];
  s += c[Math.floor(Math.random() * c.length)];
  return s[0].toUpperCase() + s.slice(1);
}

/** Source URLs unique to one suite run: each call of the returned function gives
 * https://example.org/orgwatch-tests/RUN/LABEL-WHAT-N, N counting up. */
export function sourceUrls(run, label) {
  let n = 0;
  return (what) => `https://example.org/orgwatch-tests/${run}/${label}-${what}-${++n}`;
}

/** POST /<plural> as `key` (editor by default); asserts 201 + Location + ETag; returns the response. */
export async function create(plural, body, { key = 'editor', headers = {} } = {}) {
  const res = checkSpec(await api('POST', `/${plural}`, { key, body, headers }), 'POST', template(plural));
  assert.equal(res.status, 201, `POST /${plural} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
  return res;
}

/** POST and return the created record's body. */
export async function make(plural, body, opts) {
  return (await create(plural, body, opts)).body;
}

/** GET /<plural>/<key> with a spec check. `key` is encoded (teams: "org/team" becomes org%2Fteam). */
export async function read(plural, key, opts = {}) {
  const res = await api('GET', `/${plural}/${encodeURIComponent(key)}`, opts);
  return checkSpec(res, 'GET', template(plural, true));
}

/** PATCH /<plural>/<key> with a JSON merge patch (editor by default), spec-checked. */
export async function patch(plural, key, body, { key: role = 'editor', headers = {} } = {}) {
  const h = { 'content-type': 'application/merge-patch+json', ...headers };
  const res = await api('PATCH', `/${plural}/${encodeURIComponent(key)}`, { key: role, body, headers: h });
  return checkSpec(res, 'PATCH', template(plural, true));
}

/** DELETE /<plural>/<key> (editor by default), spec-checked. */
export async function remove(plural, key, { key: role = 'editor', headers = {} } = {}) {
  const res = await api('DELETE', `/${plural}/${encodeURIComponent(key)}`, { key: role, headers });
  return checkSpec(res, 'DELETE', template(plural, true));
}

/** Builds `?a=1&b=2` from an object (undefined values left out). */
export function qs(params = {}) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) u.append(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** One list page, spec-checked against `tmpl` (default: the path without its query). */
export async function page(pathWithQuery, { tmpl, headers = {}, key } = {}) {
  const res = await api('GET', pathWithQuery, { headers, key });
  return checkSpec(res, 'GET', tmpl || pathWithQuery.split('?')[0]);
}

/**
 * Walks every page of a list (following next_cursor), spec-checking each page and the Link
 * header. `between(pageIndex)` runs after each page but the last (to insert records meanwhile).
 * Returns {items, pages}.
 */
export async function walk(pathWithQuery, { tmpl, maxPages = 10_000, between } = {}) {
  const items = [];
  let url = pathWithQuery;
  let pages = 0;
  for (;;) {
    const res = await page(url, { tmpl });
    assert.equal(res.status, 200, `GET ${url} → ${res.status} ${res.text}`);
    assert.ok(Array.isArray(res.body.items), 'items is an array');
    items.push(...res.body.items);
    pages++;
    const next = res.body.next_cursor;
    const link = res.headers.get('link');
    if (next === null) {
      assert.equal(link, null, `no Link header on the last page of ${pathWithQuery}`);
      break;
    }
    assert.equal(typeof next, 'string');
    assert.ok(link, `a Link header when next_cursor is set (${url})`);
    const target = linkNext(link);
    assert.ok(target, `Link has rel="next": ${link}`);
    const u = new URL(target, BASE);
    assert.equal(u.searchParams.get('cursor'), next, 'the Link URL carries next_cursor');
    assert.ok(pages < maxPages, `more than ${maxPages} pages`);
    if (between) await between(pages);
    url = u.pathname + u.search;
  }
  return { items, pages };
}

/** Walks pages until an item with this id shows up; returns it (or undefined). */
export async function findInList(pathWithQuery, id, { tmpl } = {}) {
  let url = pathWithQuery;
  for (let i = 0; i < 1000; i++) {
    const res = await page(url, { tmpl });
    assert.equal(res.status, 200, `GET ${url} → ${res.status} ${res.text}`);
    const hit = res.body.items.find((x) => x.id === id);
    if (hit) return hit;
    if (!res.body.next_cursor) return undefined;
    const u = new URL(url, BASE);
    u.searchParams.set('cursor', res.body.next_cursor);
    url = u.pathname + u.search;
  }
  return undefined;
}

/** The target of the rel="next" entry of a Link header, or null. */
export function linkNext(header) {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2])) return m[1];
  }
  return null;
}

/** Strict RFC 4180 parser: returns rows (arrays of strings); throws on malformed input. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          throw new Error(`CSV: character ${JSON.stringify(text[i])} after a closing quote at offset ${i}`);
        }
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (fieldStarted && field !== '') throw new Error(`CSV: a quote inside an unquoted field at offset ${i}`);
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] !== '\n') throw new Error(`CSV: a bare CR at offset ${i}`);
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      i += c === '\r' ? 2 : 1;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (quoted) throw new Error('CSV: unterminated quoted field');
  if (fieldStarted || field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as objects keyed by the header row. */
export function csvObjects(text) {
  const rows = parseCsv(text);
  assert.ok(rows.length >= 1, 'a CSV answer has a header row');
  const [header, ...rest] = rows;
  for (const r of rest) assert.equal(r.length, header.length, `every CSV row has ${header.length} fields: ${JSON.stringify(r)}`);
  return { header, rows: rest.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

/** Asserts a CSV cell shows a JSON value: strings as is, null as empty, others as JSON text. */
export function assertCsvCell(cell, value, what) {
  if (value === null || value === undefined) {
    assert.equal(cell, '', `${what}: null is an empty cell`);
  } else if (typeof value === 'string') {
    assert.equal(cell, value, `${what}: the string as is`);
  } else if (typeof value === 'object') {
    let parsed;
    assert.doesNotThrow(() => (parsed = JSON.parse(cell)), `${what}: ${JSON.stringify(cell)} is JSON text`);
    assert.deepEqual(parsed, value, `${what}: the same JSON value`);
  } else {
    assert.equal(cell, String(value), `${what}: ${value}`);
  }
}

/**
 * The ETag conventions on one record just created (`created`, the POST's response): GET gives
 * the POST's ETag; If-None-Match with it is a 304, with another a 200; a PATCH (`change`) with a
 * stale If-Match is a 412 that changes nothing, with the current one a 200 and a new ETag, after
 * which the old ETag no longer matches, for a PATCH or a DELETE; a DELETE with the new one
 * deletes the record.
 */
export async function expectEtagCycle(plural, created, change) {
  const id = created.body.id;
  const etag0 = created.headers.get('etag');
  const got = await read(plural, id);
  assert.equal(got.headers.get('etag'), etag0, `${plural}: GET has the ETag POST gave`);

  const nm = await read(plural, id, { headers: { 'if-none-match': etag0 } });
  assert.equal(nm.status, 304, `${plural}: If-None-Match with the current ETag → 304`);
  assert.equal(nm.text, '');
  assert.equal(nm.headers.get('etag'), etag0);
  const other = await read(plural, id, { headers: { 'if-none-match': '"not-the-etag"' } });
  assert.equal(other.status, 200, `${plural}: If-None-Match with another ETag → 200`);

  const stale = await patch(plural, id, change, { headers: { 'if-match': '"stale"' } });
  expectProblem(stale, 412);
  assert.deepEqual((await read(plural, id)).body, got.body, `${plural}: a 412 changes nothing`);

  const ok = await patch(plural, id, change, { headers: { 'if-match': etag0 } });
  assert.equal(ok.status, 200, `${plural}: If-Match with the current ETag → 200 ${ok.text}`);
  const etag1 = ok.headers.get('etag');
  assert.notEqual(etag1, etag0, `${plural}: the ETag changes with the record`);
  assert.equal((await read(plural, id)).headers.get('etag'), etag1, `${plural}: PATCH returns the new ETag`);
  const nm2 = await read(plural, id, { headers: { 'if-none-match': etag0 } });
  assert.equal(nm2.status, 200, `${plural}: the old ETag no longer matches`);

  expectProblem(await patch(plural, id, change, { headers: { 'if-match': etag0 } }), 412);
  expectProblem(await remove(plural, id, { headers: { 'if-match': etag0 } }), 412);
  assert.equal((await read(plural, id)).status, 200, `${plural}: a 412 DELETE deletes nothing`);
  assert.equal((await remove(plural, id, { headers: { 'if-match': etag1 } })).status, 204, `${plural}: DELETE with the current ETag`);
}

/** Asserts a 400 problem naming every one of `fields` (and returns the named fields). */
export function expectFields(res, fields, what = '') {
  expectProblem(res, 400);
  const named = errorFields(res);
  for (const f of fields) assert.ok(namesField(named, f), `${what} the errors name ${f}: ${JSON.stringify(res.body.errors)}`);
  return named;
}

/** The name of the key of a role, when known (ORGWATCH_TEST_<ROLE>_KEY_NAME, or the name
 * lib.mjs gives keys it creates itself); else undefined. */
export function keyName(role) {
  const explicit = process.env[`ORGWATCH_TEST_${role.toUpperCase()}_KEY_NAME`];
  if (explicit) return explicit;
  if (!process.env[`ORGWATCH_TEST_${role.toUpperCase()}_KEY`] && process.env.ORGWATCH_BIN && process.env.ORGWATCH_TEST_DATABASE_URL) {
    return `api-test-${role}-${process.pid}`;
  }
  return undefined;
}

/** An RFC 3339 UTC timestamp (seconds precision) of `ms` since the epoch. */
export function rfc3339(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Audit entries of one record, oldest first (walks GET /changes?entity=&since=). */
export async function changesOf(entity, id, since) {
  const { items } = await walk(`/changes${qs({ entity, since, limit: 1000 })}`);
  return items.filter((e) => e.entity_id === id);
}

// cache.test.mjs — answers HTTP caches can keep (server/cache.c): public reads carry a strong
// ETag from the data version, Cache-Control and Vary: Accept, and are answered 304 with no
// body while nothing changed; a write changes every ETag; JSON and CSV differ; a view bound
// to a key is no-store; records keep their own ETag; what is not audited is not cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, checkSpec, keys, uniq } from './lib.mjs';

const ETAG = /^"v[0-9]+\.[0-9]{8}\.[0-9a-f]{16}"$/;

async function cached(path, template, headers = {}) {
  const res = checkSpec(await api('GET', path, { headers }), 'GET', template);
  assert.equal(res.status, 200, `${path}: ${res.text.slice(0, 200)}`);
  assert.match(res.headers.get('etag') || '', ETAG, `${path}: ETag`);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=0');
  assert.equal(res.headers.get('vary'), 'Accept');
  return res;
}

test('a public list, chart, stats or history answer is 304 while nothing changed, 200 after a write', async () => {
  const cases = [
    ['/departures?limit=3', '/departures'],
    ['/people?limit=2&org=meta', '/people'],
    ['/stats/departures?group_by=month&from=2024-01&to=2024-06', '/stats/departures'],
    ['/organizations/meta/chart?as_of=2025-06-01', '/organizations/{id}/chart'],
    ['/people/yann-lecun/timeline', '/people/{id}/timeline'],
    ['/changes?limit=2', '/changes'],
  ];
  const etags = [];
  for (const [path, template] of cases) {
    const first = await cached(path, template);
    const again = checkSpec(await api('GET', path, { headers: { 'If-None-Match': first.headers.get('etag') } }), 'GET', template);
    assert.equal(again.status, 304, `${path} with its ETag: ${again.status}`);
    assert.equal(again.text, '');
    assert.equal(again.headers.get('etag'), first.headers.get('etag'));
    assert.equal(again.headers.get('cache-control'), 'public, max-age=0');
    etags.push(first.headers.get('etag'));
  }
  assert.equal(new Set(etags).size, etags.length, 'every request has an ETag of its own');
  const write = await api('POST', '/sources', { key: 'editor', body: { url: `https://news.example/${uniq('cache')}` } });
  assert.equal(write.status, 201);
  for (const [i, [path, template]] of cases.entries()) {
    const after = checkSpec(await api('GET', path, { headers: { 'If-None-Match': etags[i] } }), 'GET', template);
    assert.equal(after.status, 200, `${path} after a write: ${after.status}`);
    assert.notEqual(after.headers.get('etag'), etags[i]);
  }
});

test('JSON and CSV answers have different ETags; another query or a different ETag gets 200', async () => {
  const json = await cached('/departures?limit=2', '/departures');
  const csv = await api('GET', '/departures?limit=2', { headers: { Accept: 'text/csv' } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('etag') || '', ETAG);
  assert.notEqual(csv.headers.get('etag'), json.headers.get('etag'));
  const viaJsonTag = await api('GET', '/departures?limit=2', { headers: { Accept: 'text/csv', 'If-None-Match': json.headers.get('etag') } });
  assert.equal(viaJsonTag.status, 200, 'the JSON answer\'s ETag does not validate the CSV answer');
  const other = await api('GET', '/departures?limit=3', { headers: { 'If-None-Match': json.headers.get('etag') } });
  assert.equal(other.status, 200);
  const stale = await api('GET', '/departures?limit=2', { headers: { 'If-None-Match': '"v1.20000101.0000000000000000"' } });
  assert.equal(stale.status, 200);
  const star = await api('GET', '/departures?limit=2', { headers: { 'If-None-Match': '*' } });
  assert.equal(star.status, 304);
});

test('a request with a key is no-store and gets no ETag; records keep their own ETag', async () => {
  const keyed = checkSpec(await api('GET', '/departures?limit=2', { key: 'reader' }), 'GET', '/departures');
  assert.equal(keyed.status, 200);
  assert.equal(keyed.headers.get('cache-control'), 'no-store');
  assert.equal(keyed.headers.get('etag'), null);
  const rec = checkSpec(await api('GET', '/people/yann-lecun'), 'GET', '/people/{id}');
  assert.equal(rec.status, 200);
  assert.equal(rec.headers.get('cache-control'), 'public, max-age=0');
  assert.doesNotMatch(rec.headers.get('etag'), ETAG, 'a record\'s ETag is its own version (If-Match works with it)');
  const notModified = await api('GET', '/people/yann-lecun', { headers: { 'If-None-Match': rec.headers.get('etag') } });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.get('cache-control'), 'public, max-age=0');
});

test('what caches must not keep says nothing of the kind: duplicates (not audited), exports, operations, writes', async () => {
  for (const path of ['/people/duplicates?limit=1', '/health', '/ready']) {
    const res = await api('GET', path);
    assert.equal(res.headers.get('etag'), null, path);
    assert.notEqual(res.headers.get('cache-control'), 'public, max-age=0', path);
  }
  const exp = await api('GET', '/export?type=sources');
  assert.equal(exp.headers.get('cache-control'), 'no-store');
  const created = await api('POST', '/sources', { key: 'editor', body: { url: `https://news.example/${uniq('nc')}` } });
  assert.equal(created.headers.get('cache-control'), null);
});

// two_servers.test.mjs — servers keep no state that matters between requests: a second
// `orgwatch serve` on the same database answers what the first wrote, an Idempotency-Key sent
// to both creates one record, imports sent to both at once are serialized (both written, all
// or nothing each), a key revoked is refused by both, and both give a cacheable read the
// same ETag (a cache in front of several servers validates against any of them).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, BASE, keys, uniq } from './lib.mjs';
import { BIN, DB_URL, noDb, startServer } from './helpers-server.mjs';

let second;
after(async () => {
  if (second) await second.stop();
});

const people = (prefix, n) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ type: 'person', slug: `${prefix}-${i}`, full_name: `Two Servers ${i}` })).join('\n') + '\n';

test('two servers on one database give the same answers and the same guarantees', { skip: noDb, timeout: 120_000 }, async () => {
  second = await startServer();
  const b = second.base;
  const slug = uniq('two');
  const created = await api('POST', '/people', { key: 'editor', body: { slug, full_name: 'Written Through One' } });
  assert.equal(created.status, 201);
  const read = await api('GET', `/people/${slug}`, { base: b });
  assert.equal(read.status, 200, 'a write through one server is read through the other');
  assert.equal(read.body.id, created.body.id);

  const idem = uniq('idem');
  const body = { full_name: 'Once Only', slug: uniq('once') };
  const [x, y] = await Promise.all([
    api('POST', '/people', { key: 'editor', headers: { 'Idempotency-Key': idem }, body }),
    api('POST', '/people', { key: 'editor', headers: { 'Idempotency-Key': idem }, body, base: b }),
  ]);
  assert.deepEqual([x.status, y.status], [201, 201]);
  assert.equal(x.body.id, y.body.id, 'the same Idempotency-Key to both servers created one record');
  assert.equal([x, y].filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 1);

  const pa = uniq('impa');
  const pb = uniq('impb');
  const ndjson = { 'content-type': 'application/x-ndjson' };
  const [ia, ib] = await Promise.all([
    api('POST', '/import', { key: 'editor', headers: ndjson, body: people(pa, 1200), raw: true, timeoutMs: 60_000 }),
    api('POST', '/import', { key: 'editor', headers: ndjson, body: people(pb, 1200), raw: true, base: b, timeoutMs: 60_000 }),
  ]);
  assert.equal(ia.status, 200, ia.text.slice(0, 300));
  assert.equal(ib.status, 200, ib.text.slice(0, 300));
  assert.deepEqual([ia.body.created, ib.body.created], [1200, 1200]);
  const count = Number(execFileSync('psql', [DB_URL, '-XAtc', `SELECT count(*) FROM people WHERE slug LIKE '${pa}-%' OR slug LIKE '${pb}-%'`], { encoding: 'utf8' }).trim());
  assert.equal(count, 2400);

  const path = '/departures?limit=5&sort=-departed_on';
  const [ea, eb] = await Promise.all([api('GET', path), api('GET', path, { base: b })]);
  assert.ok(ea.headers.get('etag'));
  assert.equal(ea.headers.get('etag'), eb.headers.get('etag'), 'both servers give a read the same ETag');
  const viaOther = await api('GET', path, { base: b, headers: { 'If-None-Match': ea.headers.get('etag') } });
  assert.equal(viaOther.status, 304);

  const name = uniq('revoke');
  const key = execFileSync(BIN, ['key', 'create', '--name', name, '--role', 'editor'], { env: { ...process.env, ORGWATCH_DATABASE_URL: DB_URL }, encoding: 'utf8' }).trim();
  const before = await api('POST', '/sources', { key, body: { url: `https://news.example/${name}` }, base: b });
  assert.equal(before.status, 201);
  execFileSync(BIN, ['key', 'revoke', '--name', name], { env: { ...process.env, ORGWATCH_DATABASE_URL: DB_URL } });
  for (const base of [BASE, b]) {
    const refused = await api('POST', '/sources', { key, body: { url: `https://news.example/${name}-2` }, base });
    assert.equal(refused.status, 401, `a revoked key at ${base}`);
  }
  assert.ok(keys.editor);
});

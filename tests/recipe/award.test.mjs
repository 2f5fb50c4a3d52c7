// award.test.mjs — the recipe's dry run (scripts/recipe_dry_run.sh): "award", a record type
// added to a scratch copy of the tree by the steps of docs/ARCHITECTURE.md ("Adding a record
// type") alone, answers its CRUD routes, imports and exports like the other types. Run only
// against that copy's server (it has the type; the product does not).
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { api, checkSpec, errorFields, uniq } from '../api/lib.mjs';
import { create, read, patch, remove, page, qs } from '../api/helpers-records.mjs';

const person = async () => (await create('people', { full_name: `Award Winner ${uniq('w')}` })).body;

test('an award is created, read, listed, patched with its ETag and deleted', async () => {
  const p = await person();
  const a = (await create('awards', { person: p.slug, name: 'Turing Award', awarded_on: '2018' })).body;
  assert.equal(a.person_id, p.id);
  assert.equal(a.person.slug, p.slug);
  assert.equal(a.name, 'Turing Award');
  assert.equal(a.awarded_on, '2018');

  const got = await read('awards', a.id, { key: 'reader' });
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, a);

  const listed = await page(`/awards${qs({ person: p.slug })}`, { tmpl: '/awards' });
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual(listed.body.items.map((x) => x.id), [a.id]);

  const stale = await patch('awards', a.id, { awarded_on: '2018-03' }, { headers: { 'if-match': '"0-0"' } });
  assert.equal(stale.status, 412);
  const changed = await patch('awards', a.id, { awarded_on: '2018-03' }, { headers: { 'if-match': got.headers.get('etag') } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.awarded_on, '2018-03');
  assert.equal(changed.body.name, 'Turing Award');

  // The audit log has the create and the change (the generated statement triggers).
  const ops = execFileSync('psql', [process.env.ORGWATCH_TEST_DATABASE_URL, '-XAtc',
    `SELECT string_agg(operation, ',' ORDER BY id) FROM audit_log WHERE entity = 'award' AND entity_id = '${a.id}'`], { encoding: 'utf8' }).trim();
  assert.equal(ops, 'create,update');

  // What refers to a person now counts awards (ow_person_refs, generated): a 409 names it.
  const held = await remove('people', p.id);
  assert.equal(held.status, 409, held.text);
  assert.match(held.body.detail, /1 award\b/);

  assert.equal((await remove('awards', a.id)).status, 204);
  assert.equal((await read('awards', a.id)).status, 404);
  assert.equal((await remove('people', p.id)).status, 204);
});

test('bad awards are refused with the field named', async () => {
  const p = await person();
  let res = checkSpec(await api('POST', '/awards', { key: 'editor', body: { person: p.slug } }), 'POST', '/awards');
  assert.equal(res.status, 400);
  assert.ok(errorFields(res).includes('name'), res.text);
  res = checkSpec(await api('POST', '/awards', { key: 'editor', body: { person: `nobody-${uniq('x')}`, name: 'X' } }), 'POST', '/awards');
  assert.equal(res.status, 400);
  assert.ok(errorFields(res).some((f) => f === 'person' || f === 'person_id'), res.text);
  res = checkSpec(await api('POST', '/awards', { key: 'editor', body: { person: p.slug, name: 'X', awarded_on: '2018-13' } }), 'POST', '/awards');
  assert.equal(res.status, 400);
  assert.ok(errorFields(res).includes('awarded_on'), res.text);
  assert.equal((await read('awards', '00000000-0000-4000-8000-000000000000')).status, 404);
});

test('awards import (created, then unchanged; a bad line named) and export in the import format', async () => {
  const p = await person();
  const lines = [
    { type: 'award', person: p.slug, name: 'Prize A', awarded_on: '2020' },
    { type: 'award', person: p.slug, name: 'Prize B' },
  ];
  const post = async (body) =>
    checkSpec(await api('POST', '/import', { key: 'editor', raw: true, body, headers: { 'content-type': 'application/x-ndjson' } }), 'POST', '/import');
  const ndjson = (xs) => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
  let res = await post(ndjson([...lines, { type: 'award', person: `nobody-${uniq('y')}`, name: 'C' }]));
  assert.equal(res.status, 422, res.text);
  assert.deepEqual(res.body.errors.map((e) => [e.line, e.field]), [[3, 'person']]);
  res = await post(ndjson(lines));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.created, 2);
  res = await post(ndjson(lines));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.unchanged, 2);

  const exp = checkSpec(await api('GET', '/export?type=award', { key: 'reader' }), 'GET', '/export');
  assert.equal(exp.status, 200, exp.text.slice(0, 300));
  const mine = exp.text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((x) => x.person === p.slug);
  assert.deepEqual(mine, lines.map((l) => ({ ...l })).sort((x, y) => x.name.localeCompare(y.name)));
});

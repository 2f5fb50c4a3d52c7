// The record API (issue 3): /organizations, /teams, /people, /positions and /sources —
// create, read by id or slug, list with every filter, JSON merge patch, delete, with every
// convention of the contract (../shared/API.md): validation naming every bad field, slugs,
// partial dates, ETag / If-Match / If-None-Match, Idempotency-Key, keyset pagination, CSV,
// people search and filters, unicode and SQL-looking text.
// Runs against the server at ORGWATCH_TEST_URL (sample data loaded); every name and slug
// made here carries a random word, so the file can run again and again on one database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, BASE, checkSpec, errorFields, expectProblem, namesField, sleep } from './lib.mjs';
import {
  assertCsvCell,
  create,
  csvObjects,
  expectEtagCycle,
  expectFields,
  findInList,
  make,
  nameWord,
  page,
  parseCsv,
  patch,
  qs,
  read,
  remove,
  template,
  walk,
  word,
} from './helpers-records.mjs';

const RUN = word(8); // lower-case letters: part of names, slugs, tags and URLs of this run
const PLURALS = ['organizations', 'teams', 'people', 'positions', 'sources'];
const ETAG_RE = /^(W\/)?"[^"]*"$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let n = 0;
const tag = (what = 't') => `${what}-${RUN}-${++n}-${word(4)}`;
const url = (what = 'src') => `https://example.org/orgwatch-tests/${RUN}/${what}-${++n}-${word(4)}`;

// Shared fixtures: two organizations, a team, a person and a source of this run.
const fx = {};
before(async () => {
  fx.org = await make('organizations', { name: `Fixture Org ${RUN}`, kind: 'lab' });
  fx.org2 = await make('organizations', { name: `Fixture Other Org ${RUN}`, kind: 'startup' });
  fx.team = await make('teams', { org: fx.org.slug, name: `Fixture Team ${RUN}` });
  fx.person = await make('people', { full_name: `Fixture Person ${RUN}` });
  fx.source = await make('sources', { url: url('fixture'), title: `Fixture source ${RUN}`, publisher: `Pub ${RUN}` });
});

// Best effort: leave the database as we found it (a failed test may leave referrers behind).
after(async () => {
  for (const [plural, key] of [['teams', 'team'], ['people', 'person'], ['sources', 'source'], ['organizations', 'org'], ['organizations', 'org2']]) {
    if (fx[key]) await remove(plural, fx[key].id).catch(() => {});
  }
});

// PATCHes body onto the record key of plural and asserts a 200 whose fields are body's, and
// also want's (fields the patch did not name: kept, or following from it); returns the reply.
async function patchOk(plural, key, body, want = {}) {
  const p = await patch(plural, key, body);
  assert.equal(p.status, 200, p.text);
  for (const [k, v] of Object.entries(body)) assert.deepEqual(p.body[k], v, `${k} as patched`);
  for (const [k, v] of Object.entries(want)) assert.deepEqual(p.body[k], v, `${k}, not in the patch`);
  return p;
}

// Waits past the current second, notes the time, then PATCHes change onto the record (for the
// updated_since filters, whose timestamps the pause keeps apart); returns the time (ISO 8601)
// and the reply.
async function patchAfterNow(plural, id, change) {
  await sleep(1100);
  const since = new Date().toISOString();
  await sleep(50);
  return { since, res: await patch(plural, id, change) };
}

// A minimal valid create body per resource (fresh names each call).
function minimal(plural) {
  switch (plural) {
    case 'organizations':
      return { name: `Org ${tag()}` };
    case 'teams':
      return { org_id: fx.org.id, name: `Team ${tag()}` };
    case 'people':
      return { full_name: `Person ${tag()}` };
    case 'positions':
      return { person_id: fx.person.id, org_id: fx.org2.id, started_on: `19${10 + (++n % 89)}-0${1 + (n % 9)}` };
    case 'sources':
      return { url: url() };
  }
  throw new Error(plural);
}

// A fresh person holding a fresh position (positions need a person+org+start unique triple).
async function freshPosition(extra = {}) {
  const person = await make('people', { full_name: `Holder ${tag()}` });
  const res = await create('positions', { person_id: person.id, org_id: fx.org.id, ...extra });
  return { person, position: res.body, res };
}

function assertLocation(res, plural, id) {
  const loc = res.headers.get('location');
  assert.ok(loc, 'a Location header');
  assert.equal(new URL(loc, BASE).pathname, `/${plural}/${id}`, `Location ${loc} names the new record`);
}

function assertEtag(res) {
  const etag = res.headers.get('etag');
  assert.match(etag || '', ETAG_RE, `an ETag header: ${etag}`);
  return etag;
}

// ------------------------------------------------------------------ create, read, patch, delete

test('organizations: create (201, Location, ETag), read by id and slug, merge-patch, delete', async () => {
  const body = {
    name: `Acme Research ${RUN}`,
    kind: 'lab',
    website: 'https://acme.example/about?x=1#top',
    founded_on: '2019-05',
    parent_id: fx.org.id,
    description: 'A lab.',
  };
  const res = await create('organizations', body);
  const org = res.body;
  assertLocation(res, 'organizations', org.id);
  const etag = assertEtag(res);
  assert.match(org.id, UUID_RE);
  assert.equal(org.slug, `acme-research-${RUN}`);
  for (const [k, v] of Object.entries(body)) assert.deepEqual(org[k], v, k);

  const byLocation = checkSpec(await api('GET', new URL(res.headers.get('location'), BASE).pathname), 'GET', '/organizations/{id}');
  assert.equal(byLocation.status, 200);
  assert.deepEqual(byLocation.body, org, 'GET returns what POST returned');
  assert.equal(byLocation.headers.get('etag'), etag, 'the same ETag');
  const bySlug = await read('organizations', org.slug);
  assert.equal(bySlug.status, 200);
  assert.deepEqual(bySlug.body, org);

  const p = await patchOk('organizations', org.slug, { description: null, website: null, parent_id: null, founded_on: '2020' }, { name: body.name, kind: 'lab' });
  assert.notEqual(assertEtag(p), etag, 'a change gives a new ETag');
  assert.deepEqual((await read('organizations', org.id)).body, p.body);

  const nulled = await patch('organizations', org.id, { name: null });
  expectFields(nulled, ['name'], 'null on a required field:');
  assert.equal((await read('organizations', org.id)).body.name, body.name, 'a rejected patch changes nothing');

  const renamed = await patch('organizations', org.id, { slug: `acme-renamed-${RUN}` });
  assert.equal(renamed.status, 200);
  assert.equal((await read('organizations', `acme-renamed-${RUN}`)).body.id, org.id, 'readable by the new slug');
  assert.equal((await read('organizations', org.slug)).status, 404, 'the old slug is gone');

  const del = await remove('organizations', org.id);
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  expectProblem(await read('organizations', org.id), 404);
  expectProblem(await read('organizations', `acme-renamed-${RUN}`), 404);
  expectProblem(await remove('organizations', org.id), 404);
  expectProblem(await patch('organizations', org.id, { description: 'x' }), 404);
});

test('organizations: kind defaults to other and accepts every documented kind', async () => {
  const org = await make('organizations', { name: `Kinds ${tag()}` });
  assert.equal(org.kind, 'other');
  for (const kind of ['company', 'startup', 'lab', 'university', 'government', 'nonprofit', 'other']) {
    const res = await patch('organizations', org.id, { kind });
    assert.equal(res.status, 200, `${kind}: ${res.text}`);
    assert.equal(res.body.kind, kind);
  }
  expectFields(await patch('organizations', org.id, { kind: 'megacorp' }), ['kind']);
  expectFields(await patch('organizations', org.id, { kind: 'Lab' }), ['kind'], 'enums are case-sensitive:');
  expectFields(await patch('organizations', org.id, { kind: null }), ['kind'], 'kind is not nullable:');
  assert.equal((await remove('organizations', org.id)).status, 204);
});

test('teams: create, read by id, by "org/team" key and by a unique bare slug, merge-patch, delete', async () => {
  const body = { org: fx.org.slug, name: `Probability ${RUN}`, formed_on: '2021', reported_headcount: 12, description: 'ML infra.' };
  const res = await create('teams', body);
  const team = res.body;
  assertLocation(res, 'teams', team.id);
  assertEtag(res);
  assert.equal(team.slug, `probability-${RUN}`);
  assert.equal(team.org_id, fx.org.id);
  assert.deepEqual(team.org, { id: fx.org.id, slug: fx.org.slug, name: fx.org.name });
  assert.equal(team.formed_on, '2021');
  assert.equal(team.reported_headcount, 12);
  assert.equal(team.parent_id, null);

  for (const key of [team.id, `${fx.org.slug}/${team.slug}`, team.slug]) {
    const r = await read('teams', key);
    assert.equal(r.status, 200, `GET /teams/${encodeURIComponent(key)} → ${r.status}`);
    assert.deepEqual(r.body, team, key);
  }
  expectProblem(await read('teams', `${fx.org2.slug}/${team.slug}`), 404);

  const child = await make('teams', { org_id: fx.org.id, parent_id: team.id, name: `Child ${RUN}` });
  assert.equal(child.parent_id, team.id);
  const child2 = await make('teams', { org: fx.org.slug, parent: `${fx.org.slug}/${team.slug}`, name: `Child Two ${RUN}` });
  assert.equal(child2.parent_id, team.id, 'parent given by its org/team key');

  await patchOk('teams', team.id, { reported_headcount: null, description: null, dissolved_on: '2022-11' }, { formed_on: '2021' });
  expectFields(await patch('teams', team.id, { name: null }), ['name']);
  expectFields(await patch('teams', team.id, { org_id: null }), ['org_id']);

  for (const t of [child, child2]) assert.equal((await remove('teams', t.id)).status, 204);
  assert.equal((await remove('teams', `${fx.org.slug}/${team.slug}`)).status, 204, 'DELETE by org/team key');
  expectProblem(await read('teams', team.id), 404);
});

test('teams: the same slug in two organizations; the bare slug then names no single team', async () => {
  const name = `Shared Name ${RUN}`;
  const a = await make('teams', { org_id: fx.org.id, name });
  const b = await make('teams', { org_id: fx.org2.id, name });
  assert.equal(a.slug, `shared-name-${RUN}`);
  assert.equal(b.slug, a.slug, 'slugs are unique within an organization only');
  assert.equal((await read('teams', `${fx.org.slug}/${a.slug}`)).body.id, a.id);
  assert.equal((await read('teams', `${fx.org2.slug}/${b.slug}`)).body.id, b.id);
  expectProblem(await read('teams', a.slug), 404);
  const dup = checkSpec(await api('POST', '/teams', { key: 'editor', body: { org_id: fx.org.id, name: 'x', slug: a.slug } }), 'POST', '/teams');
  expectProblem(dup, 409);
  for (const t of [a, b]) assert.equal((await remove('teams', t.id)).status, 204);
});

test('people: create, read by id and slug, merge-patch, delete', async () => {
  const body = {
    full_name: `Grace Hopper ${RUN}`,
    aliases: ['Amazing Grace', `G. Hopper ${RUN}`],
    bio: 'Rear admiral.',
    links: { x: 'https://x.com/grace', website: 'https://grace.example' },
    tags: ['published-ai-research', `tag-${RUN}`],
  };
  const res = await create('people', body);
  const person = res.body;
  assertLocation(res, 'people', person.id);
  const etag = assertEtag(res);
  assert.equal(person.slug, `grace-hopper-${RUN}`);
  for (const [k, v] of Object.entries(body)) assert.deepEqual(person[k], v, k);
  assert.deepEqual(person.current_positions, []);

  const byId = await read('people', person.id);
  assert.deepEqual(byId.body, person);
  assert.equal(byId.headers.get('etag'), etag);
  assert.deepEqual((await read('people', person.slug)).body, person);

  // null clears a nullable field, an array is replaced whole
  await patchOk('people', person.slug, { bio: null, aliases: ['Grandma COBOL'] }, { tags: body.tags, links: body.links });
  expectFields(await patch('people', person.id, { full_name: null }), ['full_name'], 'null on a required field:');
  expectFields(await patch('people', person.id, { full_name: '' }), ['full_name']);

  const one = await patch('people', person.id, { full_name: 'Zhao' });
  assert.equal(one.status, 200, 'one word is a full name');
  assert.equal(one.body.full_name, 'Zhao');
  assert.equal(one.body.slug, person.slug, 'renaming keeps the slug');

  assert.equal((await remove('people', person.slug)).status, 204, 'DELETE by slug');
  expectProblem(await read('people', person.id), 404);
  expectProblem(await read('people', person.slug), 404);
});

test('people: an empty merge patch changes nothing and keeps the ETag', async () => {
  const res = await create('people', { full_name: `Still ${tag()}` });
  const etag = res.headers.get('etag');
  const p = await patch('people', res.body.id, {});
  assert.equal(p.status, 200);
  assert.deepEqual(p.body, res.body);
  assert.equal(p.headers.get('etag'), etag);
  const same = await patch('people', res.body.id, { full_name: res.body.full_name });
  assert.equal(same.headers.get('etag'), etag, 'a patch to the same values keeps the ETag');
  await remove('people', res.body.id);
});

test('people: links merge key by key (RFC 7396)', async () => {
  const person = await make('people', {
    full_name: `Links ${tag()}`,
    links: { x: 'https://x.com/a', linkedin: 'https://linkedin.com/in/a', website: 'https://a.example' },
  });
  const p = await patch('people', person.id, { links: { x: null, github: 'https://github.com/a', website: 'https://b.example' } });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.body.links, { linkedin: 'https://linkedin.com/in/a', website: 'https://b.example', github: 'https://github.com/a' });
  const q = await patch('people', person.id, { bio: 'x' });
  assert.deepEqual(q.body.links, p.body.links, 'links absent from a patch are kept');
  expectFields(await patch('people', person.id, { links: { x: 5 } }), ['links']);
  expectFields(await patch('people', person.id, { links: ['https://x.com/a'] }), ['links']);
  await remove('people', person.id);
});

test('people: null clears aliases, tags and links (openapi PersonPatch: "null clears it")', async () => {
  const person = await make('people', { full_name: `Clear ${tag()}`, aliases: ['A'], tags: ['t'], links: { x: 'https://x.com/c' } });
  const p = await patch('people', person.id, { aliases: null, tags: null, links: null });
  assert.equal(p.status, 200, `PATCH {"aliases":null,"tags":null,"links":null} → ${p.status} ${p.text}`);
  assert.deepEqual(p.body.aliases, []);
  assert.deepEqual(p.body.tags, []);
  assert.deepEqual(p.body.links, {});
  await remove('people', person.id);
});

test('positions: null clears source_ids (openapi PositionPatch: "null clears it")', async () => {
  const { person, position } = await freshPosition({ source_ids: [fx.source.id] });
  const p = await patch('positions', position.id, { source_ids: null });
  assert.equal(p.status, 200, `PATCH {"source_ids":null} → ${p.status} ${p.text}`);
  assert.deepEqual(p.body.source_ids, []);
  assert.deepEqual(p.body.sources, []);
  await remove('positions', position.id);
  await remove('people', person.id);
});

test('positions: create by slugs or ids, sources by URL, read, merge-patch, delete', async () => {
  const person = await make('people', { full_name: `Stint ${tag()}` });
  const body = {
    person: person.slug,
    org: fx.org.slug,
    team: `${fx.org.slug}/${fx.team.slug}`,
    title: 'Research Scientist',
    started_on: '2023-04',
    sources: [fx.source.url],
  };
  const res = await create('positions', body);
  const pos = res.body;
  assertLocation(res, 'positions', pos.id);
  const etag = assertEtag(res);
  assert.equal(pos.person_id, person.id);
  assert.deepEqual(pos.person, { id: person.id, slug: person.slug, full_name: person.full_name });
  assert.equal(pos.org_id, fx.org.id);
  assert.deepEqual(pos.org, { id: fx.org.id, slug: fx.org.slug, name: fx.org.name });
  assert.equal(pos.team_id, fx.team.id);
  assert.deepEqual(pos.team, { id: fx.team.id, slug: fx.team.slug, name: fx.team.name });
  assert.equal(pos.title, 'Research Scientist');
  assert.equal(pos.started_on, '2023-04');
  assert.equal(pos.ended_on, null);
  assert.deepEqual(pos.source_ids, [fx.source.id]);
  assert.deepEqual(pos.sources, [{ id: fx.source.id, url: fx.source.url, publisher: fx.source.publisher, title: fx.source.title }]);

  const r = await read('positions', pos.id);
  assert.deepEqual(r.body, pos);
  assert.equal(r.headers.get('etag'), etag);

  const byIds = await make('positions', { person_id: person.id, org_id: fx.org2.id, source_ids: [fx.source.id] });
  assert.equal(byIds.org_id, fx.org2.id);
  assert.equal(byIds.started_on, null);
  assert.equal(byIds.team_id, null);
  assert.equal(byIds.team, null);

  await patchOk('positions', pos.id, { ended_on: '2024', title: null, team_id: null, source_ids: [] }, { team: null, sources: [], started_on: '2023-04' });
  expectFields(await patch('positions', pos.id, { person_id: null }), ['person_id']);
  expectFields(await patch('positions', pos.id, { org_id: null }), ['org_id']);

  for (const x of [pos, byIds]) {
    assert.equal((await remove('positions', x.id)).status, 204);
    expectProblem(await read('positions', x.id), 404);
  }
  await remove('people', person.id);
});

test('sources: create, read, merge-patch, delete; url is unique', async () => {
  const body = { url: url('article'), title: 'An article', publisher: 'Fortune', author: 'A. Writer', published_on: '2024-04-18' };
  const res = await create('sources', body);
  const src = res.body;
  assertLocation(res, 'sources', src.id);
  assertEtag(res);
  for (const [k, v] of Object.entries(body)) assert.equal(src[k], v, k);
  assert.deepEqual((await read('sources', src.id)).body, src);

  const dup = checkSpec(await api('POST', '/sources', { key: 'editor', body: { url: body.url } }), 'POST', '/sources');
  expectProblem(dup, 409);

  await patchOk('sources', src.id, { title: null, author: null, published_on: '2024-04' }, { publisher: 'Fortune' });
  expectFields(await patch('sources', src.id, { url: null }), ['url']);

  assert.equal((await remove('sources', src.id)).status, 204);
  expectProblem(await read('sources', src.id), 404);
});

test('unknown ids and slugs are 404 problems on every resource', async () => {
  for (const plural of PLURALS) {
    expectProblem(await read(plural, randomUUID()), 404);
    expectProblem(await patch(plural, randomUUID(), {}), 404);
    expectProblem(await remove(plural, randomUUID()), 404);
  }
  for (const plural of ['organizations', 'teams', 'people']) expectProblem(await read(plural, `no-such-${RUN}`), 404);
});

// ------------------------------------------------------------------ references and conflicts

test('DELETE of a record others refer to is a 409 naming what refers to it; 204 once freed', async () => {
  const org = await make('organizations', { name: `Referenced ${tag()}` });
  const child = await make('organizations', { name: `Child org ${tag()}`, parent_id: org.id });
  let res = await remove('organizations', org.id);
  expectProblem(res, 409);
  assert.match(res.body.detail || '', /organization/i, `detail names the child organization: ${res.body.detail}`);
  await remove('organizations', child.id);

  const team = await make('teams', { org_id: org.id, name: `Referenced team ${RUN}` });
  res = await remove('organizations', org.id);
  expectProblem(res, 409);
  assert.match(res.body.detail || '', /team/i, `detail names the team: ${res.body.detail}`);

  const person = await make('people', { full_name: `Referenced person ${tag()}` });
  const source = await make('sources', { url: url('referenced') });
  const pos = await make('positions', { person_id: person.id, org_id: org.id, team_id: team.id, source_ids: [source.id] });

  res = await remove('teams', team.id);
  expectProblem(res, 409);
  assert.match(res.body.detail || '', /position/i, `team: detail names the position: ${res.body.detail}`);
  res = await remove('people', person.id);
  expectProblem(res, 409);
  assert.match(res.body.detail || '', /position/i, `person: detail names the position: ${res.body.detail}`);
  res = await remove('organizations', org.id);
  expectProblem(res, 409);
  assert.match(res.body.detail || '', /position/i, `organization: detail names the position: ${res.body.detail}`);
  res = await remove('sources', source.id);
  expectProblem(res, 409);
  assert.match(res.body.detail || '', /position/i, `source: detail names the citing position: ${res.body.detail}`);

  for (const [plural, id] of [['positions', pos.id], ['people', person.id], ['sources', source.id], ['teams', team.id], ['organizations', org.id]]) {
    assert.equal((await remove(plural, id)).status, 204, `${plural} deletes once nothing refers to it`);
  }
});

test('duplicate slugs (and natural keys) are 409, on create and on patch', async () => {
  const org = await make('organizations', { name: `Dup ${tag()}` });
  expectProblem(checkSpec(await api('POST', '/organizations', { key: 'editor', body: { name: 'Other', slug: org.slug } }), 'POST', '/organizations'), 409);
  const org2 = await make('organizations', { name: `Dup two ${tag()}` });
  expectProblem(await patch('organizations', org2.id, { slug: org.slug }), 409);

  const person = await make('people', { full_name: `Dup ${tag()}` });
  expectProblem(checkSpec(await api('POST', '/people', { key: 'editor', body: { full_name: 'Other', slug: person.slug } }), 'POST', '/people'), 409);
  const person2 = await make('people', { full_name: `Dup two ${tag()}` });
  expectProblem(await patch('people', person2.id, { slug: person.slug }), 409);

  const team = await make('teams', { org_id: org.id, name: `Dup team ${RUN}` });
  const team2 = await make('teams', { org_id: org.id, name: `Dup team two ${RUN}` });
  expectProblem(await patch('teams', team2.id, { slug: team.slug }), 409);

  const pos = await make('positions', { person_id: person.id, org_id: org.id, started_on: '2020-01' });
  const again = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person_id: person.id, org_id: org.id, started_on: '2020-01' } }), 'POST', '/positions');
  expectProblem(again, 409);

  await remove('positions', pos.id);
  for (const t of [team, team2]) await remove('teams', t.id);
  for (const p of [person, person2]) await remove('people', p.id);
  for (const o of [org, org2]) await remove('organizations', o.id);
});

test('references to unknown records are a 400 naming the field', async () => {
  const person = await make('people', { full_name: `Refs ${tag()}` });
  let res = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person: `no-such-person-${RUN}`, org_id: fx.org.id } }), 'POST', '/positions');
  expectFields(res, ['person']);
  res = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person_id: person.id, org: `no-such-org-${RUN}` } }), 'POST', '/positions');
  expectFields(res, ['org']);
  res = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person_id: person.id, org_id: randomUUID() } }), 'POST', '/positions');
  expectFields(res, ['org_id']);
  res = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person_id: person.id, org_id: fx.org.id, sources: [`https://example.org/unknown/${RUN}`] } }), 'POST', '/positions');
  expectFields(res, ['sources']);
  res = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person_id: person.id, org_id: fx.org2.id, team_id: fx.team.id } }), 'POST', '/positions');
  expectFields(res, ['team_id'], 'a team of another organization:');
  res = checkSpec(await api('POST', '/teams', { key: 'editor', body: { org_id: fx.org2.id, parent_id: fx.team.id, name: 'x' } }), 'POST', '/teams');
  expectFields(res, ['parent_id'], 'a parent team of another organization:');
  res = checkSpec(await api('POST', '/organizations', { key: 'editor', body: { name: 'x', parent_id: randomUUID() } }), 'POST', '/organizations');
  expectFields(res, ['parent_id']);
  await remove('people', person.id);
});

test('several unknown references in one request are all named at once', async () => {
  const res = checkSpec(await api('POST', '/positions', {
    key: 'editor',
    body: { person: `no-such-person-${RUN}`, org: `no-such-org-${RUN}`, team: `no-such-org-${RUN}/nope`, sources: [`https://example.org/unknown/${RUN}`] },
  }), 'POST', '/positions');
  expectFields(res, ['person', 'org', 'team', 'sources']);
});

// ------------------------------------------------------------------ slugs

test('slugs are made from the name: "Chi-Hao Wu" → chi-hao-wu, accents folded, -2 on collision', async () => {
  const made = [];
  const p1 = await make('people', { full_name: `Chi-Hao Wu ${RUN}` });
  made.push(p1);
  assert.equal(p1.slug, `chi-hao-wu-${RUN}`);
  const p2 = await make('people', { full_name: `Chi-Hao Wu ${RUN}` });
  made.push(p2);
  assert.equal(p2.slug, `chi-hao-wu-${RUN}-2`, 'a suffix on collision');
  const p3 = await make('people', { full_name: `Chi-Hao Wu ${RUN}` });
  made.push(p3);
  assert.equal(p3.slug, `chi-hao-wu-${RUN}-3`);

  const plain = await make('people', { full_name: 'Chi-Hao Wu' });
  made.push(plain);
  assert.match(plain.slug, /^chi-hao-wu(-\d+)?$/);
  if ((await read('people', 'chi-hao-wu')).body?.id !== plain.id) {
    assert.notEqual(plain.slug, 'chi-hao-wu', 'the sample person keeps chi-hao-wu');
  }

  const z = await make('people', { full_name: `Žofie Dvořáková ${RUN}` });
  made.push(z);
  assert.equal(z.slug, `zofie-dvorakova-${RUN}`);
  const punct = await make('people', { full_name: `  Jean-Luc  O'Brien-Ünal, Jr. ${RUN}  ` });
  made.push(punct);
  assert.equal(punct.slug, `jean-luc-o-brien-unal-jr-${RUN}`);
  const cjk = await make('people', { full_name: '李飞飞' });
  made.push(cjk);
  assert.match(cjk.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/, 'a name without ASCII letters still gets a slug');
  assert.equal((await read('people', cjk.slug)).body.id, cjk.id);

  const given = await make('people', { full_name: 'Anyone', slug: `given-slug-${RUN}` });
  made.push(given);
  assert.equal(given.slug, `given-slug-${RUN}`, 'a given slug is kept');

  const o1 = await make('organizations', { name: `Ångström Labs, Inc. ${RUN}` });
  const o2 = await make('organizations', { name: `Ångström Labs, Inc. ${RUN}` });
  assert.equal(o1.slug, `angstrom-labs-inc-${RUN}`);
  assert.equal(o2.slug, `angstrom-labs-inc-${RUN}-2`);
  const t1 = await make('teams', { org_id: o1.id, name: 'Research & Development' });
  const t2 = await make('teams', { org_id: o1.id, name: 'Research & Development' });
  const t3 = await make('teams', { org_id: o2.id, name: 'Research & Development' });
  assert.equal(t1.slug, 'research-development');
  assert.equal(t2.slug, 'research-development-2', 'a suffix on collision within the organization');
  assert.equal(t3.slug, 'research-development', 'another organization may reuse it');

  for (const t of [t1, t2, t3]) await remove('teams', t.id);
  for (const o of [o1, o2]) await remove('organizations', o.id);
  for (const p of made) await remove('people', p.id);
});

// ------------------------------------------------------------------ validation

test('validation names every bad field at once, on every resource', async () => {
  const cases = [
    ['people', { full_name: '', nickname: 'x', id: randomUUID(), created_at: '2024-01-01T00:00:00Z', slug: 'Bad Slug', aliases: 'x', links: { x: 1 }, tags: [1] },
      ['full_name', 'nickname', 'id', 'created_at', 'slug', 'aliases', 'links', 'tags']],
    ['people', { bio: 'no name' }, ['full_name']],
    ['organizations', { name: 5, kind: 'megacorp', website: 'ftp://example.org', founded_on: 'April 2024', parent_id: 'not-a-uuid', colour: 'red', updated_at: 'x' },
      ['name', 'kind', 'website', 'founded_on', 'parent_id', 'colour', 'updated_at']],
    ['teams', { reported_headcount: -1, formed_on: '2024-13', dissolved_on: '2023-02-29', slug: '-x-' },
      ['org_id', 'name', 'reported_headcount', 'formed_on', 'dissolved_on', 'slug']],
    ['positions', { started_on: '2024-02-30', ended_on: '24', source_ids: ['x'], team_id: 'nope', title: 7, salary: 1 },
      ['person_id', 'org_id', 'started_on', 'ended_on', 'source_ids', 'team_id', 'title', 'salary']],
    ['sources', { url: 'not a url', published_on: '2024-4', title: 5, publisher: [], extra: 1 },
      ['url', 'published_on', 'title', 'publisher', 'extra']],
  ];
  for (const [plural, body, fields] of cases) {
    const res = checkSpec(await api('POST', `/${plural}`, { key: 'editor', body }), 'POST', template(plural));
    expectFields(res, fields, `POST /${plural}:`);
  }
  // The same on PATCH, and nothing changes.
  const before = (await read('people', fx.person.id)).body;
  const res = await patch('people', fx.person.id, { id: randomUUID(), nickname: 'x', slug: 'UPPER', tags: 'x', full_name: '' });
  expectFields(res, ['id', 'nickname', 'slug', 'tags', 'full_name'], 'PATCH /people:');
  assert.deepEqual((await read('people', fx.person.id)).body, before, 'a rejected patch writes nothing');
});

test('a body that is not a JSON object is a 400', async () => {
  for (const body of [[], 'text', 42, null]) {
    const res = checkSpec(await api('POST', '/people', { key: 'editor', body }), 'POST', '/people');
    expectProblem(res, 400);
  }
  const bad = checkSpec(await api('POST', '/people', { key: 'editor', raw: true, body: '{"full_name": ', headers: { 'content-type': 'application/json' } }), 'POST', '/people');
  expectProblem(bad, 400);
});

test('URLs are checked: http(s) only, no spaces', async () => {
  const org = await make('organizations', { name: `Urls ${tag()}` });
  for (const bad of ['ftp://example.org', 'example.org', 'http://exa mple.org', 'https://', 'javascript:alert(1)', 'http:///x']) {
    const res = await patch('organizations', org.id, { website: bad });
    expectFields(res, ['website'], `website ${JSON.stringify(bad)}:`);
    const s = checkSpec(await api('POST', '/sources', { key: 'editor', body: { url: bad } }), 'POST', '/sources');
    expectFields(s, ['url'], `url ${JSON.stringify(bad)}:`);
  }
  for (const good of ['https://example.org', 'http://example.org/a?b=c&d=%20e#f', 'https://xn--nicode-2ya.example/p%C3%A4th']) {
    const res = await patch('organizations', org.id, { website: good });
    assert.equal(res.status, 200, `${good}: ${res.text}`);
    assert.equal(res.body.website, good, 'returned as given');
  }
  await remove('organizations', org.id);
});

test('access: writes need a key (401) of role editor or above (403)', async () => {
  for (const plural of PLURALS) {
    const anon = checkSpec(await api('POST', `/${plural}`, { body: minimal(plural) }), 'POST', template(plural));
    expectProblem(anon, 401);
    const reader = checkSpec(await api('POST', `/${plural}`, { key: 'reader', body: minimal(plural) }), 'POST', template(plural));
    expectProblem(reader, 403);
  }
  expectProblem(await patch('people', fx.person.id, { bio: 'x' }, { key: 'reader' }), 403);
  expectProblem(await remove('people', fx.person.id, { key: 'reader' }), 403);
  const admin = await create('people', { full_name: `By admin ${tag()}` }, { key: 'admin' });
  assert.equal((await remove('people', admin.body.id, { key: 'admin' })).status, 204);
});

// ------------------------------------------------------------------ partial dates

const GOOD_DATES = ['2024', '2024-04', '2024-04-18', '2024-02-29', '2000-02-29', '1999-12-31', '0001'];
const BAD_DATES = ['2023-02-29', '2024-13', 'April 2024', '2024-02-30', '2024-04-31', '1900-02-29', '2024-00', '2024-04-00',
  '2024-4', '24', '2024/04', '2024-04-18T00:00:00Z', ' 2024', '2024-04-1', '', '0000', '２０２４'];

test('partial dates "2024", "2024-04", "2024-02-29" are accepted and returned exactly as given', async () => {
  for (const d of GOOD_DATES) {
    const src = await make('sources', { url: url('date'), published_on: d });
    assert.equal(src.published_on, d);
    assert.equal((await read('sources', src.id)).body.published_on, d, `GET returns ${d}`);
    await remove('sources', src.id);
  }
  const team = await make('teams', { org_id: fx.org.id, name: `Dated ${tag()}`, formed_on: '2024', dissolved_on: '2024-02-29' });
  assert.equal(team.formed_on, '2024');
  assert.equal(team.dissolved_on, '2024-02-29');
  const { person, position } = await freshPosition({ started_on: '2023', ended_on: '2024-04' });
  assert.equal(position.started_on, '2023');
  assert.equal(position.ended_on, '2024-04');
  const listed = await findInList(`/positions${qs({ person: person.id })}`, position.id);
  assert.equal(listed.started_on, '2023', 'lists return the date as given');
  assert.equal(listed.ended_on, '2024-04');
  const org = await make('organizations', { name: `Founded ${tag()}`, founded_on: '2004-02' });
  assert.equal(org.founded_on, '2004-02');
  await remove('positions', position.id);
  await remove('people', person.id);
  await remove('teams', team.id);
  await remove('organizations', org.id);
});

test('bad dates ("2023-02-29", "2024-13", "April 2024", ...) are a 400 naming the field', async () => {
  for (const d of BAD_DATES) {
    const res = checkSpec(await api('POST', '/sources', { key: 'editor', body: { url: url('bad-date'), published_on: d } }), 'POST', '/sources');
    expectFields(res, ['published_on'], `published_on ${JSON.stringify(d)}:`);
  }
  for (const d of ['2023-02-29', '2024-13', 'April 2024']) {
    let res = checkSpec(await api('POST', '/teams', { key: 'editor', body: { org_id: fx.org.id, name: 'x', formed_on: d, dissolved_on: d } }), 'POST', '/teams');
    expectFields(res, ['formed_on', 'dissolved_on'], `${d}:`);
    res = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person_id: fx.person.id, org_id: fx.org.id, started_on: d, ended_on: d } }), 'POST', '/positions');
    expectFields(res, ['started_on', 'ended_on'], `${d}:`);
    res = await patch('organizations', fx.org.id, { founded_on: d });
    expectFields(res, ['founded_on'], `PATCH ${d}:`);
    res = await patch('teams', fx.team.id, { dissolved_on: d });
    expectFields(res, ['dissolved_on'], `PATCH ${d}:`);
  }
  for (const d of [2024, ['2024'], { y: 2024 }]) {
    const res = checkSpec(await api('POST', '/sources', { key: 'editor', body: { url: url('bad-date'), published_on: d } }), 'POST', '/sources');
    expectFields(res, ['published_on'], `published_on ${JSON.stringify(d)}:`);
  }
});

test('a position cannot end before it starts; a team cannot dissolve before it forms', async () => {
  const res = checkSpec(await api('POST', '/positions', { key: 'editor', body: { person_id: fx.person.id, org_id: fx.org.id, started_on: '2024-05', ended_on: '2024-04' } }), 'POST', '/positions');
  expectFields(res, ['ended_on']);
  const t = checkSpec(await api('POST', '/teams', { key: 'editor', body: { org_id: fx.org.id, name: 'x', formed_on: '2024', dissolved_on: '2023-12' } }), 'POST', '/teams');
  expectFields(t, ['dissolved_on']);
  const { person, position } = await freshPosition({ started_on: '2024-04', ended_on: '2024-04' });
  assert.equal(position.ended_on, '2024-04', 'ending in the month it started is fine');
  await remove('positions', position.id);
  await remove('people', person.id);
});

// ------------------------------------------------------------------ ETag, If-Match, If-None-Match

test('ETag, If-Match (412 on mismatch) and If-None-Match (304) on every resource', async () => {
  for (const plural of PLURALS) {
    const change = plural === 'people' ? { bio: 'changed' } : plural === 'positions' ? { title: 'changed' } : plural === 'sources' ? { title: 'changed' } : { description: 'changed' };
    await expectEtagCycle(plural, await create(plural, minimal(plural)), change);
  }
});

test('If-Match: "*" and a list of ETags', async () => {
  const created = await create('people', { full_name: `Match ${tag()}` });
  const etag = created.headers.get('etag');
  const star = await patch('people', created.body.id, { bio: 'a' }, { headers: { 'if-match': '*' } });
  assert.equal(star.status, 200, `If-Match: * → ${star.status}`);
  const list = await patch('people', created.body.id, { bio: 'b' }, { headers: { 'if-match': `"nope", ${star.headers.get('etag')}` } });
  assert.equal(list.status, 200, `If-Match with a list holding the current ETag → ${list.status}`);
  expectProblem(await patch('people', created.body.id, { bio: 'c' }, { headers: { 'if-match': etag } }), 412);
  await remove('people', created.body.id);
});

test('If-None-Match: a weak form of the current ETag and "*" answer 304 (RFC 9110)', async () => {
  const got = await read('people', fx.person.id);
  const etag = got.headers.get('etag');
  const weak = await read('people', fx.person.id, { headers: { 'if-none-match': `W/${etag.replace(/^W\//, '')}` } });
  assert.equal(weak.status, 304, 'If-None-Match uses the weak comparison');
  const list = await read('people', fx.person.id, { headers: { 'if-none-match': `"other", ${etag}` } });
  assert.equal(list.status, 304, 'a list holding the current ETag');
  const star = await read('people', fx.person.id, { headers: { 'if-none-match': '*' } });
  assert.equal(star.status, 304, 'If-None-Match: * matches any current record');
});

// ------------------------------------------------------------------ Idempotency-Key

test('Idempotency-Key: the same key and body answer the same, with Idempotent-Replayed, and create nothing new', async () => {
  for (const plural of PLURALS) {
    const key = `idem-${plural}-${RUN}-${word(6)}`;
    const body = minimal(plural);
    const first = await create(plural, body, { headers: { 'idempotency-key': key } });
    const second = await create(plural, body, { headers: { 'idempotency-key': key } });
    assert.equal(second.status, 201, `${plural}: the replay answers 201 again (even where a new create would conflict)`);
    assert.deepEqual(second.body, first.body, `${plural}: the same body`);
    assert.equal(second.headers.get('location'), first.headers.get('location'), `${plural}: the same Location`);
    assert.equal(second.headers.get('etag'), first.headers.get('etag'), `${plural}: the same ETag`);
    assert.equal(second.headers.get('idempotent-replayed'), 'true', `${plural}: Idempotent-Replayed: true`);
    assert.equal(first.headers.get('idempotent-replayed'), null, `${plural}: the first answer is not a replay`);

    const other = checkSpec(await api('POST', `/${plural}`, { key: 'editor', body: minimal(plural), headers: { 'idempotency-key': key } }), 'POST', template(plural));
    expectProblem(other, 409);
    await remove(plural, first.body.id);
  }
});

test('Idempotency-Key: nothing is duplicated (people counted by a tag of their own)', async () => {
  const t = tag('idem');
  const body = { full_name: `Idem ${tag()}`, tags: [t] };
  const key = `idem-${RUN}-${word(8)}`;
  const a = await create('people', body, { headers: { 'idempotency-key': key } });
  const b = await create('people', body, { headers: { 'idempotency-key': key } });
  assert.equal(b.body.id, a.body.id);
  const other = checkSpec(await api('POST', '/people', { key: 'editor', body: { ...body, bio: 'other' }, headers: { 'idempotency-key': key } }), 'POST', '/people');
  expectProblem(other, 409);
  const { items } = await walk(`/people${qs({ tag: t })}`);
  assert.deepEqual(items.map((x) => x.id), [a.body.id], 'exactly one person');

  // Without a key, or with another key, the same body creates another record.
  const c = await create('people', body, { headers: { 'idempotency-key': `${key}-other` } });
  assert.notEqual(c.body.id, a.body.id);
  assert.equal((await walk(`/people${qs({ tag: t })}`)).items.length, 2);
  for (const x of [a, c]) await remove('people', x.body.id);
});

test('Idempotency-Key: two concurrent identical requests create one record', async () => {
  for (let round = 0; round < 3; round++) {
    const t = tag('race');
    const body = { full_name: `Race ${tag()}`, tags: [t] };
    const key = `race-${RUN}-${word(8)}`;
    const results = await Promise.all(
      [0, 1, 2].map(() => api('POST', '/people', { key: 'editor', body, headers: { 'idempotency-key': key } })),
    );
    for (const r of results) {
      checkSpec(r, 'POST', '/people');
      assert.equal(r.status, 201, `every concurrent request answers 201: ${r.status} ${r.text}`);
    }
    const ids = new Set(results.map((r) => r.body.id));
    assert.equal(ids.size, 1, 'they answer with the same record');
    assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 2, 'two of three are replays');
    const { items } = await walk(`/people${qs({ tag: t })}`);
    assert.equal(items.length, 1, 'one record in the database');
    await remove('people', items[0].id);
  }
});

test('Idempotency-Key longer than 255 characters is a 400', async () => {
  const res = checkSpec(await api('POST', '/people', { key: 'editor', body: { full_name: 'x' }, headers: { 'idempotency-key': 'k'.repeat(256) } }), 'POST', '/people');
  expectProblem(res, 400);
});

// ------------------------------------------------------------------ keyset pagination

test('pagination: limit, next_cursor, Link rel=next; every record once even with inserts between pages', async () => {
  const t = tag('page');
  const originals = [];
  for (let i = 0; i < 7; i++) originals.push((await make('people', { full_name: `Pager ${i} ${RUN}`, tags: [t] })).id);
  const inserted = [];
  const { items, pages } = await walk(`/people${qs({ tag: t, limit: 3 })}`, {
    between: async () => {
      for (let i = 0; i < 2; i++) inserted.push((await make('people', { full_name: `Inserted ${tag()}`, tags: [t] })).id);
    },
  });
  const seen = items.map((x) => x.id);
  assert.equal(new Set(seen).size, seen.length, `no record twice: ${seen.length} items over ${pages} pages`);
  for (const id of originals) assert.equal(seen.filter((x) => x === id).length, 1, `record ${id} seen exactly once`);
  assert.ok(pages >= 3, `7+ records at 3 a page take at least 3 pages (${pages})`);
  for (const x of items) assert.ok(x.tags.includes(t), 'every page keeps the filter');

  const first = await page(`/people${qs({ tag: t, limit: 3 })}`);
  assert.equal(first.body.items.length, 3);
  const all = await page(`/people${qs({ tag: t, limit: 1000 })}`);
  assert.equal(all.body.next_cursor, null);
  assert.equal(all.headers.get('link'), null);
  assert.equal(all.body.items.length, originals.length + inserted.length);
  for (const id of [...originals, ...inserted]) await remove('people', id);
});

test('pagination: walking every list with a small limit sees each record once', async () => {
  const org = await make('organizations', { name: `Walk ${tag()}` });
  const made = { organizations: [org.id], teams: [], people: [], positions: [], sources: [] };
  for (let i = 0; i < 4; i++) {
    made.organizations.push((await make('organizations', { name: `Walk org ${i} ${RUN}` })).id);
    made.teams.push((await make('teams', { org_id: org.id, name: `Walk team ${i}` })).id);
    const p = await make('people', { full_name: `Walk person ${i} ${RUN}` });
    made.people.push(p.id);
    made.positions.push((await make('positions', { person_id: p.id, org_id: org.id, started_on: `200${i}` })).id);
    made.sources.push((await make('sources', { url: url('walk'), title: `Walk source ${RUN}` })).id);
  }
  const lists = {
    organizations: `/organizations${qs({ q: `walk org`, limit: 2 })}`,
    teams: `/teams${qs({ org: org.slug, limit: 2 })}`,
    people: `/people${qs({ q: `Walk person ${RUN}`, limit: 2 })}`,
    positions: `/positions${qs({ org: org.id, limit: 2 })}`,
    sources: `/sources${qs({ q: `Walk source ${RUN}`, limit: 2 })}`,
  };
  for (const [plural, path] of Object.entries(lists)) {
    const { items } = await walk(path);
    const ids = items.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length, `${plural}: no record twice`);
    const want = plural === 'organizations' ? made.organizations.slice(1) : made[plural];
    for (const id of want) assert.ok(ids.includes(id), `${plural}: ${id} listed`);
  }
  for (const id of made.positions) await remove('positions', id);
  for (const id of made.people) await remove('people', id);
  for (const id of made.sources) await remove('sources', id);
  for (const id of made.teams) await remove('teams', id);
  for (const id of made.organizations.reverse()) await remove('organizations', id);
});

test('pagination: bad cursors and limits (0, 1001, abc, ...) are a 400 naming the parameter', async () => {
  const good = await page('/people?limit=1');
  const cursor = good.body.next_cursor;
  assert.ok(cursor, 'the sample data has more than one person');
  const tampered = cursor.slice(0, -2) + (cursor.endsWith('AA') ? 'BB' : 'AA');
  for (const plural of PLURALS) {
    for (const bad of ['garbage', '', tampered, '%%%', 'AQIAHDIw']) {
      const res = await page(`/${plural}?cursor=${encodeURIComponent(bad)}`);
      expectFields(res, ['cursor'], `${plural} cursor=${JSON.stringify(bad)}:`);
    }
    for (const bad of ['0', '1001', 'abc', '-1', '1.5', '', '10abc', '99999999999999999999']) {
      const res = await page(`/${plural}?limit=${encodeURIComponent(bad)}`);
      expectFields(res, ['limit'], `${plural} limit=${JSON.stringify(bad)}:`);
    }
    // A well-formed cursor of another list (other key types) is a 400 naming the cursor, with
    // none of PostgreSQL's own words in it.
    const foreign = (await page('/changes?limit=1')).body.next_cursor;
    if (foreign) {
      const res = await page(`/${plural}?cursor=${encodeURIComponent(foreign)}`);
      expectFields(res, ['cursor'], `${plural} with a /changes cursor:`);
      assert.doesNotMatch(res.text, /syntax|invalid input|uuid|bigint|timestamp/i, res.text);
    }
    const max = await page(`/${plural}?limit=1000`);
    assert.equal(max.status, 200, `${plural}: limit=1000 is allowed`);
    const one = await page(`/${plural}?limit=1`);
    assert.equal(one.status, 200);
    assert.ok(one.body.items.length <= 1);
    const dflt = await page(`/${plural}`);
    assert.ok(dflt.body.items.length <= 50, `${plural}: the default page holds at most 50`);
  }
});

test('lists have a stable order: the same request twice gives the same page', async () => {
  for (const plural of PLURALS) {
    const a = await page(`/${plural}?limit=100`);
    const b = await page(`/${plural}?limit=100`);
    assert.deepEqual(b.body.items.map((x) => x.id), a.body.items.map((x) => x.id), `${plural}: same order`);
    assert.equal(b.body.next_cursor, a.body.next_cursor);
  }
});

test('unknown query parameters are a 400 naming them, on every list', async () => {
  for (const plural of PLURALS) {
    const res = await page(`/${plural}?colour=red&limit=5`);
    expectFields(res, ['colour'], `${plural}:`);
  }
  const typo = await page('/people?orgg=meta');
  expectFields(typo, ['orgg']);
});

// ------------------------------------------------------------------ list filters

test('organizations filters: q, kind, parent, updated_since', async () => {
  const parent = await make('organizations', { name: `Filter Parent ${RUN}`, kind: 'company' });
  const a = await make('organizations', { name: `Filter Ådvark ${RUN}`, kind: 'university', parent_id: parent.id });
  const b = await make('organizations', { name: `Filter Beta ${RUN}`, kind: 'government', parent: parent.slug });
  const ids = async (q) => (await walk(`/organizations${qs({ limit: 1000, ...q })}`)).items;

  let items = await ids({ q: `filter advark ${RUN}` });
  assert.deepEqual(items.map((x) => x.id), [a.id], 'q is case- and accent-insensitive');
  items = await ids({ q: `filter-beta-${RUN}` });
  assert.deepEqual(items.map((x) => x.id), [b.id], 'q matches the slug');
  items = await ids({ parent: parent.slug });
  assert.deepEqual(items.map((x) => x.id).sort(), [a.id, b.id].sort(), 'parent by slug');
  items = await ids({ parent: parent.id, kind: 'university' });
  assert.deepEqual(items.map((x) => x.id), [a.id], 'parent by id, combined with kind');
  items = await ids({ kind: 'government', q: RUN });
  assert.ok(items.every((x) => x.kind === 'government') && items.some((x) => x.id === b.id), 'kind');
  items = await ids({ kind: 'lab' });
  assert.ok(items.every((x) => x.kind === 'lab') && items.some((x) => x.slug === 'openai'), 'kind=lab finds the sample labs');

  const { since, res: touched } = await patchAfterNow('organizations', b.id, { description: 'touched' });
  assert.equal(touched.status, 200);
  items = await ids({ updated_since: since, q: RUN });
  assert.deepEqual(items.map((x) => x.id), [b.id], 'updated_since');

  expectFields(await page('/organizations?kind=megacorp'), ['kind']);
  expectFields(await page(`/organizations?parent=no-such-org-${RUN}`), ['parent']);
  expectFields(await page('/organizations?updated_since=yesterday'), ['updated_since']);
  expectFields(await page('/organizations?q='), ['q']);
  for (const o of [a, b, parent]) await remove('organizations', o.id);
});

test('teams filters: q, org, parent, updated_since', async () => {
  const org = await make('organizations', { name: `Team filters ${tag()}` });
  const root = await make('teams', { org_id: org.id, name: 'Root' });
  const kid = await make('teams', { org_id: org.id, parent_id: root.id, name: 'Kid Ünit' });
  const elsewhere = await make('teams', { org_id: fx.org2.id, name: `Elsewhere ${tag()}` });
  const list = async (q) => (await walk(`/teams${qs({ limit: 1000, ...q })}`)).items.map((x) => x.id);

  assert.deepEqual((await list({ org: org.slug })).sort(), [root.id, kid.id].sort(), 'org by slug');
  assert.deepEqual((await list({ org: org.id })).sort(), [root.id, kid.id].sort(), 'org by id');
  assert.deepEqual(await list({ org: org.slug, parent: kid.parent_id }), [kid.id], 'parent by id');
  assert.deepEqual(await list({ parent: `${org.slug}/root` }), [kid.id], 'parent by org/team key');
  assert.deepEqual(await list({ org: org.slug, q: 'kid unit' }), [kid.id], 'q, accent-insensitive');
  assert.ok(!(await list({ org: org.slug })).includes(elsewhere.id));

  const { since } = await patchAfterNow('teams', root.id, { description: 'touched' });
  assert.deepEqual(await list({ org: org.slug, updated_since: since }), [root.id], 'updated_since');

  expectFields(await page(`/teams?org=no-such-org-${RUN}`), ['org']);
  expectFields(await page(`/teams?parent=no-such-team-${RUN}`), ['parent']);
  for (const t of [kid, root, elsewhere]) await remove('teams', t.id);
  await remove('organizations', org.id);
});

test('positions filters: person, org, team, current, updated_since', async () => {
  const org = await make('organizations', { name: `Pos filters ${tag()}` });
  const team = await make('teams', { org_id: org.id, name: 'Core' });
  const p1 = await make('people', { full_name: `Pos one ${tag()}` });
  const p2 = await make('people', { full_name: `Pos two ${tag()}` });
  const open = await make('positions', { person_id: p1.id, org_id: org.id, team_id: team.id, started_on: '2022' });
  const ended = await make('positions', { person_id: p2.id, org_id: org.id, team_id: team.id, started_on: '2020', ended_on: '2021' });
  const noTeam = await make('positions', { person_id: p1.id, org_id: org.id, started_on: '2019', ended_on: '2021-06' });
  const other = await make('positions', { person_id: p1.id, org_id: fx.org2.id, started_on: '2023' });
  const list = async (q) => (await walk(`/positions${qs({ limit: 1000, ...q })}`)).items.map((x) => x.id).sort();

  assert.deepEqual(await list({ person: p1.slug }), [open.id, noTeam.id, other.id].sort(), 'person by slug');
  assert.deepEqual(await list({ person: p1.id, org: org.slug }), [open.id, noTeam.id].sort(), 'person + org');
  assert.deepEqual(await list({ org: org.id }), [open.id, ended.id, noTeam.id].sort(), 'org by id');
  assert.deepEqual(await list({ team: `${org.slug}/${team.slug}` }), [open.id, ended.id].sort(), 'team by org/team key');
  assert.deepEqual(await list({ team: team.id, current: 'true' }), [open.id], 'current=true');
  assert.deepEqual(await list({ org: org.slug, current: 'false' }), [ended.id, noTeam.id].sort(), 'current=false');

  const { since } = await patchAfterNow('positions', ended.id, { title: 'Alumnus' });
  assert.deepEqual(await list({ org: org.slug, updated_since: since }), [ended.id], 'updated_since');

  expectFields(await page(`/positions?person=no-such-person-${RUN}`), ['person']);
  expectFields(await page(`/positions?org=${randomUUID()}`), ['org']);
  expectFields(await page(`/positions?team=no-such-org/no-such-team-${RUN}`), ['team']);
  expectFields(await page('/positions?current=maybe'), ['current']);
  for (const x of [open, ended, noTeam, other]) await remove('positions', x.id);
  for (const x of [p1, p2]) await remove('people', x.id);
  await remove('teams', team.id);
  await remove('organizations', org.id);
});

test('sources filters: q, publisher, updated_since', async () => {
  const pub = `Publisher ${tag()}`;
  const a = await make('sources', { url: url('filters'), title: `Ærial report ${RUN}`, publisher: pub });
  const b = await make('sources', { url: url('filters'), title: `Other story ${RUN}`, publisher: pub });
  const c = await make('sources', { url: url('filters-unique-path'), title: null });
  const list = async (q) => (await walk(`/sources${qs({ limit: 1000, ...q })}`)).items.map((x) => x.id).sort();

  assert.deepEqual(await list({ publisher: pub }), [a.id, b.id].sort(), 'publisher');
  assert.deepEqual(await list({ q: `aerial report ${RUN}` }), [a.id], 'q in the title, accent-insensitive');
  assert.deepEqual(await list({ q: c.url.split('/').pop() }), [c.id], 'q in the URL');
  const { since } = await patchAfterNow('sources', b.id, { author: 'Someone' });
  assert.deepEqual(await list({ publisher: pub, updated_since: since }), [b.id], 'updated_since');
  expectFields(await page('/sources?updated_since=2024-13-01T00:00:00Z'), ['updated_since']);
  for (const x of [a, b, c]) await remove('sources', x.id);
});

test('people filters: org and team select current members only (an ended position does not count)', async () => {
  const org = await make('organizations', { name: `Members ${tag()}` });
  const team = await make('teams', { org_id: org.id, name: 'Probability' });
  const current = await make('people', { full_name: `Current member ${tag()}` });
  const former = await make('people', { full_name: `Former member ${tag()}` });
  // a word with digits: no trigram of it can come from the random letters in the others' tags
  const orgOnly = await make('people', { full_name: `Org only q7z9w2k4 ${tag()}` });
  const pc = await make('positions', { person_id: current.id, org_id: org.id, team_id: team.id, started_on: '2021', title: 'Engineer' });
  const pf = await make('positions', { person_id: former.id, org_id: org.id, team_id: team.id, started_on: '2020', ended_on: '2022-11' });
  const po = await make('positions', { person_id: orgOnly.id, org_id: org.id });
  const list = async (q) => (await walk(`/people${qs({ limit: 1000, ...q })}`)).items.map((x) => x.id).sort();

  assert.deepEqual(await list({ org: org.slug }), [current.id, orgOnly.id].sort(), 'org by slug');
  assert.deepEqual(await list({ org: org.id }), [current.id, orgOnly.id].sort(), 'org by id');
  assert.deepEqual(await list({ team: `${org.slug}/${team.slug}` }), [current.id], 'team by org/team key');
  assert.deepEqual(await list({ team: team.id }), [current.id], 'team by id');
  assert.deepEqual(await list({ org: org.slug, q: 'q7z9w2k4' }), [orgOnly.id], 'org combined with q');

  // Ending the position removes the person from both filters.
  await patch('positions', pc.id, { ended_on: '2024' });
  assert.deepEqual(await list({ team: team.id }), []);
  assert.deepEqual(await list({ org: org.id }), [orgOnly.id]);

  expectFields(await page(`/people?org=no-such-org-${RUN}`), ['org']);
  expectFields(await page(`/people?team=no-such-team-${RUN}`), ['team']);
  for (const x of [pc, pf, po]) await remove('positions', x.id);
  for (const x of [current, former, orgOnly]) await remove('people', x.id);
  await remove('teams', team.id);
  await remove('organizations', org.id);
});

test('people filters: tag and updated_since (combinable)', async () => {
  const t = tag('tagged');
  const a = await make('people', { full_name: `Tagged A ${tag()}`, tags: [t, 'published-ai-research'] });
  const b = await make('people', { full_name: `Tagged B ${tag()}`, tags: [t] });
  const c = await make('people', { full_name: `Untagged ${tag()}`, tags: [`${t}-not`] });
  const list = async (q) => (await walk(`/people${qs({ limit: 1000, ...q })}`)).items.map((x) => x.id).sort();
  assert.deepEqual(await list({ tag: t }), [a.id, b.id].sort(), 'tag matches whole tags only');
  const research = await list({ tag: 'published-ai-research' });
  assert.ok(research.includes(a.id) && !research.includes(b.id));
  assert.ok((await walk('/people?tag=published-ai-research&limit=1000')).items.some((x) => x.slug === 'erik-meijer'), 'sample people carry the tag');

  const { since, res: touched } = await patchAfterNow('people', b.id, { bio: 'updated' });
  assert.equal(touched.status, 200);
  assert.deepEqual(await list({ tag: t, updated_since: since }), [b.id], 'updated_since combined with tag');
  assert.deepEqual(await list({ tag: t, updated_since: '2000-01-01T00:00:00Z' }), [a.id, b.id].sort());
  assert.deepEqual(await list({ tag: t, updated_since: '2000-01-01T01:00:00+01:00' }), [a.id, b.id].sort(), 'an offset is accepted');
  for (const bad of ['yesterday', '2024-13-01', '1700000000', '2024-01-01T25:00:00Z']) {
    expectFields(await page(`/people?updated_since=${encodeURIComponent(bad)}`), ['updated_since'], bad);
  }
  expectFields(await page('/people?tag='), ['tag']);
  for (const x of [a, b, c]) await remove('people', x.id);
});

test('people reads carry current_positions: open stints only, with org, team and title', async () => {
  const org = await make('organizations', { name: `Now ${tag()}` });
  const team = await make('teams', { org_id: org.id, name: 'Now team' });
  const person = await make('people', { full_name: `Current ${tag()}` });
  const open = await make('positions', { person: person.slug, org: org.slug, team: team.id, title: 'Chief AI Officer', started_on: '2025' });
  const closed = await make('positions', { person_id: person.id, org_id: fx.org2.id, title: 'Old job', started_on: '2019', ended_on: '2024' });

  const expected = [{
    id: open.id,
    org: { id: org.id, slug: org.slug, name: org.name },
    team: { id: team.id, slug: team.slug, name: team.name },
    title: 'Chief AI Officer',
    started_on: '2025',
  }];
  assert.deepEqual((await read('people', person.slug)).body.current_positions, expected, 'GET by slug');
  const listed = await findInList(`/people${qs({ org: org.id })}`, person.id);
  assert.deepEqual(listed.current_positions, expected, 'lists carry them too');
  const searched = await findInList(`/people${qs({ q: person.full_name })}`, person.id);
  assert.deepEqual(searched.current_positions, expected, 'search results too');

  await patch('positions', open.id, { ended_on: '2025-06' });
  assert.deepEqual((await read('people', person.id)).body.current_positions, [], 'an ended stint leaves current_positions');
  await patch('positions', closed.id, { ended_on: null });
  const reopened = (await read('people', person.id)).body.current_positions;
  assert.deepEqual(reopened.map((x) => x.id), [closed.id], 'clearing ended_on makes it current');
  assert.equal(reopened[0].team, null);

  for (const x of [open, closed]) await remove('positions', x.id);
  await remove('people', person.id);
  await remove('teams', team.id);
  await remove('organizations', org.id);
});

// ------------------------------------------------------------------ people search

test('people ?q=: "Meyer" finds Erik Meijer; case- and accent-insensitive; ranked by similarity', async () => {
  for (const q of ['Meyer', 'meijer', 'MEIJER', 'Erik Meijer', 'erik']) {
    const hit = await findInList(`/people${qs({ q, limit: 1000 })}`, (await read('people', 'erik-meijer')).body.id);
    assert.ok(hit, `q=${q} finds Erik Meijer`);
  }
  const top = await page(`/people${qs({ q: 'Erik Meijer' })}`);
  assert.equal(top.body.items[0]?.full_name, 'Erik Meijer', 'the exact name ranks first');
  const none = await page(`/people${qs({ q: 'xqzjvxqzjvwk' })}`);
  assert.deepEqual(none.body.items, [], 'nothing similar, nothing found');
});

test('people ?q=zofie finds Žofie; typo "Trapti" finds "Trapit ..."; aliases are searched', async () => {
  const surname = nameWord(3);
  const zofie = await make('people', { full_name: `Žofie Dvořáková` });
  const trapit = await make('people', { full_name: `Trapit ${surname}` });
  const aliased = await make('people', { full_name: `Robert ${nameWord(3)}`, aliases: [`Bobby ${surname}son`] });

  for (const q of ['zofie', 'ZOFIE', 'Žofie', 'dvorakova', 'Zofie Dvorakova']) {
    assert.ok(await findInList(`/people${qs({ q, limit: 1000 })}`, zofie.id), `q=${q} finds Žofie Dvořáková`);
  }
  assert.ok(await findInList(`/people${qs({ q: 'Trapti', limit: 1000 })}`, trapit.id), 'q=Trapti finds Trapit');
  const typo = await page(`/people${qs({ q: `Trapti ${surname}` })}`);
  assert.equal(typo.body.items[0]?.id, trapit.id, 'the typo of the whole name ranks the person first');
  const alias = await page(`/people${qs({ q: `Bobby ${surname}son` })}`);
  assert.equal(alias.body.items[0]?.id, aliased.id, 'aliases are searched');
  for (const x of [zofie, trapit, aliased]) await remove('people', x.id);
});

test('people ?q= pages with a cursor too, each match once', async () => {
  const w = nameWord(4);
  const made = [];
  for (let i = 0; i < 5; i++) made.push((await make('people', { full_name: `${w} ${['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'][i]}` })).id);
  const { items, pages } = await walk(`/people${qs({ q: w, limit: 2 })}`);
  const ids = items.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'no match twice');
  for (const id of made) assert.ok(ids.includes(id), 'every match listed');
  assert.ok(pages >= 3);
  for (const id of made) await remove('people', id);
});

// ------------------------------------------------------------------ CSV

test('Accept: text/csv on every list: a header row and the same rows as JSON', async () => {
  const t = tag('csv');
  const person = await make('people', { full_name: `CSV ${tag()}`, tags: [t], links: { x: 'https://x.com/csv' } });
  const pos = await make('positions', { person_id: person.id, org_id: fx.org.id, team_id: fx.team.id, title: 'Engineer', started_on: '2024-04', source_ids: [fx.source.id] });
  const lists = [
    ['organizations', `/organizations${qs({ q: RUN })}`],
    ['teams', `/teams${qs({ org: fx.org.id })}`],
    ['people', `/people${qs({ tag: t })}`],
    ['people', `/people${qs({ q: person.full_name })}`],
    ['positions', `/positions${qs({ person: person.id })}`],
    ['sources', `/sources${qs({ q: RUN })}`],
  ];
  for (const [plural, path] of lists) {
    const json = await page(path);
    assert.equal(json.status, 200);
    assert.ok(json.body.items.length > 0, `${path} lists something`);
    const csv = await page(path, { headers: { accept: 'text/csv' } });
    assert.equal(csv.status, 200, `${path} as CSV → ${csv.status} ${csv.text}`);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const { header, rows } = csvObjects(csv.text);
    assert.ok(header.includes('id'), `${plural}: the header names id: ${header}`);
    assert.equal(rows.length, json.body.items.length, `${path}: the same number of rows`);
    json.body.items.forEach((item, i) => {
      assert.equal(rows[i].id, item.id, `${path}: row ${i} is the same record`);
      for (const col of header) {
        if (col in item) assertCsvCell(rows[i][col], item[col], `${plural} row ${i} column ${col}`);
      }
    });
    // Every stored field has a column (embedded summaries of other records may be left out).
    for (const field of Object.keys(json.body.items[0])) {
      if (['current_positions', 'sources', 'person', 'org', 'team'].includes(field)) continue;
      assert.ok(header.includes(field), `${plural}: the CSV has a ${field} column (${header})`);
    }
  }
  await remove('positions', pos.id);
  await remove('people', person.id);
});

test('CSV quoting follows RFC 4180; arrays and objects are JSON text', async () => {
  const t = tag('quote');
  const body = {
    full_name: `O"Neil, Jr ${tag()}`,
    bio: 'Line one, "quoted"\r\nline two\nline three',
    aliases: ['a,b', 'say "hi"'],
    tags: [t, 'x'],
    links: { x: 'https://x.com/o"neil', website: 'https://a.example/?a=1,2' },
  };
  const person = await make('people', body);
  const res = await page(`/people${qs({ tag: t })}`, { headers: { accept: 'text/csv' } });
  assert.equal(res.status, 200);
  assert.ok(res.text.includes(`"O""Neil, Jr`), 'a quote is doubled inside a quoted field');
  const lines = res.text.split('\r\n');
  assert.equal(lines[lines.length - 1], '', 'records end with CRLF');
  const { rows } = csvObjects(res.text);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].full_name, body.full_name);
  assert.equal(rows[0].bio, body.bio, 'line breaks survive inside a quoted field');
  assert.deepEqual(JSON.parse(rows[0].aliases), body.aliases);
  assert.deepEqual(JSON.parse(rows[0].tags), body.tags);
  assert.deepEqual(JSON.parse(rows[0].links), body.links);
  assert.deepEqual(JSON.parse(rows[0].current_positions), []);
  assert.equal(rows[0].id, person.id);
  await remove('people', person.id);
});

test('CSV pages like JSON: limit and a Link to the next page', async () => {
  const t = tag('csvpage');
  const made = [];
  for (let i = 0; i < 3; i++) made.push((await make('people', { full_name: `CSV page ${i} ${RUN}`, tags: [t] })).id);
  const res = await page(`/people${qs({ tag: t, limit: 2 })}`, { headers: { accept: 'text/csv' } });
  assert.equal(res.status, 200);
  const rows = parseCsv(res.text);
  assert.equal(rows.length, 3, 'a header and two rows');
  const link = res.headers.get('link');
  assert.ok(link && /rel="?next"?/.test(link), `a Link to the next page: ${link}`);
  for (const id of made) await remove('people', id);
});

// ------------------------------------------------------------------ unicode and SQL-looking text

test('unicode names round-trip byte for byte (Žofie Dvořáková, 李飞飞, emoji, NFD)', async () => {
  const t = tag('uni');
  const names = ['Žofie Dvořáková', '李飞飞', 'Ada 👩🏽‍💻 Lovelace 🚀', 'Z\u030Cofie Dvor\u030Ca\u0301kova\u0301', 'Ærøskøbing Ñandú', 'Ольга Σοφία עִבְרִית'];
  const made = [];
  for (const full_name of names) {
    const bio = `${full_name} — “quoted” ‘text’ \u00A0nbsp ☃ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢`;
    const res = await create('people', { full_name, bio, aliases: [full_name.toUpperCase()], tags: [t, 'ω-tag'], links: { website: 'https://例え.テスト/パス' } });
    const p = res.body;
    made.push(p.id);
    assert.equal(p.full_name, full_name);
    assert.equal(p.bio, bio);
    assert.ok(res.bytes.includes(Buffer.from(full_name, 'utf8')), 'the UTF-8 bytes are in the POST answer as sent');
    const got = await read('people', p.id);
    assert.equal(got.body.full_name, full_name, 'GET: same code points (no normalization)');
    assert.equal(got.body.bio, bio);
    assert.deepEqual(got.body.tags, [t, 'ω-tag']);
    assert.equal(got.body.links.website, 'https://例え.テスト/パス');
    assert.ok(got.bytes.includes(Buffer.from(full_name, 'utf8')), 'GET: the same bytes');
    assert.ok(got.bytes.includes(Buffer.from(bio, 'utf8')));
  }
  const listed = await walk(`/people${qs({ tag: t })}`);
  for (const [i, id] of made.entries()) assert.equal(listed.items.find((x) => x.id === id).full_name, names[i], 'lists keep the bytes');
  const csv = await page(`/people${qs({ tag: t })}`, { headers: { accept: 'text/csv' } });
  const { rows } = csvObjects(csv.text);
  for (const [i, id] of made.entries()) assert.equal(rows.find((r) => r.id === id).full_name, names[i], 'CSV keeps the bytes');
  const tagged = await walk(`/people${qs({ tag: 'ω-tag', limit: 1000 })}`);
  assert.ok(made.every((id) => tagged.items.some((x) => x.id === id)), 'a unicode tag filters');

  const org = await make('organizations', { name: `Škoda 研究所 🚗 ${RUN}`, description: '李飞飞' });
  assert.equal((await read('organizations', org.slug)).body.name, `Škoda 研究所 🚗 ${RUN}`);
  assert.equal(org.slug, `skoda-${RUN}`);
  const team = await make('teams', { org_id: org.id, name: 'Équipe 🧪' });
  assert.equal((await read('teams', `${org.slug}/${team.slug}`)).body.name, 'Équipe 🧪');
  const src = await make('sources', { url: url('unicode'), title: 'Žofie 李飞飞 🚀', author: 'Dvořáková' });
  assert.equal((await read('sources', src.id)).body.title, 'Žofie 李飞飞 🚀');
  await remove('sources', src.id);
  await remove('teams', team.id);
  await remove('organizations', org.id);
  for (const id of made) await remove('people', id);
});

test("SQL-looking input (\"'; DROP TABLE people; --\") is stored and searched as plain text", async () => {
  const evil = "'; DROP TABLE people; --";
  const t = `${evil} ${RUN}`;
  const name = `Robert'); DROP TABLE people; -- ${nameWord(3)}`;
  const person = await make('people', { full_name: name, bio: "1' OR '1'='1", tags: [t], aliases: [evil] });
  assert.equal(person.full_name, name);
  assert.equal(person.bio, "1' OR '1'='1");
  assert.deepEqual(person.aliases, [evil]);
  assert.equal((await read('people', person.id)).body.full_name, name);

  const search = await findInList(`/people${qs({ q: name })}`, person.id);
  assert.ok(search, 'searching for the text finds it');
  const byAlias = await findInList(`/people${qs({ q: evil, limit: 1000 })}`, person.id);
  assert.ok(byAlias, 'the alias is searched as text');
  const byTag = await walk(`/people${qs({ tag: t })}`);
  assert.deepEqual(byTag.items.map((x) => x.id), [person.id], 'a tag filter compares text');
  expectFields(await page(`/people${qs({ org: "' OR '1'='1" })}`), ['org']);
  expectFields(await page(`/people${qs({ team: "x'; DROP TABLE teams; --" })}`), ['team']);

  const wild = await walk(`/organizations${qs({ q: '%', limit: 1000 })}`);
  assert.ok(wild.items.every((o) => o.name.includes('%') || o.slug.includes('%')), 'q=% is a literal percent sign, not a wildcard');
  const under = await walk(`/sources${qs({ q: '_', limit: 1000 })}`);
  assert.ok(under.items.every((s) => `${s.title ?? ''} ${s.url}`.includes('_')), 'q=_ is a literal underscore');

  const org = await make('organizations', { name: `Bobby Tables'; DELETE FROM organizations; -- ${RUN}` });
  assert.equal((await read('organizations', org.id)).body.name, `Bobby Tables'; DELETE FROM organizations; -- ${RUN}`);
  assert.ok((await page('/organizations?limit=1')).body.items.length === 1, 'organizations still exist');
  assert.ok((await read('people', 'erik-meijer')).status === 200, 'people still exist');
  await remove('organizations', org.id);
  await remove('people', person.id);
});

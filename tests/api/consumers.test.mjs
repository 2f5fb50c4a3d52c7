// consumers.test.mjs — what generated clients and contract testers found: text that is not
// UTF-8 is answered at the edge with the parameter or header named (or 404 for an id that
// cannot exist); either/or reference pairs given both as null agree; lists and maps refuse
// null on create (null removes them only in a merge patch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BASE, api, checkSpec, errorFields, expectProblem, keys, uniq } from './lib.mjs';

const url = new URL(BASE);

/** One raw HTTP/1.1 request (bytes as given, latin1); resolves {status, headers, body}. */
function rawRequest(head, body = '') {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(Number(url.port), url.hostname, () =>
      sock.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')])),
    );
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    const done = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [top, ...rest] = text.split('\r\n\r\n');
      const lines = top.split('\r\n');
      const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    };
    sock.on('end', done);
    setTimeout(() => sock.destroy(), 5000);
  });
}

test('a query value that is not UTF-8 is a 400 naming the parameter', async () => {
  for (const [path, template, field] of [
    ['/departures?org=caf%E9', '/departures', 'org'],
    ['/people?q=caf%E9', '/people', 'q'],
    ['/stats/departures?group_by=month&kind=%FF', '/stats/departures', 'kind'],
    ['/organizations?limit=10&cursor=%C3', '/organizations', 'cursor'],
  ]) {
    const res = checkSpec(await api('GET', path), 'GET', template);
    expectProblem(res, 400);
    assert.deepEqual(errorFields(res), [field], `${path}: ${res.text}`);
    assert.match(res.body.errors[0].message, /UTF-8/);
  }
  // Well-formed UTF-8 percent-encoded is fine.
  checkSpec(await api('GET', '/departures?org=caf%C3%A9'), 'GET', '/departures');
});

test('a path id that is not UTF-8 is a 404 (no record can have it), for reads and writes', async () => {
  const get = checkSpec(await api('GET', '/people/caf%E9'), 'GET', '/people/{id}');
  expectProblem(get, 404);
  const patch = checkSpec(
    await api('PATCH', '/organizations/caf%E9', { key: 'editor', body: { name: 'x' } }),
    'PATCH',
    '/organizations/{id}',
  );
  expectProblem(patch, 404);
  expectProblem(await api('GET', '/people/caf%E9/timeline'), 404);
});

test('a header the server reads that is not UTF-8 is a 400 naming the header; nothing is written', async () => {
  const slug = uniq('utf8-idem');
  const body = JSON.stringify({ slug, full_name: 'Idem Potent' });
  const res = await rawRequest(
    `POST /people HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\nAuthorization: Bearer ${keys.editor}\r\n` +
      `Content-Type: application/json\r\nIdempotency-Key: caf\u00e9-1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    body,
  );
  assert.equal(res.status, 400, res.body);
  assert.match(res.headers['content-type'], /application\/problem\+json/);
  const problem = JSON.parse(res.body);
  assert.deepEqual(problem.errors.map((e) => e.field), ['Idempotency-Key']);
  expectProblem(await api('GET', `/people/${slug}`), 404);
  const ifMatch = await rawRequest(
    `PATCH /people/${slug} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\nAuthorization: Bearer ${keys.editor}\r\n` +
      `Content-Type: application/json\r\nIf-Match: "\u00ff"\r\nContent-Length: 2\r\n\r\n`,
    '{}',
  );
  assert.equal(ifMatch.status, 400, ifMatch.body);
  assert.deepEqual(JSON.parse(ifMatch.body).errors.map((e) => e.field), ['If-Match']);
});

test('either/or reference pairs: both null agree (create and patch); a value and a null conflict', async () => {
  const parent = checkSpec(await api('POST', '/organizations', { key: 'editor', body: { name: uniq('Parent Org') } }), 'POST', '/organizations');
  assert.equal(parent.status, 201, parent.text);
  const org = checkSpec(
    await api('POST', '/organizations', { key: 'editor', body: { name: uniq('N'), parent: null, parent_id: null } }),
    'POST',
    '/organizations',
  );
  assert.equal(org.status, 201, org.text);
  assert.equal(org.body.parent_id, null);
  const linked = checkSpec(await api('PATCH', `/organizations/${org.body.id}`, { key: 'editor', body: { parent_id: parent.body.id } }), 'PATCH', '/organizations/{id}');
  assert.equal(linked.body.parent_id, parent.body.id);
  const cleared = checkSpec(
    await api('PATCH', `/organizations/${org.body.id}`, { key: 'editor', body: { parent: null, parent_id: null } }),
    'PATCH',
    '/organizations/{id}',
  );
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.body.parent_id, null);

  const team = checkSpec(
    await api('POST', '/teams', { key: 'editor', body: { org_id: org.body.id, name: 'Core', parent: null, parent_id: null } }),
    'POST',
    '/teams',
  );
  assert.equal(team.status, 201, team.text);
  const teamPatch = checkSpec(
    await api('PATCH', `/teams/${team.body.id}`, { key: 'editor', body: { parent: null, parent_id: null } }),
    'PATCH',
    '/teams/{id}',
  );
  assert.equal(teamPatch.status, 200, teamPatch.text);

  for (const body of [
    { name: 'x', parent: parent.body.slug, parent_id: null },
    { name: 'x', parent: null, parent_id: parent.body.id },
    { name: 'x', parent: parent.body.slug, parent_id: parent.body.id },
  ]) {
    const res = checkSpec(await api('POST', '/organizations', { key: 'editor', body }), 'POST', '/organizations');
    expectProblem(res, 400);
    assert.deepEqual(errorFields(res), ['parent'], JSON.stringify(body));
  }
  const both = checkSpec(
    await api('POST', '/teams', { key: 'editor', body: { org: org.body.slug, org_id: org.body.id, name: 'x' } }),
    'POST',
    '/teams',
  );
  expectProblem(both, 400);
  assert.deepEqual(errorFields(both), ['org']);
});

test('lists and maps refuse null on create, and null removes them in a patch', async () => {
  for (const field of ['tags', 'aliases', 'links']) {
    const slug = uniq('nulls');
    const res = checkSpec(await api('POST', '/people', { key: 'editor', body: { slug, full_name: 'Null Lists', [field]: null } }), 'POST', '/people');
    expectProblem(res, 400);
    assert.deepEqual(errorFields(res), [field]);
    assert.match(res.body.errors[0].message, /must not be null/);
    expectProblem(await api('GET', `/people/${slug}`), 404);
  }
  const org = await api('POST', '/organizations', { key: 'editor', body: { name: uniq('Null Org') } });
  const person = await api('POST', '/people', { key: 'editor', body: { full_name: 'Null Sources' } });
  const pos = checkSpec(
    await api('POST', '/positions', { key: 'editor', body: { person_id: person.body.id, org_id: org.body.id, started_on: '2024', source_ids: null } }),
    'POST',
    '/positions',
  );
  expectProblem(pos, 400);
  assert.deepEqual(errorFields(pos), ['source_ids']);
  const created = await api('POST', '/people', { key: 'editor', body: { full_name: 'Has Lists', tags: ['a'], aliases: ['B'], links: { x: 'https://x.com/b' } } });
  assert.equal(created.status, 201, created.text);
  const patched = checkSpec(
    await api('PATCH', `/people/${created.body.id}`, { key: 'editor', body: { tags: null, aliases: null, links: null } }),
    'PATCH',
    '/people/{id}',
  );
  assert.deepEqual([patched.body.tags, patched.body.aliases, patched.body.links], [[], [], {}]);
});

test('openapi.yaml states the limits the server enforces: slugs up to 100, years 0001-9999, ASCII digits', async () => {
  const YAML = (await import('yaml')).default;
  const { readFileSync } = await import('node:fs');
  const { SPEC_PATH } = await import('./lib.mjs');
  const spec = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
  const slug = spec.components.schemas.Slug;
  assert.equal(slug.maxLength, 100);
  const ok100 = checkSpec(await api('POST', '/people', { key: 'editor', body: { full_name: 'Long Slug', slug: uniq('s100').padEnd(100, 'b') } }), 'POST', '/people');
  assert.equal(ok100.status, 201, ok100.text);
  const bad101 = checkSpec(await api('POST', '/people', { key: 'editor', body: { full_name: 'Long Slug', slug: uniq('s101').padEnd(101, 'b') } }), 'POST', '/people');
  expectProblem(bad101, 400);
  assert.deepEqual(errorFields(bad101), ['slug']);

  const pattern = new RegExp(spec.components.schemas.PartialDate.pattern, 'u');
  for (const good of ['0001', '2024', '2024-04', '2024-04-18', '9999-12-31']) assert.ok(pattern.test(good), good);
  for (const bad of ['0000', '0000-01', '2024-13', '2024-00', '2024-04-32', '\u0662\u0660\u0662\u0664', '２０２４']) assert.ok(!pattern.test(bad), bad);
  assert.equal(spec.components.schemas.PartialDateOrNull.pattern, spec.components.schemas.PartialDate.pattern);
  assert.ok(!readFileSync(SPEC_PATH, 'utf8').includes('\\d'), 'patterns use [0-9], not \\d');
  const year0 = checkSpec(
    await api('POST', '/organizations', { key: 'editor', body: { name: uniq('Year Zero'), founded_on: '0000' } }),
    'POST',
    '/organizations',
  );
  expectProblem(year0, 400);
  assert.deepEqual(errorFields(year0), ['founded_on']);

  // from and to of an organization's changes: required in the spec and by the server.
  const changes = spec.paths['/organizations/{id}/changes'].get.parameters.map((p) =>
    p.$ref ? p.$ref.split('/').slice(1).reduce((o, k) => o[k], spec) : p,
  );
  assert.deepEqual(changes.filter((p) => p.required).map((p) => p.name).sort(), ['from', 'to']);
  const missing = checkSpec(await api('GET', '/organizations/meta/changes?from=2024'), 'GET', '/organizations/{id}/changes');
  expectProblem(missing, 400);
  assert.deepEqual(errorFields(missing), ['to']);
});

// Foundation behaviour through HTTP (issue 2): operations endpoints, request ids, 404/405,
// auth by role, body limits and content types, validation naming every bad field.
// Runs against the server at ORGWATCH_TEST_URL, started with ORGWATCH_MAX_BODY=65536.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { api, BASE, checkSpec, errorFields, expectProblem, namesField, REPO, uniq } from './lib.mjs';

const MAX_BODY = 65536;

// ------------------------------------------------------------------ operations

test('GET /health answers 200 {"status":"ok"} as JSON', async () => {
  const res = checkSpec(await api('GET', '/health'), 'GET', '/health');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(res.body, { status: 'ok' });
});

test('GET /ready answers 200 with the database reachable and every migration applied', async () => {
  const res = checkSpec(await api('GET', '/ready'), 'GET', '/ready');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.status, 'ready');
  assert.equal(res.body.database, 'ok');
  assert.ok(res.body.migrations.expected >= 1, 'at least the first migration is expected');
  assert.equal(res.body.migrations.applied, res.body.migrations.expected);
});

// Parses Prometheus text format 0.0.4 into samples {name, labels, value}; throws on a bad line.
function parseMetrics(text) {
  const samples = [];
  const types = new Map();
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? ([-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|NaN|Inf)|[-+]Inf)( -?\d+)?$/;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(raw);
      if (m) types.set(m[1], m[2]);
      else assert.match(raw, /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|.*)$/);
      continue;
    }
    const m = line.exec(raw);
    assert.ok(m, `not a Prometheus sample line: ${JSON.stringify(raw)}`);
    const labels = {};
    for (const l of (m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[4].replace(/Inf$/, 'Infinity')) });
  }
  return { samples, types };
}

const healthCount = (samples) =>
  samples
    .filter((s) => s.name === 'orgwatch_http_requests_total' && s.labels.route === '/health' && s.labels.status === '200')
    .reduce((sum, s) => sum + s.value, 0);

test('GET /metrics is Prometheus text: requests by route and status, a latency histogram, the DB pool', async () => {
  await api('GET', '/health');
  const res = checkSpec(await api('GET', '/metrics'), 'GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  const { samples, types } = parseMetrics(res.text);

  assert.equal(types.get('orgwatch_http_requests_total'), 'counter');
  const reqs = samples.filter((s) => s.name === 'orgwatch_http_requests_total');
  assert.ok(reqs.length > 0, 'orgwatch_http_requests_total has samples');
  for (const s of reqs) {
    assert.ok('route' in s.labels && 'status' in s.labels, `route and status labels: ${JSON.stringify(s.labels)}`);
  }
  assert.ok(healthCount(samples) >= 1, 'the GET /health just made is counted under route="/health",status="200"');

  assert.equal(types.get('orgwatch_http_request_duration_seconds'), 'histogram');
  const buckets = samples.filter((s) => s.name === 'orgwatch_http_request_duration_seconds_bucket');
  assert.ok(buckets.length > 0, 'orgwatch_http_request_duration_seconds_bucket has samples');
  assert.ok(buckets.every((b) => 'le' in b.labels), 'every bucket has an le label');
  assert.ok(buckets.some((b) => b.labels.le === '+Inf'), 'a +Inf bucket');
  assert.ok(samples.some((s) => s.name === 'orgwatch_http_request_duration_seconds_count'));
  assert.ok(samples.some((s) => s.name === 'orgwatch_http_request_duration_seconds_sum'));

  assert.ok(samples.some((s) => s.name === 'orgwatch_db_connections'), 'orgwatch_db_connections is reported');
});

test('GET /metrics counts requests as they happen', async () => {
  const before = healthCount(parseMetrics((await api('GET', '/metrics')).text).samples);
  for (let i = 0; i < 3; i++) await api('GET', '/health');
  const after = healthCount(parseMetrics((await api('GET', '/metrics')).text).samples);
  assert.ok(after >= before + 3, `route="/health" status="200" went from ${before} to ${after}`);
});

test('GET /openapi.yaml serves the repository file byte for byte', async () => {
  const res = checkSpec(await api('GET', '/openapi.yaml'), 'GET', '/openapi.yaml');
  assert.equal(res.status, 200);
  const file = readFileSync(path.join(process.env.ORGWATCH_HOME || REPO, 'openapi.yaml'));
  assert.equal(res.bytes.length, file.length, 'same length');
  assert.ok(res.bytes.equals(file), 'same bytes');
});

// ------------------------------------------------------------------ request ids, 404, 405

test('every response carries a distinct X-Request-Id', async () => {
  const calls = [
    ['GET', '/health', {}],
    ['GET', '/ready', {}],
    ['GET', '/metrics', {}],
    ['GET', '/openapi.yaml', {}],
    ['GET', '/no-such-path', {}],
    ['DELETE', '/health', {}],
    ['POST', '/people', { body: { full_name: 'Nobody' } }],
    ['POST', '/people', { body: '{', raw: true, key: 'editor', headers: { 'content-type': 'application/json' } }],
  ];
  const ids = new Set();
  for (const [method, p, opts] of calls) {
    const res = checkSpec(await api(method, p, opts), method, p);
    const id = res.headers.get('x-request-id');
    assert.ok(id && id.length > 0, `${method} ${p} → ${res.status} has X-Request-Id`);
    assert.ok(!ids.has(id), `${method} ${p}: X-Request-Id ${id} is not reused`);
    ids.add(id);
  }
});

test('an unknown path is a 404 problem', async () => {
  for (const p of ['/no-such-path', '/health/extra', '/people/x/y/z', '/PEOPLE']) {
    const res = checkSpec(await api('GET', p), 'GET', p);
    expectProblem(res, 404);
    assert.equal(res.body.status, 404);
  }
});

test('a known path with another method is a 405 with Allow', async () => {
  const cases = [
    ['DELETE', '/health', ['GET'], ['DELETE']],
    ['POST', '/ready', ['GET'], ['POST']],
    ['PUT', '/people', ['GET', 'POST'], ['PUT']],
    ['DELETE', '/people', ['GET', 'POST'], ['DELETE']],
  ];
  for (const [method, p, must, mustNot] of cases) {
    const res = checkSpec(await api(method, p), method, p);
    expectProblem(res, 405);
    const allow = (res.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase());
    for (const m of must) assert.ok(allow.includes(m), `${method} ${p}: Allow ${allow} lists ${m}`);
    for (const m of mustNot) assert.ok(!allow.includes(m), `${method} ${p}: Allow ${allow} does not list ${m}`);
  }
});

test('GET /people/<unknown uuid> is a 404 problem', async () => {
  const res = checkSpec(await api('GET', `/people/${crypto.randomUUID()}`), 'GET', '/people/{id}');
  expectProblem(res, 404);
});

// ------------------------------------------------------------------ auth

const person = () => ({ full_name: `Foundation Test ${uniq()}` });

test('POST /people without a key is a 401 with a Bearer challenge', async () => {
  const res = checkSpec(await api('POST', '/people', { body: person() }), 'POST', '/people');
  expectProblem(res, 401);
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer/i);
});

test('POST /people with a bad key is a 401', async () => {
  for (const headers of [
    { authorization: 'Bearer not-a-real-key-0123456789abcdef' },
    { authorization: 'Bearer ' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'Bearer a b c' },
  ]) {
    const res = checkSpec(await api('POST', '/people', { body: person(), headers }), 'POST', '/people');
    expectProblem(res, 401);
  }
});

test('POST /people with the reader key is a 403', async () => {
  const res = checkSpec(await api('POST', '/people', { body: person(), key: 'reader' }), 'POST', '/people');
  expectProblem(res, 403);
});

// ------------------------------------------------------------------ bodies

test('POST /people with the editor key and a non-JSON content type is a 415', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const res = checkSpec(
      await api('POST', '/people', { body: JSON.stringify(person()), raw: true, key: 'editor', headers: { 'content-type': type } }),
      'POST',
      '/people',
    );
    expectProblem(res, 415);
  }
  const none = checkSpec(
    await api('POST', '/people', { body: Buffer.from(JSON.stringify(person())), raw: true, key: 'editor' }),
    'POST',
    '/people',
  );
  expectProblem(none, 415);
});

test('malformed or non-object JSON is a 400 problem, never a 500', async () => {
  const bodies = [
    '{"full_name": ',
    "{'full_name': 'single quotes'}",
    '{"full_name": "x",}',
    '',
    'null',
    '[]',
    '"just a string"',
    '42',
    '{"full_name": "x"} trailing',
    Buffer.from([0x7b, 0x22, 0x66, 0x75, 0x6c, 0x6c, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), // bad UTF-8
    '['.repeat(10000) + ']'.repeat(10000),
  ];
  for (const body of bodies) {
    const res = checkSpec(
      await api('POST', '/people', { body, raw: true, key: 'editor', headers: { 'content-type': 'application/json' } }),
      'POST',
      '/people',
    );
    expectProblem(res, 400);
  }
});

test(`a body over ORGWATCH_MAX_BODY (${MAX_BODY}) is a 413`, async () => {
  const filler = 'a'.repeat(70000 - JSON.stringify({ full_name: 'Big Body', bio: '' }).length);
  const body = JSON.stringify({ full_name: 'Big Body', bio: filler });
  assert.equal(Buffer.byteLength(body), 70000);
  const res = checkSpec(
    await api('POST', '/people', { body, raw: true, key: 'editor', headers: { 'content-type': 'application/json' } }),
    'POST',
    '/people',
  );
  expectProblem(res, 413);
});

test('a chunked body (no Content-Length) over the limit is a 413 too', async () => {
  let sent = 0; // 7 chunks of 10,000 bytes inside the bio string: 70,000+ bytes in all
  const stream = new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(Buffer.from('{"full_name": "Chunked Body", "bio": "'));
      if (sent >= 7) {
        controller.enqueue(Buffer.from('"}'));
        controller.close();
        return;
      }
      controller.enqueue(Buffer.alloc(10000, 0x61));
      sent++;
    },
  });
  let res;
  try {
    res = await api('POST', '/people', { body: stream, raw: true, key: 'editor', headers: { 'content-type': 'application/json' } });
  } catch (e) {
    assert.fail(`the server must answer 413, not drop the connection: ${e.message}`);
  }
  checkSpec(res, 'POST', '/people');
  expectProblem(res, 413);
});

test('an unknown field is a 400 naming it', async () => {
  const res = checkSpec(
    await api('POST', '/people', { body: { full_name: `Typo ${uniq()}`, fulname: 'typo' }, key: 'editor' }),
    'POST',
    '/people',
  );
  expectProblem(res, 400);
  assert.ok(namesField(errorFields(res), 'fulname'), `errors name "fulname": ${res.text}`);
});

test('several bad fields are all named at once', async () => {
  const res = checkSpec(
    await api('POST', '/people', {
      body: { full_name: 42, aliases: 'not-an-array', bio: false, links: 'nope', tags: [1], nickname: 'x' },
      key: 'editor',
    }),
    'POST',
    '/people',
  );
  expectProblem(res, 400);
  const fields = errorFields(res);
  for (const f of ['full_name', 'aliases', 'bio', 'links', 'tags', 'nickname']) {
    assert.ok(namesField(fields, f), `errors name "${f}": ${JSON.stringify(fields)}`);
  }
  for (const e of res.body.errors) assert.ok(typeof e.message === 'string' && e.message.length > 0);
});

test('a missing required field is a 400 naming it', async () => {
  const res = checkSpec(await api('POST', '/people', { body: { bio: 'no name' }, key: 'editor' }), 'POST', '/people');
  expectProblem(res, 400);
  assert.ok(namesField(errorFields(res), 'full_name'), res.text);
});

test('a valid person is a 201 with Location and the record', async () => {
  const name = `Foundation Person ${uniq()}`;
  const res = checkSpec(
    await api('POST', '/people', { body: { full_name: name, aliases: ['F. Person'], tags: ['test'] }, key: 'editor' }),
    'POST',
    '/people',
  );
  assert.equal(res.status, 201, res.text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.body.full_name, name);
  assert.deepEqual(res.body.aliases, ['F. Person']);
  assert.deepEqual(res.body.tags, ['test']);
  assert.deepEqual(res.body.current_positions, []);
  const location = new URL(res.headers.get('location'), BASE);
  assert.ok(
    location.pathname === `/people/${res.body.id}` || location.pathname === `/people/${res.body.slug}`,
    `Location ${location.pathname} names the new person`,
  );

  const back = checkSpec(await api('GET', location.pathname), 'GET', '/people/{id}');
  assert.equal(back.status, 200);
  assert.deepEqual(back.body, res.body);
  const bySlug = checkSpec(await api('GET', `/people/${res.body.slug}`), 'GET', '/people/{id}');
  assert.equal(bySlug.body.id, res.body.id);
});

test('problem bodies are application/problem+json with type, title and status', async () => {
  const samples = [
    ['GET', '/no-such-path', {}],
    ['PUT', '/people', {}],
    ['POST', '/people', { body: person() }],
    ['POST', '/people', { body: person(), key: 'reader' }],
    ['POST', '/people', { body: '{', raw: true, key: 'editor', headers: { 'content-type': 'application/json' } }],
  ];
  for (const [method, p, opts] of samples) {
    const res = checkSpec(await api(method, p, opts), method, p);
    assert.equal(res.headers.get('content-type').split(';')[0].trim(), 'application/problem+json', `${method} ${p}`);
    assert.equal(typeof res.body.type, 'string');
    assert.equal(typeof res.body.title, 'string');
    assert.equal(res.body.status, res.status);
  }
});

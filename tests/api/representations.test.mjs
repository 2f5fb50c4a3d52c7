// representations.test.mjs — issue 32: data where journalists' tools fetch it. Every list,
// record, statistic and the export at a URL of its own (.csv, .json, .ndjson, ?format=), the
// same bytes as the Accept form; whole lists in one download (?all=true) equal to paging;
// CSV for spreadsheets (?excel=true); CORS for public reads and preflights, writes only from
// listed origins (a server of the test's own with ORGWATCH_CORS_ORIGINS).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, BASE, errorFields, expectProblem, uniq } from './lib.mjs';
import { noDb, startServer } from './helpers-server.mjs';

const LISTS = ['/people?limit=20', '/organizations', '/teams', '/positions', '/reporting-lines', '/departures?status=all', '/layoffs', '/sources', '/teams/meta%2Ffair/members', '/teams/meta%2Fprobability/alumni'];
const STATS = ['/stats/departures?group_by=month&from=2024&to=2025', '/stats/departures?group_by=org', '/stats/flows', '/stats/attrition?org=meta&group_by=team'];
const withSuffix = (p, s) => {
  const [path, q] = p.split('?');
  return `${path}${s}${q ? `?${q}` : ''}`;
};
const withQuery = (p, q) => `${p}${p.includes('?') ? '&' : '?'}${q}`;

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

test('every list and statistic: .csv, ?format=csv and Accept: text/csv give the same bytes; .json the same as JSON', async () => {
  for (const p of [...LISTS, ...STATS]) {
    const accept = await api('GET', p, { headers: { accept: 'text/csv' } });
    assert.equal(accept.status, 200, `${p}: ${accept.text}`);
    assert.match(accept.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    const suffix = await api('GET', withSuffix(p, '.csv'));
    const format = await api('GET', withQuery(p, 'format=csv'));
    assert.equal(suffix.status, 200, `${withSuffix(p, '.csv')}: ${suffix.text}`);
    assert.ok(suffix.bytes.equals(accept.bytes), `${p}: .csv differs from Accept: text/csv`);
    assert.ok(format.bytes.equals(accept.bytes), `${p}: ?format=csv differs from Accept: text/csv`);
    assert.equal(suffix.headers.get('etag'), accept.headers.get('etag'), `${p}: one representation, one ETag`);
    assert.match(suffix.headers.get('content-disposition') ?? '', /^inline; filename="[A-Za-z0-9_.-]+-\d{4}-\d{2}-\d{2}\.csv"$/);
    const json = await api('GET', p);
    // Rows end in CRLF (a quoted cell holding one is not this sample's case: then skip the count).
    const rows = json.text.includes('\\r\\n') ? null : accept.text.split('\r\n').filter(Boolean).length;
    const dotJson = await api('GET', withSuffix(p, '.json'));
    assert.ok(dotJson.bytes.equals(json.bytes), `${p}: .json differs from the JSON answer`);
    const n = json.body.items?.length ?? json.body.groups?.length ?? json.body.flows?.length ?? 1 + (json.body.teams?.length ?? 0);
    if (rows !== null) assert.equal(rows, n + 1, `${p}: a header row and one row per item`);
  }
  const f = await api('GET', '/stats/departures.csv?group_by=month&from=2024&to=2024');
  assert.match(f.headers.get('content-disposition'), /filename="stats-departures-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.equal(f.text.split('\r\n')[0], 'key,label,count');
});

test('.ndjson lists: one document a line, the JSON page\'s items, the next page in Link with the suffix kept', async () => {
  const json = await api('GET', '/people?limit=3');
  const nd = await api('GET', '/people.ndjson?limit=3');
  assert.equal(nd.status, 200);
  assert.match(nd.headers.get('content-type'), /^application\/x-ndjson/);
  const lines = nd.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(lines, json.body.items);
  assert.match(nd.headers.get('link'), /^<\/people\.ndjson\?limit=3&cursor=[^>]+>; rel="next"$/);
  const same = await api('GET', '/people?limit=3&format=ndjson');
  assert.ok(same.bytes.equals(nd.bytes));
  const acc = await api('GET', '/people?limit=3', { headers: { accept: 'application/x-ndjson' } });
  assert.ok(acc.bytes.equals(nd.bytes));
});

test('a record as .csv: the list\'s header row and its row; .json as the record', async () => {
  const csv = await api('GET', '/people/yann-lecun.csv');
  assert.equal(csv.status, 200, csv.text);
  const lines = csv.text.split('\r\n').filter(Boolean);
  assert.equal(lines.length, 2);
  const json = await api('GET', '/people/yann-lecun');
  assert.ok(lines[1].startsWith(`${json.body.id},yann-lecun,Yann LeCun,`), lines[1]);
  assert.equal(lines[0].split(',')[0], 'id');
  assert.match(csv.headers.get('content-disposition'), /filename="people-yann-lecun-\d{4}-\d{2}-\d{2}\.csv"/);
  const dj = await api('GET', '/people/yann-lecun.json');
  assert.ok(dj.bytes.equals(json.bytes));
  const layoff = await api('GET', '/layoffs/a5dfb1f6-1116-4888-a277-e7bde1d95fcb.csv');
  assert.equal(layoff.status, 200, layoff.text);
  assert.match(layoff.text.split('\r\n')[1], /^a5dfb1f6-1116-4888-a277-e7bde1d95fcb,/);
});

test('the export: .csv?type= equals Accept: text/csv, .ndjson the default, .json one array of the same records', async () => {
  const accept = await api('GET', '/export?type=organizations', { headers: { accept: 'text/csv' } });
  const csv = await api('GET', '/export.csv?type=organizations');
  assert.equal(csv.status, 200);
  assert.ok(csv.bytes.equals(accept.bytes));
  const plain = await api('GET', '/export?type=organizations');
  const nd = await api('GET', '/export.ndjson?type=organizations');
  assert.ok(nd.bytes.equals(plain.bytes));
  const js = await api('GET', '/export.json?type=organizations');
  assert.match(js.headers.get('content-type'), /^application\/json/);
  const arr = JSON.parse(js.text);
  assert.deepEqual(arr, plain.text.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
});

test('?all=true streams exactly the rows paging returns, in the same order (CSV and NDJSON)', async () => {
  for (const p of ['/people', '/departures?status=all', '/organizations', '/sources']) {
    const paged = [];
    let url = withQuery(p, 'limit=97');
    for (let i = 0; url && i < 2000; i++) {
      const page = await api('GET', url);
      assert.equal(page.status, 200, page.text);
      paged.push(...page.body.items);
      url = page.body.next_cursor ? withQuery(withQuery(p, 'limit=97'), `cursor=${encodeURIComponent(page.body.next_cursor)}`) : null;
    }
    const nd = await api('GET', withSuffix(p, '.ndjson').replace(/(\?|$)/, (m) => (m ? '?all=true&' : '?all=true')));
    assert.equal(nd.status, 200, nd.text);
    const all = nd.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(all.length, paged.length, `${p}: all=true sent ${all.length} rows, paging ${paged.length}`);
    assert.deepEqual(all.map((x) => x.id), paged.map((x) => x.id), `${p}: the same order`);
    assert.equal(nd.headers.get('orgwatch-rows'), String(paged.length));
    const csv = await api('GET', withQuery(withSuffix(p, '.csv'), 'all=true'));
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('orgwatch-rows'), String(paged.length));
    // Rows end in CRLF; a quoted cell may hold CRLF too, so count the ids that start a row.
    const ids = new Set(paged.map((x) => x.id));
    const starts = csv.text.split('\r\n').filter((l) => ids.has(l.slice(0, 36)));
    assert.equal(starts.length, paged.length, `${p}: the CSV download holds every row`);
  }
  const none = await api('GET', '/departures.csv?all=true&org=meta&from=1900&to=1901');
  assert.equal(none.status, 200);
  assert.equal(none.text.split('\r\n').filter(Boolean).length, 1, 'an empty download is its header row');
  expectProblem(await api('GET', '/departures.csv?all=true&org=no-such-org-here'), 400);
  // A download may start from a page's cursor: the rest of the list.
  const first = await api('GET', '/people?limit=5');
  const rest = await api('GET', `/people.ndjson?all=true&cursor=${encodeURIComponent(first.body.next_cursor)}`);
  assert.equal(rest.status, 200, rest.text);
  const restIds = rest.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).id);
  assert.ok(!restIds.some((id) => first.body.items.some((x) => x.id === id)), 'none of the first page');
  const bad = await api('GET', '/people.csv?all=true&cursor=not-a-cursor');
  expectProblem(bad, 400);
  assert.deepEqual(errorFields(bad), ['cursor']);
});

test('?all=true over ORGWATCH_MAX_DOWNLOAD_ROWS is a 400 naming all; at the cap it is sent', { skip: noDb }, async () => {
  const s = await startServer({ ORGWATCH_MAX_DOWNLOAD_ROWS: '3' });
  servers.push(s);
  const over = await api('GET', '/people.csv?all=true', { base: s.base });
  expectProblem(over, 400);
  assert.deepEqual(errorFields(over), ['all']);
  assert.match(over.body.errors[0].message, /more than 3 rows/);
  const lines = await api('GET', '/positions.ndjson?all=true&person=yann-lecun', { base: s.base });
  assert.equal(lines.status, 200, lines.text);
  assert.ok(lines.text.split('\n').filter(Boolean).length <= 3);
});

test('?excel=true: a byte-order mark and formula-like text cells escaped; without it the CSV stays byte-exact', async () => {
  const tag = uniq('xl');
  const names = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3', '@SUM(A1)'];
  for (const [i, full_name] of names.entries()) {
    const r = await api('POST', '/people', { key: 'editor', body: { full_name, slug: `${tag}-${i}`, tags: [tag] } });
    assert.equal(r.status, 201, r.text);
  }
  const plain = await api('GET', `/people.csv?tag=${tag}`);
  const excel = await api('GET', `/people.csv?tag=${tag}&excel=true`);
  assert.equal(plain.status, 200, plain.text);
  assert.ok(!plain.bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'no BOM without excel');
  assert.ok(excel.bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'a BOM first with excel');
  for (const name of names) {
    const cell = name.includes('"') || name.includes(',') ? `"${name.replace(/"/g, '""')}"` : name;
    assert.ok(plain.text.includes(`,${cell},`), `plain CSV keeps ${name}`);
    const esc = `'${name}`;
    const escCell = esc.includes('"') || esc.includes(',') ? `"${esc.replace(/"/g, '""')}"` : esc;
    assert.ok(excel.text.includes(`,${escCell},`), `excel CSV escapes ${name}: ${excel.text.slice(0, 400)}`);
  }
  assert.equal(excel.text.replace(/^\uFEFF/, '').split('\r\n')[0], plain.text.split('\r\n')[0], 'the same header row');
});

test('representations a path does not offer, and bad values, are refused naming the parameter', async () => {
  const cases = [
    ['/departures?format=xml', 400, 'format'],
    ['/departures.csv?format=json', 400, 'format'],
    ['/departures?all=true', 400, 'all'],
    ['/departures.csv?all=maybe', 400, 'all'],
    ['/departures?excel=true', 400, 'excel'],
    ['/people/yann-lecun.ndjson', 404, null],
    ['/organizations/meta/chart.ndjson', 404, null],
    ['/departures.svg', 404, null],
    ['/charts/flows.ndjson', 404, null],
    ['/charts/flows?format=ndjson', 400, 'format'],
    ['/stats/departures?format=ndjson', 400, 'format'],
  ];
  for (const [p, status, field] of cases) {
    const res = await api('GET', p);
    expectProblem(res, status);
    if (field) assert.deepEqual(errorFields(res), [field], `${p}: ${res.text}`);
  }
  const chart = await api('GET', '/organizations/meta/chart.json');
  assert.equal(chart.status, 200, 'JSON answers take .json');
  // A suffix the path does not offer is part of the name when the whole path is a resource:
  // the dashboard's icon is a file, not the SVG form of /assets/favicon.
  const icon = await api('GET', '/assets/favicon.svg');
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type'), /^image\/svg\+xml/);
});

test('CORS: public reads answer Access-Control-Allow-Origin: * with the headers a page needs; preflights', async () => {
  const origin = { origin: 'https://observablehq.com' };
  for (const p of ['/departures?limit=1', '/stats/departures', '/people/yann-lecun', '/departures.csv', '/no-such-path']) {
    const res = await api('GET', p, { headers: origin });
    assert.equal(res.headers.get('access-control-allow-origin'), '*', p);
    const expose = res.headers.get('access-control-expose-headers') ?? '';
    for (const h of ['ETag', 'Link', 'X-Request-Id', 'Content-Disposition', 'Orgwatch-LSN']) assert.ok(expose.includes(h), `${p} exposes ${h}`);
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
  }
  const pre = await api('OPTIONS', '/departures.csv', { headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods'), /GET/);
  assert.match(pre.headers.get('access-control-allow-headers'), /If-None-Match/);
  assert.match(pre.headers.get('allow'), /GET, POST/);
  const write = await api('OPTIONS', '/departures', { headers: { ...origin, 'access-control-request-method': 'POST' } });
  assert.equal(write.status, 204);
  assert.equal(write.headers.get('access-control-allow-origin'), null, 'no write from an origin not listed');
  const post = await api('POST', '/organizations', { key: 'editor', headers: origin, body: { name: `Cors ${uniq()}` } });
  assert.equal(post.status, 201, 'a server-side client is not a browser: CORS changes nothing for it');
  assert.equal(post.headers.get('access-control-allow-origin'), null);
  expectProblem(await api('OPTIONS', '/no-such-path', { headers: origin }), 404);
});

test('CORS: writes from an origin listed in ORGWATCH_CORS_ORIGINS, with its origin echoed and never credentials', { skip: noDb }, async () => {
  const listed = 'https://newsroom.example';
  const s = await startServer({ ORGWATCH_CORS_ORIGINS: `${listed}, http://127.0.0.1:18099` });
  servers.push(s);
  const pre = await api('OPTIONS', '/organizations', { base: s.base, headers: { origin: listed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), listed);
  assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
  assert.match(pre.headers.get('vary'), /Origin/);
  assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  const post = await api('POST', '/organizations', { base: s.base, key: 'editor', headers: { origin: listed }, body: { name: `Listed ${uniq()}` } });
  assert.equal(post.status, 201, post.text);
  assert.equal(post.headers.get('access-control-allow-origin'), listed);
  assert.match(post.headers.get('vary') ?? '', /Origin/);
  const other = await api('POST', '/organizations', { base: s.base, key: 'editor', headers: { origin: 'https://evil.example' }, body: { name: `Other ${uniq()}` } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

// Charts as SVG that embed anywhere (issue 30): every chart is well-formed XML (xmllint) with
// role="img", a <title>, a <desc> written from the data and a source line; no script, no event
// attribute, no external fetch; every text from the data escaped (names with <, &, quotes,
// right-to-left scripts, emoji, long strings); identical requests give identical bytes;
// ETag/304, Cache-Control and Access-Control-Allow-Origin like every public read; random
// parameters in range are drawn, out of range are a 400 naming the parameter; the numbers as
// JSON (checked against openapi.yaml) and CSV; the /embed pages and /oembed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, checkSpec } from './lib.mjs';
import { qs, word, parseCsv } from './helpers-records.mjs';

const RUN = word(8);
const CHARTS = ['/charts/departures-by-month', '/charts/layoffs-by-month', '/charts/flows'];

/** xmllint's verdict on an SVG document: '' when well-formed, else its complaint. */
function xmlProblems(text) {
  try {
    execFileSync('xmllint', ['--noout', '-'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return String(e.stderr || e.message);
  }
}

/** The promises every SVG keeps. */
function assertSafeSvg(text, what) {
  assert.equal(xmlProblems(text), '', `${what}: not well-formed XML`);
  assert.match(text, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* role="img"/, `${what}: role="img"`);
  assert.match(text, /<title id="t">[^<]+<\/title>/, `${what}: a title`);
  assert.match(text, /<desc id="d">[^<]+<\/desc>/, `${what}: a description`);
  assert.match(text, /Source: /, `${what}: a source line`);
  assert.doesNotMatch(text, /<script/i, `${what}: no script`);
  assert.doesNotMatch(text, /\son[a-z]+\s*=/i, `${what}: no event attribute`);
  assert.doesNotMatch(text, /(href|src)\s*=\s*["']?(https?:)?\/\//i, `${what}: no external reference`);
  assert.doesNotMatch(text, /@import|url\(/i, `${what}: no external style`);
  for (const m of text.matchAll(/font-size:(\d+(?:\.\d+)?)px/g)) assert.ok(Number(m[1]) >= 12, `${what}: text of ${m[1]} px`);
}

async function svg(path, query = {}) {
  const res = await api('GET', `${path}.svg${qs(query)}`);
  assert.equal(res.status, 200, `${path} ${JSON.stringify(query)} → ${res.status} ${res.text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type'), /^image\/svg\+xml/);
  return res;
}

test('each chart as SVG: well-formed, titled, described, sourced, safe; the same bytes twice; ETag/304 and CORS', async () => {
  for (const path of CHARTS) {
    const a = await svg(path, { org: 'meta' });
    assertSafeSvg(a.text, path);
    const b = await svg(path, { org: 'meta' });
    assert.equal(b.text, a.text, `${path}: identical requests, identical bytes`);
    assert.equal(a.headers.get('access-control-allow-origin'), '*');
    assert.match(a.headers.get('cache-control') || '', /public/);
    const etag = a.headers.get('etag');
    assert.ok(etag, `${path}: an ETag`);
    const again = await api('GET', `${path}.svg?org=meta`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    // The numbers: JSON (as the spec says) and CSV, and an <img src> without suffix gets SVG.
    const json = checkSpec(await api('GET', `${path}.json?org=meta`), 'GET', path);
    assert.equal(json.status, 200);
    assert.ok(Array.isArray(json.body.sources));
    const csv = await api('GET', `${path}.csv?org=meta`);
    assert.equal(csv.status, 200);
    assert.ok(parseCsv(csv.text).length >= 1);
    const img = await api('GET', `${path}?org=meta`, { headers: { accept: 'image/avif,image/webp,image/svg+xml,image/*,*/*;q=0.8' } });
    assert.match(img.headers.get('content-type'), /^image\/svg\+xml/);
  }
  const org = await svg('/organizations/meta/chart', { as_of: '2025-07-01', departed_since: '2024-01-01' });
  assertSafeSvg(org.text, 'org chart');
  assert.match(org.text, /class="ghost"/, 'people who left drawn as ghosts');
  assert.match(org.text, /left 2024-04 → Automind/, 'a ghost says when and where they went');
  const orgCsv = parseCsv((await api('GET', '/organizations/meta/chart.csv?as_of=2025-07-01')).text);
  assert.deepEqual(orgCsv[0], ['person_id', 'slug', 'full_name', 'title', 'manager_id', 'team_slug', 'team_name']);
  const names = orgCsv.slice(1).map((r) => r[2]);
  assert.ok(names.includes('Yann LeCun'));
  assert.equal(names.length, (org.text.match(/<rect class="box"/g) || []).length, 'a row a person drawn');
});

test('PNG for social cards: the same picture drawn by librsvg (rsvg-convert), sized as asked', async () => {
  for (const path of [...CHARTS.map((p) => `${p}.png?aspect=social&width=1200`), '/organizations/meta/chart.png?as_of=2025-07-01']) {
    const res = await api('GET', path);
    assert.equal(res.status, 200, `${path}: ${res.text.slice(0, 200)}`);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.deepEqual([...res.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path}: a PNG`);
    if (path.startsWith('/charts')) {
      assert.equal(res.bytes.readUInt32BE(16), 1200, 'width');
      assert.equal(res.bytes.readUInt32BE(20), Math.round(1200 / 1.91), 'height (social: 1.91:1)');
    }
  }
  assert.equal((await api('GET', '/charts/flows.png?width=10')).status, 400);
});

test('the departures chart: its description and numbers from the data; stacks; the months known only by year apart', async () => {
  const json = (await api('GET', '/charts/departures-by-month.json?org=meta&stack=kind')).body;
  const stats = (await api('GET', '/stats/departures?org=meta&group_by=month')).body;
  assert.equal(json.total, stats.total, 'the chart counts what /stats/departures counts');
  assert.deepEqual(json.groups.map((g) => [g.key, g.count]), stats.groups.map((g) => [g.key, g.count]));
  for (const g of json.groups) assert.equal(g.parts.reduce((s, p) => s + p.count, 0), g.count, `${g.key}: the parts add up`);
  assert.equal(json.series.reduce((s, p) => s + p.count, 0), json.total);
  const text = (await svg('/charts/departures-by-month', { org: 'meta', stack: 'kind' })).text;
  assert.match(text, /<desc id="d">Departures from Meta/);
  const withYearOnly = json.groups.filter((g) => g.key.endsWith('-unknown') && g.count > 0);
  assert.ok(withYearOnly.length > 0, 'the sample has departures known only to their year');
  const csv = parseCsv((await api('GET', '/charts/departures-by-month.csv?org=meta&stack=kind')).text);
  assert.deepEqual(csv[0].slice(0, 3), ['key', 'label', 'count']);
  assert.equal(csv.length - 1, json.groups.length);
});

test('parameters: random ones in range are drawn; out of range, unknown or contradictory ones are a 400 naming them', async () => {
  let seed = 7;
  const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let i = 0; i < 24; i++) {
    const path = [...CHARTS, '/organizations/meta/chart'][i % 4];
    const q = { width: String(320 + rnd(1281)), theme: ['light', 'dark', 'auto'][rnd(3)] };
    if (rnd(2)) q.aspect = ['article', 'square', 'social'][rnd(3)];
    else if (rnd(2)) q.height = String(200 + rnd(1800));
    if (rnd(2)) q.title = `Title ${RUN} <&> "quoted" ${'é'.repeat(rnd(40))}`;
    if (rnd(2)) q.note = `Note ${i} & more`;
    const res = await svg(path, q);
    assertSafeSvg(res.text, `${path} ${JSON.stringify(q)}`);
    const width = Number(res.text.match(/<svg[^>]* width="(\d+)"/)[1]);
    if (path.startsWith('/charts')) assert.equal(width, Number(q.width));
    else assert.ok(width >= Number(q.width) || q.height || q.aspect);
    if (q.title) assert.ok(res.text.includes('&lt;&amp;&gt; &quot;quoted&quot;'), 'the title override is escaped');
  }
  const bad = [
    [{ width: '319' }, 'width'], [{ width: '1601' }, 'width'], [{ width: '12px' }, 'width'],
    [{ height: '10' }, 'height'], [{ height: '300', aspect: 'square' }, 'aspect'], [{ aspect: 'tall' }, 'aspect'],
    [{ theme: 'neon' }, 'theme'], [{ title: 'x'.repeat(121) }, 'title'], [{ colour: 'red' }, 'colour'],
  ];
  for (const path of [...CHARTS, '/organizations/meta/chart']) {
    for (const [q, field] of bad) {
      const res = await api('GET', `${path}.svg${qs(q)}`);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(q)}`);
      assert.ok(res.body.errors.some((e) => e.field === field), `${path} ${JSON.stringify(q)} names ${field}: ${res.text}`);
    }
  }
  assert.equal((await api('GET', '/charts/flows.svg?top=51')).body.errors[0].field, 'top');
  assert.equal((await api('GET', '/charts/departures-by-month.svg?stack=team')).body.errors[0].field, 'stack');
  assert.equal((await api('GET', '/charts/layoffs-by-month.svg?org=no-such-org')).status, 400);
  assert.equal((await api('GET', '/organizations/no-such-org/chart.svg')).status, 404);
  assert.equal((await api('GET', '/charts/nothing.svg')).status, 404);
});

test('text from the data is escaped: <, &, quotes, right-to-left scripts, emoji, long names; the picture stays well-formed', async () => {
  const slug = `esc-${RUN}`;
  const nasty = [
    `<script>alert(1)</script> & "Co" 'x' ${RUN}`,
    `שלום עולם مرحبا ${RUN}`,
    `Emoji 🚀👩🏽‍💻 ${RUN}`,
    `${'Long'.repeat(70)} ${RUN}`,
  ];
  const org = await api('POST', '/organizations', { key: 'editor', body: { slug, name: nasty[0] } });
  assert.equal(org.status, 201, org.text);
  for (const [i, name] of nasty.entries()) {
    const p = await api('POST', '/people', { key: 'editor', body: { slug: `${slug}-p${i}`, full_name: name } });
    assert.equal(p.status, 201, p.text);
    const pos = await api('POST', '/positions', { key: 'editor', body: { person: `${slug}-p${i}`, org: slug, title: `${name} title`, started_on: '2020' } });
    assert.equal(pos.status, 201, pos.text);
    if (i > 0) assert.equal((await api('POST', '/reporting-lines', { key: 'editor', body: { report: `${slug}-p${i}`, manager: `${slug}-p0`, valid_from: '2020' } })).status, 201);
  }
  assert.equal((await api('POST', '/departures', { key: 'editor', body: { person: `${slug}-p3`, org: slug, departed_on: '2024-02', destination_org: slug } })).status, 201);
  for (const theme of ['light', 'dark']) {
    const res = await svg(`/organizations/${slug}/chart`, { as_of: '2024-01-01', theme, width: '320' });
    assertSafeSvg(res.text, `org chart of ${slug}`);
    assert.ok(!res.text.includes('<script>alert'), 'no raw markup from the data');
    assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot; &#39;x&#39;'), 'escaped');
    assert.ok(res.text.includes('שלום עולם'), 'right-to-left text kept');
    assert.ok(res.text.includes('🚀'), 'emoji kept');
    assert.ok(!res.text.includes('Long'.repeat(70)), 'a long name is cut');
    assert.ok(res.text.includes('…'), 'and says so');
  }
  const flows = await svg('/charts/flows', { org: slug, from: '2024' });
  assertSafeSvg(flows.text, 'flows of the nasty organization');
  assert.ok(flows.text.includes('&lt;script&gt;'));
  const page = await api('GET', `/embed/organizations/${slug}/chart?as_of=2024-01-01`);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('<script>alert'), 'the embed page escapes too');
});

test('the org chart: "+N more" past depth; root picks a subtree; ghosts only with departed_since', async () => {
  const full = await svg('/organizations/meta/chart', { as_of: '2025-07-01' });
  assert.doesNotMatch(full.text, /class="ghost"/);
  const shallow = await svg('/organizations/meta/chart', { as_of: '2025-07-01', depth: '0' });
  assert.match(shallow.text, />\+\d+ more</, 'levels past the depth collapsed into "+N more"');
  const sub = await svg('/organizations/meta/chart', { as_of: '2025-07-01', root: 'thomas-wang' });
  assert.match(sub.text, /Thomas Wang/);
  assert.doesNotMatch(sub.text, /Mark Zuckerberg/);
  const scaled = await svg('/organizations/meta/chart', { as_of: '2025-07-01', width: '400', aspect: 'square' });
  assert.match(scaled.text, /<svg[^>]* width="400" height="400" viewBox="0 0 \d+ \d+"/, 'scaled into the asked box');
});

// A record written as the editor (201 asserted); its document.
const post = async (plural, body) => {
  const res = await api('POST', `/${plural}`, { key: 'editor', body });
  assert.equal(res.status, 201, `POST /${plural} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
  return res.body;
};

test('the org chart names the sources of what it draws: a subtree (its root\'s own line included), a collapsed chart, the ghosts', async () => {
  const slug = `srcs-${RUN}`;
  const pub = async (publisher, published_on) =>
    (await post('sources', { url: `https://${publisher.toLowerCase().replace(/ /g, '-')}.example/${RUN}`, publisher, published_on })).id;
  const posSrc = await pub(`Pos Daily ${RUN}`, '2022-07-01');
  const lineSrc = await pub(`Line Weekly ${RUN}`, '2021-02-01');
  const exitSrc = await pub(`Exit News ${RUN}`, '2024-06-02');
  const outSrc = await pub(`Outside Post ${RUN}`, '2020-02-01');
  await post('organizations', { slug, name: `Sources ${RUN}` });
  for (const p of ['a', 'b', 'c', 'g', 'x']) await post('people', { slug: `${slug}-${p}`, full_name: `Person ${p.toUpperCase()} ${RUN}` });
  const position = (p, started_on, extra = {}) => post('positions', { person: `${slug}-${p}`, org: slug, title: `T${p}`, started_on, ...extra });
  await position('a', '2020');
  await position('b', '2021');
  await position('c', '2022-06', { source_ids: [posSrc] });
  await position('g', '2021', { ended_on: '2024-05' });
  await position('x', '2020', { source_ids: [outSrc] });
  await post('reporting-lines', { report: `${slug}-b`, manager: `${slug}-a`, valid_from: '2021', source_ids: [lineSrc] });
  await post('reporting-lines', { report: `${slug}-c`, manager: `${slug}-b`, valid_from: '2022-06' });
  await post('reporting-lines', { report: `${slug}-g`, manager: `${slug}-b`, valid_from: '2021', valid_to: '2024-05' });
  await post('departures', { person: `${slug}-g`, org: slug, departed_on: '2024-05', source_ids: [exitSrc] });
  const sourceLine = (text) => (text.match(/Source: [^<]*/) || [''])[0];
  // Below B: B, C and the ghost G; B's own line to A counts, X's position does not.
  const sub = await svg(`/organizations/${slug}/chart`, { as_of: '2025-01-01', root: `${slug}-b`, departed_since: '2024-01-01' });
  assertSafeSvg(sub.text, 'subtree');
  assert.match(sub.text, /class="ghost"/, 'G left from under B: a ghost');
  let line = sourceLine(sub.text);
  for (const name of ['Pos Daily', 'Line Weekly', 'Exit News']) assert.ok(line.includes(`${name} ${RUN}`), `${line}: ${name}`);
  assert.ok(!line.includes('Outside Post'), `${line}: X is not drawn`);
  assert.match(line, /Data as of 2024-06-02/);
  // Collapsed at depth 1: A, X, B drawn, C in "+1 more" under B and the ghost G beside it
  // (who left is never counted in a "+N": people below that day); X's and B's sources and G's
  // departure's, not C's position's.
  const collapsed = await svg(`/organizations/${slug}/chart`, { as_of: '2025-01-01', depth: '1', departed_since: '2024-01-01' });
  assertSafeSvg(collapsed.text, 'collapsed');
  assert.match(collapsed.text, />\+1 more</);
  assert.match(collapsed.text, /class="ghost"/, 'G left from under B, who is drawn: a ghost');
  assert.match(collapsed.text, /4 people on 2025-01-01; 1 who left since 2024-01-01 drawn dashed/);
  // Below A to depth 0: B and C in "+2 more"; G's manager B is not drawn, nor is G, and the
  // subtitle does not count G.
  const top = await svg(`/organizations/${slug}/chart`, { as_of: '2025-01-01', root: `${slug}-a`, depth: '0', departed_since: '2024-01-01' });
  assert.match(top.text, />\+2 more</);
  assert.doesNotMatch(top.text, /class="ghost"/);
  assert.doesNotMatch(top.text, /who left/);
  // and its source line names none of what "+2 more" hides: B's line, C's position, G's exit
  const topLine = sourceLine(top.text);
  for (const name of ['Line Weekly', 'Pos Daily', 'Exit News']) assert.ok(!topLine.includes(name), `${topLine}: ${name} is hidden`);
  // one level more: B and his line drawn, C still hidden, G a ghost beside "+1 more"
  const two = await svg(`/organizations/${slug}/chart`, { as_of: '2025-01-01', root: `${slug}-a`, depth: '1', departed_since: '2024-01-01' });
  assert.match(two.text, />\+1 more</);
  const twoLine = sourceLine(two.text);
  for (const name of ['Line Weekly', 'Exit News']) assert.ok(twoLine.includes(`${name} ${RUN}`), `${twoLine}: ${name}`);
  assert.ok(!twoLine.includes('Pos Daily'), `${twoLine}: C is hidden`);
  line = sourceLine(collapsed.text);
  for (const name of ['Outside Post', 'Line Weekly', 'Exit News']) assert.ok(line.includes(`${name} ${RUN}`), `${line}: ${name}`);
  assert.ok(!line.includes('Pos Daily'), `${line}: C is not drawn`);
  // Without departed_since: no ghost, and the departure's source is not named.
  const plain = await svg(`/organizations/${slug}/chart`, { as_of: '2025-01-01', root: `${slug}-b` });
  assert.doesNotMatch(plain.text, /class="ghost"/);
  assert.ok(!sourceLine(plain.text).includes('Exit News'));
  assert.match(sourceLine(plain.text), /Data as of 2022-07-01/);
});

test('the org chart draws as a ghost only who holds no position there that day: not someone back in the organization, hidden in a "+N more" box', async () => {
  const slug = `back-${RUN}`;
  const exitSrc = (await post('sources', { url: `https://back-exit.example/${RUN}`, publisher: `Back Exit ${RUN}`, published_on: '2024-03-02' })).id;
  await post('organizations', { slug, name: `Back ${RUN}` });
  for (const p of ['a', 'b', 'r']) await post('people', { slug: `${slug}-${p}`, full_name: `Back ${p.toUpperCase()} ${RUN}` });
  await post('positions', { person: `${slug}-a`, org: slug, title: 'Ta', started_on: '2020' });
  await post('positions', { person: `${slug}-b`, org: slug, title: 'Tb', started_on: '2020' });
  // R left in March 2024 from under A and came back in April under B
  await post('positions', { person: `${slug}-r`, org: slug, title: 'Tr', started_on: '2020', ended_on: '2024-03-01' });
  await post('positions', { person: `${slug}-r`, org: slug, title: 'Tr2', started_on: '2024-04-01' });
  await post('reporting-lines', { report: `${slug}-b`, manager: `${slug}-a`, valid_from: '2020' });
  await post('reporting-lines', { report: `${slug}-r`, manager: `${slug}-a`, valid_from: '2020', valid_to: '2024-03-01' });
  await post('reporting-lines', { report: `${slug}-r`, manager: `${slug}-b`, valid_from: '2024-04-01' });
  await post('departures', { person: `${slug}-r`, org: slug, departed_on: '2024-03-01', source_ids: [exitSrc] });
  const q = { as_of: '2025-01-01', departed_since: '2024-01-01' };
  for (const extra of [{ root: `${slug}-a`, depth: '0' }, { depth: '0' }, {}]) {
    const res = await svg(`/organizations/${slug}/chart`, { ...q, ...extra });
    assert.doesNotMatch(res.text, /class="ghost"/, `${JSON.stringify(extra)}: R is back, not a ghost`);
    assert.doesNotMatch(res.text, /who left/, `${JSON.stringify(extra)}: no one counted as left`);
    assert.ok(!(res.text.match(/Source: [^<]*/) || [''])[0].includes('Back Exit'), `${JSON.stringify(extra)}: R's exit is not drawn`);
  }
});

test('/embed pages: the SVG inline, a hidden table of the numbers, the sources, the height told to the parent', async () => {
  for (const path of ['/embed/charts/departures-by-month?org=meta', '/embed/charts/layoffs-by-month', '/embed/charts/flows?org=meta&top=3',
    '/embed/organizations/meta/chart?as_of=2025-07-01&departed_since=2024-01-01']) {
    const res = await api('GET', path);
    assert.equal(res.status, 200, `${path}: ${res.text.slice(0, 200)}`);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.text, /<svg xmlns/);
    assert.match(res.text, /<figcaption class="sr-only"><table>/);
    assert.match(res.text, /<p class="sources">Sources: /);
    assert.match(res.text, /postMessage\(\{type:"orgwatch:height"/);
  }
  assert.equal((await api('GET', '/embed/charts/nothing')).status, 404);
  assert.equal((await api('GET', '/embed/organizations/no-such-org/chart')).status, 404);
});

test('/oembed: an iframe of the embed page for a chart URL; other URLs 404; url required', async () => {
  const url = 'https://news.example/charts/departures-by-month.svg?org=meta&width=600';
  const res = checkSpec(await api('GET', `/oembed${qs({ url, maxwidth: '600' })}`), 'GET', '/oembed');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.type, 'rich');
  assert.equal(res.body.width, 600);
  assert.match(res.body.html, /^<iframe src="https:\/\/news\.example\/embed\/charts\/departures-by-month\?org=meta&amp;width=600"/);
  const org = await api('GET', `/oembed${qs({ url: 'http://127.0.0.1:8080/organizations/meta/chart.svg?as_of=2024-06-01' })}`);
  assert.match(org.body.html, /\/embed\/organizations\/meta\/chart\?as_of=2024-06-01/);
  for (const other of ['https://news.example/people', 'ftp://x/charts/flows', 'https://x/charts/unknown.svg', 'not a url'])
    assert.equal((await api('GET', `/oembed${qs({ url: other })}`)).status, 404, other);
  const missing = await api('GET', '/oembed');
  assert.equal(missing.status, 400);
  assert.equal(missing.body.errors[0].field, 'url');
  assert.equal((await api('GET', `/oembed${qs({ url, maxwidth: '50' })}`)).body.errors[0].field, 'maxwidth');
});

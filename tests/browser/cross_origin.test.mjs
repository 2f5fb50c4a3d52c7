// Browser test of CORS (issue 32): a page served from another origin (a second local port, as a
// notebook or a newsroom's page elsewhere would be) reads a list and a statistic of the API with
// fetch() in headless Chromium, and is refused a write: the server lists no origin in
// ORGWATCH_CORS_ORIGINS, so the browser's preflight gets no Access-Control-Allow-Origin and the
// write never reaches the server. Reads only: the browser layer runs on the untouched sample.
//
// Environment: ORGWATCH_TEST_URL, ORGWATCH_TEST_EDITOR_KEY, CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { BASE, launchBrowser } from './lib.mjs';

const KEY = process.env.ORGWATCH_TEST_EDITOR_KEY;
const SLUG = `cross-origin-${Date.now().toString(36)}`;

// The other site's page: it fetches from the API and writes what it got into the document.
const PAGE = `<!doctype html><meta charset="utf-8"><title>A notebook elsewhere</title>
<pre id="out">running</pre>
<script>
const api = ${JSON.stringify(BASE)};
const out = {};
(async () => {
  try {
    const list = await fetch(api + '/departures?org=meta&limit=5');
    const body = await list.json();
    out.list = { status: list.status, items: body.items.length, etag: list.headers.get('ETag'), requestId: list.headers.get('X-Request-Id') };
    const csv = await fetch(api + '/departures.csv?org=meta&all=true');
    const text = await csv.text();
    out.csv = { status: csv.status, lines: text.trim().split('\\r\\n').length, disposition: csv.headers.get('Content-Disposition') };
    const stat = await fetch(api + '/stats/departures?group_by=year');
    const s = await stat.json();
    out.stat = { status: stat.status, total: s.total, groups: s.groups.length };
  } catch (e) {
    out.readError = String(e);
  }
  try {
    const w = await fetch(api + '/organizations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ${KEY || ''}' },
      body: JSON.stringify({ name: 'Cross Origin Labs', slug: ${JSON.stringify(SLUG)} }),
    });
    out.write = { status: w.status };
  } catch (e) {
    out.write = { refused: String(e) };
  }
  document.getElementById('out').textContent = JSON.stringify(out);
})();
</script>`;

let site;
let origin;
let browser;

before(async () => {
  site = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${site.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  site?.close();
});

test('a page on another origin reads a list, a CSV download and a statistic, and is refused a write', { timeout: 60_000 }, async () => {
  assert.ok(KEY, 'ORGWATCH_TEST_EDITOR_KEY is not set');
  assert.notEqual(new URL(origin).port, new URL(BASE).port, 'two origins');
  const page = await browser.newPage();
  const refusals = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') refusals.push(msg.text());
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.getElementById('out').textContent !== 'running', null, { timeout: 30_000 });
  const out = JSON.parse(await page.locator('#out').textContent());
  assert.equal(out.readError, undefined, `reads failed: ${out.readError}`);
  assert.equal(out.list.status, 200);
  assert.ok(out.list.items > 0, 'Meta has departures in the sample');
  assert.match(out.list.etag ?? '', /^"/, 'the page can read the ETag (exposed)');
  assert.ok(out.list.requestId, 'the page can read X-Request-Id (exposed)');
  assert.equal(out.csv.status, 200);
  assert.ok(out.csv.lines >= 2, 'a header row and rows');
  assert.match(out.csv.disposition ?? '', /filename="departures-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.equal(out.stat.status, 200);
  assert.ok(out.stat.total > 0 && out.stat.groups > 0);
  assert.ok(out.write.refused, `the write was not refused: ${JSON.stringify(out.write)}`);
  assert.ok(refusals.some((t) => /CORS|Access-Control-Allow-Origin/.test(t)), `the browser names CORS: ${refusals.join(' | ')}`);
  const written = await fetch(`${BASE}/organizations/${SLUG}`);
  assert.equal(written.status, 404, 'nothing was written');
  await page.close();
});

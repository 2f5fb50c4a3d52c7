// Browser test of the dashboard's "Latest changes" ticker (web/ticker.js): off by default;
// "Follow live" opens the change stream over EventSource and writes made through the API appear
// at the top as they commit; choosing an organization re-opens it for that organization only;
// the choice is kept in the URL; "Stop following" closes it. Writes a source and a description
// of Meta and takes both back (nothing the dashboard's other tests read).
// Environment: ORGWATCH_TEST_URL, ORGWATCH_TEST_EDITOR_KEY, CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launchBrowser } from './lib.mjs';

const KEY = process.env.ORGWATCH_TEST_EDITOR_KEY;
const RUN = Date.now().toString(36);

let browser;
let page;
const made = [];
let metaDescription = null;

async function write(method, path, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const items = () => page.locator('#ticker-list li').allTextContents();

before(async () => {
  assert.ok(KEY, 'ORGWATCH_TEST_EDITOR_KEY is not set');
  metaDescription = (await (await fetch(`${BASE}/organizations/meta`)).json()).description;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
});

after(async () => {
  for (const id of made) await write('DELETE', `/sources/${id}`).catch(() => {});
  await write('PATCH', '/organizations/meta', { description: metaDescription }).catch(() => {});
  await browser?.close();
});

test('the ticker is off until asked, then shows each write as it commits, newest first', { timeout: 60_000 }, async () => {
  await page.goto(`${BASE}/`, { waitUntil: 'load' });
  await page.locator('#f-org option[value="meta"]').waitFor({ state: 'attached' });
  assert.equal(await page.getAttribute('#ticker-toggle', 'aria-pressed'), 'false');
  assert.match(await page.textContent('#ticker-status'), /Off/);

  await page.click('#ticker-toggle');
  assert.equal(await page.getAttribute('#ticker-toggle', 'aria-pressed'), 'true');
  assert.match(page.url(), /live=1/, 'the choice is kept in the URL');
  await page.waitForFunction(() => document.querySelector('#ticker-status')?.textContent.includes('Listening'));
  await page.waitForTimeout(500); // the stream is open on the server

  for (const n of [1, 2]) {
    const s = await write('POST', '/sources', { url: `https://news.example/ticker-${RUN}-${n}`, title: `Ticker probe ${RUN} ${n}` });
    made.push(s.id);
  }
  await page.waitForFunction((run) => document.querySelectorAll('#ticker-list li').length >= 2 &&
    document.querySelector('#ticker-list li')?.textContent.includes(`Ticker probe ${run} 2`), RUN, { timeout: 15_000 });
  const shown = await items();
  assert.match(shown[0], new RegExp(`Source recorded · Ticker probe ${RUN} 2`));
  assert.match(shown[1], new RegExp(`Source recorded · Ticker probe ${RUN} 1`));
});

test('choosing an organization follows that organization only', { timeout: 60_000 }, async () => {
  await page.selectOption('#f-org', 'meta');
  await page.waitForFunction(() => document.querySelectorAll('#ticker-list li').length === 0);
  await page.waitForTimeout(500);
  const other = await write('POST', '/sources', { url: `https://news.example/ticker-${RUN}-3`, title: `Ticker probe ${RUN} 3` });
  made.push(other.id);
  await write('PATCH', '/organizations/meta', { description: `Followed live ${RUN}` });
  await page.waitForFunction(() => document.querySelectorAll('#ticker-list li').length >= 1, null, { timeout: 15_000 });
  const shown = await items();
  assert.equal(shown.length, 1, `only Meta's change: ${shown.join(' | ')}`);
  assert.match(shown[0], /Organization corrected · Meta/);
});

test('"Stop following" closes the stream', async () => {
  await page.click('#ticker-toggle');
  assert.equal(await page.getAttribute('#ticker-toggle', 'aria-pressed'), 'false');
  assert.match(await page.textContent('#ticker-status'), /Off/);
  assert.doesNotMatch(page.url(), /live=1/);
});

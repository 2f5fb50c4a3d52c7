// Browser test of the built-in dashboard (GET /) in headless Debian Chromium through playwright-core.
// Needs a server with the sample dataset loaded (`orgwatch load-sample`).
//
// Environment:
//   ORGWATCH_TEST_URL   server under test (default http://127.0.0.1:18080)
//   CHROMIUM            the browser (default /usr/bin/chromium; never `npx playwright install`)
//
// Saves a full-page screenshot to build/dashboard.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, launchBrowser, saveScreenshot, settled as panelsSettled, watchProblems } from './lib.mjs';

let browser;
let context;
let page;
const problems = []; // console errors, page errors, failed requests and HTTP errors

before(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  watchProblems(page, problems);
  await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
});

after(async () => {
  if (page) await saveScreenshot(page, '/', '#org-tree li', 'dashboard.png');
  await browser?.close();
});

/** Waits until every panel has finished loading. */
const settled = () => panelsSettled(page);

const bar = (key) => page.locator(`#month-chart g.bar[data-key="${key}"]`);
const rowOf = (name) => page.locator('#dep-rows tr', { hasText: name });

test('the page loads with the sample story, without errors', async () => {
  await settled();
  assert.match(await page.title(), /orgwatch/);
  assert.match(await page.locator('h1').innerText(), /orgwatch/);
  assert.match(await page.locator('#lede').innerText(), /5 departures/);
  assert.deepEqual(problems, []);
});

test('the month chart has bars; April 2024 shows 3', async () => {
  await bar('2024-04').waitFor();
  assert.ok(await page.locator('#month-chart g.bar').count() >= 3, 'several month bars');
  assert.equal(await bar('2024-04').getAttribute('data-count'), '3');
  assert.equal((await bar('2024-04').locator('text.count').textContent()).trim(), '3');
  // departures known only to the year are drawn apart, not in January
  const unknown = page.locator('#month-chart g.bar-unknown[data-key="2024-unknown"]');
  assert.equal(await unknown.getAttribute('data-count'), '1');
  assert.equal(await bar('2024-01').getAttribute('data-count'), '0');
  assert.match(await page.locator('#time-note').innerText(), /only by year/);
});

test('destinations and flows show where people went', async () => {
  const dest = page.locator('#dest-list li.hbar');
  assert.ok(await dest.count() >= 3);
  assert.match(await dest.first().innerText(), /Memories\.ai\s+2/);
  assert.equal(await page.locator('#dest-list li.hbar-unknown').count(), 1);
  const flow = page.locator('#flow-chart svg');
  await flow.waitFor();
  assert.ok(await flow.locator('path.link').count() >= 3);
  assert.match(await flow.innerHTML(), /Automind/);
  assert.match(await flow.innerHTML(), /Unknown/);
});

test('the table lists Erik Meijer, gone to Automind, with a source link', async () => {
  const row = rowOf('Erik Meijer');
  await row.waitFor();
  assert.match(await row.innerText(), /Automind/);
  const link = row.locator('a.src-link').first();
  assert.match(await link.getAttribute('href'), /^https:\/\//);
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /noopener/);
  assert.equal(await page.locator('#dep-rows tr').count(), 5);
});

test('the kind and organization filters update the chart and the table', async () => {
  await page.selectOption('#f-kind', 'fired');
  await settled();
  assert.equal(await page.locator('#month-chart g.bar').count(), 0);
  assert.match(await page.locator('#month-chart').innerText(), /No departures match/);
  assert.equal(await page.locator('#dep-rows tr.empty-row').count(), 1);
  assert.equal(await rowOf('Erik Meijer').count(), 0);

  await page.selectOption('#f-kind', 'resigned');
  await settled();
  assert.equal(await bar('2024-04').getAttribute('data-count'), '3');
  assert.equal(await rowOf('Erik Meijer').count(), 1);

  await page.selectOption('#f-org', 'automind'); // nobody left Automind
  await settled();
  assert.equal(await page.locator('#month-chart g.bar').count(), 0);
  assert.equal(await page.locator('#dep-rows tr.empty-row').count(), 1);

  await page.selectOption('#f-org', 'meta');
  await settled();
  assert.equal(await bar('2024-04').getAttribute('data-count'), '3');
  assert.equal(await page.locator('#dep-rows tr:not(.empty-row)').count(), 5);
  // the team list follows the organization
  await page.selectOption('#f-team', { label: 'FAIR (Fundamental AI Research)' });
  await settled();
  assert.equal(await page.locator('#dep-rows tr:not(.empty-row)').count(), 1);
  assert.equal(await rowOf('Abhishek Das').count(), 1);

  await page.click('#f-reset');
  await settled();
  assert.equal(await page.locator('#dep-rows tr:not(.empty-row)').count(), 5);
});

test('searching a person filters the table', async () => {
  await page.fill('#t-q', 'Parikh');
  await page.press('#t-q', 'Enter');
  await settled();
  await page.waitForFunction(() => document.querySelectorAll('#dep-rows tr').length === 1);
  assert.equal(await rowOf('Devi Parikh').count(), 1);
  await page.locator('#chips .chip-x').first().click();
  await settled();
  await page.waitForFunction(() => document.querySelectorAll('#dep-rows tr').length === 5);
});

test('the org chart of Meta: LeCun under Thomas Wang in June 2025, not in June 2024', async () => {
  const underWang = page.locator('#org-tree li[data-person="thomas-wang"] li[data-person="yann-lecun"]');
  await page.selectOption('#oc-org', 'meta');
  await page.fill('#oc-date', '2025-06-01');
  await page.dispatchEvent('#oc-date', 'change');
  await settled();
  await underWang.waitFor();
  assert.match(await page.locator('#org-summary').innerText(), /1 June 2025/);
  assert.equal(await page.locator('#oc-slider').inputValue(), String((2025 - 2013) * 12 + 5));

  await page.fill('#oc-date', '2024-06-01');
  await page.dispatchEvent('#oc-date', 'change');
  await settled();
  await page.locator('#org-summary', { hasText: '1 June 2024' }).waitFor();
  assert.equal(await underWang.count(), 0);
  assert.equal(await page.locator('#org-tree li[data-person="yann-lecun"]').count(), 1);
  // Chi-Hao Wu left within the following year (2025): highlighted
  assert.match(await page.locator('#org-tree li[data-person="chi-hao-wu"]').getAttribute('class'), /left/);

  // the slider moves the chart too
  await page.locator('#oc-slider').fill(String((2025 - 2013) * 12 + 5));
  await page.locator('#org-summary', { hasText: '1 June 2025' }).waitFor();
  await settled();
  await underWang.waitFor();
});

test('Download CSV saves the departures as CSV with a header row', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const file = await download.path();
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\uFEFF?id,person_id,person,/);
  assert.match(text, /Erik Meijer/);
  assert.equal(text.trim().split(/\r?\n/).length, 6);
});

test('no console errors, page errors or failed requests along the way', () => {
  assert.deepEqual(problems, []);
});

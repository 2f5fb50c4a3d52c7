// Browser test of the dashboard's layoffs view (issue 26) in headless Debian Chromium through
// playwright-core: people laid off per month (the bars add up to /stats/layoffs), layoffs with
// no count shown apart and never drawn, the largest layoffs with their sources, the breakdowns
// by industry and by country, the shared filters and the CSV links.
// Reads only: the browser layer runs on the untouched sample (`orgwatch load-sample`: two Meta
// layoffs in November 2022, both with a count). Unknown counts, which the sample lacks, are
// checked on a second page whose /stats/layoffs and /layoffs answers are made up in the
// browser (page.route), so nothing is written to the server.
//
// Environment:
//   ORGWATCH_TEST_URL   server under test (default http://127.0.0.1:18080)
//   CHROMIUM            the browser (default /usr/bin/chromium; never `npx playwright install`)
//
// Saves a full-page screenshot to build/layoffs.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, launchBrowser, saveScreenshot, settled as panelsSettled, watchProblems } from './lib.mjs';

let browser;
let context;
let page;
const problems = []; // console errors, page errors, failed requests and HTTP errors

/** Collects what goes wrong on a page into problems. */
const watch = (p) => watchProblems(p, problems);

before(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  watch(page);
  await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
});

after(async () => {
  if (page) await saveScreenshot(page, '/#view=layoffs', '#layoff-chart svg', 'layoffs.png');
  await browser?.close();
});

/** Waits until every panel of p has finished loading. */
const settled = (p = page) => panelsSettled(p);

async function getJson(pathAndQuery) {
  const res = await fetch(`${BASE}${pathAndQuery}`);
  assert.equal(res.status, 200, pathAndQuery);
  return res.json();
}

/** The sum of an attribute over the elements a selector matches. */
const sumOf = (p, selector, attr) => p.$$eval(selector, (els, a) => els.reduce((n, el) => n + Number(el.getAttribute(a)), 0), attr);
const hrefOf = (id) => page.locator(`#${id}`).getAttribute('href');
const bar = (p, key) => p.locator(`#layoff-chart g.bar[data-key="${key}"]`);

test('the switch shows the layoffs view, with the sample, without errors', async () => {
  await settled();
  assert.equal(await page.locator('#s-layoffs').isVisible(), false, 'the departures view comes first');
  await page.click('#show-layoffs');
  await settled();
  assert.equal(await page.getAttribute('#show-layoffs', 'aria-pressed'), 'true');
  assert.match(page.url(), /[#&]view=layoffs(&|$)/);
  for (const id of ['s-layoffs', 's-largest', 's-industry', 's-country']) assert.ok(await page.locator(`#${id}`).isVisible(), id);
  for (const id of ['s-time', 's-table', 'f-team', 'f-kind']) assert.equal(await page.locator(`#${id}`).isVisible(), false, id);
  assert.match(await page.locator('#l-lede').innerText(), /11,050 people laid off in 2 layoffs at 1 organization/);
  assert.deepEqual(problems, []);
});

test('the month bars add up to the total of /stats/layoffs; no count is guessed', async () => {
  const stats = await getJson('/stats/layoffs?group_by=month');
  await bar(page, '2022-11').waitFor();
  assert.ok(stats.total.laid_off > 0);
  assert.equal(await sumOf(page, '#layoff-chart g.bar', 'data-laid-off'), stats.total.laid_off);
  assert.equal(await page.locator('#layoff-chart g.bar').count(), stats.groups.length);
  assert.equal(await bar(page, '2022-11').getAttribute('data-laid-off'), '11050');
  assert.equal((await bar(page, '2022-11').locator('text.count').textContent()).trim(), '11,050');
  // the sample's two layoffs both have a count: no marker of unknown counts
  assert.equal(stats.total.without_count, 0);
  assert.equal(await page.locator('#layoff-chart g.nocount').count(), 0);
  assert.match(await page.locator('#l-kpis').innerText(), /0\s+WITH NO COUNT REPORTED/i);
});

test('the largest layoffs are listed largest first, with their sources as links', async () => {
  const rows = page.locator('#layoff-rows tr');
  assert.equal(await rows.count(), 2);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-count'))), ['11000', '50']);
  assert.match(await rows.nth(0).innerText(), /Meta[\s\S]*Nov 2022[\s\S]*11,000/);
  assert.match(await rows.nth(1).innerText(), /Probability[\s\S]*50[\s\S]*100%/);
  for (let i = 0; i < 2; i++) {
    const link = rows.nth(i).locator('a.src-link');
    assert.equal(await link.count(), 1);
    assert.match(await link.getAttribute('href'), /^https:\/\/example\.org\/sources\//);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.match(await link.getAttribute('rel'), /noopener/);
  }
  assert.match(await rows.nth(0).locator('.src-pub').innerText(), /ReadWrite/);
  assert.equal(await page.locator('#ll-nocount table').count(), 0);
});

test('the breakdowns by industry and by country', async () => {
  const industry = page.locator('#industry-list li.hbar');
  assert.equal(await industry.count(), 1);
  assert.equal(await industry.first().getAttribute('data-key'), 'Consumer');
  assert.equal(await industry.first().getAttribute('data-laid-off'), '11050');
  assert.match(await industry.first().innerText(), /Consumer\s+11,050/);
  const country = page.locator('#country-list li.hbar');
  assert.equal(await country.count(), 1);
  assert.equal(await country.first().getAttribute('data-key'), 'US');
  assert.match(await country.first().innerText(), /United States\s+11,050/);
});

test('the filters update the view, the hash and the CSV links', async () => {
  assert.equal(await hrefOf('lt-csv'), '/stats/layoffs.csv?group_by=month');
  assert.equal(await hrefOf('ll-csv'), '/layoffs.csv?all=true');

  await page.selectOption('#f-industry', 'AI'); // Meta is "Consumer": no layoff
  await settled();
  assert.equal(await page.locator('#layoff-chart g.bar').count(), 0);
  assert.match(await page.locator('#layoff-chart').innerText(), /No layoffs match/);
  assert.equal(await page.locator('#layoff-rows tr.empty-row').count(), 1);
  assert.match(await page.locator('#industry-list').innerText(), /No layoffs match/);
  assert.match(await page.locator('#l-lede').innerText(), /No layoffs match/);
  assert.equal(await hrefOf('lt-csv'), '/stats/layoffs.csv?group_by=month&industry=AI');
  assert.equal(await hrefOf('ll-csv'), '/layoffs.csv?industry=AI&all=true');
  assert.equal(await hrefOf('li-csv'), '/stats/layoffs.csv?group_by=industry&industry=AI');
  assert.match(page.url(), /industry=AI/);

  await page.selectOption('#f-industry', '');
  await page.selectOption('#f-country', 'US');
  await page.selectOption('#f-org', 'meta');
  await page.fill('#f-from', '2022-11');
  await page.dispatchEvent('#f-from', 'change');
  await page.fill('#f-to', '2022-12');
  await page.dispatchEvent('#f-to', 'change');
  await settled();
  await bar(page, '2022-12').waitFor();
  assert.equal(await page.locator('#layoff-chart g.bar').count(), 2); // the empty months from..to are drawn
  assert.equal(await bar(page, '2022-11').getAttribute('data-laid-off'), '11050');
  assert.equal(await bar(page, '2022-12').getAttribute('data-laid-off'), '0');
  assert.match(await page.locator('#lt-sub').innerText(), /Meta, United States, Nov 2022 – Dec 2022/);
  const q = 'org=meta&from=2022-11&to=2022-12&country=US';
  assert.equal(await hrefOf('lt-csv'), `/stats/layoffs.csv?group_by=month&${q}`);
  assert.equal(await hrefOf('ll-csv'), `/layoffs.csv?${q}&all=true`);
  assert.equal(await hrefOf('li-csv'), `/stats/layoffs.csv?group_by=industry&${q}`);
  assert.equal(await hrefOf('lc-csv'), `/stats/layoffs.csv?group_by=country&${q}`);

  // the links answer what the view shows
  const monthCsv = await (await fetch(`${BASE}${await hrefOf('lt-csv')}`)).text();
  assert.match(monthCsv, /^key,label,layoffs,laid_off,without_count,orgs\r?\n2022-11,November 2022,2,11050,0,1\r?\n2022-12,/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ll-csv')]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /^\uFEFF?id,org_id,org,/);
  assert.equal(text.trim().split(/\r?\n/).length, 3);

  // a shared link opens the same view with the same filters
  const shared = await context.newPage();
  watch(shared);
  await shared.goto(page.url(), { waitUntil: 'networkidle' });
  await settled(shared);
  assert.equal(await shared.locator('#s-layoffs').isVisible(), true);
  assert.equal(await shared.locator('#f-country').inputValue(), 'US');
  assert.equal(await shared.locator('#lt-csv').getAttribute('href'), `/stats/layoffs.csv?group_by=month&${q}`);
  await shared.close();

  await page.click('#f-reset');
  await settled();
  assert.equal(await hrefOf('lt-csv'), '/stats/layoffs.csv?group_by=month');
  assert.equal(await page.locator('#layoff-rows tr:not(.empty-row)').count(), 2);
});

test('layoffs with no count are shown apart, never added to the bars (made-up answers)', async () => {
  const months = {
    group_by: 'month',
    groups: [
      { key: '2022-10', label: 'October 2022', layoffs: 1, laid_off: 0, without_count: 1, orgs: 1 },
      { key: '2022-11', label: 'November 2022', layoffs: 4, laid_off: 11050, without_count: 2, orgs: 2 },
      { key: '2022-12', label: 'December 2022', layoffs: 0, laid_off: 0, without_count: 0, orgs: 0 },
      { key: '2022-unknown', label: '2022 (month unknown)', layoffs: 2, laid_off: 300, without_count: 1, orgs: 1 },
    ],
    total: { layoffs: 7, laid_off: 11350, without_count: 4, orgs: 3 },
  };
  const list = await getJson('/layoffs?limit=1000');
  const noCount = { ...list.items[0], id: '00000000-0000-4000-8000-000000000026', count: null, percentage: 10, location: 'Dublin' };
  const mocked = await context.newPage();
  watch(mocked);
  await mocked.route((u) => u.pathname === '/stats/layoffs' && u.searchParams.get('group_by') === 'month',
    (route) => route.fulfill({ json: months }));
  const listed = [];
  await mocked.route((u) => u.pathname === '/layoffs', (route) => {
    listed.push(new URL(route.request().url()).searchParams);
    return route.fulfill({ json: { items: [...list.items, noCount], next_cursor: null } });
  });
  await mocked.goto(`${BASE}/#view=layoffs`, { waitUntil: 'networkidle' });
  await settled(mocked);
  await bar(mocked, '2022-11').waitFor();
  // the bars are the counts reported, no more
  assert.equal(await sumOf(mocked, '#layoff-chart g.bar', 'data-laid-off'), months.total.laid_off);
  assert.equal(await bar(mocked, '2022-10').locator('rect.col').count(), 0, 'a month of unknown counts has no bar');
  // the unknown counts are marked apart, under their month
  const markers = mocked.locator('#layoff-chart g.nocount');
  assert.equal(await markers.count(), 3);
  assert.equal(await sumOf(mocked, '#layoff-chart g.nocount', 'data-without-count'), months.total.without_count);
  assert.equal((await bar(mocked, '2022-11').locator('g.nocount text').textContent()).trim(), '2');
  assert.match(await mocked.locator('#lt-note').innerText(), /4 layoffs with no count reported[\s\S]*not added to the bars/);
  // the year-only layoffs are a bar of their own, not January's
  assert.match(await bar(mocked, '2022-unknown').getAttribute('class'), /bar-unknown/);
  assert.match(await mocked.locator('#lt-note').innerText(), /only by year \(2022: 300 people\)/);
  assert.match(await mocked.locator('#l-lede').innerText(), /^At least 11,350 people/);
  // the largest come from the server, ranked there (one page of /layoffs?sort=-count); a layoff
  // with no count (last in that order) is not ranked, its percentage not turned into a count;
  // the layoffs with no count are counted apart, from the statistic's total
  assert.deepEqual(listed.map((p) => [p.get('sort'), p.get('limit')]), [['-count', '15']]);
  assert.equal(await mocked.locator(`#layoff-rows tr[data-id="${noCount.id}"]`).count(), 0);
  assert.match(await mocked.locator('#ll-nocount').innerText(), /4 layoffs with no count reported — not ranked, not guessed/i);
  await mocked.close();
});

test('no console errors, page errors or failed requests along the way', () => {
  assert.deepEqual(problems, []);
});

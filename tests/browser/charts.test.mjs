// Browser test of the charts that embed anywhere (issue 30), in headless Debian Chromium
// through playwright-core, on the untouched sample dataset:
//   - each chart as an <img> of its .svg URL in a page of another origin (about:blank): it
//     loads and has a size, with no console error and no failed request;
//   - each chart's /embed page in an <iframe>: the SVG inline (role=img), the visually hidden
//     table of its numbers, the sources line, and the height message posted to the parent;
//   - the dashboard's "Share" control of each chart: URLs for the current filters, the image
//     answering 200 image/svg+xml, the iframe and img snippets, the copy buttons;
//   - screenshots, light and dark, 320 and 1200 px wide, of each chart into build/test/charts/
//     for a person to look at (nothing here compares their pixels).
//
// Environment:
//   ORGWATCH_TEST_URL   server under test (default http://127.0.0.1:18080)
//   CHROMIUM            the browser (default /usr/bin/chromium; never `npx playwright install`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BASE, REPO, launchBrowser, settled, watchProblems } from './lib.mjs';

const SHOTS = path.join(REPO, 'build', 'test', 'charts');

/** The charts of the sample: name, the SVG's URL, its embed page's URL (same query). */
const CHARTS = [
  { name: 'departures', svg: '/charts/departures-by-month.svg?org=meta&stack=kind', embed: '/embed/charts/departures-by-month?org=meta&stack=kind' },
  { name: 'layoffs', svg: '/charts/layoffs-by-month.svg', embed: '/embed/charts/layoffs-by-month' },
  { name: 'flows', svg: '/charts/flows.svg?org=meta', embed: '/embed/charts/flows?org=meta' },
  {
    name: 'org',
    svg: '/organizations/meta/chart.svg?as_of=2025-07-01&departed_since=2024-01-01',
    embed: '/embed/organizations/meta/chart?as_of=2025-07-01&departed_since=2024-01-01',
  },
];

let browser;
let context;

before(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
});

after(async () => {
  await browser?.close();
});

/** A new page whose console errors, page errors, failed requests and HTTP errors are collected. */
async function watchedPage() {
  const page = await context.newPage();
  return { page, problems: watchProblems(page, []) };
}

/** Waits until every <img> of the page has loaded or failed. */
const imagesDone = (page) => page.waitForFunction(() => [...document.images].every((i) => i.complete));

const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

test('each chart renders as an <img> of its .svg URL on a page of another origin', async () => {
  const { page, problems } = await watchedPage();
  const imgs = CHARTS.map((c) => `<p><img id="img-${c.name}" src="${esc(BASE + c.svg)}" alt="${c.name}"></p>`).join('\n');
  await page.setContent(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An article</title></head><body><h1>An article</h1>\n${imgs}\n</body></html>`);
  await imagesDone(page);
  for (const c of CHARTS) {
    const size = await page.$eval(`#img-${c.name}`, (i) => ({ w: i.naturalWidth, h: i.naturalHeight }));
    assert.ok(size.w >= 320 && size.h > 0, `${c.svg} drawn as an image: ${JSON.stringify(size)}`);
    assert.equal(size.w, 800, `${c.svg}: 800 px wide by default`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('each chart renders through its /embed page in an <iframe>, which tells the parent its height', async () => {
  for (const c of CHARTS) {
    const { page, problems } = await watchedPage();
    // the parent keeps every message it receives, as an article's page would
    await page.setContent(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An article</title>
<script>window.msgs = []; addEventListener('message', (e) => window.msgs.push({ data: e.data, fromFrame: e.source === document.querySelector('iframe').contentWindow }));</script>
</head><body><h1>An article</h1><iframe src="${esc(BASE + c.embed)}" width="800" height="533" style="border:0" title="${c.name}"></iframe></body></html>`);
    await page.waitForFunction(() => window.msgs.some((m) => m.data && m.data.type === 'orgwatch:height'), null, { timeout: 10000 });
    const msg = (await page.evaluate(() => window.msgs)).find((m) => m.data && m.data.type === 'orgwatch:height');
    assert.ok(msg.fromFrame, `${c.embed}: the message comes from the iframe`);
    assert.equal(typeof msg.data.height, 'number');
    assert.ok(msg.data.height > 100, `${c.embed}: height ${msg.data.height}`);
    assert.equal(msg.data.src, BASE + c.embed, 'src names the embed page');

    const frame = await (await page.$('iframe')).contentFrame();
    assert.equal(frame.url(), BASE + c.embed);
    await frame.waitForLoadState('load');
    assert.equal(await frame.locator('svg[role="img"]').count(), 1, `${c.embed}: the SVG inline`);
    assert.match(await frame.locator('svg[role="img"] > title').textContent(), /\S/, 'the SVG has a title');
    assert.equal(await frame.locator('script:not(body > script)').count(), 0, 'no script in the SVG');
    const heightNow = await frame.evaluate(() => document.documentElement.scrollHeight);
    assert.equal(msg.data.height, heightNow, 'the height posted is the page\'s');
    // the numbers as a table a screen reader reads, hidden from sight
    const table = frame.locator('table').first();
    assert.ok(await frame.locator('table tr').count() >= 2, `${c.embed}: a table with a header and rows`);
    const box = await table.evaluate((t) => {
      const r = t.getBoundingClientRect();
      let hidden = false;
      for (let el = t; el; el = el.parentElement) {
        const cs = getComputedStyle(el);
        if (parseFloat(cs.width) <= 1 && cs.overflow === 'hidden') hidden = true;
      }
      return { w: r.width, h: r.height, hidden };
    });
    assert.ok(box.hidden, `${c.embed}: the table is visually hidden ${JSON.stringify(box)}`);
    assert.match(await frame.locator('p.sources').innerText(), /^Sources?: \S/, `${c.embed}: the sources line`);
    assert.ok(await frame.locator('p.sources').isVisible());
    assert.deepEqual(problems, [], c.embed);
    await page.close();
  }
});

test('screenshots of every chart, light and dark, 320 and 1200 px wide, into build/test/charts/', async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { page, problems } = await watchedPage();
  await page.setViewportSize({ width: 1300, height: 900 });
  for (const c of CHARTS) {
    for (const theme of ['light', 'dark']) {
      for (const width of [320, 1200]) {
        const src = `${BASE}${c.svg}${c.svg.includes('?') ? '&' : '?'}theme=${theme}&width=${width}`;
        await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;background:#888}img{display:block}</style></head><body><img id="c" src="${esc(src)}" alt=""></body></html>`);
        await imagesDone(page);
        const w = await page.$eval('#c', (i) => i.naturalWidth);
        assert.ok(w >= width, `${src}: at least ${width} px wide, got ${w}`);
        await page.locator('#c').screenshot({ path: path.join(SHOTS, `${c.name}-${theme}-${width}.png`) });
      }
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});

// ------------------------------------------------------------------ the dashboard's Share control

/** Opens a Share control and returns its three texts and the iframe/img snippets parsed. */
async function openShare(page, id) {
  const box = page.locator(`#${id}`);
  if (!(await box.evaluate((d) => d.open))) {
    // an open control's panel may cover this one's button: Escape closes it, as a reader would
    const open = page.locator('details.share[open]');
    if (await open.count()) {
      await open.locator('summary').focus();
      await page.keyboard.press('Escape');
      assert.equal(await open.count(), 0, 'Escape closes the open control');
    }
    await box.locator('summary').click();
    assert.equal(await page.locator('details.share[open]').count(), 1, 'one control open at a time');
  }
  await box.locator('.share-body').waitFor();
  // the fields are filled on the control's toggle event, which comes after the click
  await box.locator('[data-share-field="image"]').evaluate((f) => new Promise((resolve) => {
    const done = () => (f.value.startsWith('http') ? resolve() : setTimeout(done, 20));
    done();
  }));
  const field = (k) => box.locator(`[data-share-field="${k}"]`).inputValue();
  const texts = { image: await field('image'), iframe: await field('iframe'), img: await field('img') };
  const parsed = await page.evaluate(({ iframe, img }) => {
    const t = document.createElement('template');
    t.innerHTML = iframe + img;
    const f = t.content.querySelector('iframe');
    const i = t.content.querySelector('img');
    return {
      count: t.content.childElementCount,
      iframe: f && { src: f.getAttribute('src'), width: f.getAttribute('width'), height: f.getAttribute('height'), title: f.getAttribute('title'), style: f.getAttribute('style'), loading: f.getAttribute('loading') },
      img: i && { src: i.getAttribute('src'), alt: i.getAttribute('alt') },
    };
  }, texts);
  return { box, texts, parsed };
}

/** The path and the query parameters of a URL of the server under test. */
function parts(u) {
  const x = new URL(u);
  assert.equal(x.origin, new URL(BASE).origin, `${u} is on the dashboard's origin`);
  return { path: x.pathname, params: Object.fromEntries(x.searchParams) };
}

async function answers(u, type) {
  const res = await fetch(u);
  assert.equal(res.status, 200, `${u} → ${res.status}`);
  assert.match(res.headers.get('content-type'), new RegExp(`^${type.replace('+', '\\+')}`), u);
  return res.text();
}

test('the dashboard\'s Share controls give the image, iframe and img of each chart for the current filters', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  const page = await ctx.newPage();
  const problems = watchProblems(page, [], { failedRequests: false });
  try {
    await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
    await settled(page);

    // with no filter: the bare chart URLs
    let s = await openShare(page, 'share-departures');
    assert.equal(s.texts.image, `${BASE}/charts/departures-by-month.svg`);

    await page.selectOption('#f-org', 'meta');
    await settled(page);
    await page.selectOption('#f-kind', 'resigned');
    await page.fill('#f-from', '2024-01');
    await page.dispatchEvent('#f-from', 'change');
    await settled(page);
    const want = { org: 'meta', kind: 'resigned', from: '2024-01' };

    // the month chart: every filter of the view (the open control followed the filters)
    s = await openShare(page, 'share-departures');
    assert.deepEqual(parts(s.texts.image), { path: '/charts/departures-by-month.svg', params: want });
    const svg = await answers(s.texts.image, 'image/svg+xml');
    assert.match(svg, /<svg[^>]*role="img"/);
    assert.match(svg, /Meta/);
    assert.equal(s.parsed.count, 2, 'the snippets are one iframe and one img');
    assert.deepEqual(parts(s.parsed.iframe.src), { path: '/embed/charts/departures-by-month', params: want });
    assert.deepEqual([s.parsed.iframe.width, s.parsed.iframe.height, s.parsed.iframe.loading], ['800', '533', 'lazy']);
    assert.match(s.parsed.iframe.style, /border:\s*0/);
    assert.match(s.parsed.iframe.title, /Departures per month from Meta/);
    assert.equal(s.parsed.img.src, s.texts.image);
    assert.match(s.parsed.img.alt, /Departures per month from Meta/);
    assert.match(await answers(s.parsed.iframe.src, 'text/html'), /<svg[^>]*role="img"/);

    // copy: the clipboard holds the text, the control says so
    await s.box.locator('[data-copy="iframe"]').click();
    await page.waitForFunction((id) => /Copied/.test(document.querySelector(`#${id} [data-copy="iframe"] + .share-status`).textContent), 'share-departures');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), s.texts.iframe);

    // the flows: the filters less team and kind
    s = await openShare(page, 'share-flows');
    assert.deepEqual(parts(s.texts.image), { path: '/charts/flows.svg', params: { org: 'meta', from: '2024-01' } });
    await answers(s.texts.image, 'image/svg+xml');
    assert.deepEqual(parts(s.parsed.iframe.src), { path: '/embed/charts/flows', params: { org: 'meta', from: '2024-01' } });

    // the org chart: the organization and the day shown
    const asOf = await page.inputValue('#oc-date');
    assert.match(asOf, /^\d{4}-\d{2}-\d{2}$/);
    s = await openShare(page, 'share-org');
    assert.deepEqual(parts(s.texts.image), { path: '/organizations/meta/chart.svg', params: { as_of: asOf } });
    await answers(s.texts.image, 'image/svg+xml');
    assert.deepEqual(parts(s.parsed.iframe.src), { path: '/embed/organizations/meta/chart', params: { as_of: asOf } });
    await page.fill('#oc-date', '2024-06-01');
    await page.dispatchEvent('#oc-date', 'change');
    await settled(page);
    // the open control follows the day (it is written again once the chart has loaded)
    let followed = '';
    for (let i = 0; i < 50 && !followed.includes('as_of=2024-06-01'); i++) {
      followed = await s.box.locator('[data-share-field="image"]').inputValue();
      if (!followed.includes('as_of=2024-06-01')) await page.waitForTimeout(100);
    }
    assert.deepEqual(parts(followed).params, { as_of: '2024-06-01' }, 'the open control follows the day');

    // without a clipboard API, copying selects the text for Ctrl+C
    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }));
    await s.box.locator('[data-copy="image"]').click();
    const sel = await s.box.locator('[data-share-field="image"]').evaluate((f) => ({ start: f.selectionStart, end: f.selectionEnd, len: f.value.length, focused: document.activeElement === f }));
    assert.deepEqual(sel, { start: 0, end: sel.len, len: sel.len, focused: true });
    assert.match(await s.box.locator('[data-copy="image"] + .share-status').textContent(), /Ctrl\+C/);

    // the layoffs view: its month chart with the broad filters
    await page.click('#show-layoffs');
    await settled(page);
    s = await openShare(page, 'share-layoffs');
    assert.deepEqual(parts(s.texts.image), { path: '/charts/layoffs-by-month.svg', params: { org: 'meta', from: '2024-01' } });
    await answers(s.texts.image, 'image/svg+xml');
    assert.deepEqual(parts(s.parsed.iframe.src), { path: '/embed/charts/layoffs-by-month', params: { org: 'meta', from: '2024-01' } });
    assert.match(s.parsed.iframe.title, /laid off per month at Meta/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-share-layoffs.png') });
    await page.click('#show-departures');
    await settled(page);
    await openShare(page, 'share-departures');
    await page.locator('#s-time').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-share-departures.png') });
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});

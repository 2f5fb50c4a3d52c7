// lib.mjs — what the browser tests share: the server and browser they use (from the
// environment), launching headless Chromium, collecting what goes wrong on a page, waiting for
// the dashboard's panels, and the screenshot a test leaves in build/.
//
// Environment:
//   ORGWATCH_TEST_URL   server under test (default http://127.0.0.1:18080)
//   CHROMIUM            the browser (default /usr/bin/chromium; never `npx playwright install`)
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BASE = (process.env.ORGWATCH_TEST_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';

/** Headless Chromium, without the sandbox, the GPU or any background traffic of its own. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Collects what goes wrong on page into problems: console errors, page errors, HTTP errors and,
 * unless failedRequests is false, failed requests. A blob: URL is never counted as failed: a
 * download's blob: URL is handed to the download manager, which Playwright reports as aborted.
 */
export function watchProblems(page, problems, { failedRequests = true } = {}) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  if (failedRequests) {
    page.on('requestfailed', (req) => {
      if (!req.url().startsWith('blob:')) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
    });
  }
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

/** Waits until every panel of the dashboard on page has finished loading. */
export function settled(page) {
  return page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0 &&
    document.querySelectorAll('.status-loading').length === 0);
}

/**
 * Opens BASE + url on page, waits for the first element matching ready and saves a full-page
 * screenshot to build/<file> for a person to look at; a failure is only reported.
 */
export async function saveScreenshot(page, url, ready, file) {
  try {
    mkdirSync(path.join(REPO, 'build'), { recursive: true });
    await page.goto(`${BASE}${url}`, { waitUntil: 'networkidle' });
    await page.locator(ready).first().waitFor();
    await page.screenshot({ path: path.join(REPO, 'build', file), fullPage: true });
  } catch (e) {
    console.error(`screenshot failed: ${e.message}`);
  }
}

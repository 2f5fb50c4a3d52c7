// Golden files of the charts (issue 30): each chart of the sample data, as SVG, byte for byte
// as tests/golden/charts/ holds it. Identical parameters and data must give identical bytes
// on any machine and any load of the sample (nothing in a chart depends on ids, the time of
// the load or the clock). Runs in the browser layer, which reads the untouched sample.
// ORGWATCH_UPDATE_GOLDEN=1 writes the files instead (then look at them before committing).
//
// Environment: ORGWATCH_TEST_URL (default http://127.0.0.1:18080).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { BASE, REPO } from './lib.mjs';

const DIR = path.join(REPO, 'tests/golden/charts');
const UPDATE = process.env.ORGWATCH_UPDATE_GOLDEN === '1';

export const GOLDEN = [
  ['departures-meta', '/charts/departures-by-month.svg?org=meta'],
  ['departures-meta-kind-dark-480', '/charts/departures-by-month.svg?org=meta&stack=kind&theme=dark&width=480'],
  ['departures-all-reason-square', '/charts/departures-by-month.svg?stack=reason_category&aspect=square&from=2024&to=2025'],
  ['layoffs', '/charts/layoffs-by-month.svg'],
  ['layoffs-auto-320', '/charts/layoffs-by-month.svg?theme=auto&width=320&title=Layoffs%20at%20Meta'],
  ['flows-meta', '/charts/flows.svg?org=meta'],
  ['flows-all-social', '/charts/flows.svg?aspect=social&width=1200&top=5'],
  ['org-meta-2025', '/organizations/meta/chart.svg?as_of=2025-07-01&departed_since=2024-01-01'],
  ['org-meta-2024-auto-320', '/organizations/meta/chart.svg?as_of=2024-06-01&theme=auto&width=320'],
  ['org-meta-depth1', '/organizations/meta/chart.svg?as_of=2025-07-01&depth=1'],
];

for (const [name, url] of GOLDEN) {
  test(`golden: ${name} (${url})`, async () => {
    const res = await fetch(BASE + url);
    assert.equal(res.status, 200, `${url} → ${res.status}`);
    const text = await res.text();
    const file = path.join(DIR, `${name}.svg`);
    if (UPDATE) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, text);
      return;
    }
    const want = readFileSync(file, 'utf8');
    if (text !== want) {
      let i = 0;
      while (i < text.length && text[i] === want[i]) i++;
      assert.fail(`${url} differs from ${path.relative(REPO, file)} at byte ${i}:\n got: ${JSON.stringify(text.slice(Math.max(0, i - 80), i + 80))}\nwant: ${JSON.stringify(want.slice(Math.max(0, i - 80), i + 80))}`);
    }
  });
}

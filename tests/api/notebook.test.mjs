// notebook.test.mjs — issue 32: Debian's Python (/usr/bin/python3, whatever python3 is first on
// PATH) with pandas (python3-pandas) reads orgwatch's CSV
// URLs as a notebook would (tests/notebook/read_with_pandas.py) and checks rows, columns and
// totals against the JSON API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BASE, REPO } from './lib.mjs';

test('pandas.read_csv(url) reads a whole filtered list and the statistics, as the JSON API has them', () => {
  const r = spawnSync('/usr/bin/python3', [path.join(REPO, 'tests', 'notebook', 'read_with_pandas.py'), BASE], { encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  for (const line of r.stdout.trim().split('\n')) console.log(line);
  assert.match(out, /notebook read done: \d+ departures/);
});

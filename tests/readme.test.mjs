// The README's curl tour, run as a user would: every ```sh block, in order, in one bash
// session against the test server (http://127.0.0.1:8080 → ORGWATCH_TEST_URL, the
// `KEY=ow_paste_the_key_here` line → the editor key). Each block must end with status 0 and no
// command of it may fail, no answer may be a 5xx problem, and each block must print what its
// prose promises (JSON that parses, the import's counts, the 400 naming every bad field, ...).
// The tour creates a few records with fixed names (Žofie Dvořáková, Example Labs, Ada and Grace
// Example); what an earlier run left of them is deleted first, so the tour runs as on a
// database that has only the sample data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, BASE, keys, REPO } from './api/lib.mjs';
import { parseCsv } from './api/helpers-records.mjs';

const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const README_BASE = 'http://127.0.0.1:8080';
const KEY_LINE = /^KEY=ow_paste_the_key_here[ \t]*$/m;

/** The ```sh blocks of the README, in order. */
function shBlocks(md) {
  const blocks = [];
  const re = /^```sh[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m; (m = re.exec(md)); ) blocks.push(m[1]);
  return blocks;
}

/**
 * The JSON values at the start of a text printing several one after another (curl prints no
 * separator), and the rest of the text from the first character that starts no JSON value.
 */
export function leadingJson(text) {
  const values = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    let k = i;
    while (k < n && /\s/.test(text[k])) k++;
    if (k >= n || (text[k] !== '{' && text[k] !== '[')) return { values, rest: text.slice(k) };
    let depth = 0;
    let inString = false;
    let j = k;
    for (; j < n; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (--depth === 0) break;
      }
    }
    if (depth !== 0 || j >= n) throw new Error(`unterminated JSON at offset ${k}: ${JSON.stringify(text.slice(k, k + 80))}`);
    values.push(JSON.parse(text.slice(k, j + 1)));
    i = j + 1;
  }
}

/** Every JSON value of a text made only of JSON values printed one after another. */
export function jsonValues(text) {
  const { values, rest } = leadingJson(text);
  if (rest !== '') throw new Error(`not JSON: ${JSON.stringify(rest.slice(0, 80))}`);
  return values;
}

/** Problems of status 5xx among the JSON values (or lines) of an output. */
function serverErrors(text) {
  const found = [];
  const check = (v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.status === 'number' && v.status >= 500) found.push(v);
  };
  let values = [];
  let rest = text;
  try {
    ({ values, rest } = leadingJson(text));
  } catch {
    // not JSON from the start: look at each line
  }
  values.forEach(check);
  for (const line of rest.split('\n')) {
    try {
      check(JSON.parse(line));
    } catch {
      // not JSON: CSV, metrics, ...
    }
  }
  if (/^HTTP\/[\d.]+ 5\d\d/m.test(text)) found.push({ status: '5xx', text });
  return found;
}

// ------------------------------------------------------------------ one bash session

class BashSession {
  constructor(dir) {
    this.dir = dir;
    this.proc = spawn('bash', ['--noprofile', '--norc'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TMPDIR: os.tmpdir() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.buffer = '';
    this.waiters = [];
    this.proc.stdout.on('data', (d) => {
      this.buffer += d;
      this.wake();
    });
    this.proc.stderr.on('data', (d) => (this.stderr = (this.stderr || '') + d));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, sig) => resolve({ code, sig })));
    this.proc.once('exit', () => this.wake());
    // A failing command anywhere in a block is reported (the session goes on, so the next blocks still run).
    this.proc.stdin.write(`set -E; trap 'echo "__FAILED__ status=$? command: $BASH_COMMAND" >&2' ERR\n`);
  }

  wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Runs one block (sourced, so variables carry over); returns {status, out, err}. */
  async run(index, source, timeoutMs = 120_000) {
    const file = path.join(this.dir, `block-${index}.sh`);
    const out = path.join(this.dir, `out-${index}`);
    const err = path.join(this.dir, `err-${index}`);
    writeFileSync(file, source);
    const marker = `__BLOCK_${index}_DONE__`;
    this.proc.stdin.write(`source '${file}' >'${out}' 2>'${err}' </dev/null; echo "${marker} $?"\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = new RegExp(`${marker} (\\d+)\\n`).exec(this.buffer);
      if (m) {
        this.buffer = this.buffer.slice(m.index + m[0].length);
        return { status: Number(m[1]), out: readFileSync(out, 'utf8'), err: readFileSync(err, 'utf8') };
      }
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`bash exited during block ${index}: ${this.stderr || ''}`);
      }
      if (Date.now() > deadline) throw new Error(`block ${index} did not finish in ${timeoutMs} ms`);
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  async close() {
    this.proc.stdin.end('exit 0\n');
    return Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
  }
}

// ------------------------------------------------------------------ what each block must print

const isList = (v) => v && Array.isArray(v.items) && 'next_cursor' in v;

/** Expectations by the block's content; every block also gets the generic checks. */
const EXPECT = [
  {
    what: 'the KEY line',
    match: /^KEY=/m,
    check: ({ out }) => assert.equal(out.trim(), '', 'setting KEY prints nothing'),
  },
  {
    what: 'create a person, read it back by slug',
    match: /-X POST \S+\/people\b[\s\S]*\/people\/zofie-dvorakova/,
    check: ({ json }) => {
      assert.equal(json.length, 2, 'two JSON answers: the created person, then the person read by slug');
      const [created, read] = json;
      assert.equal(created.full_name, 'Žofie Dvořáková', JSON.stringify(created));
      assert.equal(created.slug, 'zofie-dvorakova', 'the slug is the accent-folded name');
      assert.deepEqual(created.tags, ['published-ai-research']);
      assert.equal(read.id, created.id, 'GET /people/zofie-dvorakova is the person just created');
    },
  },
  {
    what: 'search and list people',
    match: /\/people\?q=Meyer/,
    check: ({ json }) => {
      assert.equal(json.length, 2);
      assert.ok(isList(json[0]) && isList(json[1]), 'two lists');
      assert.ok(json[0].items.some((p) => p.slug === 'erik-meijer'), 'q=Meyer finds Erik Meijer (typo-tolerant)');
      assert.ok(json[1].items.length >= 1 && json[1].items.length <= 5, 'limit=5');
      assert.ok(json[1].next_cursor === null || typeof json[1].next_cursor === 'string');
    },
  },
  {
    what: 'a list as CSV',
    match: /Accept: text\/csv' '\S+\/organizations\?kind=startup'/,
    check: ({ out }) => {
      const rows = parseCsv(out);
      assert.ok(rows.length >= 2, `a header row and rows: ${out}`);
      const [header, ...data] = rows;
      const slugCol = header.indexOf('slug');
      const kindCol = header.indexOf('kind');
      assert.ok(slugCol >= 0 && kindCol >= 0, `the header names slug and kind: ${header}`);
      assert.ok(data.every((r) => r[kindCol] === 'startup'), 'only startups');
      assert.ok(data.some((r) => r[slugCol] === 'automind'), 'Automind is a startup of the sample');
    },
  },
  {
    what: 'a notebook\'s URLs: CSV by suffix, every row, a statistic, a spreadsheet\'s CSV, CORS',
    match: /\/departures\.csv\?org=meta&all=true/,
    check: ({ out }) => {
      const rows = parseCsv(out.split('key,label,count')[0]);
      assert.equal(rows[0][0], 'id', `a header row first: ${out.slice(0, 200)}`);
      assert.ok(rows.length >= 2, 'and a departure of Meta');
      assert.match(out, /key,label,count\r\n20\d\d,20\d\d,\d+\r\n/, 'departures per year as CSV');
      assert.match(out, /content-disposition: inline; filename="people-\d{4}-\d{2}-\d{2}\.csv"/i);
      assert.match(out, /access-control-allow-origin: \*/i);
    },
  },
  {
    what: 'a person as known at a change key, and as known today',
    match: /known_at=\$AT/,
    check: ({ json }) => {
      assert.equal(json.length, 2, 'the person as known at the key, then today');
      const [then, now] = json;
      assert.equal(then.slug, 'ada-example');
      assert.notEqual(then.bio, 'Corrected after publication.', 'the correction came after the key');
      assert.equal(now.bio, 'Corrected after publication.');
    },
  },
  {
    what: 'load a layoffs tracker\'s table',
    match: /tracker-layoffs\.csv/,
    check: ({ json }) => {
      assert.equal(json.length, 3, 'two import answers and a statistic');
      const [orgs, layoffs, stats] = json;
      assert.deepEqual(orgs.errors, [], JSON.stringify(orgs));
      assert.deepEqual(orgs.duplicates, [{ line: 3, same_as: 2 }, { line: 4, same_as: 2 }], 'the repeated company rows');
      assert.equal(orgs.created + orgs.unchanged, 2, 'two companies (unchanged when run again)');
      assert.deepEqual(layoffs.errors, [], JSON.stringify(layoffs));
      assert.deepEqual(layoffs.duplicates, [{ line: 3, same_as: 2 }], 'the repeated row is one layoff');
      assert.equal(layoffs.created + layoffs.unchanged, 3, 'Austin is a layoff of its own');
      assert.equal(stats.group_by, 'country');
      assert.deepEqual(stats.total, { layoffs: 2, laid_off: 160, without_count: 0, orgs: 1 });
      assert.deepEqual(stats.groups.map((g) => [g.key, g.label, g.laid_off]), [['US', 'United States', 160]]);
    },
  },
  {
    what: 'record an employment stint',
    match: /-X POST \S+\/positions/,
    check: ({ json }) => {
      assert.equal(json.length, 1);
      const [p] = json;
      assert.ok(p.id && !p.status, `a position, not a problem: ${JSON.stringify(p)}`);
      assert.equal(p.title, 'Research Engineer');
      assert.equal(p.started_on, '2025-03');
      assert.equal(p.ended_on, null);
      assert.equal(p.source_ids.length, 1, 'the source cited by URL');
    },
  },
  {
    what: 'list departures with filters',
    match: /\/departures\?org=meta&from=2024-04-10/,
    check: ({ json }) => {
      assert.equal(json.length, 2);
      const [meta, memories] = json;
      assert.ok(isList(meta) && isList(memories));
      assert.ok(meta.items.length >= 1, 'Meta departures in 2024');
      assert.ok(meta.items.every((d) => d.org.slug === 'meta'));
      assert.ok(meta.items.some((d) => d.departed_on === '2024-04'), 'a "2024-04" departure matches from=2024-04-10');
      assert.ok(memories.items.length >= 1 && memories.items.every((d) => d.destination_org?.slug === 'memories-ai'));
      const dates = memories.items.map((d) => d.departed_on);
      assert.deepEqual(dates, [...dates].sort().reverse(), 'sort=-departed_on: latest first');
    },
  },
  {
    what: 'record a departure',
    match: /-X POST \S+\/departures/,
    check: ({ json }) => {
      assert.equal(json.length, 1);
      const [d] = json;
      assert.ok(d.id && !d.status?.toString().match(/^\d/), `a departure, not a problem: ${JSON.stringify(d)}`);
      assert.equal(d.person.slug, 'zofie-dvorakova');
      assert.equal(d.org.slug, 'automind');
      assert.equal(d.destination_org.slug, 'anthropic');
      assert.equal(d.departed_on, '2025-09');
    },
  },
  {
    what: 'time travel',
    match: /\/chart\?as_of=2024-06-01/,
    check: ({ json }) => {
      assert.equal(json.length, 4, 'two charts, a managers chain, the alumni');
      for (const v of json) assert.ok(!(typeof v.status === 'number' && v.status >= 400), `not a problem: ${JSON.stringify(v).slice(0, 300)}`);
      assert.ok(JSON.stringify(json[2]).includes('thomas-wang'), 'LeCun reports to Thomas Wang in June 2025');
      assert.ok(JSON.stringify(json[3]).includes('Probability') || Array.isArray(json[3].items), 'the alumni list');
    },
  },
  {
    what: 'statistics',
    match: /\/stats\/departures\?group_by=month/,
    check: ({ json }) => {
      assert.equal(json.length, 2);
      const [byMonth, flows] = json;
      const keys = byMonth.groups.map((g) => g.key);
      for (let m = 1; m <= 12; m++) assert.ok(keys.includes(`2024-${String(m).padStart(2, '0')}`), `every month of 2024, empty ones included: ${keys}`);
      assert.ok(byMonth.groups.find((g) => g.key === '2024-04').count >= 3, 'the April 2024 departures');
      assert.ok(Array.isArray(flows.flows) && flows.flows.length >= 1);
      assert.ok(flows.flows.every((f) => f.from.slug === 'meta'));
    },
  },
  {
    what: 'a chart as SVG, and its oEmbed',
    match: /\/oembed/,
    check: ({ out }) => {
      const nl = out.lastIndexOf('\n{');
      assert.ok(nl > 0, `the SVG's first bytes, then the oEmbed JSON: ${out}`);
      const svg = out.slice(0, nl);
      assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'an SVG document');
      const tag = /<svg[^>]*>/.exec(svg)[0];
      for (const a of ['width="800"', 'height="533"', 'role="img"']) assert.ok(tag.includes(a), `${a} (800 × 533 by default): ${tag}`);
      assert.match(svg, /<title[^>]*>[^<]*Meta[^<]*<\/title>/, 'a title written from the data');
      assert.doesNotMatch(svg, /<script/i);
      const o = JSON.parse(out.slice(nl + 1));
      assert.equal(o.version, '1.0');
      assert.equal(o.type, 'rich');
      assert.deepEqual([o.width, o.height], [640, 427], 'maxwidth=640, two thirds as high');
      const src = /<iframe src="([^"]+)"/.exec(o.html)?.[1];
      assert.ok(src, `an iframe: ${o.html}`);
      const u = new URL(src.replace(/&amp;/g, '&'));
      assert.equal(u.pathname, '/embed/charts/departures-by-month');
      assert.deepEqual(Object.fromEntries(u.searchParams), { org: 'meta', stack: 'kind' });
      assert.match(o.html, / width="640" height="427"/);
    },
  },
  {
    what: 'bulk import',
    match: /\/import/,
    check: ({ json }) => {
      assert.equal(json.length, 2, 'two import reports');
      const [nd, csv] = json;
      assert.deepEqual([nd.created, nd.updated, nd.unchanged, nd.errors], [3, 0, 0, []], `the NDJSON import created 3: ${JSON.stringify(nd)}`);
      assert.deepEqual([csv.created, csv.errors], [1, []], `the CSV import created 1: ${JSON.stringify(csv)}`);
    },
    after: async () => {
      const grace = await api('GET', '/people/grace-example');
      assert.equal(grace.status, 200);
      assert.deepEqual(grace.body.tags, ['pioneer', 'compilers'], 'the "a; b" list cell');
      const pos = await api('GET', '/positions?person=ada-example');
      assert.equal(pos.body.items.length, 1);
    },
  },
  {
    what: 'export',
    match: /\/export/,
    check: ({ out }) => {
      const lines = out.split('\n').filter(Boolean);
      assert.ok(lines.length >= 6, `three NDJSON lines, then a CSV header and two rows: ${out}`);
      for (const l of lines.slice(0, 3)) assert.ok('type' in JSON.parse(l), `an import-format line: ${l}`);
      const csvStart = lines.findIndex((l) => l.startsWith('person,'));
      assert.ok(csvStart === 3, `the CSV header row of departures follows: ${lines.slice(3).join(' | ')}`);
    },
  },
  {
    what: 'correct a record with If-Match',
    match: /If-Match/,
    check: ({ json }) => {
      assert.equal(json.length, 1);
      assert.equal(json[0].slug, 'zofie-dvorakova', JSON.stringify(json[0]));
      assert.equal(json[0].bio, 'Research engineer.');
    },
  },
  {
    what: 'audit log and operations',
    match: /\/changes\?entity=person/,
    check: ({ out }) => {
      // A JSON list, the readiness JSON, then five lines of Prometheus text.
      const { values, rest } = leadingJson(out);
      assert.equal(values.length, 2, `the changes list and /ready print JSON: ${out.slice(0, 500)}`);
      const [changes, ready] = values;
      assert.ok(isList(changes) && changes.items.length === 3 && changes.items.every((e) => e.entity === 'person'));
      assert.equal(ready.status, 'ready');
      const metrics = rest.split('\n').filter(Boolean);
      assert.equal(metrics.length, 5, 'head -5 of /metrics');
      assert.ok(metrics.every((l) => l.startsWith('#') || /^[a-zA-Z_:][\w:]*(\{.*\})? \S+/.test(l)), metrics.join('\n'));
    },
  },
  {
    what: 'an error names every bad field',
    match: /"full_name": ""/,
    check: ({ json }) => {
      assert.equal(json.length, 1);
      const [p] = json;
      assert.equal(p.status, 400, JSON.stringify(p));
      assert.ok(p.type && p.title, 'a problem+json document');
      const fields = (p.errors || []).map((e) => e.field);
      assert.ok(fields.includes('full_name'), `names full_name: ${fields}`);
      assert.ok(fields.includes('nickname'), `names nickname: ${fields}`);
    },
  },
];

// ------------------------------------------------------------------ clean up earlier runs

async function list(p) {
  const res = await api('GET', p);
  return res.status === 200 && Array.isArray(res.body?.items) ? res.body.items : [];
}

async function del(p) {
  const res = await api('DELETE', p, { key: 'editor' });
  if (![204, 404].includes(res.status)) throw new Error(`cleanup DELETE ${p} → ${res.status} ${res.text}`);
}

/** Deletes what an earlier run of the tour created, so that it runs as on a fresh database. */
async function cleanUp() {
  const people = new Set(['ada-example', 'grace-example']);
  for (const p of await list(`/people?q=${encodeURIComponent('Žofie Dvořáková')}&limit=100`)) {
    if (p.full_name === 'Žofie Dvořáková') people.add(p.slug);
  }
  for (const slug of people) {
    if ((await api('GET', `/people/${slug}`)).status !== 200) continue;
    for (const d of await list(`/departures?person=${slug}&status=all&limit=1000`)) await del(`/departures/${d.id}`);
    for (const x of await list(`/positions?person=${slug}&limit=1000`)) await del(`/positions/${x.id}`);
    for (const q of ['report', 'manager']) for (const l of await list(`/reporting-lines?${q}=${slug}&limit=1000`)) await del(`/reporting-lines/${l.id}`);
    await del(`/people/${slug}`);
  }
  if ((await api('GET', '/organizations/example-labs')).status === 200) {
    for (const x of await list('/positions?org=example-labs&limit=1000')) await del(`/positions/${x.id}`);
    await del('/organizations/example-labs');
  }
}

// ------------------------------------------------------------------ the test

const blocks = shBlocks(README);
let dir;
let session;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'orgwatch-readme-'));
  await cleanUp();
});

after(async () => {
  if (session) await session.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the README has the curl tour: sh blocks, the KEY line, the local URL', () => {
  assert.ok(blocks.length >= 10, `README.md has ${blocks.length} sh blocks`);
  assert.ok(KEY_LINE.test(blocks.join('\n')), 'a block sets KEY=ow_paste_the_key_here');
  for (const [i, b] of blocks.entries()) {
    const hosts = [...b.matchAll(/https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?/g)].map((m) => m[0]);
    for (const h of hosts) assert.equal(h, README_BASE, `block ${i + 1} talks to ${README_BASE} (replaced by the test server)`);
  }
  for (const e of EXPECT) assert.ok(blocks.some((b) => e.match.test(b)), `a README block does "${e.what}"`);
});

test('every README sh block runs in one bash session: status 0, no failing command, no 5xx, the output promised', async (t) => {
  const key = keys.editor;
  assert.ok(key, 'an editor key (ORGWATCH_TEST_EDITOR_KEY, or ORGWATCH_BIN and ORGWATCH_TEST_DATABASE_URL)');
  session = new BashSession(dir);
  for (const [i, block] of blocks.entries()) {
    const source = block.split(README_BASE).join(BASE).replace(KEY_LINE, `KEY='${key}'`);
    const expect = EXPECT.find((e) => e.match.test(block));
    const name = `block ${i + 1}${expect ? ` (${expect.what})` : ''}`;
    await t.test(name, async () => {
      const res = await session.run(i + 1, source);
      const ctx = `${name}:\n${block}\n--- stdout:\n${res.out.slice(0, 3000)}\n--- stderr:\n${res.err.slice(0, 2000)}`;
      assert.equal(res.status, 0, `bash status ${res.status}\n${ctx}`);
      assert.ok(!res.err.includes('__FAILED__'), `a command failed\n${ctx}`);
      assert.deepEqual(serverErrors(res.out), [], `an answer is a 5xx problem\n${ctx}`);
      const trimmed = res.out.trimStart();
      let json = [];
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        if (!/\/export|\/metrics|\/changes/.test(block)) {
          assert.doesNotThrow(() => (json = jsonValues(res.out)), `the block prints JSON that parses\n${ctx}`);
        }
      }
      if (expect) {
        try {
          expect.check({ out: res.out, json });
          if (expect.after) await expect.after();
        } catch (e) {
          e.message = `${e.message}\n${ctx}`;
          throw e;
        }
      }
    });
  }
});

// Plans (issue 12): list statements are prepared once per connection for each combination of
// filters given (server/db.c, ow_stmt_variant_sql), from a bounded cache that deallocates the
// oldest. Every combination must answer exactly what its filters say — whichever variant the
// connection happens to hold, and after the cache has turned over — so each answer here is
// checked against the organization's whole list filtered by the test itself.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, uniq } from './lib.mjs';

const org = uniq('plans-org');
const kinds = ['resigned', 'laid_off', 'retired'];
const dkinds = ['joined', 'unknown'];
const statuses = ['reported', 'confirmed', 'disputed', 'retracted'];
const days = [];
let all = []; // every departure of org (status=all), as the API answers them

before(async () => {
  const lines = [{ type: 'organization', slug: org, name: `Plans ${org}` }];
  for (let i = 0; i < 24; i++) {
    const person = `${org}-p${i}`;
    const day = `20${10 + (i % 12)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + i).padStart(2, '0')}`;
    days.push(day);
    lines.push({ type: 'person', slug: person, full_name: `Plans Person ${i}` });
    lines.push({
      type: 'departure', person, org, departed_on: day, kind: kinds[i % 3],
      reason_category: i % 2 ? 'startup' : 'compensation', destination_kind: dkinds[i % 2],
      status: statuses[i % 4],
    });
  }
  const res = await api('POST', '/import', {
    body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', raw: true, key: 'editor',
    headers: { 'content-type': 'application/x-ndjson' },
  });
  assert.equal(res.status, 200, res.text);
  const listed = await api('GET', `/departures?org=${org}&status=all&limit=100`);
  assert.equal(listed.status, 200, listed.text);
  all = listed.body.items;
  assert.equal(all.length, 24);
});

// The optional filters combined (org always given): 2^6 = 64 combinations, each a variant.
const FILTERS = [
  ['kind', 'laid_off', (d) => d.kind === 'laid_off'],
  ['reason_category', 'startup', (d) => d.reason_category === 'startup'],
  ['destination_kind', 'joined', (d) => d.destination_kind === 'joined'],
  ['from', '2014-01-01', (d) => d.departed_on >= '2014-01-01'],
  ['to', '2019-12-31', (d) => d.departed_on <= '2019-12-31'],
  ['status', 'confirmed,retracted', (d) => ['confirmed', 'retracted'].includes(d.status)],
];
const listedByDefault = (d) => d.status !== 'retracted';

function expected(mask, sort) {
  let rows = all.filter((d) => FILTERS.every(([, , keep], i) => !(mask & (1 << i)) || keep(d)));
  if (!(mask & (1 << 5))) rows = rows.filter(listedByDefault);
  const ids = rows.slice().sort((a, b) => (a.departed_on < b.departed_on ? -1 : a.departed_on > b.departed_on ? 1 : 0));
  if (sort === '-departed_on') ids.reverse();
  return ids.map((d) => d.id);
}

async function ask(mask, sort) {
  const q = new URLSearchParams({ org, limit: '100' });
  FILTERS.forEach(([name, value], i) => { if (mask & (1 << i)) q.set(name, value); });
  if (sort) q.set('sort', sort);
  const res = await api('GET', `/departures?${q}`);
  assert.equal(res.status, 200, `${q}: ${res.text}`);
  return res.body.items.map((d) => d.id);
}

test('every combination of departure filters answers what its filters say, also after the per-connection plan cache turned over', async () => {
  // 64 combinations x 2 sorts = 128 variants: more than one connection keeps (48), so the
  // second pass meets variants that were deallocated and prepared again.
  for (let pass = 0; pass < 2; pass++) {
    for (const sort of [undefined, '-departed_on']) {
      for (let mask = 0; mask < 64; mask++) {
        assert.deepEqual(await ask(mask, sort), expected(mask, sort),
          `pass ${pass}, filters ${FILTERS.filter((_, i) => mask & (1 << i)).map(([n]) => n).join('+') || 'none'}, sort ${sort || 'default'}`);
      }
    }
  }
});

test('a page cursor is one more argument: the pages of a filtered list join up whichever variant serves them', async () => {
  const want = expected(1 << 2, undefined); // destination_kind=joined, default statuses
  const got = [];
  let url = `/departures?org=${org}&destination_kind=joined&limit=2`;
  for (let i = 0; url && i < 50; i++) {
    const res = await api('GET', url);
    assert.equal(res.status, 200, res.text);
    got.push(...res.body.items.map((d) => d.id));
    url = res.body.next_cursor ? `/departures?org=${org}&destination_kind=joined&limit=2&cursor=${encodeURIComponent(res.body.next_cursor)}` : null;
  }
  assert.deepEqual(got, want);
});

test('a departure in a list (written by the server from flat columns) is the very document its own read answers (written by SQL)', async () => {
  // Give one departure everything the list document embeds: team, destination, layoff, sources.
  const team = await api('POST', '/teams', { key: 'editor', body: { org, slug: 'plans-team', name: 'Plans Team' } });
  assert.equal(team.status, 201, team.text);
  const dest = await api('POST', '/organizations', { key: 'editor', body: { slug: `${org}-dest`, name: 'Plans "Dest" \\ Ünïcode' } });
  assert.equal(dest.status, 201, dest.text);
  const layoff = await api('POST', '/layoffs', { key: 'editor', body: { org, announced_on: '2023-03', count: 120 } });
  assert.equal(layoff.status, 201, layoff.text);
  const src = await api('POST', '/sources', { key: 'editor', body: { url: `https://plans.example/${org}`, title: 'Quoted "title" \\ back', publisher: 'Plans Gazette' } });
  assert.equal(src.status, 201, src.text);
  // The list reads a departure's sources as PostgreSQL arrays: titles and publishers that its
  // array text quotes or escapes (commas, braces, the word NULL, spaces, backslashes), none at
  // all, and other scripts, in the order of their URLs.
  const odd = [];
  for (const [path, title, publisher] of [
    ['b', '{a,b} "NULL", and \\"', 'NULL'],
    ['a', null, null],
    ['c', '  leading and trailing  ', 'عربي 🚀 Ünï'],
    ['d', '\\', 'x'],
  ]) {
    const body = { url: `https://plans.example/${org}/${path}` };
    if (title !== null) body.title = title;
    if (publisher !== null) body.publisher = publisher;
    const res = await api('POST', '/sources', { key: 'editor', body });
    assert.equal(res.status, 201, res.text);
    odd.push(res.body.id);
  }
  const person = await api('POST', '/people', { key: 'editor', body: { slug: `${org}-full`, full_name: 'Zoë "Full" Person' } });
  assert.equal(person.status, 201, person.text);
  const full = await api('POST', '/departures', {
    key: 'editor',
    body: {
      person: `${org}-full`, org, team: `${org}/plans-team`, title: 'Tab-free "title"', departed_on: '2023-04',
      announced_on: '2023-03-15', kind: 'laid_off', reason_category: 'layoff', reason: 'Cuts\nand\ta tab',
      destination_org: `${org}-dest`, destination_title: 'CTO', destination_kind: 'founded',
      layoff_id: layoff.body.id, returned_on: null, source_ids: [src.body.id, ...odd], notes: 'emoji 🚀', status: 'confirmed',
    },
  });
  assert.equal(full.status, 201, full.text);
  const listed = await api('GET', `/departures?org=${org}&status=all&limit=100`);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.body.items.length, 25);
  for (const item of listed.body.items) {
    const one = await api('GET', `/departures/${item.id}`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(item, one.body, `departure ${item.id}`);
  }
  const mine = listed.body.items.find((d) => d.id === full.body.id);
  assert.equal(mine.layoff.count, 120);
  assert.equal(mine.sources.length, 1 + odd.length);
  assert.deepEqual(mine.source_ids, mine.sources.map((x) => x.id));
  assert.deepEqual(mine.sources.map((x) => x.url), mine.sources.map((x) => x.url).sort());
  assert.equal(mine.sources.find((x) => x.id === src.body.id).title, 'Quoted "title" \\ back');
  assert.equal(mine.sources.find((x) => x.url.endsWith('/b')).title, '{a,b} "NULL", and \\"');
  assert.equal(mine.sources.find((x) => x.url.endsWith('/b')).publisher, 'NULL');
  assert.equal(mine.sources.find((x) => x.url.endsWith('/a')).title, null);
  assert.equal(mine.sources.find((x) => x.url.endsWith('/d')).title, '\\');
  assert.match(mine.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(mine.reason, 'Cuts\nand\ta tab');
  assert.equal(mine.destination_org.name, 'Plans "Dest" \\ Ünïcode');
});

test('departure times are written as UTC ISO instants whatever DateStyle the database gives new sessions (pages and whole downloads)', async (t) => {
  const dbUrl = process.env.ORGWATCH_TEST_DATABASE_URL;
  if (!dbUrl) return t.skip('needs ORGWATCH_TEST_DATABASE_URL');
  const { execFileSync } = await import('node:child_process');
  const psql = (sql) => execFileSync('psql', [dbUrl, '-XAtqc', sql], { encoding: 'utf8' }).trim();
  const dbName = psql('SELECT current_database()');
  psql(`ALTER DATABASE "${dbName}" SET DateStyle = 'SQL, DMY'`);
  try {
    assert.match(psql('SELECT now()::timestamp::text'), /^\d\d\/\d\d\/\d{4} /, 'a new session sees the SQL style');
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
    const page = await api('GET', `/departures?org=${org}&status=all&limit=5`);
    assert.equal(page.status, 200, page.text);
    // a whole download opens a connection of its own, with the database's defaults
    const all = await api('GET', `/departures.ndjson?org=${org}&status=all&all=true`);
    assert.equal(all.status, 200, all.text);
    const rows = all.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(rows.length >= 5);
    for (const d of [...page.body.items, ...rows]) {
      assert.match(d.created_at, iso, `created_at ${d.created_at}`);
      assert.match(d.updated_at, iso, `updated_at ${d.updated_at}`);
    }
  } finally {
    psql(`ALTER DATABASE "${dbName}" RESET DateStyle`);
  }
});

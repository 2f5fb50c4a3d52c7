// known_at.test.mjs — reads as the database answered them at a past change (issue 29): after
// each of a run of writes (creates, a patch, a departure closing a position and a line, a
// merge, a delete, sources replaced), the reads a journalist cites are kept as they were
// answered; later, the same reads with known_at=<that change's key> give the same bytes, say
// which key they used, and are immutable. A time resolves to the newest change committed at or
// before it; a key not committed here is a 409 after 2 s; bad values and the reads that do not
// take known_at (/export, the streams) are 400s naming it; /changes lists the log up to the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, checkSpec, expectProblem, sleep } from './lib.mjs';
import { make, patch, remove, sourceUrls, word } from './helpers-records.mjs';

const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL;
const RUN = word(8);
const url = sourceUrls(RUN, 'known');

/** The key of the newest change to record id (its last audit entry), read in the database. */
function keyOf(id) {
  return execFileSync('psql', [DB_URL, '-XAtc', `SELECT max(id) FROM audit_log WHERE entity_id = '${id}'`], { encoding: 'utf8' }).trim();
}

test('reads pinned by known_at give what they gave right after that change, byte for byte', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set', timeout: 120_000 }, async () => {
  const org = await make('organizations', { name: `Known At Lab ${RUN}` });
  const boss = await make('people', { full_name: `Known Boss ${RUN}` });
  const report = await make('people', { full_name: `Known Report ${RUN}` });
  const src = await make('sources', { url: url('a') });
  const src2 = await make('sources', { url: url('b') });
  const bossPos = await make('positions', { person_id: boss.id, org_id: org.id, title: 'Director', started_on: '2021', source_ids: [src.id] });
  await make('positions', { person_id: report.id, org_id: org.id, title: 'Researcher', started_on: '2022-03' });
  const line = await make('reporting-lines', { report_id: report.id, manager_id: boss.id, valid_from: '2022-03' });

  // The reads: [path, spec template]. The CSV download reads on a connection of its own.
  const reads = [
    [`/people/${boss.slug}`, '/people/{id}'],
    [`/people/${report.slug}`, '/people/{id}'],
    [`/people/${boss.slug}/reports`, '/people/{id}/reports'],
    [`/departures?org=${org.slug}`, '/departures'],
    [`/positions?person=${boss.slug}`, '/positions'],
    [`/organizations/${org.slug}/chart`, '/organizations/{id}/chart'],
    [`/stats/departures?org=${org.slug}&group_by=month`, '/stats/departures'],
    [`/people.csv?q=${encodeURIComponent(`Known Boss ${RUN}`)}&all=true`, '/people'],
    [`/organizations/${org.slug}/changes?from=2020&to=2030`, '/organizations/{id}/changes'],
  ];
  const snapshot = async () => Promise.all(reads.map(async ([p]) => {
    const res = await api('GET', p);
    assert.ok([200, 404].includes(res.status), `${p} → ${res.status} ${res.text}`);
    return `${res.status} ${res.text}`;
  }));
  const states = [];
  states.push({ key: keyOf(line.id), reads: await snapshot() });

  // A patch, then a departure that ends the report's position and line.
  await patch('people', boss.id, { bio: `Changed ${RUN}` }, { headers: { 'content-type': 'application/merge-patch+json' } });
  const dep = await make('departures', { person_id: report.id, org_id: org.id, departed_on: '2024-05', kind: 'resigned' });
  states.push({ key: keyOf(dep.id), reads: await snapshot() });

  // A duplicate of the boss merged into the boss, then the departure deleted.
  const dup = await make('people', { full_name: `Known Bos ${RUN}`, aliases: ['KB'] });
  const merged = await api('POST', `/people/${boss.id}/merge`, { key: 'editor', body: { duplicate: dup.id } });
  assert.equal(merged.status, 200, merged.text);
  states.push({ key: keyOf(boss.id), reads: await snapshot() });
  assert.equal((await remove('departures', dep.id)).status, 204);
  states.push({ key: keyOf(dep.id), reads: await snapshot() });

  // Sources replaced write no audit entry: the new version is known from the next change on.
  const relinked = await patch('positions', bossPos.id, { source_ids: [src2.id] }, { headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(relinked.status, 200, relinked.text);
  const touched = await patch('organizations', org.id, { description: `Described ${RUN}` }, { headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(touched.status, 200, touched.text);
  states.push({ key: keyOf(org.id), reads: await snapshot() });

  // Later writes, so that the present differs from every state kept.
  await patch('people', boss.id, { bio: `Later ${RUN}` }, { headers: { 'content-type': 'application/merge-patch+json' } });
  await make('positions', { person_id: report.id, org_id: org.id, title: 'Returned', started_on: '2025-01' });

  for (const [i, s] of states.entries()) {
    for (const [k, [p, tmpl]] of reads.entries()) {
      const sep = p.includes('?') ? '&' : '?';
      const res = await api('GET', `${p}${sep}known_at=${s.key}`);
      if (!p.includes('.csv')) checkSpec(res, 'GET', tmpl);
      assert.equal(`${res.status} ${res.text}`, s.reads[k], `state ${i} (key ${s.key}): ${p}`);
      assert.match(res.headers.get('orgwatch-known-at') || '', new RegExp(`^${s.key}; \\S+$`), `${p}: the key it used`);
      if (res.status === 200) assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', p);
    }
  }
  // The present is not what any pinned read gave.
  assert.notDeepEqual(await snapshot(), states.at(-1).reads);

  // The audit log as known at a key: the entries up to that change, not one after it.
  const first = Number(states[0].key);
  const log = await api('GET', `/changes?after=${first}&limit=1000&known_at=${states[1].key}`);
  checkSpec(log, 'GET', '/changes');
  assert.equal(log.status, 200, log.text);
  const ids = log.body.items.map((e) => Number(e.id));
  assert.ok(ids.includes(Number(states[1].key)), 'the key itself is listed');
  assert.ok(!ids.includes(Number(states[2].key)), 'a later change is not');
  const later = await api('GET', `/changes?after=${first}&limit=1000`);
  assert.ok(later.body.items.some((e) => Number(e.id) === Number(states[2].key)), 'the present log has it');
});

test('known_at as a time answers as of the newest change committed at or before it, and says which', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set' }, async () => {
  const p = await make('people', { full_name: `Known Time ${RUN}` });
  const key = keyOf(p.id);
  await sleep(1100);
  const at = new Date().toISOString();
  await sleep(1100);
  await patch('people', p.id, { bio: 'after the time' }, { headers: { 'content-type': 'application/merge-patch+json' } });
  const res = await api('GET', `/people/${p.slug}?known_at=${at}`);
  checkSpec(res, 'GET', '/people/{id}');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.bio, null, 'the patch came after the time');
  const [usedKey] = (res.headers.get('orgwatch-known-at') || '').split(';');
  assert.ok(Number(usedKey) >= Number(key), `the key used (${usedKey}) is at or after the person's creation (${key})`);
  const again = await api('GET', `/people/${p.slug}?known_at=${usedKey}`);
  assert.equal(again.text, res.text, 'the key it names gives the same answer');
  const present = await api('GET', `/people/${p.slug}`);
  assert.equal(present.body.bio, 'after the time');
  assert.equal(present.headers.get('orgwatch-known-at'), null, 'a present read names no key');
});

test('known_at: a key not committed here is a 409 after waiting; bad values and reads that do not take it are 400s naming it', async () => {
  const t0 = Date.now();
  const future = await api('GET', '/people?known_at=999999999999999');
  checkSpec(future, 'GET', '/people');
  expectProblem(future, 409);
  assert.ok(Date.now() - t0 >= 1900, 'waited about 2 s for the key first');
  for (const [p, tmpl] of [['/people?known_at=yesterday', '/people'], ['/people?known_at=2025-13-01T00:00:00Z', '/people'],
    ['/export?known_at=1', '/export']]) {
    const res = await api('GET', p);
    checkSpec(res, 'GET', tmpl);
    expectProblem(res, 400);
    assert.ok((res.body.errors || []).some((e) => e.field === 'known_at'), `${p}: names known_at: ${res.text}`);
  }
});

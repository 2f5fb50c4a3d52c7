// tx_retry.test.mjs — every write goes through the transaction runner (server/db.c ow_db_tx),
// which runs a transaction again after a serialization failure (40001) or a deadlock (40P01):
// a trigger made for this test fails the first one or two tries of a write of one source, and
// the client still gets its 201 (or 200, 204) with one record written; a write that keeps
// failing gets the 503 problem after OW_TX_TRIES (3) tries; /metrics counts the retries.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, checkSpec, expectProblem, uniq } from './lib.mjs';

const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL;
const psql = (sql) => execFileSync('psql', [DB_URL, '-XqAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim();
const tag = uniq('txretry');
const retries = async () => Number((await api('GET', '/metrics')).text.match(/^orgwatch_db_tx_retries_total (\d+)$/m)?.[1]);

// Fails each write of a source whose URL carries the tag while fewer than `failures` tries
// have failed: a sequence counts the tries, and a sequence is not rolled back with them.
const t = tag.replace(/-/g, '_');
function install(failures, sqlstate) {
  psql(`CREATE SEQUENCE IF NOT EXISTS ${t}_seq;
    ALTER SEQUENCE ${t}_seq RESTART WITH 1;
    CREATE OR REPLACE FUNCTION ${t}_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.url LIKE '%${tag}%' AND nextval('${t}_seq') <= ${failures} THEN
        RAISE EXCEPTION 'forced by tx_retry.test.mjs' USING ERRCODE = '${sqlstate}';
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS ${t}_trg ON sources;
    CREATE TRIGGER ${t}_trg BEFORE INSERT OR UPDATE ON sources FOR EACH ROW EXECUTE FUNCTION ${t}_fail();`);
}
after(() => {
  if (!DB_URL) return;
  psql(`DROP TRIGGER IF EXISTS ${t}_trg ON sources; DROP FUNCTION IF EXISTS ${t}_fail(); DROP SEQUENCE IF EXISTS ${t}_seq;`);
});

test('a write that meets a serialization failure or a deadlock is run again and succeeds', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set' }, async () => {
  const r0 = await retries();
  install(1, '40001');
  const created = checkSpec(await api('POST', '/sources', { key: 'editor', body: { url: `https://news.example/${tag}-a` } }), 'POST', '/sources');
  assert.equal(created.status, 201, created.text);
  assert.equal(Number(psql(`SELECT count(*) FROM sources WHERE url = 'https://news.example/${tag}-a'`)), 1);
  install(2, '40P01');
  const patched = checkSpec(await api('PATCH', `/sources/${created.body.id}`, { key: 'editor', body: { title: 'Retried' } }), 'PATCH', '/sources/{id}');
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.title, 'Retried');
  install(1, '40001');
  const idem = uniq('idem');
  const withKey = await api('POST', '/sources', {
    key: 'editor',
    headers: { 'Idempotency-Key': idem },
    body: { url: `https://news.example/${tag}-b` },
  });
  assert.equal(withKey.status, 201, withKey.text);
  const replay = await api('POST', '/sources', { key: 'editor', headers: { 'Idempotency-Key': idem }, body: { url: `https://news.example/${tag}-b` } });
  assert.equal(replay.status, 201);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(Number(psql(`SELECT count(*) FROM sources WHERE url = 'https://news.example/${tag}-b'`)), 1);
  assert.equal((await retries()) - r0, 4, 'one retry for the POST, two for the PATCH, one for the idempotent POST');
});

test('a write that keeps failing is a 503 after three tries, with nothing written', { skip: !DB_URL && 'ORGWATCH_TEST_DATABASE_URL is not set' }, async () => {
  const r0 = await retries();
  install(3, '40001');
  const res = checkSpec(await api('POST', '/sources', { key: 'editor', body: { url: `https://news.example/${tag}-c` } }), 'POST', '/sources');
  expectProblem(res, 503);
  assert.equal(Number(psql(`SELECT count(*) FROM sources WHERE url = 'https://news.example/${tag}-c'`)), 0);
  assert.equal((await retries()) - r0, 2);
});

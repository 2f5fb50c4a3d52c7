// Fault 2 (kill-import): the server is SIGKILLed in the middle of a large POST /import, while
// the import's transaction is writing the records (an import parks its batches in a temporary
// table while the body arrives and writes them all in one transaction once it has ended: the
// kill comes in that transaction, once it has written rows), then restarted.
// Asserts: none of the file's records is in the database (all or nothing); the killed
// import's database session goes away; the restarted server serves reads and writes; the same
// import run again to completion answers 200 with every record created, and the database then
// holds exactly the file's records. Then the same for the CLI (`orgwatch import -`, fed
// through a pipe, killed while its transaction writes).
//
// FAULTS_IMPORT_LINES sets the file's size (default 10000 person lines, 20 batches: their
// transaction lasts a second or more on a shared 2-core machine, time enough to be seen and
// killed; the file is imported twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, DB_URL, EDITOR_KEY, REPO, WORK, afterFaultTest, backendsOf, childEnv, countPeople, now, personLines, port, psql, report, request, runTag, secs, sleep, startServer, stopAndCheck } from './lib.mjs';

const NAME = 'kill-import';
const LINES = Number(process.env.FAULTS_IMPORT_LINES || 10000);
const PACE_LINES = 1000; // the body is sent in pieces of PACE_LINES lines, one every PACE_MS
const PACE_MS = 50;

const files = [];
let cli;
afterFaultTest(() => {
  if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
  for (const f of files) fs.rmSync(f, { force: true });
});

// Rows ever inserted into people, committed or not (a backend reports its counts when its
// session ends): after the kill, the growth is what the killed import had written.
const insertedRows = () => Number(psql(`SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'people'`));

/**
 * Waits until one of PID's database sessions is in the import's writing transaction: a SELECT
 * of ow_import_batch over its spool (the statements that write the parked batches) with an xid
 * (it has written). The INSERTs that park batches are not it.
 */
async function awaitWritingTransaction(pid, ms, stillGoing) {
  const deadline = now() + ms;
  while (now() < deadline && stillGoing()) {
    const b = backendsOf(pid).find((x) => x.xid && x.xact_secs !== null && /^SELECT\b.*ow_import_(batch|spool)/.test(x.query));
    if (b) return b;
    await sleep(50);
  }
  return null;
}

async function gone(ports, ms) {
  const t0 = now();
  while (now() - t0 < ms) {
    const left = ports.length ? psql(`SELECT count(*) FROM pg_stat_activity WHERE client_port IN (${ports.join(',')})`) : '0';
    if (left === '0') return now() - t0;
    await sleep(100);
  }
  return null;
}

test(`SIGKILL during a ${LINES}-line POST /import, then the CLI import killed`, { timeout: 300_000 }, async () => {
  const tag = runTag('ki');
  const lines = personLines(tag, LINES);
  const file = path.join(WORK, `${tag}.ndjson`);
  fs.writeFileSync(file, lines.join(''));
  files.push(file);
  const total = fs.statSync(file).size;
  const p = port(NAME);
  const auth = { authorization: `Bearer ${EDITOR_KEY}`, 'content-type': 'application/x-ndjson' };

  // ---- the server killed mid-import
  const a = await startServer(`${NAME}.before-kill`, p);
  const ins0 = insertedRows();
  let sent = 0;
  let stopSending = false;
  let reqError = null;
  const upload = request(p, 'POST', '/import', {
    headers: { ...auth, 'content-length': total },
    timeoutMs: 600_000,
    agent: false,
    body: (req) => {
      req.on('error', () => {});
      (async () => {
        while (sent < LINES && !stopSending) {
          const chunk = lines.slice(sent, sent + PACE_LINES).join('');
          sent = Math.min(LINES, sent + PACE_LINES);
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          await sleep(PACE_MS);
        }
        if (!stopSending) req.end();
      })().catch(() => {});
    },
  }).then(
    (r) => r,
    (e) => {
      reqError = e;
      return null;
    },
  );
  let finishedEarly = null;
  upload.then((r) => {
    if (r) finishedEarly = r;
  });
  const tx = await awaitWritingTransaction(a.pid, 60_000, () => !finishedEarly && !reqError);
  assert.ok(tx, `the import never had a writing transaction (answer: ${finishedEarly?.status} ${finishedEarly?.text?.slice(0, 200) ?? reqError?.message})`);
  const importPorts = backendsOf(a.pid).map((b) => b.port);
  const sentAtKill = sent;
  await a.kill();
  stopSending = true;
  await upload;
  assert.equal(a.exit.signal, 'SIGKILL', `the server ended by ${JSON.stringify(a.exit)}, not by our SIGKILL`);
  assert.equal(finishedEarly, null, 'the import answered before the kill');

  const goneMs = await gone(importPorts, 15_000);
  let rolledBack = insertedRows() - ins0;
  for (let i = 0; i < 20 && rolledBack <= 0; i++) {
    await sleep(100);
    rolledBack = insertedRows() - ins0;
  }
  const after = countPeople(tag);

  // ---- restarted: serves, and the import runs to completion
  const tRestart = now();
  const b = await startServer(`${NAME}.after-kill`, p);
  const restartMs = now() - tRestart;
  const ready = await request(p, 'GET', '/ready', { agent: false, timeoutMs: 10_000 });
  const missing = await request(p, 'GET', `/people/${tag}-0`, { agent: false });
  const write = await request(p, 'POST', '/people', {
    agent: false,
    body: JSON.stringify({ slug: `${tag}-probe`, full_name: 'After The Kill' }),
    headers: { ...auth, 'content-type': 'application/json' },
  });
  const t1 = now();
  const full = await request(p, 'POST', '/import', {
    agent: false,
    headers: auth,
    body: fs.readFileSync(file),
    timeoutMs: Math.max(120_000, LINES * 20),
  });
  const importMs = now() - t1;
  let created = null;
  try {
    created = JSON.parse(full.text).created;
  } catch {
    /* reported below */
  }
  const afterFull = countPeople(tag) - (write.status === 201 ? 1 : 0);

  // ---- the CLI killed mid-import: `orgwatch import -` fed through a pipe at the same pace as
  // the upload, then killed once its writing transaction has written.
  const ctag = runTag('kc');
  const clines = personLines(ctag, LINES);
  const env = childEnv({ ORGWATCH_DATABASE_URL: DB_URL, ORGWATCH_HOME: REPO });
  cli = spawn(BIN, ['import', '-'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  fs.appendFileSync(path.join(WORK, 'pids'), `${cli.pid}\n`);
  let cliOut = '';
  cli.stdout.on('data', (d) => (cliOut += d));
  cli.stderr.on('data', (d) => (cliOut += d));
  cli.stdin.on('error', () => {});
  const cliExit = new Promise((r) => cli.on('exit', (code, signal) => r({ code, signal })));
  let cliSent = 0;
  let cliStop = false;
  (async () => {
    while (cliSent < LINES && !cliStop) {
      const chunk = clines.slice(cliSent, cliSent + PACE_LINES).join('');
      cliSent = Math.min(LINES, cliSent + PACE_LINES);
      if (!cli.stdin.write(chunk)) await new Promise((r) => cli.stdin.once('drain', r));
      await sleep(PACE_MS);
    }
    if (!cliStop) cli.stdin.end();
  })().catch(() => {});
  const ctx = await awaitWritingTransaction(cli.pid, 60_000, () => cli.exitCode === null && cli.signalCode === null);
  const cliPorts = backendsOf(cli.pid).map((x) => x.port);
  cli.kill('SIGKILL');
  cliStop = true;
  const cliEnd = await cliExit;
  const cliGoneMs = await gone(cliPorts, 15_000);
  const cliAfter = countPeople(ctag);

  const problems = await stopAndCheck(b);
  report(
    NAME,
    `server SIGKILLed with ${sentAtKill}/${LINES} lines sent (import transaction open ${tx.xact_secs} s, xid ${tx.xid},` +
      ` ${rolledBack} rows inserted by then); after the kill ${after}/${LINES} records in the database,` +
      ` its session gone in ${goneMs === null ? 'NEVER' : `${secs(goneMs)} s`}; restarted in ${secs(restartMs)} s:` +
      ` /ready ${ready.status}, GET killed record ${missing.status}, POST /people ${write.status};` +
      ` re-import ${full.status} created ${created} in ${secs(importMs)} s (${Math.round(LINES / (importMs / 1000))} lines/s),` +
      ` ${afterFull}/${LINES} in the database; CLI import SIGKILLed in its writing transaction (${ctx ? ctx.xact_secs : '?'} s old, ${cliSent}/${LINES} lines fed):` +
      ` ${cliAfter}/${LINES} records, session gone in ${cliGoneMs === null ? 'NEVER' : `${secs(cliGoneMs)} s`}`,
  );

  assert.ok(rolledBack > 0, 'the killed import had inserted no row (pg_stat_user_tables): the kill came too early');
  assert.equal(after, 0, `${after} records of the killed import are in the database (want none: all or nothing)`);
  assert.notEqual(goneMs, null, 'the killed server’s import session was still in PostgreSQL 15 s later');
  assert.equal(ready.status, 200, `GET /ready after the restart: ${ready.status} ${ready.text}`);
  assert.equal(missing.status, 404, `GET /people/${tag}-0 after the restart: ${missing.status}`);
  assert.equal(write.status, 201, `POST /people after the restart: ${write.status} ${write.text}`);
  assert.equal(full.status, 200, `the import run again: ${full.status} ${full.text.slice(0, 500)}`);
  assert.equal(created, LINES, `the import run again created ${created} records, want ${LINES}`);
  assert.equal(afterFull, LINES, `the database holds ${afterFull} of the file's ${LINES} records`);
  assert.ok(ctx, `the CLI import never had a writing transaction (${JSON.stringify(cliEnd)} ${cliOut.slice(0, 300)})`);
  assert.equal(cliEnd.signal, 'SIGKILL', `the CLI ended by ${JSON.stringify(cliEnd)}, not by our SIGKILL`);
  assert.equal(cliAfter, 0, `${cliAfter} records of the killed CLI import are in the database`);
  assert.notEqual(cliGoneMs, null, 'the killed CLI’s session was still in PostgreSQL 15 s later');
  assert.deepEqual(problems, []);
});

// Fault 1 (pg-outage): PostgreSQL is stopped while several clients write and read, stays down
// for a few seconds under load, and comes back.
// Asserts: every request is answered within 5 s (nothing refused, reset or hung); every answer
// is 2xx or a 503 application/problem+json (never a 500 or any other status); 503s were seen
// during the outage; the server process lives throughout; after the restart the server answers
// 200 and 201 again by itself within 10 s; every POST answered 201 is in the database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EDITOR_KEY, afterFaultTest, alive, fmtTally, isProblem503, keepAlive, now, pgScript, port, psql, report, request, runTag, secs, sleep, startServer, stopAndCheck, tally } from './lib.mjs';

const NAME = 'pg-outage';
const WRITERS = 4;
const READERS = 3; // one of them opens a fresh connection for every request
const DEADLINE_MS = 5000; // every request is answered within this
const OUTAGE_MS = 3000; // load kept on the stopped database
const RECOVERY_BOUND_MS = 10_000;

let server;
let pgDown = false;
afterFaultTest(() => {
  if (pgDown) pgScript('start');
});

test('PostgreSQL stopped and started again during writes and reads', { timeout: 120_000 }, async () => {
  const tag = runTag('po');
  server = await startServer(NAME, port(NAME));
  const p = server.port;
  const fig = {
    requests: 0,
    ok: 0,
    problem503: 0,
    bad: {}, // unacceptable outcomes by kind
    badSamples: [],
    acked: [], // slugs answered 201
    rejected503: [], // slugs answered 503 (the write may or may not have happened)
    maxMs: 0,
  };
  let phase = 'warm-up';
  let tUp = null; // when pg.sh start returned
  let firstRead = null;
  let firstWrite = null;
  let deadSeen = null;
  const aliveWatch = setInterval(() => {
    if (!alive(server.pid) && !deadSeen) deadSeen = phase;
  }, 50);

  const outcome = (kind, t0, r, err) => {
    fig.requests++;
    if (err) {
      tally(fig.bad, `${err.code || err.message} (${phase})`);
      if (fig.badSamples.length < 5) fig.badSamples.push(`${kind} ${phase}: ${err.code} ${err.message}`);
      return 'bad';
    }
    fig.maxMs = Math.max(fig.maxMs, r.ms);
    if (r.status >= 200 && r.status < 300) {
      fig.ok++;
      if (tUp !== null && t0 >= tUp) {
        if (kind === 'read' && firstRead === null) firstRead = now() - tUp;
        if (kind === 'write' && firstWrite === null) firstWrite = now() - tUp;
      }
      return 'ok';
    }
    if (isProblem503(r)) {
      fig.problem503++;
      return '503';
    }
    tally(fig.bad, `${r.status} ${(r.headers['content-type'] || '').split(';')[0]} (${phase})`);
    if (fig.badSamples.length < 5) fig.badSamples.push(`${kind} ${phase}: ${r.status} ${r.text.slice(0, 300)}`);
    return 'bad';
  };

  let running = true;
  let seq = 0;
  const agent = keepAlive();
  const writer = async () => {
    while (running) {
      const slug = `${tag}-${seq++}`;
      const t0 = now();
      const body = JSON.stringify({ slug, full_name: `Outage Writer ${slug}` });
      try {
        const r = await request(p, 'POST', '/people', {
          body,
          agent,
          timeoutMs: DEADLINE_MS,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR_KEY}` },
        });
        const o = outcome('write', t0, r);
        if (r.status === 201) fig.acked.push(slug);
        else if (o === '503') fig.rejected503.push(slug);
        if (r.status >= 400) await sleep(20); // a client backs off a little
      } catch (e) {
        outcome('write', t0, null, e);
        await sleep(50);
      }
    }
  };
  const reader = async (fresh) => {
    while (running) {
      const t0 = now();
      const path = fig.acked.length && seq % 2 ? `/people/${fig.acked[fig.acked.length - 1]}` : '/people?limit=5';
      try {
        const r = await request(p, 'GET', path, { agent: fresh ? false : agent, timeoutMs: DEADLINE_MS });
        outcome('read', t0, r);
        if (r.status >= 400) await sleep(20);
      } catch (e) {
        outcome('read', t0, null, e);
        await sleep(50);
      }
      if (fresh) await sleep(20);
    }
  };
  const load = [
    ...Array.from({ length: WRITERS }, () => writer()),
    ...Array.from({ length: READERS }, (_, i) => reader(i === 0)),
  ];

  let recoveryMs = null;
  let final = [];
  try {
    await sleep(1500);
    assert.ok(fig.acked.length > 0, `no write succeeded before the outage: ${fmtTally(fig.bad)} ${fig.badSamples.join('; ')}`);
    const before503 = fig.problem503;

    phase = 'outage';
    const tStop = now();
    pgDown = true;
    pgScript('stop');
    const stopMs = now() - tStop;
    await sleep(OUTAGE_MS);
    const during503 = fig.problem503 - before503;

    phase = 'restart';
    pgScript('start');
    pgDown = false;
    tUp = now();
    phase = 'recovery';
    while ((firstRead === null || firstWrite === null) && now() - tUp < RECOVERY_BOUND_MS + DEADLINE_MS) await sleep(50);
    recoveryMs = firstRead !== null && firstWrite !== null ? Math.max(firstRead, firstWrite) : null;
    phase = 'after';
    await sleep(1500);
    running = false;
    await Promise.all(load);
    agent.destroy();

    // Every worker thread is back: sequential and parallel requests all succeed.
    phase = 'final';
    for (let i = 0; i < 6; i++) final.push(await request(p, 'GET', '/people?limit=5', { agent: false }).catch((e) => e));
    final.push(
      ...(await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          request(p, 'POST', '/people', {
            agent: false,
            body: JSON.stringify({ slug: `${tag}-final-${i}`, full_name: 'Outage Final' }),
            headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR_KEY}` },
          }).then(
            (r) => {
              if (r.status === 201) fig.acked.push(`${tag}-final-${i}`);
              return r;
            },
            (e) => e,
          ),
        ),
      )),
    );
    const finalBad = final.filter((r) => !(r.status >= 200 && r.status < 300)).map((r) => r.status || r.code || r.message);

    // Acknowledged writes are in the database.
    const present = new Set(psql(`SELECT slug FROM people WHERE slug LIKE '${tag}-%'`).split('\n').filter(Boolean));
    const lost = fig.acked.filter((s) => !present.has(s));
    const ambiguous = fig.rejected503.filter((s) => present.has(s)).length;

    clearInterval(aliveWatch);
    const serverAlive = alive(server.pid) && !deadSeen;
    const stopProblems = await stopAndCheck(server);

    const bad = Object.values(fig.bad).reduce((a, b) => a + b, 0);
    report(
      NAME,
      `${fig.requests} requests (${WRITERS} writers, ${READERS} readers), ${fig.ok} × 2xx, ${fig.problem503} × 503 problem+json` +
        ` (${during503} while stopped), ${bad} × other/refused/hung [${fmtTally(fig.bad)}], slowest answer ${fig.maxMs.toFixed(0)} ms;` +
        ` pg stop took ${secs(stopMs)} s, outage under load ${secs(OUTAGE_MS + stopMs)} s;` +
        ` recovered in ${recoveryMs === null ? 'NEVER' : `${secs(recoveryMs)} s`} (first read ${firstRead === null ? '-' : secs(firstRead)} s,` +
        ` first write ${firstWrite === null ? '-' : secs(firstWrite)} s after pg start);` +
        ` ${fig.acked.length - lost.length}/${fig.acked.length} acknowledged writes present` +
        ` (${ambiguous} of ${fig.rejected503.length} writes answered 503 committed anyway); server alive: ${serverAlive}`,
    );

    assert.ok(serverAlive, `the server process died during the ${deadSeen} phase`);
    assert.equal(bad, 0, `answers other than 2xx / 503 problem+json, or no answer within ${DEADLINE_MS} ms: ${fmtTally(fig.bad)}\n${fig.badSamples.join('\n')}`);
    assert.ok(during503 > 0, 'no 503 was seen while the database was stopped (did the outage happen?)');
    assert.notEqual(recoveryMs, null, `no 200 and 201 within ${RECOVERY_BOUND_MS / 1000} s of the restart`);
    assert.ok(recoveryMs <= RECOVERY_BOUND_MS, `recovery took ${secs(recoveryMs)} s (bound ${RECOVERY_BOUND_MS / 1000} s)`);
    assert.deepEqual(finalBad, [], 'after recovery every worker answers (6 sequential reads, 4 parallel writes)');
    assert.deepEqual(lost, [], `${lost.length} writes answered 201 are missing from the database`);
    assert.deepEqual(stopProblems, []);
  } finally {
    running = false;
    clearInterval(aliveWatch);
    await Promise.allSettled(load);
  }
});

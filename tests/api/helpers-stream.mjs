// helpers-stream.mjs — a client of the live change stream (GET /changes/stream, issue 27) for
// the stream suites: one connection read as server-sent events or NDJSON, every event and
// comment kept with the connection it came on; the whole audit log in commit order read from
// GET /changes?after= and from the database itself; the filter semantics of the stream
// computed from the entries, to know what each subscriber should get.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { api, checkSpec, SPEC_PATH } from './lib.mjs';

/**
 * Opens one stream connection. `path` is '/changes/stream?…'; `headers` are sent as they are
 * (Accept, Last-Event-ID). Resolves once the answer's headers are in, with
 *   {status, headers, res (the fetch Response), events, comments, text, ended, error,
 *    next(pred, ms), close(), finished}
 * `events` fills as the body arrives: for SSE {id, event, data (parsed JSON), raw, retry};
 * for NDJSON {data} (a blank line is a keep-alive, counted in `comments` as '').
 * A non-200 answer is read whole (`text`, `body` when it is JSON) and not streamed.
 */
export async function openStream(base, path, { headers = {}, ndjson = false, timeoutMs = 20_000 } = {}) {
  const ac = new AbortController();
  const h = new Headers(headers);
  if (ndjson && !h.has('accept')) h.set('accept', 'application/x-ndjson');
  const timer = setTimeout(() => ac.abort(new Error('no answer headers in time')), timeoutMs);
  let res;
  try {
    res = await fetch(base + path, { headers: h, signal: ac.signal });
  } finally {
    clearTimeout(timer);
  }
  const conn = {
    status: res.status,
    headers: res.headers,
    res,
    events: [],
    comments: [],
    retry: undefined,
    text: '',
    ended: false, // the server ended the body
    closed: false, // we aborted it
    error: undefined,
    waiters: new Set(),
  };
  const type = (res.headers.get('content-type') || '').split(';')[0].trim();
  if (res.status !== 200) {
    conn.text = await res.text();
    conn.ended = true;
    if (/json/.test(type)) conn.body = JSON.parse(conn.text);
    conn.finished = Promise.resolve();
    conn.next = async () => undefined;
    conn.close = () => {};
    return conn;
  }
  const isNd = type === 'application/x-ndjson';
  const notify = () => {
    for (const w of conn.waiters) w();
  };
  let pending = '';
  const onText = (chunk) => {
    conn.text += chunk;
    pending += chunk;
    if (isNd) {
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        if (line === '') conn.comments.push('');
        else conn.events.push({ data: JSON.parse(line), raw: line });
      }
    } else {
      let i;
      while ((i = pending.indexOf('\n\n')) >= 0) {
        const block = pending.slice(0, i);
        pending = pending.slice(i + 2);
        const ev = { raw: block };
        let isEvent = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) {
            conn.comments.push(line.slice(1).trim());
            continue;
          }
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
          if (field === 'retry') conn.retry = Number(value);
          else if (field === 'id') (ev.id = value), (isEvent = true);
          else if (field === 'event') (ev.event = value), (isEvent = true);
          else if (field === 'data') (ev.dataText = ev.dataText === undefined ? value : `${ev.dataText}\n${value}`), (isEvent = true);
          else throw new Error(`unknown SSE field ${JSON.stringify(line)} in ${JSON.stringify(block)}`);
        }
        if (isEvent) {
          ev.data = ev.dataText === undefined ? undefined : JSON.parse(ev.dataText);
          conn.events.push(ev);
        }
      }
    }
    notify();
  };
  conn.finished = (async () => {
    const dec = new TextDecoder();
    try {
      for await (const chunk of res.body) onText(dec.decode(chunk, { stream: true }));
      conn.ended = true;
    } catch (e) {
      if (!conn.closed) conn.error = e;
    } finally {
      notify();
    }
  })();
  conn.close = () => {
    conn.closed = true;
    ac.abort();
  };
  // Waits until pred(conn) is true, the stream ends or ms pass; returns pred's last value.
  conn.next = (pred, ms = 10_000) =>
    new Promise((resolve) => {
      const check = () => {
        const v = pred(conn);
        if (v || conn.ended || conn.error || conn.closed) {
          clearTimeout(t);
          conn.waiters.delete(check);
          resolve(v);
        }
      };
      const t = setTimeout(() => {
        conn.waiters.delete(check);
        resolve(pred(conn));
      }, ms);
      conn.waiters.add(check);
      check();
    });
  return conn;
}

/** The change events of a connection (not reset/reconnect). */
export const changeEvents = (conn) => conn.events.filter((e) => !['reset', 'reconnect'].includes(e.event));

/** The resume key of an event: its SSE id, or the NDJSON entry's id. */
export const eventKey = (e) => Number(e.id !== undefined ? e.id : e.data.id);

// ------------------------------------------------------------------ the log

/** Every entry after key `after` in the order GET /changes?after= lists them (pages of `limit`). */
export async function logAfter(base, after, limit = 1000) {
  const items = [];
  let key = after;
  for (;;) {
    const res = await api('GET', `/changes?after=${key}&limit=${limit}`, { base, timeoutMs: 60_000 });
    assert.equal(res.status, 200, `GET /changes?after=${key} → ${res.status} ${res.text.slice(0, 300)}`);
    items.push(...res.body.items);
    if (res.body.items.length === 0 || !res.body.next_cursor) return items;
    key = res.body.items[res.body.items.length - 1].id;
  }
}

export function psql(dbUrl, sql) {
  return execFileSync('psql', [dbUrl, '-XqAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', timeout: 60_000 }).trim();
}

/** The database's own commit order after entry `after`: [{id, txid, imp}] by (seq, id). */
export function dbOrderAfter(dbUrl, after) {
  const out = psql(
    dbUrl,
    `SELECT a.id, a.txid, c.import FROM audit_log a JOIN audit_commits c ON c.txid = a.txid
     WHERE c.seq > (SELECT c2.seq FROM audit_log a2 JOIN audit_commits c2 ON c2.txid = a2.txid WHERE a2.id = ${Number(after)})
        OR (a.txid = (SELECT txid FROM audit_log WHERE id = ${Number(after)}) AND a.id > ${Number(after)})
     ORDER BY c.seq, a.id`,
  );
  return out === '' ? [] : out.split('\n').map((l) => {
    const [id, txid, imp] = l.split('|');
    return { id: Number(id), txid, imp: imp === 't' };
  });
}

/**
 * Runs one transaction through psql that writes `sql` (statements that write audit rows),
 * holds it open `holdS` seconds and commits. Resolves with the audit ids it wrote. While it
 * sleeps, pg_stat_activity shows a query holding `tag` (see holding()).
 */
export function heldTransaction(dbUrl, sql, holdS, tag = 'held') {
  return new Promise((resolve, reject) => {
    const script = `BEGIN;\n${sql};\nSELECT string_agg(id::text, ',') FROM audit_log WHERE txid = pg_current_xact_id();\nSELECT pg_sleep(${holdS}), '${tag}';\nCOMMIT;\n`;
    const p = spawn('psql', [dbUrl, '-XqAt', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`psql exited ${code}: ${err}`));
      const line = out.split('\n').find((l) => /^\d+(,\d+)*$/.test(l.trim()));
      resolve(line ? line.trim().split(',').map(Number) : []);
    });
    p.stdin.end(script);
  });
}

/** Whether a held transaction with this tag is sleeping now (its writes are done). */
export function holding(dbUrl, tag) {
  return Number(psql(dbUrl, `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(%${tag}%' AND pid <> pg_backend_pid()`)) > 0;
}

// ------------------------------------------------------------------ filters

/** The document an entry is about: after, or before for a delete. */
const docOf = (e) => e.after ?? e.before ?? {};

/**
 * Whether the stream's filter wants entry e, computed from the entry alone. `f` has
 * entity/operation (arrays), org/team/person (ids). The "held a position there on the day"
 * part of org/team for people and reporting lines is not computed: tests that use org/team
 * make sure no person holds a position in that org on the day of the run.
 */
export function filterWants(f, e) {
  const d = docOf(e);
  if (f.entity && !f.entity.includes(e.entity)) return false;
  if (f.operation && !f.operation.includes(e.operation)) return false;
  if (f.org) {
    const hit = e.entity !== 'source' && ((e.entity === 'organization' && e.entity_id === f.org) || d.org_id === f.org || (e.entity === 'departure' && d.destination_org_id === f.org));
    if (!hit) return false;
  }
  if (f.team) {
    const hit = (e.entity === 'team' && e.entity_id === f.team) || (e.entity !== 'team' && d.team_id === f.team);
    if (!hit) return false;
  }
  if (f.person) {
    const who =
      e.entity === 'person' ? [e.entity_id] : ['position', 'departure'].includes(e.entity) ? [d.person_id] : e.entity === 'reporting_line' ? [d.report_id, d.manager_id] : [];
    if (!who.includes(f.person)) return false;
  }
  return true;
}

/**
 * The events a subscriber with filter f should get from `log` (entries in commit order, each
 * with `txid`/`imp` from the database when coalescing): [{id, event}], in order.
 * With coalesce, each import's entries become one import.done (the import's last id) when one
 * of them is wanted, with `counts` by entity and operation of the whole import.
 */
export function expectedEvents(f, log) {
  const out = [];
  for (let i = 0; i < log.length; i++) {
    const e = log[i];
    if (f.coalesce && e.imp) {
      let j = i;
      while (j + 1 < log.length && log[j + 1].txid === e.txid) j++;
      const part = log.slice(i, j + 1);
      if (part.some((x) => filterWants(f, x))) {
        const counts = {};
        for (const x of part) {
          counts[x.entity] ??= {};
          counts[x.entity][x.operation] = (counts[x.entity][x.operation] ?? 0) + 1;
        }
        out.push({ id: log[j].id, event: 'import.done', counts });
      }
      i = j;
      continue;
    }
    if (filterWants(f, e)) out.push({ id: e.id, event: `${e.entity}.${e.operation}` });
  }
  return out;
}

/** A short description of where two id lists differ. */
export function idDiff(got, want) {
  const g = new Set(got);
  const w = new Set(want);
  const missing = want.filter((x) => !g.has(x));
  const extra = got.filter((x) => !w.has(x));
  return `missing ${missing.length} ${JSON.stringify(missing.slice(0, 30))}, unexpected ${extra.length} ${JSON.stringify(extra.slice(0, 30))}`;
}

// ------------------------------------------------------------------ the spec

let specHasStream;
/**
 * checkSpec for a /changes/stream answer once openapi.yaml documents the path; until then
 * returns false (the caller notes it) and checks nothing.
 */
export function checkStreamSpec(res) {
  specHasStream ??= Boolean(YAML.parse(readFileSync(SPEC_PATH, 'utf8')).paths?.['/changes/stream']);
  if (!specHasStream) return false;
  checkSpec(res, 'GET', '/changes/stream');
  return true;
}

// ------------------------------------------------------------------ subscribers

/**
 * Follows the stream as a client that resumes: connects with after=`from`, then after every
 * end, error or (with `churnMs` [lo, hi]) a disconnect of its own at random, connects again
 * with Last-Event-ID (or after= for NDJSON and `viaAfter`) = the last event it received.
 * Connection errors (server down) are retried every 200 ms. `base` is a function (the
 * server may move). Returns {conns, errors, key, stop(): Promise}.
 */
export function follow(base, { q = {}, ndjson = false, viaAfter = false, from, churnMs } = {}) {
  const sub = { conns: [], errors: [], key: from, stopped: false };
  const loop = (async () => {
    let first = true;
    while (!sub.stopped) {
      const params = new URLSearchParams(q);
      const headers = {};
      if (first || ndjson || viaAfter) params.set('after', String(sub.key));
      else headers['last-event-id'] = String(sub.key);
      let c;
      try {
        c = await openStream(base(), `/changes/stream?${params}`, { ndjson, headers, timeoutMs: 10_000 });
      } catch (e) {
        sub.errors.push(`connect: ${e.cause?.code || e.message}`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (c.status !== 200) {
        sub.errors.push(`status ${c.status}: ${c.text.slice(0, 200)}`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      first = false;
      sub.current = c;
      sub.conns.push(c);
      const track = () => {
        const evs = changeEvents(c);
        if (evs.length) sub.key = eventKey(evs[evs.length - 1]);
        return sub.stopped;
      };
      const ms = churnMs ? churnMs[0] + Math.random() * (churnMs[1] - churnMs[0]) : 3_600_000;
      await c.next(track, ms);
      c.close();
      await c.finished;
      track();
    }
  })();
  sub.stop = async () => {
    sub.stopped = true;
    sub.current?.close();
    for (const w of sub.current?.waiters ?? []) w();
    await loop;
  };
  sub.got = () => new Set(sub.conns.flatMap((c) => changeEvents(c).map(eventKey)));
  return sub;
}

/**
 * The problems of one subscriber against the log (entries in commit order with `pos`, and
 * txid/imp for coalescing): its set of ids (repeats removed) must equal `want`'s, and on each
 * connection events must come in commit order. Returns a list of strings (empty: fine).
 */
export function checkSubscriber(name, sub, want, byId) {
  const problems = [];
  const ids = [...sub.got()].filter((k) => byId.has(k)).sort((a, b) => byId.get(a).pos - byId.get(b).pos);
  const outside = [...sub.got()].filter((k) => !byId.has(k));
  if (outside.length) problems.push(`${name}: events not in the log after the start: ${JSON.stringify(outside.slice(0, 20))}`);
  const wantIds = want.map((e) => e.id);
  if (JSON.stringify(ids) !== JSON.stringify(wantIds)) problems.push(`${name}: ${idDiff(ids, wantIds)}`);
  sub.conns.forEach((c, ci) => {
    let last = -1;
    let lastId;
    for (const e of changeEvents(c)) {
      const entry = byId.get(eventKey(e));
      if (!entry) continue;
      if (entry.pos <= last) problems.push(`${name}, connection ${ci}: ${entry.id} came after ${lastId}, which it precedes in commit order`);
      last = entry.pos;
      lastId = entry.id;
    }
    const resets = c.events.filter((e) => e.event === 'reset');
    if (resets.length) problems.push(`${name}, connection ${ci}: unexpected ${resets[0].raw}`);
  });
  return problems;
}

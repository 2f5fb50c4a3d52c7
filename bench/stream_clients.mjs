// stream_clients.mjs — the clients of section "stream" (bench/stream.sh, issue 27): many
// subscribers of GET /changes/stream in one process (node:http with an agent without a socket
// limit, one socket a subscriber), a paced writer, and a catch-up reader. Prints one JSON
// object on stdout; progress and failures on stderr. Times are wall-clock milliseconds
// (performance.timeOrigin + performance.now(), the clock PostgreSQL's clock_timestamp() reads
// on the same machine).
//
//   idle BASE N KEY READY GO
//       N SSE subscribers (the default format, as EventSource asks). When every one has its
//       200 and first bytes, writes READY ({"attached":…}) and waits for the file GO to exist;
//       then POSTs one source and times its event's arrival at every subscriber (fan-out).
//   conns BASE N READY GO
//       N plain keep-alive connections, each having asked GET /health once and then idle (no
//       stream): what a connection alone costs the server, to set beside a subscriber.
//   latency BASE N KEY RATE SECONDS DB_URL
//       N NDJSON subscribers; once attached, POST /sources RATE times a second (open loop: each
//       write is sent at its scheduled time whatever the others do) for SECONDS; each
//       subscriber timestamps every event on arrival. Latency of a (write, subscriber) pair:
//       arrival − the commit of the write's transaction (audit_commits.committed_at, taken
//       with clock_timestamp() as the last step before the commit, read with psql after the
//       run), and arrival − the send time of the write request (an upper bound: it includes
//       the write's own round trip). Counts what each subscriber missed and ids out of order.
//   catchup BASE AFTER LAST EXPECTED TIMEOUT_S [MARK,MARK...]
//       One NDJSON subscriber from ?after=AFTER, reading until the entry with id LAST arrives:
//       entries, seconds, entries/s, ids out of order (bench/stream_catchup.sql gives ids that
//       rise in commit order), the time to the first byte, entries/s between the marks (ids).
import http from 'node:http';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
const log = (...a) => process.stderr.write(`stream_clients: ${a.join(' ')}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const DRAIN_MS = 10000; // how long events may take after the last write (latency)

// summary VALUES [UNDELIVERED] — nearest-rank p50/p99 and the max; UNDELIVERED pairs count as
// later than any arrival (a percentile that falls on them is null: not delivered in time).
function summary(values, undelivered = 0) {
  const s = Float64Array.from(values).sort();
  const all = s.length + undelivered;
  const at = (p) => {
    const i = Math.min(all, Math.max(1, Math.ceil((p / 100) * all)));
    return i <= s.length ? Math.round(s[i - 1] * 10) / 10 : null;
  };
  return { n: s.length, undelivered, p50: at(50), p99: at(99), max: s.length && !undelivered ? Math.round(s[s.length - 1] * 10) / 10 : null };
}

// subscribe URL HEADERS ONDATA — resolves with the response once its status is known.
function subscribe(url, headers, onData, onEnd) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.on('data', onData);
      res.on('end', () => onEnd('end'));
      res.on('error', () => onEnd('error'));
      resolve({ req, status: res.statusCode });
    });
    req.on('error', (e) => {
      onEnd(`error ${e.code || e.message}`);
      resolve({ req, status: 0, error: e.code || e.message });
    });
  });
}

// Opens N subscribers, a few at a time so the listen backlog is never the limit.
async function openMany(n, open) {
  const out = [];
  for (let i = 0; i < n; i += 50) {
    const batch = [];
    for (let k = i; k < Math.min(n, i + 50); k++) batch.push(open(k));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

const writer = new http.Agent({ keepAlive: true, maxSockets: 16 });
function post(base, key, path, body) {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = http.request(base + path, {
      method: 'POST', agent: writer,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(data);
  });
}

async function idle([base, n, key, ready, go]) {
  n = Number(n);
  const marker = `https://bench.example/fanout/${process.pid}-${Date.now()}`;
  const got = new Float64Array(n); // arrival of the marker's event
  const firstBytes = new Uint8Array(n);
  const ended = [];
  const tails = new Array(n).fill('');
  const t0 = now();
  const subs = await openMany(n, (k) => subscribe(`${base}/changes/stream`, {}, (chunk) => {
    firstBytes[k] = 1;
    if (got[k]) return;
    const text = tails[k] + chunk.toString('utf8');
    if (text.includes(marker)) got[k] = now();
    else tails[k] = text.slice(-marker.length);
  }, (why) => ended.push(`${k}: ${why}`)));
  const statuses = {};
  for (const s of subs) statuses[s.status] = (statuses[s.status] || 0) + 1;
  for (let i = 0; i < 200 && firstBytes.reduce((a, b) => a + b, 0) < n; i++) await sleep(50);
  const attached = subs.filter((s, k) => s.status === 200 && firstBytes[k]).length;
  writeFileSync(ready, JSON.stringify({ attached, statuses, open_ms: Math.round(now() - t0) }) + '\n');
  while (!existsSync(go)) await sleep(50);
  const sent = now();
  const status = await post(base, key, '/sources', { url: marker });
  for (let i = 0; i < DRAIN_MS / 50 && got.filter((x) => x > 0).length < attached; i++) await sleep(50);
  const arrivals = Array.from(got).filter((x) => x > 0).map((x) => x - sent);
  for (const s of subs) s.req.destroy();
  return { attached, statuses, write_status: status, received: arrivals.length, fanout_ms: summary(arrivals, attached - arrivals.length), ended_early: ended.slice(0, 5) };
}

async function conns([base, n, ready, go]) {
  n = Number(n);
  const { hostname, port } = new URL(base);
  const socks = [];
  const answered = await openMany(n, () => new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => s.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`));
    socks.push(s);
    let text = '';
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (/\r\n\r\n/.test(text)) resolve(text.startsWith('HTTP/1.1 200') ? 1 : 0);
    });
    s.on('error', () => resolve(0));
  }));
  const ok = answered.reduce((a, b) => a + b, 0);
  writeFileSync(ready, JSON.stringify({ attached: ok }) + '\n');
  while (!existsSync(go)) await sleep(50);
  for (const s of socks) s.destroy();
  return { connections: n, answered: ok };
}

async function latency([base, n, key, rate, seconds, dbUrl]) {
  n = Number(n);
  rate = Number(rate);
  seconds = Number(seconds);
  const total = Math.round(rate * seconds);
  const run = `${process.pid}x${Date.now()}`;
  const prefix = `https://bench.example/lat/${run}/`;
  const re = new RegExp(`"url" ?: ?"${prefix.replace(/[.\/]/g, '\\$&')}(\\d+)"`);
  const arrival = Array.from({ length: n }, () => new Float64Array(total));
  const order = Array.from({ length: n }, () => new Uint32Array(total)); // arrival rank of each write
  const seen = new Uint32Array(n);
  const ended = [];
  const tails = new Array(n).fill('');
  const subs = await openMany(n, (k) => subscribe(`${base}/changes/stream`, { Accept: 'application/x-ndjson' }, (chunk) => {
    const t = now();
    const lines = (tails[k] + chunk.toString('utf8')).split('\n');
    tails[k] = lines.pop();
    for (const line of lines) {
      if (!line) continue; // keep-alive
      seen[k]++;
      const m = re.exec(line);
      const w = m ? Number(m[1]) : -1;
      if (w >= 0 && w < total && !arrival[k][w]) {
        arrival[k][w] = t;
        order[k][w] = seen[k];
      }
    }
  }, (why) => ended.push(`${k}: ${why}`)));
  const attached = subs.filter((s) => s.status === 200).length;
  if (attached < n) log(`only ${attached} of ${n} subscribers attached`);
  await sleep(500);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const sent = new Float64Array(total);
  const acked = new Float64Array(total);
  const ok = new Uint8Array(total); // answered 201
  const statuses = {};
  const pending = [];
  const t0 = now() + 20;
  let i = 0;
  while (i < total) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await sleep(Math.min(wait, 5));
    while (i < total && t0 + (i * 1000) / rate <= now()) {
      const k = i++;
      sent[k] = now();
      pending.push(post(base, key, '/sources', { url: prefix + k }).then((st) => {
        acked[k] = now();
        ok[k] = st === 201 ? 1 : 0;
        statuses[st] = (statuses[st] || 0) + 1;
      }));
    }
  }
  await Promise.all(pending);
  const writesSecs = (now() - t0) / 1000;
  // Let the last events arrive (at most DRAIN_MS after the last write's answer).
  const complete = () => arrival.every((a) => a.every((x, w) => x > 0 || !ok[w]));
  for (let w = 0; w < DRAIN_MS / 50 && !complete(); w++) await sleep(50);
  loop.disable();
  for (const s of subs) s.req.destroy();
  // The commit time of every write: its transaction's row in audit_commits.
  const rows = execFileSync('psql', [dbUrl, '-X', '-q', '-At', '-F', ' ', '-c',
    `SELECT substr(a.after->>'url', ${prefix.length + 1}), extract(epoch FROM c.committed_at) * 1000, c.seq
     FROM audit_log a JOIN audit_commits c ON c.txid = a.txid
     WHERE a.entity = 'source' AND a.after->>'url' LIKE '${prefix}%'`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const committed = new Float64Array(total);
  const seq = new Float64Array(total);
  for (const line of rows.split('\n')) {
    const [k, t, q] = line.split(' ');
    if (k !== undefined && t) {
      committed[Number(k)] = Number(t);
      seq[Number(k)] = Number(q);
    }
  }
  // Commit order on every connection: the writes sorted by their commit seq must have arrived
  // in that order (audit ids need not increase: a write that took a lower id may commit later).
  const bySeq = [...Array(total).keys()].filter((w) => seq[w] > 0).sort((a, b) => seq[a] - seq[b]);
  let disorder = 0;
  let idOrderDiffers = 0;
  for (let k = 0; k < n; k++) {
    let prev = 0;
    for (const w of bySeq) {
      if (!order[k][w]) continue;
      if (order[k][w] < prev) disorder++;
      prev = order[k][w];
    }
  }
  for (let j = 1; j < bySeq.length; j++) if (bySeq[j] < bySeq[j - 1]) idOrderDiffers++;
  const fromCommit = [];
  const fromSend = [];
  let missing = 0;
  const missingPerSub = [];
  for (let k = 0; k < n; k++) {
    let miss = 0;
    for (let w = 0; w < total; w++) {
      const a = arrival[k][w];
      if (!a) {
        if (ok[w]) miss++;
        continue;
      }
      fromSend.push(a - sent[w]);
      if (committed[w]) fromCommit.push(a - committed[w]);
    }
    missing += miss;
    if (miss) missingPerSub.push(miss);
  }
  const ackMs = [];
  for (let w = 0; w < total; w++) if (acked[w]) ackMs.push(acked[w] - sent[w]);
  return {
    subscribers: n, attached, writes: total, write_statuses: statuses,
    writes_per_s: Math.round((total / writesSecs) * 10) / 10,
    commits_found: committed.filter((x) => x > 0).length,
    events_expected: attached * (statuses[201] || 0), events_received: fromSend.length, missing,
    subscribers_missing_some: missingPerSub.length, out_of_commit_order: disorder, writes_committed_out_of_send_order: idOrderDiffers,
    commit_to_client_ms: summary(fromCommit, missing), send_to_client_ms: summary(fromSend, missing), write_ack_ms: summary(ackMs),
    drain_ms: DRAIN_MS,
    client_loop_delay_ms: { p50: Math.round(loop.percentile(50) / 1e4) / 100, p99: Math.round(loop.percentile(99) / 1e4) / 100, max: Math.round(loop.max / 1e4) / 100 },
    ended_early: ended.slice(0, 5),
  };
}

async function catchup([base, after, last, expected, timeoutS, markList]) {
  last = Number(last);
  const marks = (markList || '').split(',').filter(Boolean).map(Number);
  const markAt = []; // [time, entries] when each mark's id arrived
  let nextMark = 0;
  expected = Number(expected);
  const prefix = Buffer.from('{"id" : ');
  let entries = 0;
  let prevId = Number(after);
  let disorder = 0;
  let tail = Buffer.alloc(0);
  let firstByte = 0;
  let reached = 0;
  const t0 = now();
  let req;
  const done = new Promise((resolve) => {
    req = http.get(`${base}/changes/stream?after=${after}`, { agent, headers: { Accept: 'application/x-ndjson' } }, (res) => {
      if (res.statusCode !== 200) {
        log(`catch-up answered ${res.statusCode}`);
        res.resume();
        resolve();
        return;
      }
      res.on('data', (chunk) => {
        if (!firstByte) firstByte = now();
        let buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
          if (nl > start) { // an entry (an empty line is a keep-alive)
            entries++;
            let id = 0;
            if (buf.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0) {
              for (let p = start + prefix.length; p < nl; p++) {
                const c = buf[p];
                if (c < 48 || c > 57) break;
                id = id * 10 + (c - 48);
              }
            }
            if (id <= prevId) disorder++;
            prevId = id;
            if (nextMark < marks.length && id === marks[nextMark]) {
              markAt.push([now(), entries]);
              nextMark++;
            }
            if (id === last) {
              reached = now();
              req.destroy();
              resolve();
              return;
            }
          }
          start = nl + 1;
        }
        tail = Buffer.from(buf.subarray(start));
      });
      res.on('end', resolve);
      res.on('error', resolve);
    });
    req.on('error', () => resolve());
  });
  const timer = setTimeout(() => { log('catch-up timed out'); req.destroy(); }, Number(timeoutS) * 1000);
  await done;
  clearTimeout(timer);
  const end = reached || now();
  const secs = (end - t0) / 1000;
  // Entries/s between marks (the first from the request's start).
  const marksPerS = markAt.map(([t, n], i) => {
    const [t1, n1] = i ? markAt[i - 1] : [t0, 0];
    return Math.round((n - n1) / ((t - t1) / 1000));
  });
  return {
    entries, expected, reached_last: reached > 0, last_id_seen: prevId, out_of_order: disorder,
    secs: Math.round(secs * 100) / 100, entries_per_s: Math.round(entries / secs),
    first_byte_ms: firstByte ? Math.round(firstByte - t0) : null, marks_per_s: marksPerS,
  };
}

const [mode, ...args] = process.argv.slice(2);
const modes = { idle, conns, latency, catchup };
if (!modes[mode]) {
  log('usage: node bench/stream_clients.mjs idle|conns|latency|catchup ARGS...');
  process.exit(2);
}
const out = await modes[mode](args);
const cpu = process.cpuUsage();
out.client_cpu_s = Math.round((cpu.user + cpu.system) / 1e4) / 100;
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);

// Helpers of the fault tests (tests/faults/*.test.mjs, run by scripts/faults.sh): servers of
// our own (started, stopped, killed by PID), raw HTTP with deadlines, idle connections, the
// PostgreSQL connections of one process (from /proc), psql, RSS, and the per-fault result line.
//
// Environment (set by scripts/faults.sh):
//   ORGWATCH_BIN            the binary under test (default build/orgwatch)
//   FAULTS_DATABASE_URL     the throwaway cluster's libpq URI
//   FAULTS_ADMIN_DATABASE_URL  the same database as the cluster's superuser: the tests watch
//                           PostgreSQL with it, which still works when the server under test
//                           has taken every ordinary connection slot
//   FAULTS_EDITOR_KEY       an editor key of that database
//   FAULTS_PG_SCRIPT, FAULTS_PG_DIR   scripts/pg.sh and the cluster's folder (stop/start)
//   FAULTS_WORK             build/faults (logs/, results, pids)
//   FAULTS_PORT_<NAME>      the HTTP port of each fault's server (18131-18139)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.ORGWATCH_BIN || path.join(REPO, 'build', 'orgwatch');
export const DB_URL = process.env.FAULTS_DATABASE_URL;
const ADMIN_URL = process.env.FAULTS_ADMIN_DATABASE_URL || DB_URL;
export const EDITOR_KEY = process.env.FAULTS_EDITOR_KEY;
export const WORK = process.env.FAULTS_WORK || path.join(REPO, 'build', 'faults');
export const LOGS = path.join(WORK, 'logs');
export const PG_PORT = DB_URL ? Number(new URL(DB_URL).port || 5432) : 0;
export const THREADS = 2;

if (!DB_URL || !EDITOR_KEY) {
  throw new Error('FAULTS_DATABASE_URL and FAULTS_EDITOR_KEY are not set: run the fault tests with bash scripts/faults.sh');
}
fs.mkdirSync(LOGS, { recursive: true });

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.now();
export const secs = (ms) => (ms / 1000).toFixed(1);

/** A prefix unique to this run, safe in slugs: `po-lx2k3f`. */
export function runTag(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

export function port(name) {
  const p = Number(process.env[`FAULTS_PORT_${name.toUpperCase().replace(/-/g, '_')}`]);
  if (!p) throw new Error(`FAULTS_PORT_${name.toUpperCase().replace(/-/g, '_')} is not set`);
  return p;
}

// ------------------------------------------------------------------ the result line

/**
 * The fault's one-line summary ("pg-outage: 412 requests, ..."), written to the results file
 * faults.sh prints, and to stdout.
 */
export function report(name, text) {
  const line = `${name}: ${text}`;
  console.log(`# ${line}`);
  fs.appendFileSync(path.join(WORK, 'results'), `${line}\n`);
}

// ------------------------------------------------------------------ processes

/** Whether the binary carries AddressSanitizer (build/san/orgwatch). */
export const ASAN = (() => {
  try {
    return fs.readFileSync(BIN).includes('__asan_init');
  } catch {
    return false;
  }
})();

/**
 * Server settings for a test that watches RSS: a sanitizer build keeps freed memory in a
 * 256 MB quarantine, which RSS would show as growth; keep it at 8 MB.
 */
export function asanSmallQuarantine() {
  return ASAN ? { ASAN_OPTIONS: `${process.env.ASAN_OPTIONS || 'detect_leaks=1'}:quarantine_size_mb=8` } : {};
}

export function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function alive(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function socketInodes(pid) {
  const inodes = new Set();
  let fds = [];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

function tcpTable() {
  const rows = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10) continue;
      rows.push({
        localPort: parseInt(c[1].split(':')[1], 16),
        remotePort: parseInt(c[2].split(':')[1], 16),
        state: c[3],
        rxQueue: parseInt(c[4].split(':')[1], 16),
        inode: c[9],
      });
    }
  }
  return rows;
}

/**
 * The connections to `serverPort` the server has not dealt with yet: `unaccepted` (waiting in
 * its listen backlog) and `unread` (accepted, with bytes it has not read).
 */
export function backlog(serverPort) {
  const rows = tcpTable().filter((x) => x.localPort === serverPort && (x.state === '01' || x.state === '08'));
  return {
    unaccepted: rows.filter((x) => x.inode === '0').length,
    unread: rows.filter((x) => x.inode !== '0' && x.rxQueue > 0).length,
  };
}

/** The local ports of PID's TCP connections to the PostgreSQL cluster (one per PGconn). */
export function pgConnPorts(pid) {
  const inodes = socketInodes(pid);
  return tcpTable()
    .filter((r) => inodes.has(r.inode) && r.remotePort === PG_PORT && r.state === '01')
    .map((r) => r.localPort);
}

/**
 * PID's TCP sockets: listening, to PostgreSQL, clients (accepted connections on httpPort) and
 * of those the ones in CLOSE-WAIT (the client has closed; the server has not noticed yet).
 */
export function socketCounts(pid, httpPort) {
  const inodes = socketInodes(pid);
  const mine = tcpTable().filter((r) => inodes.has(r.inode));
  const clients = mine.filter((r) => r.localPort === httpPort && r.state !== '0A');
  let fds = 0;
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    /* gone */
  }
  return {
    listening: mine.filter((r) => r.state === '0A').length,
    pg: mine.filter((r) => r.remotePort === PG_PORT && r.state === '01').length,
    clients: clients.length,
    closeWait: clients.filter((r) => r.state === '08').length,
    fds,
  };
}

/** Runs SQL through psql on the cluster (as its superuser); returns the trimmed output (-At). */
export function psql(sql) {
  return execFileSync('psql', [ADMIN_URL, '-XqAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Inserts N people TAG-bulk-1 .. TAG-bulk-N, each with a 2 kB bio (their export is far larger
 * than socket buffers hold). */
export function seedBulkPeople(tag, n) {
  psql(
    `INSERT INTO people (slug, full_name, bio) SELECT '${tag}-bulk-' || n, 'Bulk Person ' || n, repeat('lorem ipsum ', 170)` +
      ` FROM generate_series(1, ${n}) n`,
  );
}

/** The backends serving PID's connections: [{port, xid, state, query, xact_secs}]. */
export function backendsOf(pid) {
  const ports = pgConnPorts(pid);
  if (!ports.length) return [];
  const out = psql(
    `SELECT client_port, coalesce(backend_xid::text, ''), coalesce(state, ''),` +
      ` coalesce(extract(epoch FROM now() - xact_start)::numeric(10,1)::text, ''),` +
      ` replace(left(query, 60), E'\\n', ' ')` +
      ` FROM pg_stat_activity WHERE client_port IN (${ports.join(',')})`,
  );
  return out
    ? out.split('\n').map((l) => {
        const [p, xid, state, xact, query] = l.split('|');
        return { port: Number(p), xid, state, xact_secs: xact === '' ? null : Number(xact), query };
      })
    : [];
}

/** The advisory lock every import's writing transaction takes (ow_import_batch). */
export const IMPORT_LOCK = 7406119;

/**
 * Who holds or awaits the import lock now, from pg_locks joined with pg_stat_activity:
 * [{pid, granted, app, port, state, xact_secs, query}] (empty when nobody does). A failing
 * test prints it, so a wait on the lock explains itself.
 */
export function importLockHolders() {
  const out = psql(
    `SELECT a.pid, l.granted, coalesce(a.application_name, ''), coalesce(a.client_port::text, ''),` +
      ` coalesce(a.state, ''), coalesce(extract(epoch FROM now() - a.xact_start)::numeric(10,1)::text, ''),` +
      ` replace(left(a.query, 80), E'\\n', ' ')` +
      ` FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid` +
      ` WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = ${IMPORT_LOCK} AND l.objsubid = 1` +
      ` ORDER BY l.granted DESC, a.pid`,
  );
  return out
    ? out.split('\n').map((line) => {
        const [pid, granted, app, port, state, xact, query] = line.split('|');
        return { pid: Number(pid), granted: granted === 't', app, port: Number(port) || null, state, xact_secs: xact === '' ? null : Number(xact), query };
      })
    : [];
}

/** importLockHolders() as one line for a report or an assertion message. */
export function fmtLockHolders(holders = importLockHolders()) {
  if (!holders.length) return 'nobody holds or awaits the import lock';
  return holders
    .map((h) => `${h.granted ? 'HELD' : 'awaited'} by backend ${h.pid} (${h.app || '?'}, client port ${h.port ?? '-'}, ${h.state}, transaction ${h.xact_secs ?? '-'} s old): ${h.query}`)
    .join('; ');
}

export function pgScript(cmd) {
  execFileSync('bash', [process.env.FAULTS_PG_SCRIPT, cmd, process.env.FAULTS_PG_DIR], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 90_000,
  });
}

const SANITIZER = /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer/;

/** Sanitizer reports in a log file (lines). */
export function sanitizerReports(logPath) {
  let text = '';
  try {
    text = fs.readFileSync(logPath, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => SANITIZER.test(l));
}

/** Our environment without any ORGWATCH_* or FAULTS_* variable, plus `settings`. */
export function childEnv(settings) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORGWATCH_') && !k.startsWith('FAULTS_')) env[k] = v;
  return { ...env, ...settings };
}

function portTaken(p) {
  return new Promise((resolve) => {
    const s = net.connect(p, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Remembers a PID we started, so faults.sh can stop it if this test dies first. */
function notePid(pid) {
  fs.appendFileSync(path.join(WORK, 'pids'), `${pid}\n`);
}

/** Every server startServer started (afterFaultTest kills those still running). */
const started = [];

/**
 * The end of a fault test file, registered with node:test's after(): first `first` (close
 * what the file opened, start again what it stopped), then SIGKILL for every server
 * startServer started that still runs.
 */
export function afterFaultTest(first = () => {}) {
  after(async () => {
    await first();
    for (const s of started) if (!s.exit) await s.kill();
  });
}

/**
 * Starts `orgwatch serve` on 127.0.0.1:PORT with ORGWATCH_THREADS=2 and our database, plus
 * `settings`; resolves once GET /health answers. The log goes to build/faults/logs/LABEL.server.log.
 */
export async function startServer(label, httpPort, settings = {}) {
  if (await portTaken(httpPort)) throw new Error(`port ${httpPort} is taken by another program`);
  const logPath = path.join(LOGS, `${label}.server.log`);
  const fd = fs.openSync(logPath, 'w');
  const env = childEnv({
    ORGWATCH_DATABASE_URL: DB_URL,
    ORGWATCH_LISTEN: `127.0.0.1:${httpPort}`,
    ORGWATCH_HOME: REPO,
    ORGWATCH_THREADS: String(THREADS),
    ORGWATCH_LOG: 'warn',
    // Every client of these tests is 127.0.0.1: the per-address cap would be the first limit
    // each of them met. The per-address test (per_ip.test.mjs) sets its own.
    ORGWATCH_MAX_CONNECTIONS_PER_IP: '100000',
    ORGWATCH_RATE_READS: '0',
    ORGWATCH_RATE_WRITES: '0',
    ORGWATCH_RATE_IMPORTS: '0',
    ...settings,
  });
  const child = spawn(BIN, ['serve'], { env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  notePid(child.pid);
  const server = {
    label,
    pid: child.pid,
    port: httpPort,
    logPath,
    exit: null, // {code, signal} once it ended
    exited: null,
    log: () => {
      try {
        return fs.readFileSync(logPath, 'utf8');
      } catch {
        return '';
      }
    },
  };
  server.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      server.exit = { code, signal };
      resolve(server.exit);
    });
  });
  // Stops it with SIGTERM (SIGKILL after `ms`); resolves its exit.
  server.stop = async (ms = 30_000) => {
    if (!server.exit) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), ms);
      await server.exited;
      clearTimeout(t);
    }
    return server.exit;
  };
  server.kill = async () => {
    if (!server.exit) child.kill('SIGKILL');
    return server.exited;
  };
  started.push(server);
  const deadline = now() + 30_000;
  for (;;) {
    if (server.exit) throw new Error(`the server exited at start (${JSON.stringify(server.exit)}):\n${server.log().slice(-2000)}`);
    const r = await request(httpPort, 'GET', '/health', { timeoutMs: 2000, agent: false }).catch(() => null);
    if (r?.status === 200) break;
    if (now() > deadline) {
      await server.kill();
      throw new Error(`the server did not answer /health within 30 s:\n${server.log().slice(-2000)}`);
    }
    await sleep(100);
  }
  return server;
}

/**
 * Stops the server with SIGTERM and checks the way it ended: exit status 0 and no sanitizer
 * report in its log. Returns a list of problems (empty when fine).
 */
export async function stopAndCheck(server) {
  const problems = [];
  const wasAlive = !server.exit;
  const exit = await server.stop();
  if (!wasAlive) problems.push(`the server had already ended (${JSON.stringify(exit)})`);
  else if (exit.code !== 0) problems.push(`exit ${JSON.stringify(exit)} after SIGTERM (want status 0)`);
  const reports = sanitizerReports(server.logPath);
  if (reports.length) problems.push(`${reports.length} sanitizer report(s) in ${server.logPath}: ${reports[0]}`);
  return problems;
}

// ------------------------------------------------------------------ HTTP

export const keepAlive = () => new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One HTTP request that must be answered within `timeoutMs` (connect + whole answer).
 * Resolves {status, headers, text, ms}; rejects with an Error whose `code` is TIMEOUT,
 * ECONNREFUSED, ECONNRESET, ... `agent: false` forces a fresh connection; `localAddress`
 * sends from another loopback address (127.0.0.2: another client).
 */
export function request(p, method, urlPath, { headers = {}, body, timeoutMs = 5000, agent, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let settled = false;
    const done = (fn, v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(v);
    };
    const h = { ...headers };
    if (body !== undefined && h['content-length'] === undefined && typeof body !== 'function') {
      h['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: '127.0.0.1', port: p, method, path: urlPath, headers: h, agent, localAddress }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        done(resolve, { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: now() - t0 }),
      );
      res.on('error', (e) => done(reject, e));
      res.on('aborted', () => done(reject, Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' })));
    });
    const timer = setTimeout(() => {
      const e = Object.assign(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' });
      done(reject, e);
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => done(reject, e));
    if (typeof body === 'function') body(req);
    else req.end(body);
  });
}

export const isProblem503 = (r) =>
  r.status === 503 &&
  /^application\/problem\+json\b/i.test(r.headers['content-type'] || '') &&
  (() => {
    try {
      return JSON.parse(r.text).status === 503;
    } catch {
      return false;
    }
  })();

/** Parses Prometheus text into {"name{labels}": value}. */
export function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

/** Counts things: tally(map, key). */
export function tally(map, key) {
  map[key] = (map[key] || 0) + 1;
}

export function fmtTally(map) {
  const keys = Object.keys(map);
  return keys.length ? keys.map((k) => `${map[k]} × ${k}`).join(', ') : 'none';
}

/**
 * Sockets a test opens and must close at its end: `track(socket)` keeps it (errors ignored,
 * forgotten once closed), `destroyAll()` closes every one still open.
 */
export function socketTracker() {
  const sockets = new Set();
  return {
    track(s) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      return s;
    },
    destroyAll() {
      for (const s of sockets) s.destroy();
    },
  };
}

/** Opens a raw TCP connection; resolves the socket once connected (rejects after `ms`). */
export function connect(p, ms = 5000) {
  return new Promise((resolve, reject) => {
    const s = net.connect(p, '127.0.0.1');
    const t = setTimeout(() => {
      s.destroy();
      reject(Object.assign(new Error('connect timeout'), { code: 'TIMEOUT' }));
    }, ms);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/** N person lines of NDJSON with slugs PREFIX-0 .. PREFIX-(N-1). */
export function personLines(prefix, n, from = 0) {
  const lines = [];
  for (let i = from; i < from + n; i++) {
    lines.push(`${JSON.stringify({ type: 'person', slug: `${prefix}-${i}`, full_name: `Fault Person ${i}`, tags: ['fault-test'] })}\n`);
  }
  return lines;
}

/** How many people have a slug starting with PREFIX- (committed rows only). */
export function countPeople(prefix) {
  return Number(psql(`SELECT count(*) FROM people WHERE slug LIKE '${prefix}-%'`));
}

/**
 * Idle connections (nothing sent) a test opens and closes at its end. `open(p, {ms,
 * localAddress, giveUp})` connects to 127.0.0.1:p (from localAddress when given) and resolves,
 * once the connection is made, fails or `ms` pass, with {s, outcome, connectedAt, closedAt,
 * error, gotData}: outcome 'connected', the error's code, or 'TIMEOUT' (with giveUp the attempt
 * is then abandoned; without, it may still connect later and connectedAt says when);
 * connectedAt and closedAt (now()) once connected and once closed after that; error the last
 * error seen, even after connecting; gotData the start of what the server sent. `destroyAll()`
 * closes every one.
 */
export function idleConnections() {
  const all = [];
  return {
    open(p, { ms = 5000, localAddress, giveUp = false } = {}) {
      return new Promise((resolve) => {
        const s = net.connect({ port: p, host: '127.0.0.1', localAddress });
        const c = { s, outcome: null, connectedAt: null, closedAt: null, error: null, gotData: '' };
        all.push(c);
        const settle = (outcome) => {
          if (c.outcome) return;
          c.outcome = outcome;
          resolve(c);
        };
        const t = setTimeout(() => {
          settle('TIMEOUT');
          if (giveUp) s.destroy();
        }, ms);
        s.on('connect', () => {
          c.connectedAt = now();
          clearTimeout(t);
          settle('connected');
        });
        s.on('data', (d) => (c.gotData += d.toString('latin1', 0, 64)));
        s.on('error', (e) => {
          c.error = e.code || e.message;
          clearTimeout(t);
          settle(c.error);
        });
        s.on('close', () => {
          if (c.connectedAt !== null && c.closedAt === null) c.closedAt = now();
        });
      });
    },
    destroyAll() {
      for (const c of all) c.s.destroy();
    },
  };
}

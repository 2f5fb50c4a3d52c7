// helpers-server.mjs — servers of a test's own on the test database: `orgwatch` commands run
// to completion, `orgwatch serve` started on a free port (127.0.0.1:18081-18099) and stopped.
// Environment: ORGWATCH_BIN (default build/orgwatch), ORGWATCH_TEST_DATABASE_URL, ORGWATCH_HOME,
// ORGWATCH_TEST_PORTS (the range servers of a test's own take, default 18081-18099).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { api, freePort, REPO, sleep } from './lib.mjs';

export const BIN = process.env.ORGWATCH_BIN || path.join(REPO, 'build', 'orgwatch');
export const DB_URL = process.env.ORGWATCH_TEST_DATABASE_URL || process.env.ORGWATCH_DATABASE_URL;
export const HOME = process.env.ORGWATCH_HOME || REPO;
const haveBin = existsSync(BIN);
export const noBin = haveBin ? false : `no server binary at ${BIN} (set ORGWATCH_BIN)`;
export const noDb = noBin || (DB_URL ? false : 'ORGWATCH_TEST_DATABASE_URL is not set');

// The environment of a child: ours without any ORGWATCH_* setting, plus `settings`.
export function childEnv(settings) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORGWATCH_')) env[k] = v;
  return { ...env, ...settings };
}

// Runs `BIN args` to completion (killed after `ms`); resolves {code, signal, stdout, stderr, timedOut}.
export function run(args, settings, ms = 15_000) {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { env: childEnv(settings), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

// The ports servers of a test's own may take: ORGWATCH_TEST_PORTS ("18400-18499"), else 18081-18099.
export function testPorts() {
  const m = /^(\d+)-(\d+)$/.exec(process.env.ORGWATCH_TEST_PORTS || '');
  return m ? [Number(m[1]), Number(m[2])] : [18081, 18099];
}

// Starts `orgwatch serve` on a free port (or `port`, e.g. to start a server again where one
// was killed) and waits until /health answers.
export async function startServer(settings = {}, { port: fixedPort } = {}) {
  const port = fixedPort ?? (await freePort(...testPorts()));
  const base = `http://127.0.0.1:${port}`;
  const env = childEnv({
    ORGWATCH_DATABASE_URL: DB_URL,
    ORGWATCH_LISTEN: `127.0.0.1:${port}`,
    ORGWATCH_HOME: HOME,
    ORGWATCH_THREADS: '2',
    ORGWATCH_MAX_BODY: '65536',
    // no rate limit unless a test sets one (tests/api/ratelimit.test.mjs)
    ORGWATCH_RATE_READS: '0',
    ORGWATCH_RATE_WRITES: '0',
    ORGWATCH_RATE_IMPORTS: '0',
    ORGWATCH_LOG: 'info',
    ...settings,
  });
  const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = null;
  exited.then((e) => (gone = e));
  const server = {
    proc,
    port,
    base,
    exited,
    output: () => output,
    // Sends `signal` and waits for the exit; SIGKILL after `ms`.
    async stop(signal = 'SIGTERM', ms = 15_000) {
      if (gone) return gone;
      proc.kill(signal);
      return waitExit(server, ms);
    },
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (gone) throw new Error(`server exited (${JSON.stringify(gone)}) before answering:\n${output}`);
    try {
      const res = await api('GET', '/health', { base, timeoutMs: 1000 });
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not answer /health within 20 s:\n${output}`);
    }
    await sleep(100);
  }
}

export async function waitExit(server, ms) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms, 'timeout')));
  const r = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (r === 'timeout') {
    server.proc.kill('SIGKILL');
    throw new Error(`server did not exit within ${ms} ms:\n${server.output()}`);
  }
  return r;
}

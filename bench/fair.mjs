// fair.mjs — section "fair" of bench/run.sh: 31 polite clients (127.0.0.2 … 127.0.0.32, each a
// request every 200 ms) read GET PATH for SECONDS, alone and then while one greedy client
// (127.0.0.1, CONNS requests at once, as fast as answers come) reads the same path. Prints one
// JSON line: the polite clients' p50/p99 in both phases, the greedy client's answers by status.
// usage: node bench/fair.mjs BASE PATH SECONDS CONNS
import http from 'node:http';

const [base, path, secondsArg, connsArg] = process.argv.slice(2);
const SECONDS = Number(secondsArg || 10);
const CONNS = Number(connsArg || 8);
const url = new URL(base + path);

function get(localAddress, agent) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, localAddress, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    req.end();
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : null;
};

async function polite(until, lat, statuses) {
  const clients = Array.from({ length: 31 }, (_, i) => ({ addr: `127.0.0.${i + 2}`, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) }));
  await Promise.all(
    clients.map(async (c, i) => {
      await new Promise((r) => setTimeout(r, (i * 200) / 31)); // spread over the period
      while (Date.now() < until) {
        const next = Date.now() + 200;
        const r = await get(c.addr, c.agent);
        lat.push(r.ms);
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        const wait = next - Date.now();
        if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      }
      c.agent.destroy();
    }),
  );
}

async function greedy(until, statuses) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (Date.now() < until) {
        const r = await get('127.0.0.1', agent);
        statuses[r.status] = (statuses[r.status] || 0) + 1;
      }
    }),
  );
  agent.destroy();
}

const alone = [];
const aloneStatus = {};
await polite(Date.now() + SECONDS * 1000, alone, aloneStatus);
const shared = [];
const sharedStatus = {};
const greedyStatus = {};
const until = Date.now() + SECONDS * 1000;
await Promise.all([polite(until, shared, sharedStatus), greedy(until, greedyStatus)]);
console.log(
  JSON.stringify({
    alone: { n: alone.length, p50: pct(alone, 50), p99: pct(alone, 99), statuses: aloneStatus },
    shared: { n: shared.length, p50: pct(shared, 50), p99: pct(shared, 99), statuses: sharedStatus },
    greedy: { statuses: greedyStatus, per_second: Object.values(greedyStatus).reduce((a, b) => a + b, 0) / SECONDS },
  }),
);

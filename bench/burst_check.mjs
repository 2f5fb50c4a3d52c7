// burst_check.mjs — the writer and the checker of section "burst" (bench/burst.sh): once a
// second, a write (PATCH the person of PERSON_PATH with a new bio), and as soon as it is
// acknowledged, every hot URL read as a browser reads it (no Cache-Control: it may come from
// the answer cache). No answer may predate the write: the person shows the new bio, and every
// answer's data version (its ETag "v<n>.") is at least the version the database gives right
// after the write (the same URL asked with "Cache-Control: no-cache").
// usage: node bench/burst_check.mjs BASE EDITOR_KEY PATHS_FILE PERSON_PATH SECONDS > result.json
import { readFileSync } from 'node:fs';

const [base, key, pathsFile, personPath, seconds] = process.argv.slice(2);
const paths = readFileSync(pathsFile, 'utf8').split('\n').filter(Boolean);
const until = Date.now() + Number(seconds) * 1000;
const version = (etag) => {
  const m = /^"v([0-9]+)\./.exec(etag || '');
  return m ? Number(m[1]) : null;
};
const out = { writes: 0, reads: 0, stale: [], failed: [] };
let n = 0;
while (Date.now() < until) {
  const started = Date.now();
  const bio = `burst write ${++n} at ${new Date().toISOString()}`;
  const w = await fetch(base + personPath, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ bio }),
  });
  await w.arrayBuffer();
  if (w.status !== 200) {
    out.failed.push(`write ${n}: ${w.status}`);
    break;
  }
  out.writes++;
  // The versions right after the write, from the database.
  const fresh = {};
  for (const p of paths) {
    const r = await fetch(base + p, { headers: { 'Cache-Control': 'no-cache' } });
    await r.arrayBuffer();
    fresh[p] = version(r.headers.get('etag'));
  }
  for (const p of paths) {
    const r = await fetch(base + p);
    const text = await r.text();
    out.reads++;
    if (r.status !== 200) {
      out.failed.push(`${p}: ${r.status}`);
      continue;
    }
    const v = version(r.headers.get('etag'));
    if (fresh[p] !== null && (v === null || v < fresh[p])) out.stale.push(`${p}: version ${v} < ${fresh[p]} after write ${n}`);
  }
  const person = await fetch(base + personPath);
  const doc = await person.json();
  out.reads++;
  if (doc.bio !== bio) out.stale.push(`${personPath}: bio "${doc.bio}" after write ${n} ("${bio}")`);
  const rest = 1000 - (Date.now() - started);
  if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
}
process.stdout.write(JSON.stringify(out) + '\n');

// The dashboard's modules (web/*.js), read as files: every relative import names a file that
// exists, no module imports itself through others (no cycles), and each file opens with a
// comment saying what it owns. No browser and no server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const files = readdirSync(WEB).filter((f) => f.endsWith('.js')).sort();
const source = new Map(files.map((f) => [f, readFileSync(path.join(WEB, f), 'utf8')]));
const imports = new Map(files.map((f) => [f, [...source.get(f).matchAll(/^import\s[^;]*?from\s+'\.\/([^']+)'/gms)].map((m) => m[1])]));

test('each module opens with a comment naming its file and what it owns', () => {
  for (const f of files) assert.match(source.get(f), new RegExp(`^// ${f.replace('.', '\\.')} — \\S`), f);
});

test('every relative import names a module of web/', () => {
  for (const [f, deps] of imports) for (const d of deps) assert.ok(existsSync(path.join(WEB, d)), `${f} imports ${d}`);
});

test('no import cycles between the modules', () => {
  const cycles = [];
  const state = new Map(); // 1: on the path, 2: done
  const visit = (f, trail) => {
    if (state.get(f) === 1) return cycles.push([...trail.slice(trail.indexOf(f)), f].join(' → '));
    if (state.get(f) === 2) return undefined;
    state.set(f, 1);
    for (const d of imports.get(f) || []) visit(d, [...trail, f]);
    state.set(f, 2);
    return undefined;
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, []);
});

// spec_yaml.test.mjs — openapi.yaml reads the same to every parser a client generator may use:
// YAML 1.1 (PyYAML and what is built on it: `on` is a boolean there, bare timestamps are
// dates) and YAML 1.2; every mapping key is a string, and every example of a string schema is
// a string. PyYAML itself is asked too, when python3 has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const SPEC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../openapi.yaml');
const text = readFileSync(SPEC, 'utf8');

function nonStrings(doc) {
  const bad = [];
  const walk = (x, at) => {
    if (x instanceof Date) bad.push(`${at}: a date/time value`);
    else if (Array.isArray(x)) x.forEach((v, i) => walk(v, `${at}/${i}`));
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) walk(v, `${at}/${k}`);
      const types = [].concat(x.type ?? []);
      if (types.includes('string')) {
        for (const [i, e] of (x.examples ?? []).entries()) if (typeof e !== 'string' && !(e === null && types.includes('null'))) bad.push(`${at}/examples/${i}: ${JSON.stringify(e)} is not a string`);
        if ('example' in x && typeof x.example !== 'string') bad.push(`${at}/example: not a string`);
      }
    }
  };
  walk(doc, '');
  return bad;
}

test('openapi.yaml loads identically as YAML 1.1 and YAML 1.2', () => {
  const v12 = YAML.parse(text, { version: '1.2' });
  const v11 = YAML.parse(text, { version: '1.1' });
  assert.deepEqual(v11, v12);
  // Map keys: YAML.parse turns any key into a string, so look at the parsed nodes' keys.
  const docNode = YAML.parseDocument(text, { version: '1.1' });
  const badKeys = [];
  YAML.visit(docNode, {
    Pair(_, pair) {
      const k = pair.key;
      if (YAML.isScalar(k) && typeof k.value !== 'string') badKeys.push(`${JSON.stringify(k.value)} at offset ${k.range?.[0]}`);
    },
  });
  assert.deepEqual(badKeys, [], 'mapping keys that YAML 1.1 does not read as strings');
  assert.deepEqual(nonStrings(v11), []);
});

test('PyYAML (YAML 1.1) reads only string keys and string examples', (t) => {
  let out;
  try {
    out = execFileSync(
      'python3',
      [
        '-c',
        `import yaml, json, datetime, sys
d = yaml.safe_load(open(sys.argv[1]))
bad = []
def walk(x, at):
    if isinstance(x, dict):
        for k, v in x.items():
            if not isinstance(k, str): bad.append('%s: key %r' % (at, k))
            walk(v, '%s/%s' % (at, k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            if at.endswith('/required') and not isinstance(v, str): bad.append('%s/%d: %r' % (at, i, v))
            walk(v, '%s/%d' % (at, i))
    elif isinstance(x, (datetime.date, datetime.datetime)): bad.append('%s: %r' % (at, x))
walk(d, '')
print(json.dumps(bad))`,
        SPEC,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (e) {
    if (/No module named 'yaml'|ENOENT/.test(String(e.stderr ?? e.message))) return t.skip('python3 with PyYAML is not installed');
    throw e;
  }
  assert.deepEqual(JSON.parse(out), []);
});

test('every error response is a plain Problem a generator can type, and no request or response needs merging', () => {
  const doc = YAML.parse(text);
  const resolve = (x) => {
    while (x && x.$ref) x = x.$ref.split('/').slice(1).reduce((o, k) => o[k], doc);
    return x;
  };
  const bad = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      for (const [code, r0] of Object.entries(op.responses)) {
        const r = resolve(r0);
        for (const [type, media] of Object.entries(r.content ?? {})) {
          if (Number(code) >= 400 && type === 'application/problem+json' && media.schema?.$ref !== '#/components/schemas/Problem') bad.push(`${m} ${p} ${code} ${type}: not a $ref to Problem`);
          if (JSON.stringify(resolve(media.schema) ?? {}).includes('"allOf"')) bad.push(`${m} ${p} ${code}: allOf in the response schema`);
        }
      }
      for (const media of Object.values(resolve(op.requestBody)?.content ?? {})) {
        const s = resolve(media.schema) ?? {};
        // allOf may carry rules over the schema's own properties (the either/or pairs: not
        // both, one of them required); a subschema that adds properties or types needs merging.
        const keysIn = (x, keys) => x && typeof x === 'object' && Object.keys(x).every((k) => keys.includes(k));
        const onlyRules = (s.allOf ?? []).every(
          (x) => keysIn(x, ['not', 'anyOf']) && (!x.not || keysIn(x.not, ['required', 'anyOf'])) && (x.anyOf ?? []).every((y) => keysIn(y, ['required'])),
        );
        if (!onlyRules || s.anyOf || s.oneOf) bad.push(`${m} ${p}: the request schema needs merging`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('either/or reference pairs are expressed: each alias names the field it stands for, which exists', () => {
  const doc = YAML.parse(text);
  const found = [];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    for (const [prop, def] of Object.entries(schema.properties ?? {})) {
      const other = /^Instead of `(\w+)`/.exec(def.description ?? '')?.[1];
      if (!other) continue;
      found.push(`${name}.${prop}`);
      assert.equal(def['x-orgwatch-either-or'], other, `${name}.${prop} names ${other}`);
      assert.ok(schema.properties[other], `${name}.${prop}: ${other} is a property of ${name}`);
      assert.match(def.description, /not both; both null is accepted/);
      // The same rule in standard JSON Schema, which generic tools read: not both (unless
      // both are null).
      const rule = (schema.allOf ?? []).find((r) => JSON.stringify(r.not?.required) === JSON.stringify([other, prop]));
      assert.ok(rule, `${name}: no allOf rule forbids giving both ${other} and ${prop}`);
    }
    for (const [a, b] of schema['x-orgwatch-required-one-of'] ?? []) {
      const one = (schema.allOf ?? []).find((r) => JSON.stringify(r.anyOf) === JSON.stringify([{ required: [a] }, { required: [b] }]));
      assert.ok(one, `${name}: no allOf rule requires ${a} or ${b}`);
    }
  }
  assert.ok(found.length >= 30, `only ${found.length} aliases found`);
});

// Shared helpers of the API tests: an HTTP client for the server under test, API keys,
// and checkSpec(), which validates every response against openapi.yaml.
//
// Environment:
//   ORGWATCH_TEST_URL            server under test (default http://127.0.0.1:18080)
//   ORGWATCH_TEST_{READER,EDITOR,ADMIN}_KEY   API keys; when absent and ORGWATCH_BIN plus
//                                ORGWATCH_TEST_DATABASE_URL are set, keys are made with
//                                `orgwatch key create` on first use
//   ORGWATCH_HOME                folder holding the served openapi.yaml (default: the repo root)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SPEC_PATH = path.join(REPO, 'openapi.yaml');
export const BASE = (process.env.ORGWATCH_TEST_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');

// ------------------------------------------------------------------ keys

const ROLES = ['reader', 'editor', 'admin'];
const keyCache = new Map();

// The key of a role: from ORGWATCH_TEST_<ROLE>_KEY, else made once with `orgwatch key create`
// (needs ORGWATCH_BIN and ORGWATCH_TEST_DATABASE_URL), else undefined.
function roleKey(role) {
  if (keyCache.has(role)) return keyCache.get(role);
  let key = process.env[`ORGWATCH_TEST_${role.toUpperCase()}_KEY`] || undefined;
  const bin = process.env.ORGWATCH_BIN;
  const db = process.env.ORGWATCH_TEST_DATABASE_URL;
  if (!key && bin && db) {
    try {
      key = execFileSync(bin, ['key', 'create', '--name', `api-test-${role}-${process.pid}`, '--role', role], {
        env: { ...process.env, ORGWATCH_DATABASE_URL: db },
        encoding: 'utf8',
        timeout: 30_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
    } catch {
      key = undefined;
    }
  }
  keyCache.set(role, key);
  return key;
}

/** API keys by role; each is a string, or undefined when none is configured. */
export const keys = {};
for (const role of ROLES) Object.defineProperty(keys, role, { enumerable: true, get: () => roleKey(role) });

function keyValue(key) {
  if (!ROLES.includes(key)) return key; // a literal key (e.g. a deliberately bad one)
  const value = keys[key];
  if (!value) {
    throw new Error(
      `no ${key} key: set ORGWATCH_TEST_${key.toUpperCase()}_KEY (or ORGWATCH_BIN and ORGWATCH_TEST_DATABASE_URL)`,
    );
  }
  return value;
}

// ------------------------------------------------------------------ HTTP

function mediaType(res) {
  return (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
}
const isJsonType = (t) => t === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(t);

/**
 * One request to the server. `key` is a role name ('reader', 'editor', 'admin') or a literal key.
 * `body` is sent as JSON (content-type application/json unless `headers` sets one), or as is
 * when `raw` is true (string, Buffer, ReadableStream). Redirects are not followed.
 * Returns {status, headers, body, text, bytes}: `body` is the parsed JSON for JSON and
 * problem+json answers (undefined, with `bodyError`, when it does not parse), else the text.
 */
export async function api(method, urlPath, opts = {}) {
  const { body, headers = {}, key, raw = false, base = BASE, timeoutMs = 30_000, signal } = opts;
  const h = new Headers(headers);
  if (key !== undefined) h.set('authorization', `Bearer ${keyValue(key)}`);
  let payload;
  const init = { method, headers: h, redirect: 'manual', signal: signal ?? AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    if (raw) {
      payload = body;
      if (typeof body?.getReader === 'function') init.duplex = 'half';
    } else {
      payload = JSON.stringify(body);
      if (!h.has('content-type')) h.set('content-type', 'application/json');
    }
    init.body = payload;
  }
  let r;
  try {
    r = await fetch(base + urlPath, init);
  } catch (e) {
    const why = e.cause?.code || e.cause?.message || e.message;
    const err = new Error(`${method} ${base}${urlPath} failed: ${why}`);
    err.cause = e;
    throw err;
  }
  const bytes = Buffer.from(await r.arrayBuffer());
  const text = bytes.toString('utf8');
  const res = { status: r.status, headers: r.headers, text, bytes, body: text, method, url: base + urlPath };
  if (isJsonType(mediaType(r))) {
    try {
      res.body = text === '' ? undefined : JSON.parse(text);
    } catch (e) {
      res.body = undefined;
      res.bodyError = `not JSON: ${e.message}`;
    }
  }
  return res;
}

/** A suffix unique to this run and call, safe in slugs: `t-lx2k3f-9a8b7c`. */
export function uniq(prefix = 't') {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `fn` until it returns a truthy value or `ms` pass; returns that value or the last error/undefined. */
export async function waitFor(fn, ms, every = 200) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) return last instanceof Error ? undefined : last;
    await sleep(every);
  }
}

/** A TCP port of [from, to] on 127.0.0.1 that nothing listens on right now. */
export async function freePort(from = 18081, to = 18099) {
  const ports = [];
  for (let p = from; p <= to; p++) ports.push(p);
  ports.sort(() => Math.random() - 0.5); // files running at once should not pick the same port
  for (const port of ports) {
    const ok = await new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

/** The `field` of every entry of a problem's `errors`. */
export function errorFields(res) {
  return Array.isArray(res.body?.errors) ? res.body.errors.map((e) => e?.field) : [];
}

/** True when `fields` names `name` itself or a part of it (`tags[0]`, `links.x`). */
export function namesField(fields, name) {
  return fields.some((f) => typeof f === 'string' && (f === name || f.startsWith(`${name}[`) || f.startsWith(`${name}.`)));
}

/** Throws unless `res` is a problem+json answer with this status. */
export function expectProblem(res, status) {
  const t = mediaType(res);
  if (res.status !== status || t !== 'application/problem+json') {
    throw new Error(`${describe(res)}: expected ${status} application/problem+json`);
  }
  return res;
}

function describe(res) {
  const excerpt = res.text.length > 600 ? `${res.text.slice(0, 600)}…` : res.text;
  return `${res.method ?? ''} ${res.url ?? ''} → ${res.status} ${res.headers.get('content-type') ?? '(no content-type)'} ${excerpt}`;
}

// ------------------------------------------------------------------ spec validation

const SPEC_ID = 'urn:orgwatch:openapi';
let specState;

function loadSpec() {
  if (specState) return specState;
  const doc = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The whole document is one schema resource, so `#/components/...` refs resolve inside it
  // and any response schema can be compiled by its JSON pointer.
  ajv.addSchema({ ...doc, $id: SPEC_ID });
  specState = { doc, ajv, validators: new Map() };
  return specState;
}

const escapePointer = (s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));

// Follows a local $ref chain; returns {node, pointer} where pointer is the node's location.
function deref(doc, node, pointer) {
  for (let hops = 0; node && typeof node.$ref === 'string'; hops++) {
    if (!node.$ref.startsWith('#/') || hops > 20) throw new Error(`unsupported $ref ${node.$ref} at ${pointer}`);
    pointer = node.$ref.slice(1);
    node = pointer
      .split('/')
      .slice(1)
      .reduce((n, part) => n?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    if (node === undefined) throw new Error(`unresolved $ref ${pointer}`);
  }
  return { node, pointer };
}

function validatorAt(pointer) {
  const st = loadSpec();
  let v = st.validators.get(pointer);
  if (!v) {
    v = st.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
    st.validators.set(pointer, v);
  }
  return v;
}

function ajvErrors(errors) {
  return (errors || [])
    .slice(0, 25)
    .map((e) => `  ${e.instancePath || '(root)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`)
    .join('\n');
}

/**
 * Throws unless `res` (from api()) is an answer openapi.yaml documents for `method pathTemplate`
 * (e.g. 'GET', '/people/{id}'): its status (or an `NXX`/`default` entry) must be listed, its
 * content type must be one the response lists, its body must validate against that schema,
 * every required response header must be present and match its schema, and a problem body's
 * `status` must equal the HTTP status. A path the spec does not have may only answer 404, and
 * a method the path does not have only 405 (checked against the `x-orgwatch-unmatched`
 * responses). Returns `res`.
 */
export function checkSpec(res, method, pathTemplate) {
  const { doc } = loadSpec();
  const m = method.toLowerCase();
  const where = `${method.toUpperCase()} ${pathTemplate}`;
  const pathItem = doc.paths?.[pathTemplate];
  let responses;
  let base;
  if (pathItem && pathItem[m]) {
    responses = pathItem[m].responses;
    base = `/paths/${escapePointer(pathTemplate)}/${m}/responses`;
  } else {
    const allowed = pathItem ? 405 : 404;
    if (res.status !== allowed) {
      throw new Error(`${where} is not in openapi.yaml, so only ${allowed} is acceptable; got ${describe(res)}`);
    }
    responses = doc['x-orgwatch-unmatched']?.responses;
    base = '/x-orgwatch-unmatched/responses';
  }
  const code = String(res.status);
  const key = [code, `${code[0]}XX`, `${code[0]}xx`, 'default'].find((k) => responses?.[k]);
  if (!key) {
    throw new Error(
      `${where}: status ${res.status} is not documented (documented: ${Object.keys(responses || {}).join(', ')}); got ${describe(res)}`,
    );
  }
  const { node: response, pointer } = deref(doc, responses[key], `${base}/${escapePointer(key)}`);

  for (const [name, h0] of Object.entries(response.headers || {})) {
    const { node: header, pointer: hp } = deref(doc, h0, `${pointer}/headers/${escapePointer(name)}`);
    const value = res.headers.get(name);
    if (value === null) {
      if (header.required) throw new Error(`${where} ${res.status}: required header ${name} is missing; got ${describe(res)}`);
      continue;
    }
    if (header.schema) {
      const v = validatorAt(`${hp}/schema`);
      if (!v(value)) throw new Error(`${where} ${res.status}: header ${name}: ${JSON.stringify(value)} does not match\n${ajvErrors(v.errors)}`);
    }
  }

  const type = mediaType(res);
  if (!response.content) {
    if ((res.status === 204 || res.status === 304) && res.text !== '') {
      throw new Error(`${where} ${res.status}: the body must be empty; got ${describe(res)}`);
    }
    return res;
  }
  if (!type) throw new Error(`${where} ${res.status}: no Content-Type; got ${describe(res)}`);
  const mediaKey = Object.keys(response.content).find((k) => {
    const kk = k.toLowerCase();
    return kk === type || kk === '*/*' || (kk.endsWith('/*') && type.startsWith(kk.slice(0, -1)));
  });
  if (!mediaKey) {
    throw new Error(
      `${where} ${res.status}: content type ${type} is not documented (documented: ${Object.keys(response.content).join(', ')}); got ${describe(res)}`,
    );
  }
  const media = response.content[mediaKey];
  const json = isJsonType(type);
  if (json && res.bodyError) throw new Error(`${where} ${res.status}: body is ${res.bodyError}; got ${describe(res)}`);
  if (media.schema) {
    const v = validatorAt(`${pointer}/content/${escapePointer(mediaKey)}/schema`);
    const data = json ? res.body : res.text;
    if (!v(data)) {
      throw new Error(`${where} ${res.status}: the body does not match openapi.yaml:\n${ajvErrors(v.errors)}\n${describe(res)}`);
    }
  }
  if (type === 'application/problem+json' && res.body?.status !== res.status) {
    throw new Error(`${where}: problem body status ${res.body?.status} differs from the HTTP status ${res.status}`);
  }
  return res;
}

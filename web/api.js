// api.js — GET requests to this server's API (problem+json turned into readable messages),
// "latest call wins" for concurrent refreshes, and the loading / error state of a section.
import { $, h } from './dom.js';

export class ApiError extends Error {}

export function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** GET a path of this server. JSON answers are parsed; with accept set, the Response is returned. */
export async function api(path, params, accept) {
  let res;
  try {
    res = await fetch(url(path, params), { headers: { Accept: accept || 'application/json' } });
  } catch {
    throw new ApiError('Could not reach the orgwatch server. Is it running?');
  }
  if (!res.ok) {
    let msg = `The server answered ${res.status} ${res.statusText}.`;
    try {
      const p = await res.json();
      msg = p.detail || p.title || msg;
      if (Array.isArray(p.errors) && p.errors.length)
        msg += ' ' + p.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
    } catch {
      /* not problem+json: keep the status line */
    }
    throw new ApiError(msg);
  }
  if (accept) return res;
  try {
    return await res.json();
  } catch {
    throw new ApiError('The server sent an answer that is not JSON.');
  }
}

/** Only the latest call of each named task may update the page. */
const seqs = new Map();
export function latest(name) {
  const n = (seqs.get(name) || 0) + 1;
  seqs.set(name, n);
  return () => seqs.get(name) === n;
}

export function setStatus(id, kind, text) {
  const el = $(id);
  el.replaceChildren();
  el.className = kind ? `status status-${kind}` : 'status';
  el.removeAttribute('role');
  if (!kind) {
    el.setAttribute('role', 'status');
    return;
  }
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  if (kind === 'loading') el.append(h('span', { class: 'spinner', 'aria-hidden': 'true' }));
  if (kind === 'error') el.append(h('strong', {}, 'Could not load this part. '));
  el.append(text);
}

export function busy(section, on) {
  const el = typeof section === 'string' ? $(section) : section;
  if (!el) return;
  el.classList.toggle('is-loading', on);
  el.setAttribute('aria-busy', on ? 'true' : 'false');
}

// ticker.js — the "Latest changes" ticker: the change stream (GET /changes/stream) over
// EventSource, with the dashboard's organization and team, the newest changes on top. Off
// until the reader turns it on ("Follow live", kept in the URL as live=1): every open page
// holds a stream, and the server counts streams per client address. EventSource resumes by
// itself with Last-Event-ID after a drop or the stream's `reconnect`, so nothing is missed.
import { $, h } from './dom.js';
import { state } from './state.js';

const KEEP = 8; // changes shown
const ENTITIES = ['organization', 'team', 'person', 'position', 'reporting_line', 'departure', 'layoff', 'source'];
const OPERATIONS = ['create', 'update', 'delete', 'merge'];
const NOUN = {
  organization: 'Organization', team: 'Team', person: 'Person', position: 'Position',
  reporting_line: 'Reporting line', departure: 'Departure', layoff: 'Layoff', source: 'Source',
};
const VERB = { create: 'recorded', update: 'corrected', delete: 'removed', merge: 'merged' };

let source = null;
let following = ''; // the filters of the open stream

/** A line of text for a change: what, and the name or date it carries. */
export function describe(entry) {
  const doc = entry.after || entry.before || {};
  const what = `${NOUN[entry.entity] || entry.entity} ${VERB[entry.operation] || entry.operation}`;
  const name = doc.full_name || doc.name || doc.title || doc.url || '';
  const when = doc.departed_on || doc.announced_on || doc.started_on || doc.valid_from || '';
  return [what, name, when].filter(Boolean).join(' · ');
}

function show(entry) {
  const list = $('ticker-list');
  const at = new Date(entry.at);
  const time = Number.isNaN(at.getTime()) ? '' : at.toISOString().slice(11, 19);
  list.prepend(h('li', { 'data-entity': entry.entity }, h('time', { datetime: entry.at }, time), ' ', describe(entry)));
  while (list.children.length > KEEP) list.lastElementChild.remove();
  $('ticker-status').textContent = '';
}

function streamUrl() {
  const q = new URLSearchParams();
  if (state.org) q.set('org', state.org);
  if (state.team) q.set('team', state.team);
  const s = q.toString();
  return `/changes/stream${s ? `?${s}` : ''}`;
}

function stop() {
  source?.close();
  source = null;
  following = '';
}

function start() {
  const url = streamUrl();
  if (source && following === url) return;
  stop();
  following = url;
  $('ticker-list').replaceChildren();
  $('ticker-status').textContent = 'Listening: changes appear here as they are recorded.';
  source = new EventSource(url);
  for (const e of ENTITIES) {
    for (const o of OPERATIONS) {
      source.addEventListener(`${e}.${o}`, (ev) => {
        try {
          show(JSON.parse(ev.data));
        } catch {
          /* not a change: ignored */
        }
      });
    }
  }
  source.onerror = () => {
    if (source?.readyState === EventSource.CLOSED) $('ticker-status').textContent = 'The live stream is unavailable; turn it off and on to retry.';
  };
}

/** Opens, re-opens (the filters changed) or closes the stream as state.live says. */
export function syncTicker() {
  const on = state.live === '1';
  $('ticker-toggle').setAttribute('aria-pressed', on ? 'true' : 'false');
  $('ticker-toggle').textContent = on ? 'Stop following' : 'Follow live';
  $('s-ticker').classList.toggle('is-live', on);
  if (on) start();
  else {
    stop();
    $('ticker-status').textContent = 'Off. “Follow live” shows new changes as they are recorded.';
  }
}

export function wireTicker(onChange) {
  $('ticker-toggle').addEventListener('click', () => {
    state.live = state.live === '1' ? '' : '1';
    syncTicker();
    onChange();
  });
}

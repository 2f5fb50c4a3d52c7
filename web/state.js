// state.js — what the page shows, mirrored in the URL hash so a view can be shared; and the
// organizations on record (the filters' choices) with the unfiltered story's defaults.
import { KIND_LABEL, validDay, validMonth } from './format.js';

export const state = {
  org: '', team: '', kind: '', from: '', to: '', // shared filters
  person: '', personName: '', sort: '-departed_on', month: '', // table
  chartOrg: '', asOf: '', // org chart
};
const HASH_KEYS = ['org', 'team', 'kind', 'from', 'to', 'person', 'sort', 'month', 'chartOrg', 'asOf'];

export function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of HASH_KEYS) if (p.has(k)) state[k] = p.get(k);
  if (state.from && !validMonth(state.from)) state.from = '';
  if (state.to && !validMonth(state.to)) state.to = '';
  if (state.asOf && !validDay(state.asOf)) state.asOf = '';
  if (state.month && !validMonth(state.month)) state.month = '';
  if (!['departed_on', '-departed_on'].includes(state.sort)) state.sort = '-departed_on';
  if (!KIND_LABEL[state.kind]) state.kind = '';
}
export function writeHash() {
  const p = new URLSearchParams();
  for (const k of HASH_KEYS) if (state[k] && !(k === 'sort' && state[k] === '-departed_on')) p.set(k, state[k]);
  const next = p.toString();
  if (next !== location.hash.slice(1)) history.replaceState(null, '', next ? `#${next}` : location.pathname);
}

export const filterParams = () => ({ org: state.org, team: state.team, kind: state.kind, from: state.from, to: state.to });

/** Organizations on record (sorted by name) and the unfiltered figures' defaults. */
export const ref = {
  orgs: [],
  orgById: new Map(),
  orgBySlug: new Map(),
  story: { peak: null, topOrg: null }, // from the unfiltered statistics, for defaults
};

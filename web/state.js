// state.js — what the page shows, mirrored in the URL hash so a view can be shared; the
// request parameters of the filters for each view; and the organizations on record (the
// filters' choices) with the unfiltered story's defaults.
import { KIND_LABEL, STAGE_LABEL, validDay, validMonth } from './format.js';

export const VIEWS = ['departures', 'layoffs'];
export const state = {
  view: 'departures', // which view is shown
  org: '', team: '', kind: '', from: '', to: '', industry: '', country: '', stage: '', // shared filters
  person: '', personName: '', sort: '-departed_on', month: '', // table
  chartOrg: '', asOf: '', // org chart
  live: '', // '1': the latest-changes ticker follows the change stream
};
const HASH_KEYS = ['view', 'org', 'team', 'kind', 'industry', 'country', 'stage', 'from', 'to', 'person', 'sort', 'month', 'chartOrg', 'asOf', 'live'];
const DEFAULTS = { view: 'departures', sort: '-departed_on' }; // left out of the hash

export function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of HASH_KEYS) if (p.has(k)) state[k] = p.get(k);
  if (state.from && !validMonth(state.from)) state.from = '';
  if (state.to && !validMonth(state.to)) state.to = '';
  if (state.asOf && !validDay(state.asOf)) state.asOf = '';
  if (state.month && !validMonth(state.month)) state.month = '';
  if (!['departed_on', '-departed_on'].includes(state.sort)) state.sort = '-departed_on';
  if (!KIND_LABEL[state.kind]) state.kind = '';
  if (!VIEWS.includes(state.view)) state.view = 'departures';
  state.country = /^[A-Za-z]{2}$/.test(state.country) ? state.country.toUpperCase() : '';
  if (!STAGE_LABEL[state.stage]) state.stage = '';
  state.industry = state.industry.trim().slice(0, 200);
  if (state.live !== '1') state.live = '';
}
export function writeHash() {
  const p = new URLSearchParams();
  for (const k of HASH_KEYS) if (state[k] && state[k] !== DEFAULTS[k]) p.set(k, state[k]);
  const next = p.toString();
  if (next !== location.hash.slice(1)) history.replaceState(null, '', next ? `#${next}` : location.pathname);
}

/** The organization's facets: industry, country, stage (both views). */
const facetParams = () => ({ industry: state.industry, country: state.country, stage: state.stage });
/** The departures view's filters. */
export const filterParams = () => ({ org: state.org, team: state.team, kind: state.kind, from: state.from, to: state.to, ...facetParams() });
/** The filters less team and kind, for what has neither: the layoffs view, the flows. */
export const broadParams = () => ({ org: state.org, from: state.from, to: state.to, ...facetParams() });

/** Organizations on record (sorted by name) and the unfiltered figures' defaults. */
export const ref = {
  orgs: [],
  orgById: new Map(),
  orgBySlug: new Map(),
  story: { peak: null, topOrg: null }, // from the unfiltered statistics, for defaults
};

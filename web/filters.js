// filters.js — the filter bar's choices: organizations (all pages of them), their industries,
// countries and stages, and the chosen organization's teams as "parent › child" paths; and
// the bar's error line.
import { api, latest } from './api.js';
import { $, h } from './dom.js';
import { STAGE_LABEL, countryName, label } from './format.js';
import { ref, state } from './state.js';

export async function loadOrgs() {
  const all = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const page = await api('/organizations', { limit: 1000, cursor });
    all.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  ref.orgs = all.sort((a, b) => a.name.localeCompare(b.name));
  for (const o of ref.orgs) {
    ref.orgById.set(o.id, o);
    ref.orgBySlug.set(o.slug, o);
  }
  const sel = $('f-org');
  sel.replaceChildren(h('option', { value: '' }, 'All organizations'), ...ref.orgs.map((o) => h('option', { value: o.slug }, o.name)));
  if (state.org && !ref.orgBySlug.has(state.org)) state.org = '';
  sel.value = state.org;
  $('oc-org').replaceChildren(...ref.orgs.map((o) => h('option', { value: o.slug }, o.name)));
  fillFacets();
}

/** One select's options ({value, text} sorted by text) after its "all" option; the state's
 * value is kept only when it is among them. */
function fillSelect(id, key, allText, options) {
  const sel = $(id);
  options.sort((a, b) => a.text.localeCompare(b.text));
  sel.replaceChildren(h('option', { value: '' }, allText), ...options.map((o) => h('option', { value: o.value }, o.text)));
  const kept = options.find((o) => o.value.toLowerCase() === state[key].toLowerCase());
  state[key] = kept ? kept.value : '';
  sel.value = state[key];
}

/** The industries (one per spelling that differs only in case), countries and stages of the
 * organizations on record. */
function fillFacets() {
  const industries = new Map();
  const countries = new Set();
  const stages = new Set();
  for (const o of ref.orgs) {
    const ind = (o.industry || '').trim();
    if (ind && !industries.has(ind.toLowerCase())) industries.set(ind.toLowerCase(), ind);
    if (o.country) countries.add(o.country);
    if (o.stage) stages.add(o.stage);
  }
  fillSelect('f-industry', 'industry', 'All industries', [...industries.values()].map((v) => ({ value: v, text: v })));
  fillSelect('f-country', 'country', 'All countries', [...countries].map((c) => ({ value: c, text: countryName(c) })));
  fillSelect('f-stage', 'stage', 'All stages', [...stages].map((v) => ({ value: v, text: label(STAGE_LABEL, v) })));
}

/** Teams sorted by their path of names ("Research › Probability"). */
function teamPaths(items) {
  const byId = new Map(items.map((t) => [t.id, t]));
  const path = (t) => {
    const names = [t.name];
    let p = t.parent_id && byId.get(t.parent_id);
    for (let i = 0; p && i < 10; i++, p = p.parent_id && byId.get(p.parent_id)) names.unshift(p.name);
    return names.join(' › ');
  };
  return { byId, teams: items.map((t) => ({ id: t.id, name: path(t) })).sort((a, b) => a.name.localeCompare(b.name)) };
}

export async function loadTeams() {
  const sel = $('f-team');
  const done = latest('teams');
  if (!state.org) {
    sel.replaceChildren(h('option', { value: '' }, 'All teams (choose an organization)'));
    sel.disabled = true;
    return;
  }
  sel.disabled = true;
  try {
    const res = await api('/teams', { org: state.org, limit: 1000 });
    if (!done()) return;
    const { byId, teams } = teamPaths(res.items);
    sel.replaceChildren(h('option', { value: '' }, 'All teams'), ...teams.map((t) => h('option', { value: t.id }, t.name)));
    if (state.team && !byId.has(state.team)) state.team = '';
    sel.value = state.team;
    sel.disabled = teams.length === 0;
  } catch (e) {
    if (!done()) return;
    sel.replaceChildren(h('option', { value: '' }, 'Teams unavailable'));
    showFilterError(e.message);
  }
}

export function showFilterError(msg) {
  const el = $('filters-error');
  el.textContent = msg || '';
  el.hidden = !msg;
}

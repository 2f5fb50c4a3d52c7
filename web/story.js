// story.js — the headline sentence and the key figures, from the statistics of the
// filtered departures (and, for the biggest wave, the names of who left then).
import { api } from './api.js';
import { $, h } from './dom.js';
import { isUnknownBucket, listJoin, plural } from './format.js';
import { kpi } from './kpi.js';
import { filterParams, ref, state } from './state.js';

/** The figures the headline is made of. */
function facts(months, dests, destKinds, byOrg) {
  const real = months.groups.filter((g) => !isUnknownBucket(g));
  const nonEmpty = months.groups.filter((g) => g.count > 0);
  const orgsLeft = byOrg.groups.filter((g) => g.count > 0);
  let where = '';
  if (state.org) where = ` from ${ref.orgBySlug.get(state.org)?.name || state.org}`;
  else if (orgsLeft.length === 1) where = ` from ${orgsLeft[0].label}`;
  const years = nonEmpty.map((g) => g.key.slice(0, 4));
  const span = years.length ? (years[0] === years[years.length - 1] ? ` in ${years[0]}` : `, ${years[0]}–${years[years.length - 1]}`) : '';
  return {
    total: months.total,
    peak: real.reduce((best, g) => (g.count > (best ? best.count : 0) ? g : best), null),
    top: dests.groups.filter((g) => g.key !== null && g.count > 0)[0],
    founded: (destKinds.groups.find((g) => g.key === 'founded') || { count: 0 }).count,
    unknownDest: dests.groups.filter((g) => g.key === null).reduce((n, g) => n + g.count, 0),
    orgsLeft,
    where,
    span,
  };
}

/** "... when 4 people left: A, B and C." — the names when few enough; null when superseded. */
async function peakNames(peak, done) {
  let names = [];
  try {
    const ds = await api('/departures', { ...filterParams(), from: peak.key, to: peak.key, limit: 6 });
    names = ds.items.filter((d) => d.departed_on.startsWith(peak.key)).map((d) => d.person.full_name);
  } catch {
    names = [];
  }
  return done() ? names : null;
}

export async function renderStory(months, dests, destKinds, byOrg, done) {
  const lede = $('lede');
  const kpis = $('kpis');
  const f = facts(months, dests, destKinds, byOrg);
  if (f.total === 0) {
    lede.replaceChildren('No departures match these filters. ', h('a', { href: '#', class: 'reset-link', onclick: (ev) => { ev.preventDefault(); $('filters').reset(); } }, 'Reset the filters'), '.');
    kpis.replaceChildren();
    return;
  }
  const parts = [h('strong', {}, plural(f.total, 'departure')), `${f.where} on record${f.span}.`];
  if (f.peak && f.peak.count > 1) {
    parts.push(' The biggest wave came in ', h('strong', {}, f.peak.label), `, when ${f.peak.count} people left`);
    const names = await peakNames(f.peak, done);
    if (names === null) return;
    if (names.length && names.length <= 5) parts.push(': ', listJoin(names));
    parts.push('.');
  }
  if (f.founded > 0) parts.push(f.founded === f.total ? ' All of them went on to found a company.' : ` ${f.founded} of them went on to found a company.`);
  if (f.top) parts.push(' Most common known destination: ', h('strong', {}, f.top.label), ` (${f.top.count}).`);
  lede.replaceChildren(...parts);
  kpis.replaceChildren(
    kpi(String(f.total), 'departures', f.where ? f.where.trim() : `from ${plural(f.orgsLeft.length, 'organization')}`),
    kpi(f.peak && f.peak.count ? String(f.peak.count) : '—', 'in the busiest month', f.peak && f.peak.count ? f.peak.label : null),
    kpi(f.top ? f.top.label : '—', 'top destination', f.top ? `${plural(f.top.count, 'person', 'people')}` : null),
    kpi(String(f.founded), 'founded a company', f.unknownDest ? `${f.unknownDest} with no known destination` : null),
  );
}

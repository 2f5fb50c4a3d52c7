// stats.js — the statistics panels: the month chart, destinations and headline from four
// /stats/departures groupings, and the flows from /stats/flows, each with its loading and
// error state; only the latest request of each may draw.
import { api, busy, latest, setStatus } from './api.js';
import { renderDestinations } from './destinations.js';
import { $ } from './dom.js';
import { renderFlows, setFlowData } from './flows.js';
import { KIND_LABEL, STAGE_LABEL, countryName, fmtDate, label } from './format.js';
import { broadParams, filterParams, ref, state } from './state.js';
import { renderStory } from './story.js';
import { renderMonthChart, setMonthData } from './timechart.js';

/** "People leaving per month ... — Meta, resigned, Jan 2024 – …. Total: 12." */
function timeSubtitle(total) {
  const sub = [];
  if (state.org) sub.push(ref.orgBySlug.get(state.org)?.name || state.org);
  if (state.team) sub.push($('f-team').selectedOptions[0]?.textContent || 'one team');
  if (state.kind) sub.push(label(KIND_LABEL, state.kind).toLowerCase());
  if (state.industry) sub.push(state.industry);
  if (state.country) sub.push(countryName(state.country));
  if (state.stage) sub.push(label(STAGE_LABEL, state.stage));
  if (state.from || state.to) sub.push(`${state.from ? fmtDate(state.from) : '…'} – ${state.to ? fmtDate(state.to) : '…'}`);
  return `People leaving per month, by the date reported${sub.length ? ` — ${sub.join(', ')}` : ''}. Total: ${total}.`;
}

function statsFailed(message) {
  setMonthData(null);
  renderMonthChart();
  $('dest-list').replaceChildren();
  setStatus('time-status', 'error', message);
  setStatus('dest-status', 'error', message);
  $('lede').textContent = 'The figures could not be loaded.';
  $('kpis').replaceChildren();
}

export async function refreshStats() {
  const done = latest('stats');
  busy('s-time', true);
  busy('s-where', true);
  setStatus('time-status', 'loading', 'Loading departures…');
  setStatus('dest-status', 'loading', 'Loading destinations…');
  const f = filterParams();
  try {
    const [months, dests, destKinds, byOrg] = await Promise.all(
      ['month', 'destination_org', 'destination_kind', 'org'].map((g) => api('/stats/departures', { group_by: g, ...f })),
    );
    if (!done()) return;
    setMonthData(months);
    setStatus('time-status');
    setStatus('dest-status');
    $('time-sub').textContent = timeSubtitle(months.total);
    renderMonthChart();
    renderDestinations(dests);
    await renderStory(months, dests, destKinds, byOrg, done);
  } catch (e) {
    if (done()) statsFailed(e.message);
  } finally {
    if (done()) {
      busy('s-time', false);
      busy('s-where', false);
    }
  }
}

export async function refreshFlows() {
  const done = latest('flows');
  busy('flow-chart', true);
  setStatus('flow-status', 'loading', 'Loading flows…');
  try {
    const res = await api('/stats/flows', broadParams());
    if (!done()) return;
    setFlowData(res);
    setStatus('flow-status');
    renderFlows();
    $('flow-note').textContent = state.team || state.kind
      ? 'Flows follow every filter but team and kind, which do not apply here.'
      : '';
  } catch (e) {
    if (!done()) return;
    setFlowData(null);
    renderFlows();
    setStatus('flow-status', 'error', e.message);
  } finally {
    if (done()) busy('flow-chart', false);
  }
}

// app.js — the orgwatch dashboard's entry: reads the view from the URL hash, wires the
// controls, loads what the shown view needs (departures or layoffs), and picks the org
// chart's defaults from the unfiltered figures. Plain ES modules, no dependencies, public API only (same origin). Every piece of
// API text reaches the DOM through text nodes (textContent), never as HTML.
import { api, setStatus } from './api.js';
import { downloadCsv } from './csv.js';
import { $ } from './dom.js';
import { loadOrgs, loadTeams, showFilterError } from './filters.js';
import { renderFlows } from './flows.js';
import { refreshLayoffs } from './layoffs.js';
import { renderLayoffChart } from './layoffchart.js';
import { isUnknownBucket, pad2, todayIso, validDay, validMonth } from './format.js';
import { indexDay, refreshOrgChart, renderPresets, setAsOf, setupSlider, syncChartControls } from './orgchart.js';
import { onSearchInput, searchPerson } from './search.js';
import { updateShares, wireShare } from './share.js';
import { readHash, ref, state, writeHash } from './state.js';
import { refreshFlows, refreshStats } from './stats.js';
import { refreshTable, resetTable, table } from './table.js';
import { onMonthSelected, renderMonthChart } from './timechart.js';
import { syncTicker, wireTicker } from './ticker.js';
import { applyView, wireViews } from './view.js';

/** After a filter changed: the departures (cheap, always) and the layoffs when shown. */
function refreshFiltered() {
  writeHash();
  syncTicker();
  updateShares();
  refreshStats();
  refreshFlows();
  resetTable();
  if (state.view === 'layoffs') refreshLayoffs();
}

/** A view was shown: load the layoffs (once per filters), redraw charts to their box's width. */
function viewShown(name) {
  if (name === 'layoffs') {
    refreshLayoffs();
    renderLayoffChart();
  } else {
    renderMonthChart();
    renderFlows();
  }
}

export function resetFilters() {
  Object.assign(state, { org: '', team: '', kind: '', from: '', to: '', month: '', industry: '', country: '', stage: '' });
  for (const id of ['f-org', 'f-kind', 'f-industry', 'f-country', 'f-stage']) $(id).value = '';
  $('f-from').value = '';
  $('f-to').value = '';
  showFilterError('');
  loadTeams();
  refreshFiltered();
}

function readDates() {
  const from = $('f-from').value.trim();
  const to = $('f-to').value.trim();
  const bad = [];
  if (from && !validMonth(from)) bad.push('“From” must be a month, YYYY-MM.');
  if (to && !validMonth(to)) bad.push('“To” must be a month, YYYY-MM.');
  if (!bad.length && from && to && from > to) bad.push('“From” is after “To”.');
  showFilterError(bad.join(' '));
  if (bad.length) return false;
  state.from = from;
  state.to = to;
  return true;
}

function wireFilters() {
  $('filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('filters').addEventListener('reset', (ev) => {
    ev.preventDefault();
    resetFilters();
  });
  $('f-org').addEventListener('change', (ev) => {
    state.org = ev.target.value;
    state.team = '';
    state.month = '';
    if (state.org) {
      state.chartOrg = state.org;
      syncChartControls();
      refreshOrgChart();
    }
    loadTeams();
    refreshFiltered();
  });
  for (const [id, key] of [['f-team', 'team'], ['f-kind', 'kind'], ['f-industry', 'industry'], ['f-country', 'country'], ['f-stage', 'stage']]) {
    $(id).addEventListener('change', (ev) => {
      state[key] = ev.target.value;
      state.month = '';
      refreshFiltered();
    });
  }
  for (const id of ['f-from', 'f-to']) {
    $(id).addEventListener('change', () => {
      if (!readDates()) return;
      state.month = '';
      refreshFiltered();
    });
  }
}

function wireChart() {
  $('oc-org').addEventListener('change', (ev) => {
    state.chartOrg = ev.target.value;
    syncChartControls();
    writeHash();
    refreshOrgChart();
  });
  $('oc-date').addEventListener('change', (ev) => {
    if (validDay(ev.target.value)) setAsOf(ev.target.value, true);
  });
  $('oc-slider').addEventListener('input', (ev) => setAsOf(indexDay(Number(ev.target.value)), false));
}

function wireTable() {
  $('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    searchPerson($('t-q').value);
  });
  $('t-q').addEventListener('input', onSearchInput);
  $('t-sort').addEventListener('change', (ev) => {
    state.sort = ev.target.value;
    writeHash();
    resetTable();
  });
  $('prev').addEventListener('click', () => {
    if (table.stack.length > 1) {
      table.stack.pop();
      refreshTable();
    }
  });
  $('next').addEventListener('click', () => {
    if (table.next) {
      table.stack.push(table.next);
      refreshTable();
    }
  });
  $('csv').addEventListener('click', downloadCsv);
  onMonthSelected((key) => {
    resetTable();
    if (key) $('s-table').scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
}

/** Charts are drawn to the box's width: redraw when the window's width changes. */
function wireResize() {
  let resizeTimer = 0;
  let lastWidth = window.innerWidth;
  window.addEventListener('resize', () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (state.view === 'layoffs') renderLayoffChart();
      else {
        renderMonthChart();
        renderFlows();
      }
    }, 120);
  });
}

/** The org chart's defaults from the unfiltered figures: the busiest month (the chart shows
 * the month before it) and the organization most people left. */
function chooseChartDefaults(overview) {
  if (overview) {
    const [months, byOrg] = overview;
    const peak = months.groups.filter((g) => !isUnknownBucket(g)).reduce((b, g) => (g.count > (b ? b.count : 0) ? g : b), null);
    ref.story.peak = peak && validMonth(peak.key) ? peak.key : null;
    const top = byOrg.groups.find((g) => g.key && ref.orgById.has(g.key));
    ref.story.topOrg = top ? ref.orgById.get(top.key).slug : null;
  }
  if (!state.chartOrg || !ref.orgBySlug.has(state.chartOrg)) state.chartOrg = state.org || ref.story.topOrg || ref.orgs[0]?.slug || '';
  if (!state.asOf) {
    if (ref.story.peak) {
      const [y, m] = ref.story.peak.split('-').map(Number);
      state.asOf = m === 1 ? `${y - 1}-12-01` : `${y}-${pad2(m - 1)}-01`;
    } else state.asOf = todayIso();
  }
}

async function init() {
  readHash();
  applyView();
  wireViews(viewShown);
  wireFilters();
  wireChart();
  wireTable();
  wireResize();
  wireShare();
  wireTicker(writeHash);
  syncTicker();
  setupSlider();
  $('f-kind').value = state.kind;
  $('f-from').value = state.from;
  $('f-to').value = state.to;
  $('t-sort').value = state.sort;
  if (state.person) {
    state.personName = state.personName || state.person;
    $('t-q').value = '';
  }
  const overview = Promise.all([
    api('/stats/departures', { group_by: 'month' }),
    api('/stats/departures', { group_by: 'org' }),
  ]).catch(() => null);
  try {
    await loadOrgs();
  } catch (e) {
    showFilterError(`Organizations could not be loaded: ${e.message}`);
  }
  loadTeams();
  refreshStats();
  refreshFlows();
  refreshTable();
  if (state.view === 'layoffs') refreshLayoffs();
  chooseChartDefaults(await overview);
  renderPresets();
  syncChartControls();
  if (state.chartOrg) refreshOrgChart();
  else setStatus('org-status', 'error', 'No organization on record yet.');
}

init();

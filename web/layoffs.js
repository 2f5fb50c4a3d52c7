// layoffs.js — loads the layoffs view: /stats/layoffs by month, industry and country and
// the largest layoffs (/layoffs?sort=-count, one page) for the filters, then draws the headline, the chart, the largest
// layoffs and the breakdowns, with their loading and error states; only the latest load may
// draw, and the same filters are not loaded twice in a row.
import { api, busy, latest, setStatus } from './api.js';
import { renderBreakdown } from './breakdown.js';
import { $ } from './dom.js';
import { STAGE_LABEL, countryName, fmtDate, label } from './format.js';
import { renderLayoffChart, setLayoffMonths } from './layoffchart.js';
import { updateLayoffCsvLinks } from './layoffcsv.js';
import { LARGEST_SHOWN, clearLargest, renderLargest } from './layofflist.js';
import { clearLayoffStory, renderLayoffStory } from './layoffstory.js';
import { broadParams, ref, state } from './state.js';

const SECTIONS = [['s-layoffs', 'lt-status'], ['s-largest', 'll-status'], ['s-industry', 'li-status'], ['s-country', 'lc-status']];
let loadedKey = null;

/** "People laid off per month, as reported — Meta, United States, Nov 2022 – …." */
function subtitle() {
  const sub = [];
  if (state.org) sub.push(ref.orgBySlug.get(state.org)?.name || state.org);
  if (state.industry) sub.push(state.industry);
  if (state.country) sub.push(countryName(state.country));
  if (state.stage) sub.push(label(STAGE_LABEL, state.stage));
  if (state.from || state.to) sub.push(`${state.from ? fmtDate(state.from) : '…'} – ${state.to ? fmtDate(state.to) : '…'}`);
  let text = `People laid off per month, the sum of the counts reported${sub.length ? ` — ${sub.join(', ')}` : ''}.`;
  if (state.team || state.kind) text += ' The team and kind filters apply to departures only.';
  return text;
}

function setBusy(on, message) {
  for (const [section, status] of SECTIONS) {
    busy(section, on);
    if (on) setStatus(status, 'loading', message);
  }
}

function failed(message) {
  setLayoffMonths(null);
  renderLayoffChart();
  clearLargest();
  $('industry-list').replaceChildren();
  $('country-list').replaceChildren();
  clearLayoffStory('The layoffs could not be loaded.');
  for (const [, status] of SECTIONS) setStatus(status, 'error', message);
}

export async function refreshLayoffs() {
  const params = broadParams();
  const key = JSON.stringify(params);
  updateLayoffCsvLinks();
  $('lt-sub').textContent = subtitle();
  if (key === loadedKey) return;
  loadedKey = key;
  const done = latest('layoffs');
  setBusy(true, 'Loading layoffs…');
  try {
    const [months, industries, countries, largestPage] = await Promise.all([
      ...['month', 'industry', 'country'].map((g) => api('/stats/layoffs', { group_by: g, ...params })),
      api('/layoffs', { ...params, sort: '-count', limit: LARGEST_SHOWN }),
    ]);
    if (!done()) return;
    for (const [, status] of SECTIONS) setStatus(status);
    setLayoffMonths(months);
    renderLayoffChart();
    renderLargest(largestPage.items, months.total);
    renderBreakdown('industry-list', industries);
    renderBreakdown('country-list', countries);
    const largest = largestPage.items.find((l) => l.count !== null && l.count !== undefined) || null;
    renderLayoffStory(months, largest);
  } catch (e) {
    if (!done()) return;
    loadedKey = null;
    failed(e.message);
  } finally {
    if (done()) setBusy(false);
  }
}

// orgchart.js — the org chart of an organization on a chosen day (month slider, date field,
// presets around the biggest wave), marking who left within the following year.
import { api, busy, latest, setStatus } from './api.js';
import { $, h } from './dom.js';
import { fmtDate, pad2, plural, plusYearMinusDay, todayIso, validDay } from './format.js';
import { updateShares } from './share.js';
import { ref, state, writeHash } from './state.js';

const SLIDER_START = [2013, 0]; // January 2013
function monthIndex(day) {
  const [y, m] = day.split('-').map(Number);
  return (y - SLIDER_START[0]) * 12 + (m - 1) - SLIDER_START[1];
}
export function indexDay(i) {
  const t = i + SLIDER_START[1];
  return `${SLIDER_START[0] + Math.floor(t / 12)}-${pad2((t % 12) + 1)}-01`;
}


export function setupSlider() {
  const sl = $('oc-slider');
  sl.min = '0';
  sl.max = String(monthIndex(todayIso()));
  $('oc-min').textContent = String(SLIDER_START[0]);
  $('oc-max').textContent = 'today';
  $('oc-date').max = todayIso();
}

export function syncChartControls() {
  $('oc-org').value = state.chartOrg;
  $('oc-date').value = state.asOf;
  const sl = $('oc-slider');
  const idx = Math.min(Number(sl.max), Math.max(0, monthIndex(state.asOf)));
  sl.value = String(idx);
  sl.setAttribute('aria-valuetext', fmtDate(state.asOf, true));
  $('oc-slider-out').textContent = fmtDate(state.asOf, true);
  $('org-name').textContent = ref.orgBySlug.get(state.chartOrg)?.name || 'the organization';
}

export function renderPresets() {
  const box = $('oc-presets');
  const presets = [];
  if (ref.story.peak) {
    const [y, m] = ref.story.peak.split('-').map(Number);
    const before = m === 1 ? `${y - 1}-12-01` : `${y}-${pad2(m - 1)}-01`;
    presets.push([`Before ${fmtDate(ref.story.peak, true)}`, before, 'The month before the biggest wave of departures']);
    presets.push([`A year on`, `${y + 1}-${pad2(m)}-01`, 'Twelve months after the biggest wave']);
  }
  presets.push(['Today', todayIso(), 'The org chart today']);
  box.replaceChildren(h('span', { class: 'presets-label' }, 'Jump to'), ...presets.map(([text, day, title]) =>
    h('button', { type: 'button', class: 'chip-btn', title, 'data-day': day, onclick: () => setAsOf(day, true) }, text)));
}

let sliderTimer = 0;
export function setAsOf(day, now) {
  if (!validDay(day)) return;
  state.asOf = day;
  syncChartControls();
  writeHash();
  clearTimeout(sliderTimer);
  if (now) refreshOrgChart();
  else sliderTimer = setTimeout(refreshOrgChart, 180);
}

function countNodes(nodes) {
  return nodes.reduce((a, n) => a + 1 + countNodes(n.reports || []), 0);
}

function personNode(n, leftMap) {
  const dep = leftMap.get(n.person.id);
  const card = h('div', { class: `node-card${dep ? ' is-left' : ''}` },
    h('span', { class: 'node-name' }, n.person.full_name),
    n.title ? h('span', { class: 'node-title' }, n.title) : h('span', { class: 'node-title muted' }, 'Title not reported'),
    n.team ? h('span', { class: 'node-team' }, n.team.name) : null,
    dep ? h('span', { class: 'node-left' }, `Left ${fmtDate(dep.departed_on)}${dep.destination_org ? ` → ${dep.destination_org.name}` : ''}`) : null);
  const li = h('li', { 'data-person': n.person.slug, class: dep ? 'left' : null }, card);
  if (n.reports && n.reports.length) {
    li.append(h('ul', { class: 'tree-children', 'aria-label': `Reports of ${n.person.full_name}` }, n.reports.map((r) => personNode(r, leftMap))));
  }
  return li;
}

/** The tree of the chart's roots: those with reports as a tree, the others in a flat list. */
function drawTree(tree, roots, leftMap, orgName) {
  if (!countNodes(roots)) {
    tree.append(h('div', { class: 'empty' }, `No positions at ${orgName} are on record for ${fmtDate(state.asOf, true)}. Try a later date.`));
    return;
  }
  const withReports = roots.filter((r) => r.reports && r.reports.length);
  const alone = roots.filter((r) => !r.reports || !r.reports.length);
  if (withReports.length) {
    tree.append(h('ul', { class: 'tree', 'aria-label': `Reporting lines at ${orgName}` }, withReports.map((r) => personNode(r, leftMap))));
  }
  if (alone.length) {
    tree.append(h('h3', { class: 'tree-h' }, withReports.length ? 'No reporting line on record' : 'On record, no reporting lines known'),
      h('ul', { class: 'tree tree-flat', 'aria-label': 'People without a known manager or reports' }, alone.map((r) => personNode(r, leftMap))));
  }
}

/** The summary line, and who left within the year without being on the chart that day. */
function drawSummary(chart, roots, leftMap, left, orgName) {
  const total = countNodes(roots);
  const onChart = new Set();
  const walk = (ns) => ns.forEach((n) => { onChart.add(n.person.id); walk(n.reports || []); });
  walk(roots);
  const leftOnChart = [...leftMap.keys()].filter((id) => onChart.has(id)).length;
  $('org-summary').replaceChildren(
    h('strong', {}, `${orgName}, ${fmtDate(chart.as_of || state.asOf, true)}: `),
    total ? `${plural(total, 'person', 'people')} on record` : 'nobody on record that day',
    total ? `; ${leftOnChart} of them left within the following year.` : '.');
  const also = left.items.filter((d) => !onChart.has(d.person.id));
  const alsoBox = $('org-also');
  alsoBox.replaceChildren();
  if (also.length) {
    alsoBox.append(h('p', { class: 'note' }, `Also left ${orgName} within the year after ${fmtDate(state.asOf, true)}, but not on the chart that day (their recorded positions don't place them there on that date): `,
      ...also.flatMap((d, i) => [i ? ', ' : '', h('strong', {}, d.person.full_name), ` (${fmtDate(d.departed_on)}${d.destination_org ? ` → ${d.destination_org.name}` : ''})`]), '.'));
  }
}

export async function refreshOrgChart() {
  const done = latest('orgchart');
  updateShares();
  if (!state.chartOrg || !validDay(state.asOf)) return;
  busy('org-tree', true);
  setStatus('org-status', 'loading', 'Loading the org chart…');
  try {
    const [chart, left] = await Promise.all([
      api(`/organizations/${encodeURIComponent(state.chartOrg)}/chart`, { as_of: state.asOf }),
      api('/departures', { org: state.chartOrg, from: state.asOf, to: plusYearMinusDay(state.asOf), limit: 1000 }),
    ]);
    if (!done()) return;
    setStatus('org-status');
    const leftMap = new Map();
    for (const d of left.items) if (!leftMap.has(d.person.id)) leftMap.set(d.person.id, d);
    const roots = chart.roots || [];
    const tree = $('org-tree');
    tree.replaceChildren();
    const orgName = chart.org?.name || ref.orgBySlug.get(state.chartOrg)?.name || state.chartOrg;
    drawSummary(chart, roots, leftMap, left, orgName);
    drawTree(tree, roots, leftMap, orgName);
  } catch (e) {
    if (!done()) return;
    $('org-tree').replaceChildren();
    $('org-summary').replaceChildren();
    $('org-also').replaceChildren();
    setStatus('org-status', 'error', e.message);
  } finally {
    if (done()) busy('org-tree', false);
  }
}

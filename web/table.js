// table.js — the departures table: the filters plus a month or a person, sorted, page by
// page (keyset cursors kept on a stack for "previous"), each row with its sources.
import { api, busy, latest, setStatus } from './api.js';
import { $, h } from './dom.js';
import { DEST_KIND_LABEL, KIND_LABEL, REASON_LABEL, fmtDate, label } from './format.js';
import { sourceList } from './sources.js';
import { filterParams, state, writeHash } from './state.js';
import { selectMonth } from './timechart.js';

const PAGE_SIZE = 20;
export const table = { stack: [null], next: null, noMatch: '' };

export function tableParams() {
  const p = { ...filterParams(), person: state.person, sort: state.sort };
  if (state.month) {
    p.from = state.month;
    p.to = state.month;
  }
  return p;
}

function renderChips() {
  const box = $('chips');
  const chips = [];
  if (state.month) {
    chips.push(h('span', { class: 'chip' }, `Month: ${fmtDate(state.month, true)}`,
      h('button', { type: 'button', class: 'chip-x', 'aria-label': `Stop showing only ${fmtDate(state.month, true)}`, onclick: () => selectMonth('') }, '×')));
  }
  if (state.month) {
    chips.push(h('span', { class: 'chips-label' }, 'Departures dated only to the year also match a month, marked “month unknown”.'));
  }
  if (state.person) {
    chips.push(h('span', { class: 'chip' }, `Person: ${state.personName || state.person}`,
      h('button', { type: 'button', class: 'chip-x', 'aria-label': 'Show everyone', onclick: () => setPerson('', '') }, '×')));
  }
  if (table.noMatch) chips.push(h('span', { class: 'chip chip-warn' }, `Nobody on record matches “${table.noMatch}”.`));
  if (table.others && table.others.length) {
    chips.push(h('span', { class: 'chips-label' }, 'Did you mean:'), ...table.others.map((p) =>
      h('button', { type: 'button', class: 'chip-btn', onclick: () => { $('t-q').value = p.full_name; setPerson(p.slug, p.full_name); } }, p.full_name)));
  }
  box.replaceChildren(...chips);
}

export function setPerson(slug, name, others = []) {
  state.person = slug;
  state.personName = name;
  table.noMatch = '';
  table.others = others;
  if (!slug) $('t-q').value = '';
  writeHash();
  resetTable();
}

export function resetTable() {
  table.stack = [null];
  refreshTable();
}

const COLUMNS = ['Person', 'Left', 'Departed', 'Kind', 'Reason', 'Went to', 'Sources'];
function cell(i, ...children) {
  return h('td', { 'data-label': COLUMNS[i] }, ...children);
}

function departureRow(d) {
  return h('tr', { 'data-id': d.id, 'data-person': d.person?.slug },
    cell(0, h('span', { class: 'person' }, d.person?.full_name || '—'), d.title ? h('span', { class: 'sub' }, d.title) : null),
    cell(1, h('span', {}, d.org?.name || '—'), d.team ? h('span', { class: 'sub' }, d.team.name) : null),
    cell(2, h('time', { datetime: d.departed_on, class: 'date' }, fmtDate(d.departed_on)),
      d.status && d.status !== 'reported' ? h('span', { class: `status-badge st-${d.status}` }, d.status) : null,
      state.month && d.departed_on.length < 7 ? h('span', { class: 'vague', title: `Reported only as ${d.departed_on}; it may or may not fall in ${fmtDate(state.month, true)}.` }, 'month unknown') : null),
    cell(3, d.kind ? h('span', { class: `badge kind-${d.kind}` }, label(KIND_LABEL, d.kind)) : '—'),
    cell(4, d.reason_category ? h('span', { class: 'badge badge-soft' }, label(REASON_LABEL, d.reason_category)) : null,
      d.reason ? h('span', { class: 'reason' }, d.reason) : null,
      d.notes ? h('span', { class: 'sub notes' }, d.notes) : null),
    cell(5, d.destination_org ? h('span', { class: 'dest' }, d.destination_org.name) : h('span', { class: 'muted' }, 'Unknown'),
      d.destination_title ? h('span', { class: 'sub' }, d.destination_title) : null,
      d.destination_kind && d.destination_kind !== 'unknown' ? h('span', { class: 'sub dest-kind' }, label(DEST_KIND_LABEL, d.destination_kind)) : null),
    cell(6, sourceList(d.sources)));
}

/** The page's rows, or the row saying why there are none. */
function fillRows(rows, items) {
  if (!items.length) {
    rows.replaceChildren(h('tr', { class: 'empty-row' }, h('td', { colspan: 7 }, h('strong', {}, 'No departures match these filters. '), 'Try another organization, kind or period.')));
  } else {
    rows.replaceChildren(...items.map(departureRow));
  }
}

/** "Page 2 · rows 21–40" and the previous / next buttons. */
function pager(res) {
  const page = table.stack.length;
  const first = (page - 1) * PAGE_SIZE + 1;
  $('page-info').textContent = res.items.length
    ? `Page ${page} · rows ${first}–${first + res.items.length - 1}${res.next_cursor ? '' : ' (last page)'}`
    : '';
  $('prev').disabled = page <= 1;
  $('next').disabled = !res.next_cursor;
}

export async function refreshTable() {
  renderChips();
  const done = latest('table');
  const rows = $('dep-rows');
  busy('s-table', true);
  setStatus('table-status', 'loading', 'Loading departures…');
  $('prev').disabled = true;
  $('next').disabled = true;
  if (table.noMatch) {
    rows.replaceChildren(h('tr', { class: 'empty-row' }, h('td', { colspan: 7 }, 'Nobody on record matches that name.')));
    setStatus('table-status');
    $('page-info').textContent = '';
    busy('s-table', false);
    return;
  }
  try {
    const res = await api('/departures', { ...tableParams(), limit: PAGE_SIZE, cursor: table.stack[table.stack.length - 1] });
    if (!done()) return;
    setStatus('table-status');
    table.next = res.next_cursor;
    fillRows(rows, res.items);
    pager(res);
  } catch (e) {
    if (!done()) return;
    rows.replaceChildren();
    $('page-info').textContent = '';
    setStatus('table-status', 'error', e.message);
    $('prev').disabled = table.stack.length <= 1;
  } finally {
    if (done()) busy('s-table', false);
  }
}

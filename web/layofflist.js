// layofflist.js — the largest layoffs: the ones with the most people laid off (as reported)
// in a table with their sources; those with no count reported listed apart, never ranked.
import { $, h } from './dom.js';
import { fmtDate, fmtInt, fmtPct, plural } from './format.js';
import { sourceList } from './sources.js';

export const LARGEST_SHOWN = 15;
const COLUMNS = ['Organization', 'Announced', 'Location', 'Laid off', 'Share of staff', 'Sources'];

function cell(i, ...children) {
  return h('td', { 'data-label': COLUMNS[i] }, ...children);
}

function layoffRow(l) {
  return h('tr', { 'data-id': l.id, 'data-org': l.org?.slug, 'data-count': l.count ?? '' },
    cell(0, h('span', { class: 'person' }, l.org?.name || '—'), l.team ? h('span', { class: 'sub' }, l.team.name) : null),
    cell(1, h('time', { datetime: l.announced_on, class: 'date' }, fmtDate(l.announced_on)),
      l.effective_on ? h('span', { class: 'sub' }, `effective ${fmtDate(l.effective_on)}`) : null),
    cell(2, l.location ? h('span', {}, l.location) : h('span', { class: 'muted' }, '—')),
    cell(3, l.count === null ? h('span', { class: 'muted nocount-text' }, 'not reported') : h('span', { class: 'num' }, fmtInt(l.count))),
    cell(4, l.percentage === null ? h('span', { class: 'muted' }, '—') : h('span', { class: 'num' }, fmtPct(l.percentage))),
    cell(5, sourceList(l.sources)));
}

/** The layoffs with no count reported: counted, never ranked (they are in the CSV). */
function withoutCount(n) {
  const box = $('ll-nocount');
  box.replaceChildren();
  if (!n) return;
  box.append(h('p', { class: 'note nocount-note' },
    `${plural(n, 'layoff')} with no count reported — not ranked, not guessed; the CSV lists them.`));
}

/**
 * items: the first page of /layoffs?sort=-count (the largest first; layoffs without a count
 * come last and are not ranked); total: the answer's total of /stats/layoffs for the same
 * filters (layoffs, without_count).
 */
export function renderLargest(items, total) {
  const rows = $('layoff-rows');
  const counted = items.filter((l) => l.count !== null && l.count !== undefined).slice(0, LARGEST_SHOWN);
  const withCount = total.layoffs - total.without_count;
  if (!counted.length) {
    rows.replaceChildren(h('tr', { class: 'empty-row' }, h('td', { colspan: COLUMNS.length },
      h('strong', {}, total.layoffs ? 'No layoff matching these filters has a reported count.' : 'No layoffs match these filters.'))));
  } else {
    rows.replaceChildren(...counted.map(layoffRow));
  }
  $('ll-note').textContent = withCount > counted.length
    ? `The ${counted.length} largest of ${plural(withCount, 'layoff')} with a reported count.` : '';
  withoutCount(total.without_count);
}

export function clearLargest() {
  $('layoff-rows').replaceChildren();
  $('ll-note').textContent = '';
  $('ll-nocount').replaceChildren();
}

// breakdown.js — a /stats/layoffs grouping by a category (industry, country) as horizontal
// bars of people laid off, the ten largest groups and the rest summed; organizations with no
// value form the "Not known" group, and layoffs with no count are said, never drawn.
import { $, h } from './dom.js';
import { fmtInt, plural } from './format.js';

const SHOWN = 10;

function row(g, max) {
  const unk = g.key === null;
  const pct = max > 0 ? (g.laid_off / max) * 100 : 0;
  const extra = g.without_count > 0 ? `+${plural(g.without_count, 'layoff')} with no count` : '';
  return h('li', {
    class: `hbar hbar-wide${unk ? ' hbar-unknown' : ''}`, 'data-key': g.key ?? 'unknown',
    'data-laid-off': g.laid_off, 'data-without-count': g.without_count,
    title: `${unk ? 'Not known' : g.label}: ${fmtInt(g.laid_off)} people laid off in ${plural(g.layoffs, 'layoff')} at ${plural(g.orgs, 'organization')}${extra ? `; ${g.without_count} with no count reported` : ''}`,
  },
  h('span', { class: 'hbar-label' }, unk ? 'Not known' : g.label),
  h('span', { class: 'hbar-track', 'aria-hidden': 'true' }, h('span', { class: 'hbar-fill', style: `width:${pct.toFixed(1)}%` })),
  h('span', { class: 'hbar-count' }, fmtInt(g.laid_off), h('span', { class: 'visually-hidden' }, ' people'),
    extra ? h('span', { class: 'hbar-extra' }, extra) : null));
}

/** Draws stats (a /stats/layoffs answer) into the list listId. */
export function renderBreakdown(listId, stats) {
  const list = $(listId);
  list.replaceChildren();
  const groups = stats.groups.filter((g) => g.layoffs > 0);
  if (!groups.length) {
    list.append(h('li', { class: 'empty' }, 'No layoffs match these filters.'));
    return;
  }
  const shown = groups.slice(0, SHOWN);
  const max = Math.max(...shown.map((g) => g.laid_off));
  list.append(...shown.map((g) => row(g, max)));
  if (groups.length > shown.length) {
    const rest = groups.slice(shown.length).reduce((a, g) => a + g.laid_off, 0);
    list.append(h('li', { class: 'hbar-more' }, `and ${fmtInt(rest)} more people in ${plural(groups.length - shown.length, 'other group')}`));
  }
}

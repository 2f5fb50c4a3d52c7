// destinations.js — where people went: the ten most common destinations as horizontal bars,
// the unknown ones counted too.
import { $, h } from './dom.js';
import { plural } from './format.js';

export function renderDestinations(dests) {
  const list = $('dest-list');
  list.replaceChildren();
  const groups = dests.groups.filter((g) => g.count > 0);
  if (!groups.length) {
    list.append(h('li', { class: 'empty' }, 'No departures match these filters.'));
    return;
  }
  const shown = groups.slice(0, 10);
  const max = Math.max(...shown.map((g) => g.count));
  for (const g of shown) {
    const unk = g.key === null;
    const pct = (g.count / max) * 100;
    list.append(h('li', { class: `hbar${unk ? ' hbar-unknown' : ''}`, 'data-key': g.key ?? 'unknown' },
      h('span', { class: 'hbar-label' }, unk ? 'Not known' : g.label),
      h('span', { class: 'hbar-track', 'aria-hidden': 'true' }, h('span', { class: 'hbar-fill', style: `width:${pct.toFixed(1)}%` })),
      h('span', { class: 'hbar-count' }, String(g.count), h('span', { class: 'visually-hidden' }, g.count === 1 ? ' person' : ' people'))));
  }
  if (groups.length > shown.length) {
    const rest = groups.slice(shown.length).reduce((a, g) => a + g.count, 0);
    list.append(h('li', { class: 'hbar-more' }, `and ${plural(rest, 'more person', 'more people')} at ${plural(groups.length - shown.length, 'other destination')}`));
  }
}

// layoffstory.js — the layoffs view's headline sentence and key figures, from the totals of
// /stats/layoffs and the largest layoff on record (a floor when some counts are unknown).
import { $, h } from './dom.js';
import { fmtDate, fmtInt, plural } from './format.js';
import { kpi } from './kpi.js';

/** months: /stats/layoffs by month; largest: the largest layoff with a count, or null. */
export function renderLayoffStory(months, largest) {
  const t = months.total;
  const lede = $('l-lede');
  const kpis = $('l-kpis');
  if (t.layoffs === 0) {
    lede.replaceChildren('No layoffs match these filters. ', h('a', { href: '#', class: 'reset-link', onclick: (ev) => { ev.preventDefault(); $('filters').reset(); } }, 'Reset the filters'), '.');
    kpis.replaceChildren();
    return;
  }
  const floor = t.without_count > 0 ? 'At least ' : '';
  const parts = [floor, h('strong', {}, `${fmtInt(t.laid_off)} ${t.laid_off === 1 ? 'person' : 'people'}`),
    ` laid off in ${plural(t.layoffs, 'layoff')} at ${plural(t.orgs, 'organization')}.`];
  if (t.without_count > 0) parts.push(` ${plural(t.without_count, 'layoff')} reported no count and ${t.without_count === 1 ? 'is' : 'are'} not added in.`);
  if (largest) parts.push(' The largest: ', h('strong', {}, largest.org?.name || '—'), `, ${fmtInt(largest.count)} people (${fmtDate(largest.announced_on)}).`);
  lede.replaceChildren(...parts);
  kpis.replaceChildren(
    kpi(fmtInt(t.laid_off), 'people laid off', t.without_count > 0 ? 'at least: some counts unknown' : 'as reported'),
    kpi(fmtInt(t.layoffs), 'layoffs', `at ${plural(t.orgs, 'organization')}`),
    kpi(fmtInt(t.without_count), 'with no count reported', 'never guessed'),
    kpi(largest ? fmtInt(largest.count) : '—', 'in the largest layoff', largest ? `${largest.org?.name || ''}, ${fmtDate(largest.announced_on)}` : null),
  );
}

export function clearLayoffStory(message) {
  $('l-lede').textContent = message;
  $('l-kpis').replaceChildren();
}

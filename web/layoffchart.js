// layoffchart.js — people laid off per month as an SVG bar chart (the sum of the counts
// reported). Layoffs whose count is unknown are never guessed into a bar: they are marked
// apart, as numbered circles in a row under their month. Year-only layoffs form hatched "?"
// bars of their own, never counted in January.
import { column, monthBars, monthMarks, niceStep, yGrid } from './axis.js';
import { $, h, s } from './dom.js';
import { fmtCompact, fmtInt, isUnknownBucket, plural } from './format.js';

let monthData = null;

/** The month statistics of /stats/layoffs to draw (null: none), kept for redraws on resize. */
export function setLayoffMonths(data) {
  monthData = data;
}

/** The chart's geometry; with a row for the markers of unknown counts when there are any. */
function frame(box, groups, withMarkers) {
  const W = Math.max(box.clientWidth || 800, 300);
  const m = { l: 46, r: 8, t: 22, b: withMarkers ? 74 : 48 };
  const H = 260 + m.b;
  const ph = H - m.t - m.b;
  const slot = (W - m.l - m.r) / groups.length;
  const max = Math.max(1, ...groups.map((g) => g.laid_off));
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  return { W, H, m, ph, slot, step, yMax, barW: Math.max(2, Math.min(56, slot * 0.74)), y: (v) => m.t + ph - (v / yMax) * ph };
}

/** "November 2022: 11,050 people laid off (3 layoffs, 1 with no count reported)". */
function describe(g) {
  const people = `${fmtInt(g.laid_off)} ${g.laid_off === 1 ? 'person' : 'people'}`;
  const without = g.without_count > 0 ? `, ${g.without_count} with no count reported` : '';
  return `${g.label}: ${people} laid off (${plural(g.layoffs, 'layoff')}${without})`;
}

function canvas(f, groups) {
  const svg = s('svg', { viewBox: `0 0 ${f.W} ${f.H}`, width: f.W, height: f.H, role: 'img', 'aria-labelledby': 'lc-title lc-desc', class: 'svg-chart' });
  svg.append(
    s('title', { id: 'lc-title' }, 'People laid off per month'),
    s('desc', { id: 'lc-desc' }, groups.filter((g) => g.layoffs > 0).map(describe).join('. ')),
    s('defs', {}, s('pattern', { id: 'l-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, fill: '#e7e9ee' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#8a93a6', 'stroke-width': 2.4 }))),
    yGrid(f, fmtCompact),
  );
  return svg;
}

/** The marker of a month's layoffs with no count: a circle numbered when there is room. */
function marker(f, g, cx) {
  const y = f.H - f.m.b + 58;
  const big = f.slot >= 18;
  const mk = s('g', { class: 'nocount', 'data-without-count': g.without_count });
  mk.append(s('title', {}, `${g.label}: ${plural(g.without_count, 'layoff')} with no count reported (not in the bar)`),
    s('circle', { cx, cy: y, r: big ? 8 : Math.max(2, Math.min(5, f.slot / 2 - 1)) }));
  if (big) mk.append(s('text', { x: cx, y: y + 3.5, 'text-anchor': 'middle' }, g.without_count > 99 ? '99+' : String(g.without_count)));
  return mk;
}

/** One month's group: column, count, month label, year mark, marker of unknown counts. */
function bar(f, g, i, every, marks) {
  const cx = f.m.l + i * f.slot + f.slot / 2;
  const unk = isUnknownBucket(g);
  const top = f.y(g.laid_off);
  const gr = s('g', {
    class: `bar${unk ? ' bar-unknown' : ''}${g.laid_off === 0 ? ' bar-zero' : ''}`,
    'data-key': g.key, 'data-laid-off': g.laid_off, 'data-layoffs': g.layoffs, 'data-without-count': g.without_count,
  });
  gr.append(s('title', {}, describe(g) + (unk ? ' (known only to the year)' : '')));
  if (g.laid_off > 0) {
    gr.append(column(f, cx, g.laid_off, unk ? 'url(#l-hatch)' : null));
    if (f.slot >= 30) gr.append(s('text', { x: cx, y: top - 6, 'text-anchor': 'middle', class: 'count' }, f.slot >= 48 ? fmtInt(g.laid_off) : fmtCompact(g.laid_off)));
  }
  monthMarks(gr, f, g.key || '', i, cx, unk, every, marks);
  if (g.without_count > 0) gr.append(marker(f, g, cx));
  return gr;
}

/** The label of the markers' row, in the axis column. */
function markerRowLabel(f) {
  return s('text', { x: 2, y: f.H - f.m.b + 61, class: 'tick nocount-label' }, 'no count');
}

/** The note under the chart: the layoffs with no count, and the year-only ones. */
function notes(groups, total) {
  const out = [];
  if (total.without_count > 0) {
    const months = groups.filter((g) => g.without_count > 0).length;
    out.push(h('span', { class: 'swatch swatch-nocount', 'aria-hidden': 'true' }),
      h('span', { id: 'lt-nocount' }, `${plural(total.without_count, 'layoff')} with no count reported`),
      ` (in ${plural(months, 'period')}) ${total.without_count === 1 ? 'is' : 'are'} marked under ${months === 1 ? 'its' : 'their'} month and not added to the bars: the bars are at least the people reported laid off. `);
  }
  const unknown = groups.filter((g) => isUnknownBucket(g) && g.layoffs > 0);
  if (unknown.length) {
    out.push(h('span', { class: 'swatch swatch-hatch', 'aria-hidden': 'true' }),
      `Hatched bars marked “?”: layoffs reported only by year (${unknown.map((g) => `${g.label.replace(/\s*\(month unknown\)/i, '')}: ${fmtInt(g.laid_off)} people`).join(', ')}), counted apart rather than guessed into a month.`);
  }
  return out;
}

export function renderLayoffChart() {
  const box = $('layoff-chart');
  box.replaceChildren();
  $('lt-note').replaceChildren();
  if (!monthData) return;
  const groups = monthData.groups;
  if (!groups.length || monthData.total.layoffs === 0) {
    box.append(h('div', { class: 'empty' }, h('strong', {}, 'No layoffs match these filters.'), ' Try another organization, industry, country or period.'));
    return;
  }
  const withMarkers = monthData.total.without_count > 0;
  const f = frame(box, groups, withMarkers);
  const svg = canvas(f, groups);
  svg.append(monthBars(f, groups, bar));
  if (withMarkers) svg.append(markerRowLabel(f));
  box.append(svg);
  $('lt-note').replaceChildren(...notes(groups, monthData.total));
}

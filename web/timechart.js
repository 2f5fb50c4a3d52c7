// timechart.js — departures per month as an SVG bar chart: year-only departures counted
// apart (hatched "?" bars, never guessed into a month); a bar is a button that selects its
// month (app.js has the table follow, through onMonthSelected).
import { column, monthBars, monthMarks, niceStep, yGrid } from './axis.js';
import { $, h, s } from './dom.js';
import { isUnknownBucket, plural, validMonth } from './format.js';
import { state, writeHash } from './state.js';

let monthData = null;
let monthSelected = () => {};

/** fn(key) runs after a month was selected or cleared ('') and the chart redrawn. */
export function onMonthSelected(fn) {
  monthSelected = fn;
}

/** The month statistics to draw (null: none), kept for redraws on resize. */
export function setMonthData(data) {
  monthData = data;
}

/** The chart's geometry for this box and these groups. */
function frame(box, groups) {
  const W = Math.max(box.clientWidth || 800, 300);
  const H = 280;
  const m = { l: 34, r: 8, t: 22, b: 48 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const slot = pw / groups.length;
  const max = Math.max(1, ...groups.map((g) => g.count));
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  return { W, H, m, ph, slot, step, yMax, barW: Math.max(2, Math.min(56, slot * 0.74)), y: (v) => m.t + ph - (v / yMax) * ph };
}

/** The svg element with its title, description, hatch pattern, grid and y axis. */
function canvas(f, groups) {
  const svg = s('svg', { viewBox: `0 0 ${f.W} ${f.H}`, width: f.W, height: f.H, role: 'img', 'aria-labelledby': 'mc-title mc-desc', class: 'svg-chart' });
  svg.append(
    s('title', { id: 'mc-title' }, 'Departures per month'),
    s('desc', { id: 'mc-desc' }, groups.filter((g) => g.count > 0).map((g) => `${g.label}: ${g.count}`).join('; ')),
    s('defs', {}, s('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, fill: '#e7e9ee' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#8a93a6', 'stroke-width': 2.4 }))),
  );
  svg.append(yGrid(f));
  return svg;
}

/** Makes a bar a button: click, Enter or Space selects its month (or clears it). */
function clickable(gr, key) {
  const go = () => selectMonth(key === state.month ? '' : key);
  gr.addEventListener('click', go);
  gr.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      go();
    }
  });
}

/** One month's bar group: hit area, column, count, month label, year mark. */
function bar(f, g, i, every, marks) {
  const cx = f.m.l + i * f.slot + f.slot / 2;
  const unk = isUnknownBucket(g);
  const top = f.y(g.count);
  const canClick = !unk && g.count > 0 && validMonth(g.key || '');
  const gr = s('g', {
    class: `bar${unk ? ' bar-unknown' : ''}${g.count === 0 ? ' bar-zero' : ''}${state.month === g.key ? ' bar-selected' : ''}`,
    'data-key': g.key, 'data-count': g.count,
    tabindex: canClick ? 0 : null, role: canClick ? 'button' : null,
    'aria-label': `${g.label}: ${plural(g.count, 'departure')}${canClick ? '. Show them in the table.' : ''}`,
  });
  gr.append(s('title', {}, `${g.label}: ${plural(g.count, 'departure')}${unk ? ' (known only to the year)' : ''}`));
  gr.append(s('rect', { x: f.m.l + i * f.slot, y: f.m.t, width: f.slot, height: f.ph, class: 'hit' })); // a generous hit area
  if (g.count > 0) {
    gr.append(column(f, cx, g.count, unk ? 'url(#hatch)' : null));
    gr.append(s('text', { x: cx, y: top - 6, 'text-anchor': 'middle', class: 'count' }, String(g.count)));
  }
  monthMarks(gr, f, g.key || '', i, cx, unk, every, marks);
  if (canClick) clickable(gr, g.key);
  return gr;
}

/** The note under the chart: the year-only departures, and how to use the bars. */
function notes(groups) {
  const out = [];
  const unknown = groups.filter(isUnknownBucket);
  const unkCount = unknown.reduce((a, g) => a + g.count, 0);
  if (unkCount) {
    out.push(h('span', { class: 'swatch swatch-hatch', 'aria-hidden': 'true' }),
      `Hatched bars marked “?”: ${plural(unkCount, 'departure')} reported only by year (${unknown.filter((g) => g.count).map((g) => `${g.label.replace(/\s*\(month unknown\)/i, '')}: ${g.count}`).join(', ')}), counted apart rather than guessed into a month. `);
  }
  if (groups.some((g) => !isUnknownBucket(g) && g.count > 0)) out.push('Click a bar to list those departures in the table below.');
  return out;
}

export function renderMonthChart() {
  const box = $('month-chart');
  box.replaceChildren();
  const note = $('time-note');
  note.replaceChildren();
  if (!monthData) return;
  const groups = monthData.groups;
  if (!groups.length || monthData.total === 0) {
    box.append(h('div', { class: 'empty' }, h('strong', {}, 'No departures match these filters.'), ' Try another organization, kind or period.'));
    return;
  }
  const f = frame(box, groups);
  const svg = canvas(f, groups);
  svg.append(monthBars(f, groups, bar));
  box.append(svg);
  note.replaceChildren(...notes(groups));
}

export function selectMonth(key) {
  state.month = key;
  writeHash();
  renderMonthChart();
  monthSelected(key);
}

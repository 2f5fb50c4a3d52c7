// axis.js — the axes of the SVG bar charts: a round step for a maximum, the horizontal grid
// lines with their tick labels, a bar's column, and the month and year marks under the bars.
import { s } from './dom.js';
import { MON, validMonth } from './format.js';

/** A round step (1, 2 or 5 times a power of ten) giving about four grid lines up to max. */
export function niceStep(max) {
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return Math.max(1, m * mag);
  return Math.max(1, 10 * mag);
}

/** The grid of a frame f ({W, m, step, yMax, y(v)}): a line and a label at every step. */
export function yGrid(f, fmt = String) {
  const grid = s('g', { class: 'grid', 'aria-hidden': 'true' });
  for (let v = 0; v <= f.yMax; v += f.step) {
    grid.append(s('line', { x1: f.m.l, x2: f.W - f.m.r, y1: f.y(v), y2: f.y(v), class: v === 0 ? 'axis' : '' }),
      s('text', { x: f.m.l - 8, y: f.y(v) + 4, 'text-anchor': 'end', class: 'tick' }, fmt(v)));
  }
  return grid;
}

/** The column of value v centred on cx in frame f (fill: a hatch pattern's url, or null). */
export function column(f, cx, v, fill) {
  const top = f.y(v);
  return s('rect', { x: cx - f.barW / 2, y: top, width: f.barW, height: Math.max(0, f.y(0) - top), rx: Math.min(3, f.barW / 4), class: 'col', fill });
}

/**
 * The time axis under slot i (centred on cx) of a month bar chart's frame f, appended to gr: a
 * "?" under a bucket known only to the year (unk); under a month, its name (its initial when the
 * slots are narrow) every `every` slots and at each January; the year and a line where a year
 * starts (marks.lastYear keeps the last year drawn).
 */
export function monthMarks(gr, f, key, i, cx, unk, every, marks) {
  const yr = key.slice(0, 4);
  const base = f.H - f.m.b;
  if (unk) {
    gr.append(s('text', { x: cx, y: base + 16, 'text-anchor': 'middle', class: 'xlab xlab-unknown' }, '?'));
  } else if (validMonth(key) && (i % every === 0 || key.endsWith('-01'))) {
    const mon = MON[Number(key.slice(5, 7)) - 1];
    gr.append(s('text', { x: cx, y: base + 16, 'text-anchor': 'middle', class: 'xlab' }, f.slot < 18 ? mon[0] : mon));
  }
  if (yr && yr !== marks.lastYear && !unk) {
    gr.append(s('text', { x: f.m.l + i * f.slot + 2, y: base + 36, class: 'ylab' }, yr));
    gr.append(s('line', { x1: f.m.l + i * f.slot, x2: f.m.l + i * f.slot, y1: base, y2: base + 26, class: 'yearline' }));
    marks.lastYear = yr;
  }
}

/**
 * The bars of a month chart's groups in frame f, each drawn by bar(f, g, i, every, marks): the
 * month names stand every `every` slots (about 34 px apart); marks is monthMarks' memory.
 */
export function monthBars(f, groups, bar) {
  const every = Math.max(1, Math.ceil(34 / f.slot));
  const bars = s('g', { class: 'bars' });
  const marks = { lastYear: '' };
  groups.forEach((g, i) => bars.append(bar(f, g, i, every, marks)));
  return bars;
}

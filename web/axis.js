// axis.js — the value axis of the SVG bar charts: a round step for a maximum, and the
// horizontal grid lines with their tick labels.
import { s } from './dom.js';

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

// flows.js — a Sankey-like chart of who went where: organizations left on the left,
// destinations on the right (unknown last), one band a flow, as wide as its count.
import { $, h, s } from './dom.js';
import { plural } from './format.js';

const PALETTE = ['#2f5aa8', '#c2571a', '#2e8b6e', '#8e44ad', '#b8860b', '#c0392b', '#16708a', '#6b7a2b'];
let flowData = null;

/** The flows to draw (null: none), kept for redraws on resize. */
export function setFlowData(data) {
  flowData = data;
}

/** Nodes of one side: flows summed by key, largest first, unknown last. */
function aggregate(flows, keyOf, nameOf) {
  const map = new Map();
  for (const f of flows) {
    const k = keyOf(f);
    const e = map.get(k) || { key: k, name: nameOf(f), total: 0, slug: null };
    e.total += f.count;
    map.set(k, e);
  }
  return [...map.values()].sort((a, b) => (a.key === 'unknown') - (b.key === 'unknown') || b.total - a.total || a.name.localeCompare(b.name));
}

/** Sizes and positions: the scale k (pixels a person), each node's y and height. */
function layout(box, left, right, total) {
  const W = Math.max(box.clientWidth || 520, 300);
  const gap = 12;
  const H = Math.max(220, Math.min(600, Math.max(left.length, right.length) * 60 + 30));
  const labelL = Math.min(150, W * 0.28);
  const labelR = Math.min(170, W * 0.32);
  const nodeW = 12;
  const k = Math.min((H - 20 - gap * (left.length - 1)) / total, (H - 20 - gap * (right.length - 1)) / total);
  for (const nodes of [left, right]) {
    let yy = (H - (nodes.reduce((a, n) => a + n.total * k, 0) + gap * (nodes.length - 1))) / 2;
    for (const n of nodes) {
      Object.assign(n, { y: yy, h: n.total * k, off: 0 });
      yy += n.h + gap;
    }
  }
  return { W, H, k, labelL, labelR, nodeW, x0: labelL, x1: W - labelR - nodeW };
}

/** The bands, stacked in node order on both sides. */
function bands(flows, L, R, left, right, g, colorOf) {
  const out = s('g', { class: 'links' });
  const toKey = (f) => (f.to ? f.to.id : 'unknown');
  const sorted = [...flows].sort((a, b) => left.indexOf(L.get(a.from.id)) - left.indexOf(L.get(b.from.id)) ||
    right.indexOf(R.get(toKey(a))) - right.indexOf(R.get(toKey(b))));
  for (const f of sorted) {
    const a = L.get(f.from.id);
    const b = R.get(toKey(f));
    const w = f.count * g.k;
    const ya = a.y + a.off;
    const yb = b.y + b.off;
    a.off += w;
    b.off += w;
    const xa = g.x0 + g.nodeW;
    const xb = g.x1;
    const xm = (xa + xb) / 2;
    const d = `M${xa},${ya} C${xm},${ya} ${xm},${yb} ${xb},${yb} L${xb},${yb + w} C${xm},${yb + w} ${xm},${ya + w} ${xa},${ya + w} Z`;
    out.append(s('path', { d, class: `link${f.to ? '' : ' link-unknown'}`, fill: f.to ? colorOf.get(a.key) : null },
      s('title', {}, `${f.from.name} → ${f.to ? f.to.name : 'Unknown'}: ${plural(f.count, 'person', 'people')}`)));
  }
  return out;
}

const trunc = (t, px) => {
  const maxChars = Math.max(6, Math.floor(px / 7.2));
  return t.length > maxChars ? `${t.slice(0, maxChars - 1)}…` : t;
};

/** The node boxes and their labels on both sides. */
function nodeMarks(left, right, g, colorOf) {
  const nodes = s('g', { class: 'nodes' });
  for (const n of left) {
    nodes.append(s('g', { class: 'node', 'data-key': n.key },
      s('rect', { x: g.x0, y: n.y, width: g.nodeW, height: Math.max(2, n.h), rx: 2, fill: colorOf.get(n.key) }),
      s('text', { x: g.x0 - 8, y: n.y + n.h / 2 + 4, 'text-anchor': 'end', class: 'node-label' }, trunc(n.name, g.labelL - 40), s('tspan', { class: 'node-count' }, ` ${n.total}`)),
      s('title', {}, `${n.name}: ${plural(n.total, 'departure')}`)));
  }
  for (const n of right) {
    const unk = n.key === 'unknown';
    nodes.append(s('g', { class: `node${unk ? ' node-unknown' : ''}`, 'data-key': n.key },
      s('rect', { x: g.x1, y: n.y, width: g.nodeW, height: Math.max(2, n.h), rx: 2, class: unk ? 'unknown' : 'dest' }),
      s('text', { x: g.x1 + g.nodeW + 8, y: n.y + n.h / 2 + 4, class: 'node-label' }, trunc(n.name, g.labelR - 36), s('tspan', { class: 'node-count' }, ` ${n.total}`)),
      s('title', {}, `${n.name}: ${plural(n.total, 'person', 'people')}`)));
  }
  return nodes;
}

export function renderFlows() {
  const box = $('flow-chart');
  box.replaceChildren();
  if (!flowData) return;
  const flows = flowData.flows.filter((f) => f.count > 0);
  if (!flows.length) {
    box.append(h('div', { class: 'empty' }, 'No flows for these filters.'));
    return;
  }
  const left = aggregate(flows, (f) => f.from.id, (f) => f.from.name);
  const right = aggregate(flows, (f) => (f.to ? f.to.id : 'unknown'), (f) => (f.to ? f.to.name : 'Unknown'));
  const g = layout(box, left, right, flows.reduce((a, f) => a + f.count, 0));
  const colorOf = new Map(left.map((n, i) => [n.key, PALETTE[i % PALETTE.length]]));
  const L = new Map(left.map((n) => [n.key, n]));
  const R = new Map(right.map((n) => [n.key, n]));
  const svg = s('svg', { viewBox: `0 0 ${g.W} ${g.H}`, width: g.W, height: g.H, role: 'img', 'aria-labelledby': 'fc-title fc-desc', class: 'svg-chart' });
  svg.append(s('title', { id: 'fc-title' }, 'Flows from organizations left to destinations'),
    s('desc', { id: 'fc-desc' }, flows.map((f) => `${f.from.name} to ${f.to ? f.to.name : 'unknown'}: ${f.count}`).join('; ')));
  svg.append(bands(flows, L, R, left, right, g, colorOf), nodeMarks(left, right, g, colorOf));
  box.append(svg);
}

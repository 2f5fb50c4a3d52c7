// kpi.js — a key-figure card of a view's headline: the value, its caption, a line of detail.
import { h } from './dom.js';

export function kpi(value, caption, extra) {
  return h('div', { class: 'kpi' }, h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, caption), extra ? h('div', { class: 'kpi-extra' }, extra) : null);
}

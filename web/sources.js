// sources.js — the reporting behind a record: its sources as a list of outside links
// (title, else the site's name) with their publishers.
import { extLink, h } from './dom.js';

function sourceItem(src) {
  let host = '';
  try {
    host = new URL(src.url).hostname.replace(/^www\./, '');
  } catch {
    host = src.url;
  }
  const text = src.title || host;
  return h('li', {}, extLink(src.url, text, { class: 'src-link', title: src.title || src.url }), src.publisher ? h('span', { class: 'src-pub' }, ` · ${src.publisher}`) : null);
}

/** The list of a record's sources, or a muted "No source". */
export function sourceList(sources) {
  const items = (sources || []).map(sourceItem);
  return items.length ? h('ul', { class: 'sources' }, items) : h('span', { class: 'muted' }, 'No source');
}

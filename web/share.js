// share.js — the "Share" control of each chart (issue 30): for the current filters, the URL of
// the chart as an SVG image (/charts/….svg, /organizations/{id}/chart.svg), the snippet of an
// iframe of its /embed page and the snippet of an <img>, each with a copy button
// (navigator.clipboard when there is one; the text selected for Ctrl+C otherwise).
import { url } from './api.js';
import { h } from './dom.js';
import { broadParams, filterParams, ref, state } from './state.js';

const WIDTH = 800;
const HEIGHT = 533; // the charts' default "article" aspect, 3:2

const orgName = (slug) => ref.orgBySlug.get(slug)?.name || slug;

/** A chart of /charts: its image /charts/NAME.svg and its embed page /embed/charts/NAME, for
 * the query params() gives; the title says WHAT, and with an organization filter PREP it. */
const pathChart = (name, params, what, prep) => () => {
  const p = params();
  return {
    title: `${what}${p.org ? ` ${prep} ${orgName(p.org)}` : ''}`,
    image: url(`/charts/${name}.svg`, p),
    embed: url(`/embed/charts/${name}`, p),
  };
};

/** Each chart: its title (for alt and title attributes), image path and embed path with query. */
const CHARTS = {
  departures: pathChart('departures-by-month', filterParams, 'Departures per month', 'from'),
  flows: pathChart('flows', broadParams, 'Where people went', 'after'),
  org: () => {
    const id = encodeURIComponent(state.chartOrg);
    const p = { as_of: state.asOf };
    return {
      title: `Org chart of ${orgName(state.chartOrg)}${state.asOf ? ` on ${state.asOf}` : ''}`,
      image: url(`/organizations/${id}/chart.svg`, p),
      embed: url(`/embed/organizations/${id}/chart`, p),
    };
  },
  layoffs: pathChart('layoffs-by-month', broadParams, 'People laid off per month', 'at'),
};

/** Text for an HTML attribute value in double quotes. */
const attr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The three texts to share for a chart: image URL, iframe snippet, img snippet (absolute URLs). */
export function shareTexts(name) {
  const c = CHARTS[name]();
  const image = location.origin + c.image;
  const embed = location.origin + c.embed;
  return {
    image,
    iframe: `<iframe src="${attr(embed)}" width="${WIDTH}" height="${HEIGHT}" style="border:0;max-width:100%" loading="lazy" title="${attr(c.title)}"></iframe>`,
    img: `<img src="${attr(image)}" width="${WIDTH}" alt="${attr(c.title)}" loading="lazy" style="max-width:100%;height:auto">`,
  };
}

/** Copies a field's text: the clipboard when allowed, else the text selected for the reader to copy. */
async function copyField(field, status) {
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
    await navigator.clipboard.writeText(field.value);
    status.textContent = 'Copied.';
  } catch {
    field.focus();
    field.select();
    status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}

/** One labelled read-only field with its copy button. */
function row(box, key, labelText, multiline) {
  const id = `${box.id}-${key}`;
  const field = multiline
    ? h('textarea', { id, readonly: true, rows: 4, spellcheck: 'false', 'data-share-field': key })
    : h('input', { id, type: 'text', readonly: true, spellcheck: 'false', 'data-share-field': key });
  field.addEventListener('focus', () => field.select());
  const status = h('span', { class: 'share-status', role: 'status' });
  const btn = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-copy': key }, 'Copy');
  btn.addEventListener('click', () => copyField(field, status));
  return h('div', { class: 'share-row' }, h('label', { for: id }, labelText), field, h('div', { class: 'share-actions' }, btn, status));
}

/** Fills one control's fields for the current filters. */
function fill(box) {
  const t = shareTexts(box.dataset.share);
  for (const [key, value] of Object.entries(t)) {
    const f = box.querySelector(`[data-share-field="${key}"]`);
    if (f) f.value = value;
  }
  for (const s of box.querySelectorAll('.share-status')) s.textContent = '';
}

/** Builds every `details.share[data-share]` of the page; each is filled when opened, closes
 * the others, and closes on Escape or a click outside it. */
export function wireShare() {
  for (const box of document.querySelectorAll('details.share[data-share]')) {
    if (!CHARTS[box.dataset.share]) continue;
    box.append(h('div', { class: 'share-body' },
      h('p', { class: 'share-hint' }, 'This chart for the filters shown, to put in an article. It updates as the data does.'),
      row(box, 'image', 'Image URL (SVG)', false),
      row(box, 'iframe', 'Embed (iframe)', true),
      row(box, 'img', 'Image (img)', true)));
    box.addEventListener('toggle', () => {
      if (!box.open) return;
      fill(box);
      // one open at a time: an open control's panel covers what is under it
      for (const other of document.querySelectorAll('details.share[open]')) if (other !== box) other.open = false;
    });
    box.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape' || !box.open) return;
      box.open = false;
      box.querySelector('summary').focus();
    });
  }
  document.addEventListener('click', (ev) => {
    for (const box of document.querySelectorAll('details.share[open]')) if (!box.contains(ev.target)) box.open = false;
  });
}

/** After the filters or the org chart's day changed: refreshes the controls that are open. */
export function updateShares() {
  for (const box of document.querySelectorAll('details.share[data-share][open]')) fill(box);
}

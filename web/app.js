// orgwatch dashboard — plain ES module, no dependencies, public API only (same origin).
// Every piece of API text reaches the DOM through text nodes (textContent), never as HTML.

const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';

// ------------------------------------------------------------------ DOM helpers

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
/** An HTML element; string children become text nodes. */
const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
/** An SVG element. */
const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

/** A link to an outside source: only http(s) URLs become links. */
function extLink(url, text, attrs = {}) {
  let ok = false;
  try {
    const u = new URL(url, location.href);
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) return h('span', attrs, text);
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', ...attrs }, text);
}

// ------------------------------------------------------------------ formatting

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const MON = MONTHS.map((m) => m.slice(0, 3));

/** "2024-04-18" → "18 Apr 2024", "2024-04" → "Apr 2024", "2024" → "2024". */
function fmtDate(d, long = false) {
  if (!d) return '';
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(d);
  if (!m) return d;
  const names = long ? MONTHS : MON;
  if (m[3]) return `${Number(m[3])} ${names[Number(m[2]) - 1]} ${m[1]}`;
  if (m[2]) return `${names[Number(m[2]) - 1]} ${m[1]}`;
  return m[1];
}

const KIND_LABEL = {
  resigned: 'Resigned', laid_off: 'Laid off', fired: 'Fired', retired: 'Retired',
  contract_ended: 'Contract ended', deceased: 'Deceased', unknown: 'Unknown',
};
const REASON_LABEL = {
  startup: 'Startup', competitor: 'Competitor', burnout: 'Burnout', reorganization: 'Reorganization',
  layoff: 'Layoff', compensation: 'Compensation', academia: 'Academia', personal: 'Personal',
  other: 'Other', unknown: 'Unknown',
};
const DEST_KIND_LABEL = {
  founded: 'Founded', joined: 'Joined', academia: 'Academia', government: 'Government', none: 'None',
  unknown: 'Unknown',
};
const label = (map, v) => (v ? map[v] || v.replace(/_/g, ' ') : '');
const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;

function listJoin(items) {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function pad2(n) {
  return String(n).padStart(2, '0');
}
function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}
/** The day before the same day a year later, or a day of the following year when that does not exist. */
function plusYearMinusDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y + 1, m - 1, d));
  t.setUTCDate(t.getUTCDate() - 1);
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}
const validDay = (v) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const [y, m, d] = v.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};
const validMonth = (v) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v);

// ------------------------------------------------------------------ API client

class ApiError extends Error {}

function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** GET a path of this server. JSON answers are parsed; with accept set, the Response is returned. */
async function api(path, params, accept) {
  let res;
  try {
    res = await fetch(url(path, params), { headers: { Accept: accept || 'application/json' } });
  } catch {
    throw new ApiError('Could not reach the orgwatch server. Is it running?');
  }
  if (!res.ok) {
    let msg = `The server answered ${res.status} ${res.statusText}.`;
    try {
      const p = await res.json();
      msg = p.detail || p.title || msg;
      if (Array.isArray(p.errors) && p.errors.length)
        msg += ' ' + p.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
    } catch {
      /* not problem+json: keep the status line */
    }
    throw new ApiError(msg);
  }
  if (accept) return res;
  try {
    return await res.json();
  } catch {
    throw new ApiError('The server sent an answer that is not JSON.');
  }
}

/** Only the latest call of each named task may update the page. */
const seqs = new Map();
function latest(name) {
  const n = (seqs.get(name) || 0) + 1;
  seqs.set(name, n);
  return () => seqs.get(name) === n;
}

function setStatus(id, kind, text) {
  const el = $(id);
  el.replaceChildren();
  el.className = kind ? `status status-${kind}` : 'status';
  el.removeAttribute('role');
  if (!kind) {
    el.setAttribute('role', 'status');
    return;
  }
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  if (kind === 'loading') el.append(h('span', { class: 'spinner', 'aria-hidden': 'true' }));
  if (kind === 'error') el.append(h('strong', {}, 'Could not load this part. '));
  el.append(text);
}

function busy(section, on) {
  const el = typeof section === 'string' ? $(section) : section;
  if (!el) return;
  el.classList.toggle('is-loading', on);
  el.setAttribute('aria-busy', on ? 'true' : 'false');
}

// ------------------------------------------------------------------ state (mirrored in the URL hash)

const state = {
  org: '', team: '', kind: '', from: '', to: '', // shared filters
  person: '', personName: '', sort: '-departed_on', month: '', // table
  chartOrg: '', asOf: '', // org chart
};
const HASH_KEYS = ['org', 'team', 'kind', 'from', 'to', 'person', 'sort', 'month', 'chartOrg', 'asOf'];

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of HASH_KEYS) if (p.has(k)) state[k] = p.get(k);
  if (state.from && !validMonth(state.from)) state.from = '';
  if (state.to && !validMonth(state.to)) state.to = '';
  if (state.asOf && !validDay(state.asOf)) state.asOf = '';
  if (state.month && !validMonth(state.month)) state.month = '';
  if (!['departed_on', '-departed_on'].includes(state.sort)) state.sort = '-departed_on';
  if (!KIND_LABEL[state.kind]) state.kind = '';
}
function writeHash() {
  const p = new URLSearchParams();
  for (const k of HASH_KEYS) if (state[k] && !(k === 'sort' && state[k] === '-departed_on')) p.set(k, state[k]);
  const next = p.toString();
  if (next !== location.hash.slice(1)) history.replaceState(null, '', next ? `#${next}` : location.pathname);
}

const filterParams = () => ({ org: state.org, team: state.team, kind: state.kind, from: state.from, to: state.to });

// ------------------------------------------------------------------ reference data

let orgs = []; // sorted by name
const orgById = new Map();
const orgBySlug = new Map();
let story = { peak: null, topOrg: null }; // from the unfiltered statistics, for defaults

async function loadOrgs() {
  const all = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const page = await api('/organizations', { limit: 1000, cursor });
    all.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  orgs = all.sort((a, b) => a.name.localeCompare(b.name));
  for (const o of orgs) {
    orgById.set(o.id, o);
    orgBySlug.set(o.slug, o);
  }
  const sel = $('f-org');
  sel.replaceChildren(h('option', { value: '' }, 'All organizations'), ...orgs.map((o) => h('option', { value: o.slug }, o.name)));
  if (state.org && !orgBySlug.has(state.org)) state.org = '';
  sel.value = state.org;
  $('oc-org').replaceChildren(...orgs.map((o) => h('option', { value: o.slug }, o.name)));
}

async function loadTeams() {
  const sel = $('f-team');
  const done = latest('teams');
  if (!state.org) {
    sel.replaceChildren(h('option', { value: '' }, 'All teams (choose an organization)'));
    sel.disabled = true;
    return;
  }
  sel.disabled = true;
  try {
    const res = await api('/teams', { org: state.org, limit: 1000 });
    if (!done()) return;
    const byId = new Map(res.items.map((t) => [t.id, t]));
    const path = (t) => {
      const names = [t.name];
      let p = t.parent_id && byId.get(t.parent_id);
      for (let i = 0; p && i < 10; i++, p = p.parent_id && byId.get(p.parent_id)) names.unshift(p.name);
      return names.join(' › ');
    };
    const teams = res.items.map((t) => ({ id: t.id, name: path(t) })).sort((a, b) => a.name.localeCompare(b.name));
    sel.replaceChildren(h('option', { value: '' }, 'All teams'), ...teams.map((t) => h('option', { value: t.id }, t.name)));
    if (state.team && !byId.has(state.team)) state.team = '';
    sel.value = state.team;
    sel.disabled = teams.length === 0;
  } catch (e) {
    if (!done()) return;
    sel.replaceChildren(h('option', { value: '' }, 'Teams unavailable'));
    showFilterError(e.message);
  }
}

function showFilterError(msg) {
  const el = $('filters-error');
  el.textContent = msg || '';
  el.hidden = !msg;
}

// ------------------------------------------------------------------ headline and key figures

function kpi(value, caption, extra) {
  return h('div', { class: 'kpi' }, h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, caption), extra ? h('div', { class: 'kpi-extra' }, extra) : null);
}

async function renderStory(months, dests, destKinds, byOrg, done) {
  const lede = $('lede');
  const kpis = $('kpis');
  const total = months.total;
  const real = months.groups.filter((g) => !isUnknownBucket(g));
  const nonEmpty = months.groups.filter((g) => g.count > 0);
  const peak = real.reduce((best, g) => (g.count > (best ? best.count : 0) ? g : best), null);
  const knownDests = dests.groups.filter((g) => g.key !== null && g.count > 0);
  const top = knownDests[0];
  const founded = (destKinds.groups.find((g) => g.key === 'founded') || { count: 0 }).count;
  const orgsLeft = byOrg.groups.filter((g) => g.count > 0);

  let where = '';
  if (state.org) where = ` from ${orgBySlug.get(state.org)?.name || state.org}`;
  else if (orgsLeft.length === 1) where = ` from ${orgsLeft[0].label}`;
  const years = nonEmpty.map((g) => g.key.slice(0, 4));
  const span = years.length ? (years[0] === years[years.length - 1] ? ` in ${years[0]}` : `, ${years[0]}–${years[years.length - 1]}`) : '';

  if (total === 0) {
    lede.replaceChildren('No departures match these filters. ', h('a', { href: '#', class: 'reset-link', onclick: (ev) => { ev.preventDefault(); resetFilters(); } }, 'Reset the filters'), '.');
    kpis.replaceChildren();
    return;
  }

  const parts = [h('strong', {}, plural(total, 'departure')), `${where} on record${span}.`];
  if (peak && peak.count > 1) {
    parts.push(' The biggest wave came in ', h('strong', {}, peak.label), `, when ${peak.count} people left`);
    let names = [];
    try {
      const ds = await api('/departures', { ...filterParams(), from: peak.key, to: peak.key, limit: 6 });
      names = ds.items.filter((d) => d.departed_on.startsWith(peak.key)).map((d) => d.person.full_name);
    } catch {
      names = [];
    }
    if (!done()) return;
    if (names.length && names.length <= 5) parts.push(': ', listJoin(names));
    parts.push('.');
  }
  if (founded > 0) parts.push(founded === total ? ' All of them went on to found a company.' : ` ${founded} of them went on to found a company.`);
  if (top) parts.push(' Most common known destination: ', h('strong', {}, top.label), ` (${top.count}).`);
  lede.replaceChildren(...parts);

  const unknownDest = dests.groups.filter((g) => g.key === null).reduce((n, g) => n + g.count, 0);
  kpis.replaceChildren(
    kpi(String(total), 'departures', where ? where.trim() : `from ${plural(orgsLeft.length, 'organization')}`),
    kpi(peak && peak.count ? String(peak.count) : '—', 'in the busiest month', peak && peak.count ? peak.label : null),
    kpi(top ? top.label : '—', 'top destination', top ? `${plural(top.count, 'person', 'people')}` : null),
    kpi(String(founded), 'founded a company', unknownDest ? `${unknownDest} with no known destination` : null),
  );
}

// ------------------------------------------------------------------ departures over time

const isUnknownBucket = (g) => /unknown/i.test(g.key || '') || /unknown/i.test(g.label || '');
let monthData = null;

function niceStep(max) {
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return Math.max(1, m * mag);
  return Math.max(1, 10 * mag);
}

function renderMonthChart() {
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
  const W = Math.max(box.clientWidth || 800, 300);
  const H = 280;
  const m = { l: 34, r: 8, t: 22, b: 48 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const n = groups.length;
  const slot = pw / n;
  const barW = Math.max(2, Math.min(56, slot * 0.74));
  const max = Math.max(1, ...groups.map((g) => g.count));
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const y = (v) => m.t + ph - (v / yMax) * ph;

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-labelledby': 'mc-title mc-desc', class: 'svg-chart' });
  const real = groups.filter((g) => !isUnknownBucket(g));
  const unknown = groups.filter(isUnknownBucket);
  svg.append(
    s('title', { id: 'mc-title' }, 'Departures per month'),
    s('desc', { id: 'mc-desc' }, groups.filter((g) => g.count > 0).map((g) => `${g.label}: ${g.count}`).join('; ')),
    s('defs', {}, s('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, fill: '#e7e9ee' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#8a93a6', 'stroke-width': 2.4 }))),
  );
  // grid and y axis
  const grid = s('g', { class: 'grid', 'aria-hidden': 'true' });
  for (let v = 0; v <= yMax; v += step) {
    grid.append(s('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : '' }),
      s('text', { x: m.l - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)));
  }
  svg.append(grid);

  const every = Math.max(1, Math.ceil(34 / slot));
  const bars = s('g', { class: 'bars' });
  let lastYear = '';
  groups.forEach((g, i) => {
    const cx = m.l + i * slot + slot / 2;
    const unk = isUnknownBucket(g);
    const top = y(g.count);
    const bh = Math.max(0, y(0) - top);
    const clickable = !unk && g.count > 0 && validMonth(g.key || '');
    const gr = s('g', {
      class: `bar${unk ? ' bar-unknown' : ''}${g.count === 0 ? ' bar-zero' : ''}${state.month === g.key ? ' bar-selected' : ''}`,
      'data-key': g.key, 'data-count': g.count,
      tabindex: clickable ? 0 : null, role: clickable ? 'button' : null,
      'aria-label': `${g.label}: ${plural(g.count, 'departure')}${clickable ? '. Show them in the table.' : ''}`,
    });
    gr.append(s('title', {}, `${g.label}: ${plural(g.count, 'departure')}${unk ? ' (known only to the year)' : ''}`));
    // a generous transparent hit area
    gr.append(s('rect', { x: m.l + i * slot, y: m.t, width: slot, height: ph, class: 'hit' }));
    if (g.count > 0) {
      gr.append(s('rect', { x: cx - barW / 2, y: top, width: barW, height: bh, rx: Math.min(3, barW / 4), class: 'col', fill: unk ? 'url(#hatch)' : null }));
      gr.append(s('text', { x: cx, y: top - 6, 'text-anchor': 'middle', class: 'count' }, String(g.count)));
    }
    // x labels
    const key = g.key || '';
    const yr = key.slice(0, 4);
    if (unk) {
      gr.append(s('text', { x: cx, y: H - m.b + 16, 'text-anchor': 'middle', class: 'xlab xlab-unknown' }, '?'));
    } else if (validMonth(key) && (i % every === 0 || key.endsWith('-01'))) {
      gr.append(s('text', { x: cx, y: H - m.b + 16, 'text-anchor': 'middle', class: 'xlab' }, slot < 18 ? MON[Number(key.slice(5, 7)) - 1][0] : MON[Number(key.slice(5, 7)) - 1]));
    }
    if (yr && yr !== lastYear && !unk) {
      gr.append(s('text', { x: m.l + i * slot + 2, y: H - m.b + 36, class: 'ylab' }, yr));
      gr.append(s('line', { x1: m.l + i * slot, x2: m.l + i * slot, y1: H - m.b, y2: H - m.b + 26, class: 'yearline' }));
      lastYear = yr;
    }
    if (clickable) {
      const go = () => selectMonth(g.key === state.month ? '' : g.key);
      gr.addEventListener('click', go);
      gr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          go();
        }
      });
    }
    bars.append(gr);
  });
  svg.append(bars);
  box.append(svg);

  const notes = [];
  const unkCount = unknown.reduce((a, g) => a + g.count, 0);
  if (unkCount) {
    notes.push(h('span', { class: 'swatch swatch-hatch', 'aria-hidden': 'true' }),
      `Hatched bars marked “?”: ${plural(unkCount, 'departure')} reported only by year (${unknown.filter((g) => g.count).map((g) => `${g.label.replace(/\s*\(month unknown\)/i, '')}: ${g.count}`).join(', ')}), counted apart rather than guessed into a month. `);
  }
  if (real.some((g) => g.count > 0)) notes.push('Click a bar to list those departures in the table below.');
  note.replaceChildren(...notes);
}

function selectMonth(key) {
  state.month = key;
  writeHash();
  renderMonthChart();
  resetTable();
  if (key) $('s-table').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// ------------------------------------------------------------------ top destinations

function renderDestinations(dests) {
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

// ------------------------------------------------------------------ flows (Sankey-like)

const PALETTE = ['#2f5aa8', '#c2571a', '#2e8b6e', '#8e44ad', '#b8860b', '#c0392b', '#16708a', '#6b7a2b'];
let flowData = null;

function renderFlows() {
  const box = $('flow-chart');
  box.replaceChildren();
  if (!flowData) return;
  const flows = flowData.flows.filter((f) => f.count > 0);
  if (!flows.length) {
    box.append(h('div', { class: 'empty' }, 'No flows for these filters.'));
    return;
  }
  const agg = (keyOf, nameOf) => {
    const map = new Map();
    for (const f of flows) {
      const k = keyOf(f);
      const e = map.get(k) || { key: k, name: nameOf(f), total: 0, slug: null };
      e.total += f.count;
      map.set(k, e);
    }
    return [...map.values()].sort((a, b) => (a.key === 'unknown') - (b.key === 'unknown') || b.total - a.total || a.name.localeCompare(b.name));
  };
  const left = agg((f) => f.from.id, (f) => f.from.name);
  const right = agg((f) => (f.to ? f.to.id : 'unknown'), (f) => (f.to ? f.to.name : 'Unknown'));
  const total = flows.reduce((a, f) => a + f.count, 0);

  const W = Math.max(box.clientWidth || 520, 300);
  const gap = 12;
  const nMax = Math.max(left.length, right.length);
  const H = Math.max(220, Math.min(600, nMax * 60 + 30));
  const labelL = Math.min(150, W * 0.28);
  const labelR = Math.min(170, W * 0.32);
  const nodeW = 12;
  const x0 = labelL;
  const x1 = W - labelR - nodeW;
  const k = Math.min((H - 20 - gap * (left.length - 1)) / total, (H - 20 - gap * (right.length - 1)) / total);
  const place = (nodes) => {
    const used = nodes.reduce((a, n) => a + n.total * k, 0) + gap * (nodes.length - 1);
    let yy = (H - used) / 2;
    for (const n of nodes) {
      n.y = yy;
      n.h = n.total * k;
      n.off = 0;
      yy += n.h + gap;
    }
  };
  place(left);
  place(right);
  const colorOf = new Map(left.map((n, i) => [n.key, PALETTE[i % PALETTE.length]]));
  const L = new Map(left.map((n) => [n.key, n]));
  const R = new Map(right.map((n) => [n.key, n]));

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-labelledby': 'fc-title fc-desc', class: 'svg-chart' });
  svg.append(s('title', { id: 'fc-title' }, 'Flows from organizations left to destinations'),
    s('desc', { id: 'fc-desc' }, flows.map((f) => `${f.from.name} to ${f.to ? f.to.name : 'unknown'}: ${f.count}`).join('; ')));
  const links = s('g', { class: 'links' });
  const sorted = [...flows].sort((a, b) => left.indexOf(L.get(a.from.id)) - left.indexOf(L.get(b.from.id)) ||
    right.indexOf(R.get(a.to ? a.to.id : 'unknown')) - right.indexOf(R.get(b.to ? b.to.id : 'unknown')));
  for (const f of sorted) {
    const a = L.get(f.from.id);
    const b = R.get(f.to ? f.to.id : 'unknown');
    const w = f.count * k;
    const ya = a.y + a.off;
    const yb = b.y + b.off;
    a.off += w;
    b.off += w;
    const xa = x0 + nodeW;
    const xb = x1;
    const xm = (xa + xb) / 2;
    const d = `M${xa},${ya} C${xm},${ya} ${xm},${yb} ${xb},${yb} L${xb},${yb + w} C${xm},${yb + w} ${xm},${ya + w} ${xa},${ya + w} Z`;
    links.append(s('path', { d, class: `link${f.to ? '' : ' link-unknown'}`, fill: f.to ? colorOf.get(a.key) : null },
      s('title', {}, `${f.from.name} → ${f.to ? f.to.name : 'Unknown'}: ${plural(f.count, 'person', 'people')}`)));
  }
  svg.append(links);
  const trunc = (t, px) => {
    const maxChars = Math.max(6, Math.floor(px / 7.2));
    return t.length > maxChars ? `${t.slice(0, maxChars - 1)}…` : t;
  };
  const nodes = s('g', { class: 'nodes' });
  for (const n of left) {
    nodes.append(s('g', { class: 'node', 'data-key': n.key },
      s('rect', { x: x0, y: n.y, width: nodeW, height: Math.max(2, n.h), rx: 2, fill: colorOf.get(n.key) }),
      s('text', { x: x0 - 8, y: n.y + n.h / 2 + 4, 'text-anchor': 'end', class: 'node-label' }, trunc(n.name, labelL - 40), s('tspan', { class: 'node-count' }, ` ${n.total}`)),
      s('title', {}, `${n.name}: ${plural(n.total, 'departure')}`)));
  }
  for (const n of right) {
    const unk = n.key === 'unknown';
    nodes.append(s('g', { class: `node${unk ? ' node-unknown' : ''}`, 'data-key': n.key },
      s('rect', { x: x1, y: n.y, width: nodeW, height: Math.max(2, n.h), rx: 2, class: unk ? 'unknown' : 'dest' }),
      s('text', { x: x1 + nodeW + 8, y: n.y + n.h / 2 + 4, class: 'node-label' }, trunc(n.name, labelR - 36), s('tspan', { class: 'node-count' }, ` ${n.total}`)),
      s('title', {}, `${n.name}: ${plural(n.total, 'person', 'people')}`)));
  }
  svg.append(nodes);
  box.append(svg);
}

// ------------------------------------------------------------------ statistics panels

async function refreshStats() {
  const done = latest('stats');
  busy('s-time', true);
  busy('s-where', true);
  setStatus('time-status', 'loading', 'Loading departures…');
  setStatus('dest-status', 'loading', 'Loading destinations…');
  const f = filterParams();
  try {
    const [months, dests, destKinds, byOrg] = await Promise.all([
      api('/stats/departures', { group_by: 'month', ...f }),
      api('/stats/departures', { group_by: 'destination_org', ...f }),
      api('/stats/departures', { group_by: 'destination_kind', ...f }),
      api('/stats/departures', { group_by: 'org', ...f }),
    ]);
    if (!done()) return;
    monthData = months;
    setStatus('time-status');
    setStatus('dest-status');
    const sub = [];
    if (state.org) sub.push(orgBySlug.get(state.org)?.name || state.org);
    if (state.team) sub.push($('f-team').selectedOptions[0]?.textContent || 'one team');
    if (state.kind) sub.push(label(KIND_LABEL, state.kind).toLowerCase());
    if (state.from || state.to) sub.push(`${state.from ? fmtDate(state.from) : '…'} – ${state.to ? fmtDate(state.to) : '…'}`);
    $('time-sub').textContent = `People leaving per month, by the date reported${sub.length ? ` — ${sub.join(', ')}` : ''}. Total: ${months.total}.`;
    renderMonthChart();
    renderDestinations(dests);
    await renderStory(months, dests, destKinds, byOrg, done);
  } catch (e) {
    if (!done()) return;
    monthData = null;
    renderMonthChart();
    $('dest-list').replaceChildren();
    setStatus('time-status', 'error', e.message);
    setStatus('dest-status', 'error', e.message);
    $('lede').textContent = 'The figures could not be loaded.';
    $('kpis').replaceChildren();
  } finally {
    if (done()) {
      busy('s-time', false);
      busy('s-where', false);
    }
  }
}

async function refreshFlows() {
  const done = latest('flows');
  busy('flow-chart', true);
  setStatus('flow-status', 'loading', 'Loading flows…');
  try {
    const res = await api('/stats/flows', { org: state.org, from: state.from, to: state.to });
    if (!done()) return;
    flowData = res;
    setStatus('flow-status');
    renderFlows();
    $('flow-note').textContent = state.team || state.kind
      ? 'Flows follow the organization and period filters only; the team and kind filters do not apply here.'
      : '';
  } catch (e) {
    if (!done()) return;
    flowData = null;
    renderFlows();
    setStatus('flow-status', 'error', e.message);
  } finally {
    if (done()) busy('flow-chart', false);
  }
}

// ------------------------------------------------------------------ org chart

const SLIDER_START = [2013, 0]; // January 2013
function monthIndex(day) {
  const [y, m] = day.split('-').map(Number);
  return (y - SLIDER_START[0]) * 12 + (m - 1) - SLIDER_START[1];
}
function indexDay(i) {
  const t = i + SLIDER_START[1];
  return `${SLIDER_START[0] + Math.floor(t / 12)}-${pad2((t % 12) + 1)}-01`;
}

function setupSlider() {
  const sl = $('oc-slider');
  sl.min = '0';
  sl.max = String(monthIndex(todayIso()));
  $('oc-min').textContent = String(SLIDER_START[0]);
  $('oc-max').textContent = 'today';
  $('oc-date').max = todayIso();
}

function syncChartControls() {
  $('oc-org').value = state.chartOrg;
  $('oc-date').value = state.asOf;
  const sl = $('oc-slider');
  const idx = Math.min(Number(sl.max), Math.max(0, monthIndex(state.asOf)));
  sl.value = String(idx);
  sl.setAttribute('aria-valuetext', fmtDate(state.asOf, true));
  $('oc-slider-out').textContent = fmtDate(state.asOf, true);
  $('org-name').textContent = orgBySlug.get(state.chartOrg)?.name || 'the organization';
}

function renderPresets() {
  const box = $('oc-presets');
  const presets = [];
  if (story.peak) {
    const [y, m] = story.peak.split('-').map(Number);
    const before = m === 1 ? `${y - 1}-12-01` : `${y}-${pad2(m - 1)}-01`;
    presets.push([`Before ${fmtDate(story.peak, true)}`, before, 'The month before the biggest wave of departures']);
    presets.push([`A year on`, `${y + 1}-${pad2(m)}-01`, 'Twelve months after the biggest wave']);
  }
  presets.push(['Today', todayIso(), 'The org chart today']);
  box.replaceChildren(h('span', { class: 'presets-label' }, 'Jump to'), ...presets.map(([text, day, title]) =>
    h('button', { type: 'button', class: 'chip-btn', title, 'data-day': day, onclick: () => setAsOf(day, true) }, text)));
}

let sliderTimer = 0;
function setAsOf(day, now) {
  if (!validDay(day)) return;
  state.asOf = day;
  syncChartControls();
  writeHash();
  clearTimeout(sliderTimer);
  if (now) refreshOrgChart();
  else sliderTimer = setTimeout(refreshOrgChart, 180);
}

function countNodes(nodes) {
  return nodes.reduce((a, n) => a + 1 + countNodes(n.reports || []), 0);
}

function personNode(n, leftMap) {
  const dep = leftMap.get(n.person.id);
  const card = h('div', { class: `node-card${dep ? ' is-left' : ''}` },
    h('span', { class: 'node-name' }, n.person.full_name),
    n.title ? h('span', { class: 'node-title' }, n.title) : h('span', { class: 'node-title muted' }, 'Title not reported'),
    n.team ? h('span', { class: 'node-team' }, n.team.name) : null,
    dep ? h('span', { class: 'node-left' }, `Left ${fmtDate(dep.departed_on)}${dep.destination_org ? ` → ${dep.destination_org.name}` : ''}`) : null);
  const li = h('li', { 'data-person': n.person.slug, class: dep ? 'left' : null }, card);
  if (n.reports && n.reports.length) {
    li.append(h('ul', { class: 'tree-children', 'aria-label': `Reports of ${n.person.full_name}` }, n.reports.map((r) => personNode(r, leftMap))));
  }
  return li;
}

async function refreshOrgChart() {
  const done = latest('orgchart');
  if (!state.chartOrg || !validDay(state.asOf)) return;
  busy('org-tree', true);
  setStatus('org-status', 'loading', 'Loading the org chart…');
  try {
    const [chart, left] = await Promise.all([
      api(`/organizations/${encodeURIComponent(state.chartOrg)}/chart`, { as_of: state.asOf }),
      api('/departures', { org: state.chartOrg, from: state.asOf, to: plusYearMinusDay(state.asOf), limit: 1000 }),
    ]);
    if (!done()) return;
    setStatus('org-status');
    const leftMap = new Map();
    for (const d of left.items) if (!leftMap.has(d.person.id)) leftMap.set(d.person.id, d);
    const roots = chart.roots || [];
    const tree = $('org-tree');
    tree.replaceChildren();
    const total = countNodes(roots);
    const onChart = new Set();
    const walk = (ns) => ns.forEach((n) => { onChart.add(n.person.id); walk(n.reports || []); });
    walk(roots);
    const leftOnChart = [...leftMap.keys()].filter((id) => onChart.has(id)).length;
    const orgName = chart.org?.name || orgBySlug.get(state.chartOrg)?.name || state.chartOrg;
    $('org-summary').replaceChildren(
      h('strong', {}, `${orgName}, ${fmtDate(chart.as_of || state.asOf, true)}: `),
      total ? `${plural(total, 'person', 'people')} on record` : 'nobody on record that day',
      total ? `; ${leftOnChart} of them left within the following year.` : '.');
    if (!total) {
      tree.append(h('div', { class: 'empty' }, `No positions at ${orgName} are on record for ${fmtDate(state.asOf, true)}. Try a later date.`));
    } else {
      const withReports = roots.filter((r) => r.reports && r.reports.length);
      const alone = roots.filter((r) => !r.reports || !r.reports.length);
      if (withReports.length) {
        tree.append(h('ul', { class: 'tree', 'aria-label': `Reporting lines at ${orgName}` }, withReports.map((r) => personNode(r, leftMap))));
      }
      if (alone.length) {
        tree.append(h('h3', { class: 'tree-h' }, withReports.length ? 'No reporting line on record' : 'On record, no reporting lines known'),
          h('ul', { class: 'tree tree-flat', 'aria-label': 'People without a known manager or reports' }, alone.map((r) => personNode(r, leftMap))));
      }
    }
    const also = left.items.filter((d) => !onChart.has(d.person.id));
    const alsoBox = $('org-also');
    alsoBox.replaceChildren();
    if (also.length) {
      alsoBox.append(h('p', { class: 'note' }, `Also left ${orgName} within the year after ${fmtDate(state.asOf, true)}, but not on the chart that day (their recorded positions don't place them there on that date): `,
        ...also.flatMap((d, i) => [i ? ', ' : '', h('strong', {}, d.person.full_name), ` (${fmtDate(d.departed_on)}${d.destination_org ? ` → ${d.destination_org.name}` : ''})`]), '.'));
    }
  } catch (e) {
    if (!done()) return;
    $('org-tree').replaceChildren();
    $('org-summary').replaceChildren();
    $('org-also').replaceChildren();
    setStatus('org-status', 'error', e.message);
  } finally {
    if (done()) busy('org-tree', false);
  }
}

// ------------------------------------------------------------------ departures table

const PAGE_SIZE = 20;
const table = { stack: [null], next: null, noMatch: '' };

function tableParams() {
  const p = { ...filterParams(), person: state.person, sort: state.sort };
  if (state.month) {
    p.from = state.month;
    p.to = state.month;
  }
  return p;
}

function renderChips() {
  const box = $('chips');
  const chips = [];
  if (state.month) {
    chips.push(h('span', { class: 'chip' }, `Month: ${fmtDate(state.month, true)}`,
      h('button', { type: 'button', class: 'chip-x', 'aria-label': `Stop showing only ${fmtDate(state.month, true)}`, onclick: () => selectMonth('') }, '×')));
  }
  if (state.month) {
    chips.push(h('span', { class: 'chips-label' }, 'Departures dated only to the year also match a month, marked “month unknown”.'));
  }
  if (state.person) {
    chips.push(h('span', { class: 'chip' }, `Person: ${state.personName || state.person}`,
      h('button', { type: 'button', class: 'chip-x', 'aria-label': 'Show everyone', onclick: () => setPerson('', '') }, '×')));
  }
  if (table.noMatch) chips.push(h('span', { class: 'chip chip-warn' }, `Nobody on record matches “${table.noMatch}”.`));
  if (table.others && table.others.length) {
    chips.push(h('span', { class: 'chips-label' }, 'Did you mean:'), ...table.others.map((p) =>
      h('button', { type: 'button', class: 'chip-btn', onclick: () => { $('t-q').value = p.full_name; setPerson(p.slug, p.full_name); } }, p.full_name)));
  }
  box.replaceChildren(...chips);
}

function setPerson(slug, name, others = []) {
  state.person = slug;
  state.personName = name;
  table.noMatch = '';
  table.others = others;
  if (!slug) $('t-q').value = '';
  writeHash();
  resetTable();
}

function resetTable() {
  table.stack = [null];
  refreshTable();
}

const COLUMNS = ['Person', 'Left', 'Departed', 'Kind', 'Reason', 'Went to', 'Sources'];
function cell(i, ...children) {
  return h('td', { 'data-label': COLUMNS[i] }, ...children);
}

function departureRow(d) {
  const sources = (d.sources || []).map((src) => {
    let host = '';
    try {
      host = new URL(src.url).hostname.replace(/^www\./, '');
    } catch {
      host = src.url;
    }
    const text = src.title || host;
    return h('li', {}, extLink(src.url, text, { class: 'src-link', title: src.title || src.url }), src.publisher ? h('span', { class: 'src-pub' }, ` · ${src.publisher}`) : null);
  });
  return h('tr', { 'data-id': d.id, 'data-person': d.person?.slug },
    cell(0, h('span', { class: 'person' }, d.person?.full_name || '—'), d.title ? h('span', { class: 'sub' }, d.title) : null),
    cell(1, h('span', {}, d.org?.name || '—'), d.team ? h('span', { class: 'sub' }, d.team.name) : null),
    cell(2, h('time', { datetime: d.departed_on, class: 'date' }, fmtDate(d.departed_on)),
      d.status && d.status !== 'reported' ? h('span', { class: `status-badge st-${d.status}` }, d.status) : null,
      state.month && d.departed_on.length < 7 ? h('span', { class: 'vague', title: `Reported only as ${d.departed_on}; it may or may not fall in ${fmtDate(state.month, true)}.` }, 'month unknown') : null),
    cell(3, d.kind ? h('span', { class: `badge kind-${d.kind}` }, label(KIND_LABEL, d.kind)) : '—'),
    cell(4, d.reason_category ? h('span', { class: 'badge badge-soft' }, label(REASON_LABEL, d.reason_category)) : null,
      d.reason ? h('span', { class: 'reason' }, d.reason) : null,
      d.notes ? h('span', { class: 'sub notes' }, d.notes) : null),
    cell(5, d.destination_org ? h('span', { class: 'dest' }, d.destination_org.name) : h('span', { class: 'muted' }, 'Unknown'),
      d.destination_title ? h('span', { class: 'sub' }, d.destination_title) : null,
      d.destination_kind && d.destination_kind !== 'unknown' ? h('span', { class: 'sub dest-kind' }, label(DEST_KIND_LABEL, d.destination_kind)) : null),
    cell(6, sources.length ? h('ul', { class: 'sources' }, sources) : h('span', { class: 'muted' }, 'No source')));
}

async function refreshTable() {
  renderChips();
  const done = latest('table');
  const rows = $('dep-rows');
  busy('s-table', true);
  setStatus('table-status', 'loading', 'Loading departures…');
  $('prev').disabled = true;
  $('next').disabled = true;
  if (table.noMatch) {
    rows.replaceChildren(h('tr', { class: 'empty-row' }, h('td', { colspan: 7 }, 'Nobody on record matches that name.')));
    setStatus('table-status');
    $('page-info').textContent = '';
    busy('s-table', false);
    return;
  }
  try {
    const res = await api('/departures', { ...tableParams(), limit: PAGE_SIZE, cursor: table.stack[table.stack.length - 1] });
    if (!done()) return;
    setStatus('table-status');
    table.next = res.next_cursor;
    if (!res.items.length) {
      rows.replaceChildren(h('tr', { class: 'empty-row' }, h('td', { colspan: 7 }, h('strong', {}, 'No departures match these filters. '), 'Try another organization, kind or period.')));
    } else {
      rows.replaceChildren(...res.items.map(departureRow));
    }
    const page = table.stack.length;
    const first = (page - 1) * PAGE_SIZE + 1;
    $('page-info').textContent = res.items.length
      ? `Page ${page} · rows ${first}–${first + res.items.length - 1}${res.next_cursor ? '' : ' (last page)'}`
      : '';
    $('prev').disabled = page <= 1;
    $('next').disabled = !res.next_cursor;
  } catch (e) {
    if (!done()) return;
    rows.replaceChildren();
    $('page-info').textContent = '';
    setStatus('table-status', 'error', e.message);
    $('prev').disabled = table.stack.length <= 1;
  } finally {
    if (done()) busy('s-table', false);
  }
}

// ------------------------------------------------------------------ person search

let suggestTimer = 0;
let suggestions = [];
async function suggest(term) {
  const done = latest('suggest');
  if (term.length < 2) {
    $('t-q-list').replaceChildren();
    return;
  }
  try {
    const res = await api('/people', { q: term, limit: 8 });
    if (!done()) return;
    suggestions = res.items;
    $('t-q-list').replaceChildren(...res.items.map((p) => h('option', { value: p.full_name })));
  } catch {
    /* suggestions are a convenience; the search itself reports errors */
  }
}

async function searchPerson(term) {
  term = term.trim();
  if (!term) {
    setPerson('', '');
    return;
  }
  const exact = suggestions.find((p) => p.full_name.toLowerCase() === term.toLowerCase());
  if (exact) {
    setPerson(exact.slug, exact.full_name, []);
    return;
  }
  const done = latest('search');
  setStatus('table-status', 'loading', 'Looking up people…');
  try {
    const res = await api('/people', { q: term, limit: 6 });
    if (!done()) return;
    if (!res.items.length) {
      state.person = '';
      state.personName = '';
      table.others = [];
      table.noMatch = term;
      writeHash();
      refreshTable();
      return;
    }
    const best = res.items.find((p) => p.full_name.toLowerCase() === term.toLowerCase()) || res.items[0];
    setPerson(best.slug, best.full_name, res.items.filter((p) => p !== best).slice(0, 5));
  } catch (e) {
    if (done()) setStatus('table-status', 'error', e.message);
  }
}

// ------------------------------------------------------------------ CSV download

function nextLink(header) {
  const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(header || '');
  return m ? m[1] : null;
}

async function downloadCsv() {
  const btn = $('csv');
  const original = [...btn.childNodes];
  btn.disabled = true;
  btn.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Preparing CSV…');
  try {
    let next = url('/departures', { ...tableParams(), limit: 1000 });
    let out = '';
    for (let page = 0; next && page < 500; page++) {
      const res = await api(next, null, 'text/csv');
      let text = await res.text();
      if (page > 0) {
        const nl = text.indexOf('\n');
        text = nl >= 0 ? text.slice(nl + 1) : '';
      }
      if (out && !/\n$/.test(out)) out += '\r\n';
      out += text;
      next = nextLink(res.headers.get('Link'));
    }
    const blob = new Blob([out], { type: 'text/csv;charset=utf-8' });
    const href = URL.createObjectURL(blob);
    const parts = ['orgwatch-departures', state.org, state.kind, state.month || state.from, todayIso()].filter(Boolean);
    const a = h('a', { href, download: `${parts.join('-')}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 30000);
    setStatus('table-status');
  } catch (e) {
    setStatus('table-status', 'error', `CSV download failed: ${e.message}`);
  } finally {
    btn.replaceChildren(...original);
    btn.disabled = false;
  }
}

// ------------------------------------------------------------------ wiring

function refreshFiltered() {
  writeHash();
  refreshStats();
  refreshFlows();
  resetTable();
}

function resetFilters() {
  Object.assign(state, { org: '', team: '', kind: '', from: '', to: '', month: '' });
  $('f-org').value = '';
  $('f-kind').value = '';
  $('f-from').value = '';
  $('f-to').value = '';
  showFilterError('');
  loadTeams();
  refreshFiltered();
}

function readDates() {
  const from = $('f-from').value.trim();
  const to = $('f-to').value.trim();
  const bad = [];
  if (from && !validMonth(from)) bad.push('“From” must be a month, YYYY-MM.');
  if (to && !validMonth(to)) bad.push('“To” must be a month, YYYY-MM.');
  if (!bad.length && from && to && from > to) bad.push('“From” is after “To”.');
  showFilterError(bad.join(' '));
  if (bad.length) return false;
  state.from = from;
  state.to = to;
  return true;
}

function wire() {
  $('filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('filters').addEventListener('reset', (ev) => {
    ev.preventDefault();
    resetFilters();
  });
  $('f-org').addEventListener('change', (ev) => {
    state.org = ev.target.value;
    state.team = '';
    state.month = '';
    if (state.org) {
      state.chartOrg = state.org;
      syncChartControls();
      refreshOrgChart();
    }
    loadTeams();
    refreshFiltered();
  });
  $('f-team').addEventListener('change', (ev) => {
    state.team = ev.target.value;
    state.month = '';
    refreshFiltered();
  });
  $('f-kind').addEventListener('change', (ev) => {
    state.kind = ev.target.value;
    state.month = '';
    refreshFiltered();
  });
  for (const id of ['f-from', 'f-to']) {
    $(id).addEventListener('change', () => {
      if (!readDates()) return;
      state.month = '';
      refreshFiltered();
    });
  }

  $('oc-org').addEventListener('change', (ev) => {
    state.chartOrg = ev.target.value;
    syncChartControls();
    writeHash();
    refreshOrgChart();
  });
  $('oc-date').addEventListener('change', (ev) => {
    if (validDay(ev.target.value)) setAsOf(ev.target.value, true);
  });
  $('oc-slider').addEventListener('input', (ev) => setAsOf(indexDay(Number(ev.target.value)), false));

  $('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    searchPerson($('t-q').value);
  });
  $('t-q').addEventListener('input', (ev) => {
    const v = ev.target.value;
    if (!v.trim() && state.person) {
      setPerson('', '');
      return;
    }
    const pick = suggestions.find((p) => p.full_name === v);
    if (pick && ev.inputType !== 'insertText') {
      setPerson(pick.slug, pick.full_name, []);
      return;
    }
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(() => suggest(v.trim()), 200);
  });
  $('t-sort').addEventListener('change', (ev) => {
    state.sort = ev.target.value;
    writeHash();
    resetTable();
  });
  $('prev').addEventListener('click', () => {
    if (table.stack.length > 1) {
      table.stack.pop();
      refreshTable();
    }
  });
  $('next').addEventListener('click', () => {
    if (table.next) {
      table.stack.push(table.next);
      refreshTable();
    }
  });
  $('csv').addEventListener('click', downloadCsv);

  let resizeTimer = 0;
  let lastWidth = window.innerWidth;
  window.addEventListener('resize', () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      renderMonthChart();
      renderFlows();
    }, 120);
  });
}

async function init() {
  readHash();
  wire();
  setupSlider();
  $('f-kind').value = state.kind;
  $('f-from').value = state.from;
  $('f-to').value = state.to;
  $('t-sort').value = state.sort;
  if (state.person) {
    state.personName = state.personName || state.person;
    $('t-q').value = '';
  }

  // The unfiltered figures decide the org chart's defaults: the busiest month and organization.
  const overview = Promise.all([
    api('/stats/departures', { group_by: 'month' }),
    api('/stats/departures', { group_by: 'org' }),
  ]).catch(() => null);

  try {
    await loadOrgs();
  } catch (e) {
    showFilterError(`Organizations could not be loaded: ${e.message}`);
  }
  loadTeams();
  refreshStats();
  refreshFlows();
  refreshTable();

  const ov = await overview;
  if (ov) {
    const [months, byOrg] = ov;
    const peak = months.groups.filter((g) => !isUnknownBucket(g)).reduce((b, g) => (g.count > (b ? b.count : 0) ? g : b), null);
    story.peak = peak && validMonth(peak.key) ? peak.key : null;
    const top = byOrg.groups.find((g) => g.key && orgById.has(g.key));
    story.topOrg = top ? orgById.get(top.key).slug : null;
  }
  if (!state.chartOrg || !orgBySlug.has(state.chartOrg)) state.chartOrg = state.org || story.topOrg || orgs[0]?.slug || '';
  if (!state.asOf) {
    if (story.peak) {
      const [y, m] = story.peak.split('-').map(Number);
      state.asOf = m === 1 ? `${y - 1}-12-01` : `${y}-${pad2(m - 1)}-01`;
    } else state.asOf = todayIso();
  }
  renderPresets();
  syncChartControls();
  if (state.chartOrg) refreshOrgChart();
  else setStatus('org-status', 'error', 'No organization on record yet.');
}

init();

// format.js — dates as reported (year, month or day), labels of the API's enums and of
// countries, numbers, plurals, and the date checks of the filters.

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
export const MON = MONTHS.map((m) => m.slice(0, 3));

/** "2024-04-18" → "18 Apr 2024", "2024-04" → "Apr 2024", "2024" → "2024". */
export function fmtDate(d, long = false) {
  if (!d) return '';
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(d);
  if (!m) return d;
  const names = long ? MONTHS : MON;
  if (m[3]) return `${Number(m[3])} ${names[Number(m[2]) - 1]} ${m[1]}`;
  if (m[2]) return `${names[Number(m[2]) - 1]} ${m[1]}`;
  return m[1];
}

export const KIND_LABEL = {
  resigned: 'Resigned', laid_off: 'Laid off', fired: 'Fired', retired: 'Retired',
  contract_ended: 'Contract ended', deceased: 'Deceased', unknown: 'Unknown',
};
export const REASON_LABEL = {
  startup: 'Startup', competitor: 'Competitor', burnout: 'Burnout', reorganization: 'Reorganization',
  layoff: 'Layoff', compensation: 'Compensation', academia: 'Academia', personal: 'Personal',
  other: 'Other', unknown: 'Unknown',
};
export const DEST_KIND_LABEL = {
  founded: 'Founded', joined: 'Joined', academia: 'Academia', government: 'Government', none: 'None',
  unknown: 'Unknown',
};
export const STAGE_LABEL = {
  seed: 'Seed', series_a: 'Series A', series_b: 'Series B', series_c: 'Series C', series_d: 'Series D',
  series_e: 'Series E', series_f: 'Series F', series_g: 'Series G', series_h: 'Series H', series_i: 'Series I',
  series_j: 'Series J', private_equity: 'Private equity', post_ipo: 'Post-IPO', public: 'Public',
  acquired: 'Acquired', subsidiary: 'Subsidiary', unknown: 'Unknown',
};
export const label = (map, v) => (v ? map[v] || v.replace(/_/g, ' ') : '');
export const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/** A period group known only to its year (key "2024-unknown", label "2024 (month unknown)"). */
export const isUnknownBucket = (g) => /unknown/i.test(g.key || '') || /unknown/i.test(g.label || '');

/** 11050 → "11,050"; 12400 → "12K" (axis ticks). */
export const fmtInt = (n) => Number(n).toLocaleString('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
export const fmtCompact = (n) => compact.format(n);
/** 100 → "100%", 12.5 → "12.5%"; null → "". */
export const fmtPct = (p) => (p === null || p === undefined ? '' : `${Number(p).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`);

let regionNames = null;
try {
  regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
} catch {
  regionNames = null;
}
/** "US" → "United States" (the code itself when the browser does not know it). */
export function countryName(code) {
  if (!code) return '';
  try {
    return (regionNames && regionNames.of(code)) || code;
  } catch {
    return code;
  }
}

export function listJoin(items) {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function pad2(n) {
  return String(n).padStart(2, '0');
}
export function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}
/** The day before the same day a year later, or a day of the following year when that does not exist. */
export function plusYearMinusDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y + 1, m - 1, d));
  t.setUTCDate(t.getUTCDate() - 1);
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}
export const validDay = (v) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const [y, m, d] = v.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};
export const validMonth = (v) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v);

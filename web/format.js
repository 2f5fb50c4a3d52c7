// format.js — dates as reported (year, month or day), labels of the API's enums, plurals,
// and the date checks of the filters.

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
export const label = (map, v) => (v ? map[v] || v.replace(/_/g, ' ') : '');
export const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;

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

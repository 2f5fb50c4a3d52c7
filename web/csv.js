// csv.js — "Download CSV": every page of the table's departures as one CSV file (the
// header row once), following the Link headers.
import { api, setStatus, url } from './api.js';
import { $, h } from './dom.js';
import { todayIso } from './format.js';
import { state } from './state.js';
import { tableParams } from './table.js';

function nextLink(header) {
  const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(header || '');
  return m ? m[1] : null;
}

export async function downloadCsv() {
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

// search.js — finding a person for the table: suggestions while typing, then the best match
// (or "nobody matches", with other close names offered).
import { api, latest, setStatus } from './api.js';
import { $, h } from './dom.js';
import { state, writeHash } from './state.js';
import { refreshTable, setPerson, table } from './table.js';

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

export async function searchPerson(term) {
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

/** Typing in the search box: clear the person when emptied, take a picked suggestion, else
 * ask for suggestions once the typing pauses. */
export function onSearchInput(ev) {
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
}

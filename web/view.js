// view.js — which view the page shows, departures or layoffs: the switch's buttons
// (aria-pressed), and every element marked data-view="…" shown only in its view.
import { state, writeHash } from './state.js';

let onShow = () => {};

/** Shows the elements of state.view and hides the others'. */
export function applyView() {
  for (const el of document.querySelectorAll('[data-view]')) el.hidden = el.dataset.view !== state.view;
  for (const b of document.querySelectorAll('[data-show-view]')) b.setAttribute('aria-pressed', String(b.dataset.showView === state.view));
}

export function showView(name) {
  state.view = name;
  applyView();
  writeHash();
  onShow(name);
}

/** The switch's buttons; shown(name) runs after a view is shown (to load or redraw it). */
export function wireViews(shown) {
  onShow = shown;
  for (const b of document.querySelectorAll('[data-show-view]')) {
    b.addEventListener('click', () => {
      if (state.view !== b.dataset.showView) showView(b.dataset.showView);
    });
  }
}

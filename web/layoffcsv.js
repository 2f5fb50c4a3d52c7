// layoffcsv.js — the layoffs view's CSV links: each table of the view as the .csv URL of the
// API for the current filters (every layoff in one download; the groups of each statistic).
import { url } from './api.js';
import { $ } from './dom.js';
import { broadParams } from './state.js';

/** Link id → URL. */
export function layoffCsvUrls() {
  const p = broadParams();
  return {
    'lt-csv': url('/stats/layoffs.csv', { group_by: 'month', ...p }),
    'll-csv': url('/layoffs.csv', { ...p, all: 'true' }),
    'li-csv': url('/stats/layoffs.csv', { group_by: 'industry', ...p }),
    'lc-csv': url('/stats/layoffs.csv', { group_by: 'country', ...p }),
  };
}

export function updateLayoffCsvLinks() {
  for (const [id, href] of Object.entries(layoffCsvUrls())) $(id).setAttribute('href', href);
}

// journalist.ts — a script as a journalist would write it against orgwatch, through the client
// types generated from openapi.yaml (openapi-typescript → build/contract/schema.d.ts) and
// openapi-fetch: organizations, a person, a position, a source, a departure citing it, the
// departures between two dates page by page (next_cursor), the org chart as of a date,
// departures by month, the change stream told of the departures as they commit, an NDJSON import, a layoffs tracker's rows (companies by name, duplicates,
// layoffs by industry), and a refused write whose bad field the script reads.
// It type-checks with `tsc --noEmit` and exits non-zero when anything is not as documented.
// Usage: node journalist.js BASE_URL EDITOR_KEY
import createClient from 'openapi-fetch';
import type { components, paths } from '../../../build/contract/schema.js';
import { followChanges } from './changes.js';

type Problem = components['schemas']['Problem'];
type Departure = components['schemas']['Departure'];

const [baseUrl, key] = process.argv.slice(2);
if (!baseUrl || !key) {
  console.error('usage: node journalist.js BASE_URL EDITOR_KEY');
  process.exit(2);
}
const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });
const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
let checks = 0;

function check(ok: boolean, what: string): void {
  checks++;
  if (!ok) throw new Error(`not as documented: ${what}`);
}

/** The data of a 2xx answer, or a thrown error naming the problem. */
function must<T>(r: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (r.data === undefined) {
    const p = r.error as Problem | undefined;
    throw new Error(`${what}: ${r.response.status} ${p?.title ?? ''} ${p?.detail ?? ''} ${JSON.stringify(p?.errors ?? [])}`);
  }
  return r.data;
}

async function main(): Promise<void> {
  // Two organizations: the lab people leave, the startup they found.
  const lab = must(await client.POST('/organizations', { body: { name: `Big Lab ${run}`, kind: 'lab' } }), 'create the lab');
  const startup = must(
    await client.POST('/organizations', { body: { name: `New Startup ${run}`, kind: 'startup', founded_on: '2024-04' } }),
    'create the startup',
  );
  check(lab.kind === 'lab' && startup.founded_on === '2024-04', 'organizations keep kind and partial dates');
  // Told of every departure from the lab from now on, as it commits (the change stream, with an
  // async iterator).
  const stop = new AbortController();
  const heard: string[] = [];
  const listening = (async () => {
    for await (const change of followChanges(baseUrl as string, { entity: ['departure'], org: lab.slug, signal: stop.signal })) {
      heard.push(`${change.entity}.${change.operation}:${change.entity_id}`);
      if (heard.length === 2) stop.abort();
    }
  })();
  await new Promise((r) => setTimeout(r, 500)); // the stream is open before the writes

  const person = must(await client.POST('/people', { body: { full_name: `Ada Researcher ${run}`, tags: ['published-ai-research'] } }), 'create a person');
  check(person.slug.length > 0 && person.tags.includes('published-ai-research'), 'a person gets a slug and keeps tags');

  const position = must(
    await client.POST('/positions', { body: { person_id: person.id, org_id: lab.id, title: 'Research Scientist', started_on: '2019' } }),
    'create a position',
  );
  check(position.ended_on === null, 'a new position is open');

  const source = must(
    await client.POST('/sources', { body: { url: `https://news.example/${run}`, title: 'Researcher leaves Big Lab', publisher: 'Example News', published_on: '2024-04-18' } }),
    'create a source',
  );

  const departure = must(
    await client.POST('/departures', {
      body: {
        person_id: person.id,
        org_id: lab.id,
        departed_on: '2024-04',
        kind: 'resigned',
        reason_category: 'startup',
        destination_org_id: startup.id,
        destination_kind: 'founded',
        source_ids: [source.id],
      },
    }),
    'record the departure',
  );
  check(departure.destination_org?.id === startup.id && departure.sources.length === 1, 'the departure embeds its destination and source');

  const closed = must(await client.GET('/positions/{id}', { params: { path: { id: position.id } } }), 'read the position');
  // Records and statistics are JSON, or CSV when asked (.csv, ?format=csv, Accept: text/csv).
  if (typeof closed === 'string') throw new Error('a JSON record was answered as CSV');
  check(closed.ended_on === '2024-04', 'the departure closed the position at its date');

  // A second leaver, whose destination is not known.
  const other = must(await client.POST('/people', { body: { full_name: `Bo Engineer ${run}` } }), 'create a second person');
  const otherLeft = must(
    await client.POST('/departures', { body: { person_id: other.id, org_id: lab.id, departed_on: '2024-05-20', kind: 'laid_off' } }),
    'record the second departure',
  );
  check(otherLeft.destination_org === null && otherLeft.destination_kind === 'unknown', 'an unknown destination is null / unknown');

  // Every departure of April–May 2024 at the lab, one a page, following next_cursor.
  const seen: Departure[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (let page = 0; page < 100; page++) {
    pages++;
    const list = must(
      await client.GET('/departures', { params: { query: { org: lab.slug, from: '2024-04', to: '2024-05', limit: 1, cursor } } }),
      'list departures',
    );
    // Lists are JSON, or CSV when asked with Accept: text/csv (typed as a string).
    if (typeof list === 'string') throw new Error('a JSON list was answered as CSV');
    seen.push(...list.items);
    if (!list.next_cursor) break;
    cursor = list.next_cursor;
  }
  check(
    pages >= 2 && seen.map((d) => d.id).join() === [departure.id, otherLeft.id].join(),
    'both departures are listed between the two dates, in date order, over two pages',
  );

  const chart = must(
    await client.GET('/organizations/{id}/chart', { params: { path: { id: lab.slug }, query: { as_of: '2023-06-01' } } }),
    'chart as of a date',
  );
  // The chart is JSON, or CSV or SVG when asked (typed as a string).
  if (typeof chart === 'string') throw new Error('a JSON chart was answered as text');
  check(chart.roots.some((n) => n.person.id === person.id), 'the chart of 2023 shows the person, before the departure');

  const stats = must(
    await client.GET('/stats/departures', { params: { query: { group_by: 'month', org: lab.slug, from: '2024-01', to: '2024-06' } } }),
    'departures by month',
  );
  if (typeof stats === 'string') throw new Error('a JSON statistic was answered as CSV');
  check(stats.groups.length === 6 && stats.groups.find((g) => g.key === '2024-04')?.count === 1, 'April 2024 counts the departure');
  check(stats.total === 2, 'two departures in the first half of 2024');

  const ndjson =
    [
      { type: 'person', slug: `imported-${run}`, full_name: 'Imported Person' },
      { type: 'position', person: `imported-${run}`, org: startup.slug, title: 'Engineer', started_on: '2024-05' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n';
  const imported = must(
    await client.POST('/import', {
      body: ndjson,
      bodySerializer: (b: string) => b,
      headers: { 'Content-Type': 'application/x-ndjson' },
    }),
    'import NDJSON',
  );
  check(imported.created === 2 && imported.errors.length === 0, 'the import created both records');

  // A layoffs tracker's rows (issue 26): the company by name, created on request, with its
  // attributes; the layoffs counted by industry; a repeated row listed, not written twice.
  const company = `Tracker Co ${run}`;
  const tracker =
    [
      { type: 'organization', name: company, industry: 'Retail ', country: 'United States', stage: 'Series B' },
      { type: 'layoff', org: company, announced_on: '2022-11-09', location: 'Austin', count: 54 },
      { type: 'layoff', org: company, announced_on: '2022-11-09', location: 'Austin', count: 54 },
      { type: 'layoff', org: `Tracker Other ${run}`, announced_on: '2023-01', percentage: 10 },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n';
  const loaded = must(
    await client.POST('/import', {
      params: { query: { create: 'organizations' } },
      body: tracker,
      bodySerializer: (b: string) => b,
      headers: { 'Content-Type': 'application/x-ndjson' },
    }),
    'import a tracker table',
  );
  const dup = loaded.duplicates[0];
  check(loaded.duplicates.length === 1 && dup?.line === 3 && dup?.same_as === 2, 'the repeated row is listed');
  const made = loaded.created_organizations[0];
  if (!made || loaded.created_organizations.length !== 1 || made.line !== 4) throw new Error('not as documented: the unknown company is created');
  const org = must(await client.GET('/organizations/{id}', { params: { path: { id: made.slug } } }), 'read it');
  if (typeof org === 'string') throw new Error('a JSON record was answered as CSV');
  check(org.kind === 'company', 'a created company is kind company');
  const byIndustry = must(
    await client.GET('/stats/layoffs', { params: { query: { group_by: 'industry', country: 'US', stage: 'series_b', industry: 'retail' } } }),
    'layoffs by industry',
  );
  if (typeof byIndustry === 'string') throw new Error('a JSON statistic was answered as CSV');
  check(byIndustry.groups.some((g) => g.key === 'Retail' && g.laid_off >= 54), 'Retail counts the layoff');
  const layoffs = must(await client.GET('/layoffs', { params: { query: { org: company.toLowerCase().replace(/ /g, '-') } } }), 'list its layoffs');
  if (typeof layoffs === 'string') throw new Error('a JSON list was answered as CSV');
  check(layoffs.items.length === 1 && layoffs.items[0]?.location === 'Austin', 'one layoff, with its location');

  // A date as a reporter might write it: the answer names the field.
  const refused = await client.POST('/departures', { body: { person_id: person.id, org_id: startup.id, departed_on: 'April 2025' } });
  check(refused.response.status === 400 && refused.data === undefined, 'a bad date is a 400');
  const problem: Problem | undefined = refused.error;
  check(problem?.status === 400 && (problem.errors ?? []).some((e) => e.field === 'departed_on'), 'the problem names departed_on');

  await Promise.race([listening, new Promise((r) => setTimeout(r, 10_000))]);
  stop.abort();
  check(
    heard.join() === [`departure.create:${departure.id}`, `departure.create:${otherLeft.id}`].join(),
    `the change stream told of both departures, in order (heard ${heard.join(' ') || 'nothing'})`,
  );

  console.log(`journalist: ${checks} checks passed (${seen.length} departures read in ${pages} pages, problem field: departed_on)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

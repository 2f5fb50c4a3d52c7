// spec_agreement.test.mjs — does openapi.yaml say what the server checks? For every record
// type's create and merge-patch body, variants a generic tool would derive from the spec are
// judged twice: by the spec (ajv, JSON Schema 2020-12) and by the server (400 = refused; any
// other answer, 201/200/409, means the shape was accepted). The variants: each either/or pair
// (`org_id`/`org`, ..., `source_ids`/`sources`) given one way, the other, both, both null, one
// with the other null, neither; each text field empty, blank, with control characters, with
// tab and newline, and plainly valid; URLs with a no-break space or a C1 control; words in and
// out of a vocabulary (x-orgwatch-vocabulary: a country by name or code, a stage). The counts
// are printed; the test fails on any disagreement.
//
// Environment (set by scripts/test.sh): ORGWATCH_TEST_URL, ORGWATCH_TEST_EDITOR_KEY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { api, SPEC_PATH, uniq } from '../api/lib.mjs';

const spec = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...spec, $id: 'urn:orgwatch:agreement' });
const validator = (name) => ajv.compile({ $ref: `urn:orgwatch:agreement#/components/schemas/${name}` });

const TYPES = {
  organizations: 'Organization',
  teams: 'Team',
  people: 'Person',
  positions: 'Position',
  'reporting-lines': 'ReportingLine',
  departures: 'Departure',
  layoffs: 'Layoff',
  sources: 'Source',
};

/** Words in and out of the vocabularies the spec names with x-orgwatch-vocabulary. */
const VOCABULARIES = {
  countries: [['US', true], ['usa', true], ['United States.', true], ['South Korea', true], ['Czech Republic', true],
    ['Côte d\'Ivoire', true], ['UK', true], ['Plain text', false], ['Narnia', false], ['ZZ', false], ['', false], ['Tab\there', false]],
  stages: [['series_b', true], ['Series B', true], ['Post-IPO', true], ['private equity', true], ['Seed', true],
    ['Series K', false], ['Plain text', false], ['', false], ['Bell\u0007here', false]],
};

/** The either/or pairs of a schema, read from its allOf `not: {required: [a, b]}` rules. */
function pairsOf(schema) {
  return (schema.allOf || []).filter((r) => r.not?.required).map((r) => r.not.required);
}

/** Resolves a property's schema through $ref. */
function prop(schema, name) {
  let p = schema.properties[name];
  while (p?.$ref) p = p.$ref.split('/').slice(1).reduce((n, k) => n[k], spec);
  return p;
}
const nullable = (p) => Array.isArray(p?.type) && p.type.includes('null');

test('the spec and the server agree on either/or pairs, required text, control characters and URLs', { timeout: 300_000 }, async () => {
  // Records of the sample to refer to, by id and by slug (or URL).
  const get = async (p) => {
    const r = await api('GET', p);
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    return r.body;
  };
  const meta = await get('/organizations/meta');
  const openai = await get('/organizations/openai');
  const fair = await get('/teams/meta%2Ffair');
  const layoff = await get('/layoffs/a5dfb1f6-1116-4888-a277-e7bde1d95fcb');
  const source = (await get('/sources?limit=1')).items[0];
  const mk = async (body) => {
    const r = await api('POST', '/people', { key: 'editor', body });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const tag = uniq('agree');
  const pA = await mk({ full_name: `Agree Report ${tag}` });
  const pB = await mk({ full_name: `Agree Manager ${tag}` });
  // The value of each id form and its alias, naming the same record.
  const refs = {
    parent_id: { organizations: [meta.id, 'meta'], teams: [fair.id, 'meta/fair'] },
    org_id: [meta.id, 'meta'],
    team_id: [fair.id, 'meta/fair'],
    person_id: [pA.id, pA.slug],
    report_id: [pA.id, pA.slug],
    manager_id: [pB.id, pB.slug],
    destination_org_id: [openai.id, 'openai'],
    layoff_id: [layoff.id, layoff.id],
    source_ids: [[source.id], [source.url]],
  };
  const refValue = (type, name) => (refs[name].organizations ? refs[name][type] : refs[name]);
  // A body each type's create accepts (references resolved; a repeat may be a 409).
  let n = 0;
  const base = {
    organizations: () => ({ name: `Agree Org ${tag} ${++n}`, parent: 'meta' }),
    teams: () => ({ org: 'meta', name: `Agree Team ${tag} ${++n}`, parent: 'meta/fair' }),
    people: () => ({ full_name: `Agree Person ${tag} ${++n}` }),
    positions: () => ({ person: pA.slug, org: 'meta', team: 'meta/fair', title: 'Researcher', started_on: '2019', ended_on: '2019' }),
    'reporting-lines': () => ({ report: pA.slug, manager: pB.slug, valid_from: '2018', valid_to: '2019' }),
    departures: () => ({ person: pA.slug, org: 'meta', departed_on: '2020-01', team: 'meta/fair', destination_org: 'openai', layoff: layoff.id }),
    layoffs: () => ({ org: 'meta', team: 'meta/fair', announced_on: `2001-01-${String((n++ % 28) + 1).padStart(2, '0')}` }),
    sources: () => ({ url: `https://agree.example/${tag}/${++n}`, title: 'A title' }),
  };
  // One record of each type to patch.
  const target = {};
  for (const type of Object.keys(TYPES)) {
    const r = await api('POST', `/${type}`, { key: 'editor', body: base[type]() });
    assert.equal(r.status, 201, `${type}: ${r.text}`);
    target[type] = r.body.id;
  }

  const tally = { sent: 0, agree: 0, specAllowsServerRefuses: [], specRefusesServerAccepts: [] };
  const byKind = {};
  async function judge(kind, type, mode, body, inVocabulary = true) {
    const schemaName = TYPES[type] + (mode === 'create' ? 'Create' : 'Patch');
    const specOk = validator(schemaName)(body) && inVocabulary;
    const res =
      mode === 'create'
        ? await api('POST', `/${type}`, { key: 'editor', body })
        : await api('PATCH', `/${type}/${target[type]}`, { key: 'editor', body });
    assert.notEqual(res.status, 500, `${type} ${mode} ${JSON.stringify(body)}: ${res.text}`);
    const serverOk = res.status !== 400;
    tally.sent++;
    byKind[kind] = byKind[kind] || { sent: 0, disagree: 0 };
    byKind[kind].sent++;
    if (specOk === serverOk) {
      tally.agree++;
      return;
    }
    byKind[kind].disagree++;
    const what = `${kind}: ${mode} /${type} ${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 200)}`;
    (specOk ? tally.specAllowsServerRefuses : tally.specRefusesServerAccepts).push(what);
  }

  for (const [type, prefix] of Object.entries(TYPES)) {
    for (const mode of ['create', 'patch']) {
      const schema = spec.components.schemas[prefix + (mode === 'create' ? 'Create' : 'Patch')];
      const fresh = () => (mode === 'create' ? base[type]() : {});
      // Either/or pairs.
      for (const [a, b] of pairsOf(schema)) {
        const [va, vb] = refValue(type, a);
        const variants = [{ [a]: va }, { [b]: vb }, { [a]: va, [b]: vb }, { [a]: null, [b]: null }, { [a]: va, [b]: null }, { [a]: null, [b]: vb }, {}];
        for (const v of variants) {
          const body = fresh();
          delete body[a];
          delete body[b];
          await judge('either/or', type, mode, { ...body, ...v });
        }
      }
      // Text fields: every string property (or list of strings) with minLength, a pattern
      // or a maxLength in the spec, that is not a reference.
      const isRef = new Set(pairsOf(schema).flat());
      for (const [name] of Object.entries(schema.properties)) {
        if (isRef.has(name)) continue;
        const p = prop(schema, name);
        const list = p.type === 'array' || (Array.isArray(p.type) && p.type.includes('array'));
        const s = list ? p.items : p;
        if (!s || !(s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string'))) || s.format || s.enum) continue;
        // A field whose values come from a vocabulary the spec names (x-orgwatch-vocabulary:
        // an organization's country and stage): the spec allows the vocabulary's words only.
        const vocabulary = VOCABULARIES[s['x-orgwatch-vocabulary']];
        if (s['x-orgwatch-vocabulary']) {
          assert.ok(vocabulary, `no words known for the vocabulary ${s['x-orgwatch-vocabulary']}`);
          for (const [value, inside] of vocabulary) {
            const body = fresh();
            body[name] = value;
            await judge('vocabulary', type, mode, body, inside || !validator(TYPES[type] + (mode === 'create' ? 'Create' : 'Patch'))(body));
          }
          continue;
        }
        const isUrl = /https\?/.test(s.pattern || '');
        if (/\^\(000/.test(s.pattern || '') || /a-z0-9\]\+/.test(s.pattern || '')) continue; // dates, slugs
        const values = isUrl
          ? [`https://agree.example/${tag}/u${++n}`, `https://agree.example/a\u00a0b${++n}`, `https://agree.example/a\u0085b${++n}`, `https://agree.example/a\u2028b`, 'https:// agree.example']
          : ['', ' ', 'Plain text', 'Bell\u0007here', 'Esc\u001b[31m', 'C1\u0085x', 'Tab\there', 'Two\nlines', 'Windows\r\nlines', 'Bare\rCR', 'No\u00a0break'];
        for (const value of values) {
          const body = fresh();
          body[name] = list ? [value] : value;
          if (type === 'people' && name === 'full_name' && mode === 'create') body.slug = `${tag}-${++n}`;
          await judge(list ? 'text list' : isUrl ? 'url' : s.minLength ? 'text (minLength)' : 'text', type, mode, body);
        }
      }
    }
  }
  const lines = Object.entries(byKind).map(([k, v]) => `${k}: ${v.sent} sent, ${v.disagree} disagreements`);
  console.log(`spec/server agreement: ${tally.sent} bodies, ${tally.agree} judged alike; ${lines.join('; ')}`);
  console.log(`the server refuses although the spec allows: ${tally.specAllowsServerRefuses.length}`);
  console.log(`the server accepts although the spec refuses: ${tally.specRefusesServerAccepts.length}`);
  assert.ok(tally.sent > 300, `only ${tally.sent} bodies judged`);
  assert.ok((byKind['either/or']?.sent ?? 0) >= 100, 'the either/or pairs were not found in the spec');
  assert.deepEqual(tally.specAllowsServerRefuses, [], 'bodies the spec allows and the server refuses');
  assert.deepEqual(tally.specRefusesServerAccepts, [], 'bodies the spec refuses and the server accepts');
});

// portman-config.mjs — the Portman settings of the generated contract layer
// (tests/contract/contract.test.mjs writes them to build/contract/portman-config.json).
//
// Portman turns openapi.yaml into a Postman collection (one request per operation, bodies from
// the spec's request examples) and Newman runs it. What this file adds:
//  - contract tests on every operation: 2xx, content type, JSON body, response schema,
//    documented headers present;
//  - the order a user would follow (folders: organizations, people, teams, sources, positions,
//    reporting lines, layoffs, departures, then reads of everything), records created once
//    and their ids passed on as variables; deletes and merges get records of their own,
//    made by a pre-request script, so what later requests read is still there;
//  - variations: every operation with a path id answers 404 (problem+json, typed Problem) for
//    an unknown id; every write answers 401 without a key; every JSON body is fuzzed (required
//    fields removed, strings under minLength / over maxLength, numbers out of range): 400 with
//    a Problem naming the field.
// Nothing is random: bodies come from the spec's examples, unique values from the run's tag.

const RESOURCES = [
  // [tag folder, collection path, singular, create body overwrites]
  ['organizations', '/organizations', 'Organization'],
  ['people', '/people', 'Person'],
  ['teams', '/teams', 'Team'],
  ['sources', '/sources', 'Source'],
  ['positions', '/positions', 'Position'],
  ['reporting-lines', '/reporting-lines', 'ReportingLine'],
  ['layoffs', '/layoffs', 'Layoff'],
  ['departures', '/departures', 'Departure'],
];

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

// Webhooks take an admin key (ORGWATCH_TEST_ADMIN_KEY, set by scripts/test.sh); the one the
// run makes points at 127.0.0.1 (the suite's server allows 127.0.0.0/8) and is deleted last.
const WEBHOOK_OPS = ['createWebhook', 'listWebhooks', 'getWebhook', 'listWebhookDeliveries', 'redeliverWebhook', 'deleteWebhook'];

/** Every fuzzing Portman has: required fields removed, numbers and lengths out of bounds. */
const FUZZ_ALL = ['requiredFields', 'minimumNumberFields', 'maximumNumberFields', 'minLengthFields', 'maxLengthFields'].map((k) => ({
  [k]: { enabled: true },
}));

/** A pre-request script that POSTs `body` (JSON, variables resolved) to `path` and stores
 * the new record's id in the collection variable `name`. */
function createFirst(path, body, name) {
  return [
    `const body = pm.variables.replaceIn(${JSON.stringify(JSON.stringify(body))});`,
    `pm.sendRequest({ url: pm.variables.replaceIn('{{baseUrl}}${path}'), method: 'POST',`,
    `  header: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + pm.variables.get('bearerToken') },`,
    `  body: { mode: 'raw', raw: body } }, (err, res) => {`,
    `  if (err || res.code !== 201) throw new Error('setup POST ${path}: ' + (err || res.code + ' ' + res.text()));`,
    `  pm.collectionVariables.set('${name}', res.json().id);`,
    `});`,
  ].join('\n');
}

export function portmanConfig(tag, key) {
  const contract = [
    { openApiOperation: '*::/*', statusSuccess: { enabled: true } },
    { openApiOperation: '*::/*', contentType: { enabled: true } },
    { openApiOperation: '*::/*', jsonBody: { enabled: true }, excludeForOperations: ['getMetrics', 'getOpenApi', 'getDashboard', 'getDashboardAsset', 'exportRecords', 'getChartEmbed', 'getOrganizationChartEmbed'] },
    { openApiOperation: '*::/*', schemaValidation: { enabled: true }, excludeForOperations: ['getMetrics', 'getOpenApi', 'getDashboard', 'getDashboardAsset', 'exportRecords', 'getChartEmbed', 'getOrganizationChartEmbed'] },
    { openApiOperation: '*::/*', headersPresent: { enabled: true } },
  ];

  // Ids of the records the run creates, passed from each create to what follows.
  const assignVariables = RESOURCES.map(([, , one]) => ({
    openApiOperationId: `create${one}`,
    collectionVariables: [
      { responseBodyProp: 'id', name: `${one}Id` },
      ...(['Organization', 'Person'].includes(one) ? [{ responseBodyProp: 'slug', name: `${one}Slug` }] : []),
    ],
  }));
  assignVariables.push({ openApiOperationId: 'createWebhook', collectionVariables: [{ responseBodyProp: 'id', name: 'WebhookId' }] });

  const body = (key, value) => ({ key, value, overwrite: true });
  const overwrites = [
    // Creates: unique names, references to what the run made before.
    { openApiOperationId: 'createOrganization', overwriteRequestBody: [body('name', `Contract Labs ${tag}`)] },
    { openApiOperationId: 'createPerson', overwriteRequestBody: [body('full_name', `Contract Person ${tag}`)] },
    { openApiOperationId: 'createTeam', overwriteRequestBody: [body('org', '{{OrganizationSlug}}'), body('name', `Research ${tag}`)] },
    { openApiOperationId: 'createSource', overwriteRequestBody: [body('url', `https://news.example/contract-${tag}`)] },
    {
      openApiOperationId: 'createPosition',
      overwriteRequestBody: [body('person', '{{PersonSlug}}'), body('org', '{{OrganizationSlug}}'), body('started_on', '2019')],
    },
    {
      openApiOperationId: 'createReportingLine',
      overwriteRequestBody: [body('report', '{{ReportId}}'), body('manager', '{{PersonSlug}}'), body('valid_from', '2020')],
    },
    { openApiOperationId: 'createLayoff', overwriteRequestBody: [body('org', '{{OrganizationSlug}}')] },
    {
      openApiOperationId: 'createDeparture',
      overwriteRequestBody: [
        body('person', '{{PersonSlug}}'),
        body('org', '{{OrganizationSlug}}'),
        body('departed_on', '2025-02'),
        body('layoff', '{{LayoffId}}'),
      ],
    },
    { openApiOperationId: 'updateTeam', overwriteRequestBody: [body('reported_headcount', 12)] },
    { openApiOperationId: 'mergePeople', overwriteRequestPathVariables: [{ key: 'id', value: '{{PersonId}}' }], overwriteRequestBody: [body('duplicate', '{{DuplicateId}}')] },
    { openApiOperationId: 'getOrganizationChart', overwriteRequestQueryParams: [{ key: 'as_of', value: '2024-01-01' }] },
    { openApiOperationId: 'getOrganizationChanges', overwriteRequestQueryParams: [{ key: 'from', value: '2019' }, { key: 'to', value: '2025' }] },
    { openApiOperationId: 'getDashboardAsset', overwriteRequestPathVariables: [{ key: 'file', value: 'app.js' }] },
    { openApiOperationId: 'getChartEmbed', overwriteRequestPathVariables: [{ key: 'name', value: 'departures-by-month' }] },
    { openApiOperationId: 'getOrganizationChartEmbed', overwriteRequestQueryParams: [{ key: 'as_of', value: '2024-01-01' }] },
    { openApiOperationId: 'getOEmbed', overwriteRequestQueryParams: [{ key: 'url', value: 'https://news.example/charts/flows.svg?org=meta' }] },
    { openApiOperationId: 'getFlowStats', overwriteRequestQueryParams: [{ key: 'org', value: '{{OrganizationSlug}}' }] },
    { openApiOperationId: 'getAttritionStats', overwriteRequestQueryParams: [{ key: 'org', value: '{{OrganizationSlug}}' }] },
    // The sample's import example upserts by slug: run after run it answers 200.
    { openApiOperationIds: WEBHOOK_OPS, overwriteRequestSecurity: { bearer: { token: process.env.ORGWATCH_TEST_ADMIN_KEY ?? '' } } },
    { openApiOperationId: 'createWebhook', overwriteRequestBody: [body('url', `http://127.0.0.1:9/contract-${tag}`)] },
    { openApiOperationIds: ['getWebhook', 'listWebhookDeliveries', 'redeliverWebhook', 'deleteWebhook'], overwriteRequestPathVariables: [{ key: 'id', value: '{{WebhookId}}' }] },
    { openApiOperationId: 'redeliverWebhook', overwriteRequestQueryParams: [{ key: 'after', value: '0' }] },
  ];
  // Path ids: the record the run made; deletes take one made for them.
  for (const [, , one] of RESOURCES) {
    overwrites.push({
      openApiOperationIds: [`get${one}`, `update${one}`],
      overwriteRequestPathVariables: [{ key: 'id', value: `{{${one}Id}}` }],
    });
    overwrites.push({ openApiOperationId: `delete${one}`, overwriteRequestPathVariables: [{ key: 'id', value: `{{Delete${one}Id}}` }] });
  }
  overwrites.push(
    { openApiOperationIds: ['getPersonTimeline', 'getPersonReports', 'getPersonManagers'], overwriteRequestPathVariables: [{ key: 'id', value: '{{PersonSlug}}' }] },
    { openApiOperationIds: ['getOrganizationChart', 'getOrganizationChanges', 'getOrganizationChartEmbed'], overwriteRequestPathVariables: [{ key: 'id', value: '{{OrganizationSlug}}' }] },
    { openApiOperationIds: ['listTeamMembers', 'listTeamAlumni'], overwriteRequestPathVariables: [{ key: 'id', value: '{{TeamId}}' }] },
  );

  // Records made just before a request that consumes them.
  const deleteBodies = {
    Organization: ['/organizations', { name: `Doomed Org ${tag}` }],
    Person: ['/people', { full_name: `Doomed Person ${tag}` }],
    Team: ['/teams', { org_id: '{{OrganizationId}}', name: `Doomed Team ${tag}` }],
    Source: ['/sources', { url: `https://news.example/doomed-${tag}` }],
    Position: ['/positions', { person_id: '{{PersonId}}', org_id: '{{OrganizationId}}', started_on: '2010', ended_on: '2011' }],
    ReportingLine: ['/reporting-lines', { report_id: '{{ReportId}}', manager_id: '{{PersonId}}', valid_from: '2012', valid_to: '2013' }],
    Layoff: ['/layoffs', { org_id: '{{OrganizationId}}', announced_on: '2014-01-01' }],
    Departure: ['/departures', { person_id: '{{PersonId}}', org_id: '{{OrganizationId}}', departed_on: '2015' }],
  };
  const operationPreRequestScripts = Object.entries(deleteBodies).map(([one, [path, b]]) => ({
    openApiOperationId: `delete${one}`,
    scripts: [createFirst(path, b, `Delete${one}Id`)],
  }));
  operationPreRequestScripts.push(
    { openApiOperationId: 'createReportingLine', scripts: [createFirst('/people', { full_name: `Contract Report ${tag}` }, 'ReportId')] },
    { openApiOperationId: 'mergePeople', scripts: [createFirst('/people', { full_name: `Contract Persn ${tag}` }, 'DuplicateId')] },
  );

  const withPathId = [
    'getPerson', 'updatePerson', 'deletePerson', 'mergePeople', 'getPersonTimeline', 'getPersonReports', 'getPersonManagers',
    'getOrganization', 'updateOrganization', 'deleteOrganization', 'getOrganizationChart', 'getOrganizationChanges',
    'getTeam', 'updateTeam', 'deleteTeam', 'listTeamMembers', 'listTeamAlumni',
    'getPosition', 'updatePosition', 'deletePosition', 'getReportingLine', 'updateReportingLine', 'deleteReportingLine',
    'getDeparture', 'updateDeparture', 'deleteDeparture', 'getLayoff', 'updateLayoff', 'deleteLayoff',
    'getSource', 'updateSource', 'deleteSource',
  ];
  const problemTests = [{ statusCode: { enabled: true } }, { contentType: { enabled: true } }, { jsonBody: { enabled: true } }, { schemaValidation: { enabled: true } }];
  const writes = RESOURCES.flatMap(([, , one]) => [`create${one}`, `update${one}`, `delete${one}`]).concat(['mergePeople', 'importRecords']);
  const variationTests = [
    {
      openApiOperationIds: withPathId,
      openApiResponse: '404',
      variations: [
        {
          name: 'UnknownId',
          overwrites: [{ overwriteRequestPathVariables: [{ key: 'id', value: UNKNOWN, overwrite: true }] }],
          tests: { contractTests: problemTests },
        },
      ],
    },
    {
      openApiOperationIds: writes,
      openApiResponse: '401',
      variations: [
        {
          name: 'NoKey',
          overwrites: [{ overwriteRequestSecurity: { remove: true } }],
          tests: { contractTests: problemTests },
        },
      ],
    },
    {
      openApiOperationIds: RESOURCES.flatMap(([, , one]) => [`create${one}`, `update${one}`]),
      openApiResponse: '400',
      variations: [
        {
          name: 'Fuzz',
          fuzzing: [
            {
              requestBody: FUZZ_ALL,
            },
          ],
          tests: { contractTests: problemTests },
        },
      ],
    },
    {
      // Every list and statistics read: query values out of their documented bounds.
      openApiOperationIds: [
        ...RESOURCES.map(([, , one]) => `list${one === 'Person' ? 'People' : `${one}s`}`),
        'listChanges', 'getDepartureStats', 'getFlowStats', 'getAttritionStats', 'listTeamMembers', 'listTeamAlumni', 'getOrganizationChanges',
      ],
      openApiResponse: '400',
      variations: [
        {
          name: 'FuzzQuery',
          fuzzing: [
            {
              requestQueryParams: FUZZ_ALL,
            },
          ],
          tests: { contractTests: problemTests },
        },
      ],
    },
    {
      // Lists as CSV (Accept: text/csv): 200 text/csv.
      openApiOperationIds: RESOURCES.map(([, , one]) => `list${one === 'Person' ? 'People' : `${one}s`}`).concat(['listDepartures']),
      openApiResponse: '200::text/csv',
      variations: [
        {
          name: 'Csv',
          overwrites: [{ overwriteRequestHeaders: [{ key: 'Accept', value: 'text/csv', overwrite: true }] }],
          tests: { contractTests: [{ statusCode: { enabled: true } }, { contentType: { enabled: true } }] },
        },
      ],
    },
  ];

  const order = (one, path) => [`POST::${path}`, `GET::${path}/{id}`, `GET::${path}`, `PATCH::${path}/{id}`];
  const orderOfOperations = RESOURCES.flatMap(([, path, one]) => order(one, path)).concat([
    'GET::/people/{id}/timeline',
    'GET::/people/{id}/reports',
    'GET::/people/{id}/managers',
    'POST::/people/{id}/merge',
    'POST::/webhooks',
    'GET::/webhooks/{id}',
    'GET::/webhooks',
    'GET::/webhooks/{id}/deliveries',
    'POST::/webhooks/{id}/redeliver',
    'DELETE::/webhooks/{id}',
  ]);

  return {
    version: 1.0,
    tests: { contractTests: contract, variationTests },
    assignVariables,
    overwrites,
    operationPreRequestScripts,
    globals: {
      stripResponseExamples: true,
      securityOverwrites: { bearer: { token: '{{bearerToken}}' } },
      collectionVariables: { bearerToken: key },
      orderOfFolders: [...RESOURCES.map(([folder]) => folder), 'stats', 'bulk', 'audit', 'operations', 'webhooks'],
      orderOfOperations,
    },
  };
}

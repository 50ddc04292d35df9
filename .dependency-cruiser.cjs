// The layer rules of ARCHITECTURE.md ("Boundaries"), checked on every import (issue 14 §18): `npm run lint:boundaries`.
// Pure rule files are named in PURE_RULES: they calculate from what they are given (the date included), so they import
// no web framework, no database, no FHIR client and no clock.
const PURE_RULES = [
  // shared
  'nhs-number', 'working-days', 'dates', 'csv',
  // auth, jobs
  'totp', 'backoff', 'smart-scopes',
  // attendance
  'duty-days', 'bradford', 'milestones', 'return-to-work', 'formal-procedure', 'sick-pay', 'reports', 'absence-import',
  'trigger-review',
  // pathways
  'definition', 'questionnaire', 'instruments', 'engine', 'assignment', 'durations',
  // consent
  'consent-rules', 'gate',
  // fhir
  'referral-bundle', 'task-progress', 'fhir-search', 'lab-results',
  // bbv
  'schedule', 'lab-codes', 'bbv-views',
  // needs assessment (and the disclosure control shared with the benefits dashboards)
  'disclosure', 'scoring', 'survey-questionnaire', 'population-groups', 'results',
  // notifications
  'recipient',
];
const pureRule = `^src/.+/(${PURE_RULES.join('|')})\\.ts$`;
const routes = '^src/.+-(routes|pages)\\.ts$';
const services = '^src/.+-service\\.ts$';
const repositories = '^src/.+-repository\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'pure-rules-stay-pure',
      comment: 'Pure rules take what they calculate from as parameters: no express, knex, FHIR client, database or clock.',
      severity: 'error',
      from: { path: pureRule },
      to: {
        path: [
          '^node_modules/(express|knex|pg|sqlite3|fhir-kit-client|nodemailer)/',
          '^src/db/',
          '^src/shared/clock\\.ts$',
          '-(repository|service|routes|pages)\\.ts$',
        ],
      },
    },
    {
      name: 'routes-use-services-not-repositories',
      comment: 'Routes and pages call services (through AppDependencies); only services reach repositories and knex.',
      severity: 'error',
      from: { path: routes },
      to: { path: ['-repository\\.ts$', '^src/db/', '^node_modules/(knex|pg|sqlite3)/'] },
    },
    {
      name: 'pages-and-routes-stay-apart',
      comment: 'A *-pages.ts serves pages and a *-routes.ts the API; what both need lives in a schemas or helper module beside them.',
      severity: 'error',
      from: { path: '^src/.+-pages\\.ts$' },
      to: { path: '^src/.+-routes\\.ts$' },
    },
    {
      name: 'routes-and-pages-stay-apart',
      comment: 'An API routes file never reaches into a pages file.',
      severity: 'error',
      from: { path: '^src/.+-routes\\.ts$' },
      to: { path: '^src/.+-pages\\.ts$' },
    },
    {
      name: 'services-know-no-http',
      comment: 'Use cases run the same from a route, a job or the CLI: no express in services.',
      severity: 'error',
      from: { path: services },
      to: { path: ['^node_modules/express/', '-(routes|pages)\\.ts$', '^src/web/'] },
    },
    {
      name: 'repositories-know-no-services',
      comment: 'Repositories read and write rows: no services, routes or express.',
      severity: 'error',
      from: { path: repositories },
      to: { path: ['-(service|routes|pages)\\.ts$', '^node_modules/express/', '^src/web/'] },
    },
    {
      name: 'nothing-imports-the-composition-root',
      comment: 'server.ts constructs and connects everything; only the CLI (another entry point) builds on it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/server\\.ts$', '^src/cli/'] },
      to: { path: '^src/server\\.ts$' },
    },
    {
      name: 'nothing-imports-the-app',
      comment: 'app.ts assembles the express app for server.ts; what routes need from it lives in web/.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/server\\.ts$', '^src/app\\.ts$'] },
      to: { path: '^src/app\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make the order of construction fragile.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$', '^src/.+/sandbox/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    moduleSystems: ['es6'],
  },
};

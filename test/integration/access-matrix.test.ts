import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/roles.js';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  WORLD_ROLES,
  type TestPlatform,
  type World,
  type WorldUser,
} from '../support/test-platform.js';

const OH: Role[] = ['oh-clinician', 'oh-administrator'];
/** Your own record and self-referral: every role whose holder may be a member of the workforce (issue 15 §9). */
const SELF: Role[] = ['oh-clinician', 'oh-administrator', 'line-manager', 'hr-manager', 'staff'];
/** Routes no user role may use: only a partner system's access token opens them. */
const PARTNER_SYSTEM_ONLY: Role[] = [];
const ALL: Role[] = [
  'oh-clinician',
  'oh-administrator',
  'line-manager',
  'hr-manager',
  'health-board-lead',
  'staff',
  'system-administrator',
];

/** Survey campaigns: OH, and anyone a unit's facilitator may be (the service applies their reach). */
const SURVEYS: Role[] = ['oh-clinician', 'oh-administrator', 'line-manager', 'hr-manager', 'staff'];

/**
 * Who may use each protected route, written out here independently of the access policy
 * module, so a change to the policy that widens access makes this test fail. A route
 * missing from this table fails the test too.
 */
const EXPECTED: Record<string, Role[]> = {
  'get /': ALL,
  'post /logout-everywhere': ALL,
  'post /role': ALL,
  'get /account': ALL,
  'post /account/tokens': ALL,
  'post /account/tokens/:id/revoke': ALL,
  'get /api/v1/people': [...OH, 'hr-manager', 'line-manager', 'system-administrator'],
  'post /api/v1/people': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'get /api/v1/people/:id': [...OH, 'hr-manager', 'line-manager', 'staff', 'system-administrator'],
  'patch /api/v1/people/:id': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'put /api/v1/people/:id/protected-identity': OH,
  'get /api/v1/units': [...OH, 'hr-manager', 'line-manager', 'health-board-lead', 'system-administrator'],
  'get /api/v1/units/:id': [...OH, 'hr-manager', 'line-manager', 'health-board-lead', 'system-administrator'],
  'post /api/v1/units': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'get /people': [...OH, 'hr-manager', 'line-manager', 'system-administrator'],
  'get /people/new': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'post /people/new': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'get /people/:id': [...OH, 'hr-manager', 'line-manager', 'staff', 'system-administrator'],
  'get /people/:id/edit': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'post /people/:id/edit': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'get /me': SELF,
  'get /units': [...OH, 'hr-manager', 'line-manager', 'health-board-lead', 'system-administrator'],
  'get /admin/users': ['system-administrator'],
  'get /admin/users/new': ['system-administrator'],
  'post /admin/users/new': ['system-administrator'],
  'post /admin/users/:id/disable': ['system-administrator'],
  'post /admin/users/:id/enable': ['system-administrator'],
  'get /api/v1/audit-events': ['oh-administrator'],
  'post /api/v1/people/:personId/absences': [...OH, 'hr-manager', 'line-manager'],
  'get /api/v1/people/:personId/absences': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'patch /api/v1/absences/:id': [...OH, 'hr-manager', 'line-manager'],
  'delete /api/v1/absences/:id': [...OH, 'hr-manager'],
  'get /api/v1/people/:personId/attendance': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'put /api/v1/people/:personId/working-pattern': ['oh-administrator', 'hr-manager', 'system-administrator'],
  'get /people/:id/attendance': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /absences/:id/return-to-work-interview': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /people/:id/absences/new': [...OH, 'hr-manager', 'line-manager'],
  'post /people/:id/absences/new': [...OH, 'hr-manager', 'line-manager'],
  'post /absences/:id/return': [...OH, 'hr-manager', 'line-manager'],
  'post /api/v1/absences/:id/return-to-work': [...OH, 'hr-manager', 'line-manager'],
  'get /absences/:id/return-to-work': [...OH, 'hr-manager', 'line-manager'],
  'post /absences/:id/return-to-work': [...OH, 'hr-manager', 'line-manager'],
  'post /api/v1/people/:personId/attendance-procedure': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /api/v1/people/:personId/trigger-decisions': ['oh-administrator', 'hr-manager', 'line-manager'],
  'get /api/v1/people/:personId/attendance-procedure': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'post /api/v1/attendance-procedure/:id/outcome': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /api/v1/attendance-procedure/:id/postponement': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /api/v1/attendance-procedure/:id/appeal': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /api/v1/people/:personId/disability-discount': ['oh-administrator', 'hr-manager'],
  'post /api/v1/absences/:id/sick-pay-extensions': ['oh-administrator', 'hr-manager'],
  'get /people/:id/attendance/procedure': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /people/:id/attendance/procedure/informal': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /people/:id/attendance/procedure/informal': ['oh-administrator', 'hr-manager', 'line-manager'],
  'get /people/:id/attendance/procedure/stage': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /people/:id/attendance/procedure/stage': ['oh-administrator', 'hr-manager', 'line-manager'],
  'get /attendance-procedure/:id/outcome': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /attendance-procedure/:id/outcome': ['oh-administrator', 'hr-manager', 'line-manager'],
  'get /attendance-procedure/:id/postponement': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /attendance-procedure/:id/postponement': ['oh-administrator', 'hr-manager', 'line-manager'],
  'get /attendance-procedure/:id/appeal': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /attendance-procedure/:id/appeal': ['oh-administrator', 'hr-manager', 'line-manager'],
  'get /people/:id/attendance/trigger-decision': ['oh-administrator', 'hr-manager', 'line-manager'],
  'post /people/:id/attendance/trigger-decision': ['oh-administrator', 'hr-manager', 'line-manager'],
  'get /people/:id/attendance/disability-discount': ['oh-administrator', 'hr-manager'],
  'post /people/:id/attendance/disability-discount': ['oh-administrator', 'hr-manager'],
  'get /absences/:id/sick-pay-extension': ['oh-administrator', 'hr-manager'],
  'post /absences/:id/sick-pay-extension': ['oh-administrator', 'hr-manager'],
  'get /attendance-procedure/:id/letters/:kind': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /absences/:id/letters/sick-pay': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance/weekly': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance/weekly.csv': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance/cases': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance.csv': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance/monthly': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance/monthly.csv': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance/cost': ['oh-administrator', 'hr-manager'],
  'get /reports/attendance/cost.csv': ['oh-administrator', 'hr-manager'],
  'get /api/v1/worklist': [...OH, 'hr-manager', 'line-manager'],
  'post /api/v1/tasks/:id/complete': [...OH, 'hr-manager', 'line-manager'],
  'get /worklist': [...OH, 'hr-manager', 'line-manager'],
  'post /tasks/:id/complete': [...OH, 'hr-manager', 'line-manager'],
  'get /api/v1/policies/:kind': [...OH, 'hr-manager', 'system-administrator'],
  'get /api/v1/policies/:kind/versions': [...OH, 'hr-manager', 'system-administrator'],
  'post /api/v1/policies/:kind/versions': ['oh-administrator', 'hr-manager'],
  'get /admin/policies': [...OH, 'hr-manager', 'system-administrator'],
  'get /admin/policies/:kind': [...OH, 'hr-manager', 'system-administrator'],
  'post /admin/policies/:kind': ['oh-administrator', 'hr-manager'],
  'get /audit': ['oh-administrator'],
  'get /audit/export': ['oh-administrator'],
  'post /api/v1/pathways': ['oh-clinician'],
  'get /api/v1/pathways/:id': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /api/v1/pathways/:id/history': OH,
  // Issue 16: the route lets every workforce role in; the incident itself is OH clinicians' (managers and HR find none, 404).
  'post /api/v1/bbv-incidents': SELF,
  'get /api/v1/bbv-incidents/:id': SELF,
  'get /api/v1/people/:personId/bbv-incidents': SELF,
  'post /api/v1/bbv-incidents/:id/risk-assessment': SELF,
  'post /api/v1/bbv-incidents/:id/pep': SELF,
  'post /api/v1/bbv-incidents/:id/hepatitis-b': SELF,
  'post /api/v1/bbv-incidents/:id/accident-report': SELF,
  'post /api/v1/bbv-incidents/:id/results': SELF,
  // Issue 16 §8: the BBV pages, let in as the API is; the pages refuse OH administrators what only clinicians record.
  'get /people/:personId/bbv-incidents/new': SELF,
  'post /people/:personId/bbv-incidents/new': SELF,
  'get /bbv-incidents/:id': SELF,
  'get /bbv-incidents/:id/risk-assessment': SELF,
  'post /bbv-incidents/:id/risk-assessment': SELF,
  'get /bbv-incidents/:id/pep': SELF,
  'post /bbv-incidents/:id/pep': SELF,
  'get /bbv-incidents/:id/hepatitis-b': SELF,
  'post /bbv-incidents/:id/hepatitis-b': SELF,
  'get /bbv-incidents/:id/accident-report': SELF,
  'post /bbv-incidents/:id/accident-report': SELF,
  'get /bbv-incidents/:id/results/new': SELF,
  'post /bbv-incidents/:id/results/new': SELF,
  // Needs assessment (issue 17): campaigns for OH and facilitators (any workforce role; the service decides reach).
  'get /api/v1/questionnaires': ALL,
  'get /api/v1/questionnaires/:id': ALL,
  'post /api/v1/campaigns': SELF,
  'get /api/v1/campaigns': SELF,
  'get /api/v1/campaigns/:id': SELF,
  'get /api/v1/campaigns/:id/results': SELF,
  'get /api/v1/campaigns/:id/actions': SELF,
  'post /api/v1/campaigns/:id/actions': SELF,
  'get /api/v1/campaigns/:id/responses': ['oh-clinician'],
  'post /api/v1/survey-responses/:id/review': ['oh-clinician'],
  'get /surveys/invitations/:campaignId': [...SELF, 'health-board-lead'],
  'post /surveys/invitations/:campaignId': [...SELF, 'health-board-lead'],
  'get /api/v1/people/:personId/pathways': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'post /api/v1/pathways/:id/steps/:stepId/complete': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'post /api/v1/pathways/:id/steps/:stepId/skip': ['oh-clinician'],
  'post /api/v1/pathways/:id/steps/:stepId/reassign': ['oh-clinician'],
  'post /api/v1/pathways/:id/pause': ['oh-clinician'],
  'post /api/v1/pathways/:id/resume': ['oh-clinician'],
  'post /api/v1/pathways/:id/close': ['oh-clinician'],
  'post /api/v1/pathways/:id/advice': ['oh-clinician'],
  'post /api/v1/pathways/:id/transfer': ['oh-clinician'],
  'get /api/v1/pathway-definitions': OH,
  'get /api/v1/pathway-definitions/:code': OH,
  'post /api/v1/pathway-definitions': ['oh-clinician'],
  'post /api/v1/people/:personId/oh-referrals': ['line-manager', 'hr-manager'],
  'post /api/v1/me/oh-referrals': SELF,
  'get /api/v1/oh-referrals': ['oh-clinician'],
  'get /api/v1/oh-referrals/:id': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'post /api/v1/oh-referrals/:id/triage': ['oh-clinician'],
  'post /api/v1/people/:personId/consents': OH,
  'get /api/v1/people/:personId/consents': [...OH, 'staff'],
  'get /api/v1/consents/:id': [...OH, 'staff'],
  'post /api/v1/consents/:id/decision': [...OH, 'staff'],
  'post /api/v1/consents/:id/application': OH,
  'post /api/v1/consents/:id/access-request': [...OH, 'staff'],
  'post /api/v1/consents/:id/report': ['oh-clinician'],
  'post /api/v1/consents/:id/corrections': [...OH, 'staff'],
  'post /api/v1/consents/:id/corrections/:number/answer': ['oh-clinician'],
  'post /api/v1/consents/:id/statement': [...OH, 'staff'],
  'post /api/v1/consents/:id/supply-decision': [...OH, 'staff'],
  'post /api/v1/consents/:id/release': OH,
  'post /api/v1/consents/:id/withdraw': [...OH, 'staff'],
  'post /api/v1/consents/:id/on-behalf': OH,
  'get /api/v1/consents/:id/report': ['oh-clinician', 'staff'],
  'get /api/v1/consents/:id/fhir': OH,
  'post /api/v1/consents/check': OH,
  'get /api/v1/people/:personId/oh-reports': ['line-manager', 'hr-manager'],
  'get /api/v1/pathways/:id/referrals': OH,
  'post /api/v1/pathway-referrals/:id/share': ['oh-clinician'],
  'post /api/v1/pathway-referrals/:id/cancel': ['oh-clinician'],
  'get /people/:id/pathways': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'post /people/:id/pathways': ['oh-clinician'],
  'get /pathways/:id': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /pathways/:id/journey.json': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /pathways/:id/pause': ['oh-clinician'],
  'get /pathways/:id/resume': ['oh-clinician'],
  'get /pathways/:id/close': ['oh-clinician'],
  'get /pathways/:id/transfer': ['oh-clinician'],
  'get /pathways/:id/advice': ['oh-clinician'],
  'post /pathways/:id/pause': ['oh-clinician'],
  'post /pathways/:id/resume': ['oh-clinician'],
  'post /pathways/:id/close': ['oh-clinician'],
  'post /pathways/:id/transfer': ['oh-clinician'],
  'post /pathways/:id/advice': ['oh-clinician'],
  'get /pathways/:id/steps/:stepId': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'post /pathways/:id/steps/:stepId': [...OH, 'hr-manager', 'line-manager', 'staff'],
  'get /admin/pathway-definitions': OH,
  'get /admin/pathway-definitions/:code/export': OH,
  'post /admin/pathway-definitions': ['oh-clinician'],
  'get /people/:id/refer': ['line-manager', 'hr-manager'],
  'post /people/:id/refer': ['line-manager', 'hr-manager'],
  'get /me/referrals': SELF,
  'get /me/consents': SELF,
  'get /me/bbv': SELF,
  'get /me/consents/:id': SELF,
  'post /me/consents/:id/decision': SELF,
  'post /me/consents/:id/access-request': SELF,
  'post /me/consents/:id/withdraw': SELF,
  'get /me/consents/:id/report': SELF,
  'post /me/consents/:id/corrections': SELF,
  'post /me/consents/:id/statement': SELF,
  'post /me/consents/:id/supply-decision': SELF,
  'get /consents/:id/letter': [...OH, 'staff'],
  'get /people/:personId/oh-reports': ['line-manager', 'hr-manager'],
  'get /people/:personId/consents': OH,
  'post /people/:personId/consents': OH,
  'get /people/:personId/consents/new/:kind': OH,
  'post /people/:personId/consents/new/:kind': OH,
  'get /consents/:id': OH,
  'post /consents/:id/decision': OH,
  'post /consents/:id/application': OH,
  'post /consents/:id/report': ['oh-clinician'],
  'post /consents/:id/corrections/:number/answer': ['oh-clinician'],
  'post /consents/:id/release': OH,
  'post /consents/:id/on-behalf': OH,
  'post /pathways/:id/referrals/share': ['oh-clinician'],
  'get /api/v1/partner-services': OH,
  'post /api/v1/partner-services': ['oh-administrator'],
  'get /api/v1/partner-services/:id': OH,
  'put /api/v1/partner-services/:id': ['oh-administrator'],
  'post /api/v1/partner-services/:id/check': ['oh-administrator'],
  'get /api/v1/partner-clients': OH,
  'post /api/v1/partner-clients': ['oh-administrator'],
  'get /api/v1/partner-clients/:id': OH,
  'put /api/v1/partner-clients/:id': ['oh-administrator'],
  'get /api/v1/pathways/:id/results': ['oh-clinician'],
  'get /admin/partner-clients/new': ['oh-administrator'],
  'post /admin/partner-clients/new': ['oh-administrator'],
  'get /admin/partner-clients/:id': ['oh-administrator'],
  'post /admin/partner-clients/:id': ['oh-administrator'],
  // The partner-facing FHIR API: partner systems only (no user role; their API tokens are not access tokens).
  ...Object.fromEntries(
    [
      ...[
        'ServiceRequest',
        'Task',
        'Patient',
        'Consent',
        'QuestionnaireResponse',
        'DiagnosticReport',
        'Observation',
      ].map((t) => `get /fhir/R4/${t}/:id`),
      ...['ServiceRequest', 'Task', 'Patient', 'Consent', 'QuestionnaireResponse'].map((t) => `get /fhir/R4/${t}`),
      'put /fhir/R4/Task/:id',
      'post /fhir/R4/$process-message',
      'post /fhir/R4/DiagnosticReport',
      'post /fhir/R4/Observation',
      'post /fhir/R4',
    ].map((k) => [k, PARTNER_SYSTEM_ONLY]),
  ),
  'get /admin/partners': OH,
  'get /admin/partners/new': ['oh-administrator'],
  'post /admin/partners/new': ['oh-administrator'],
  'get /admin/partners/:id': ['oh-administrator'],
  'post /admin/partners/:id': ['oh-administrator'],
  'post /admin/partners/:id/check': ['oh-administrator'],
  'get /me/referrals/new': SELF,
  'post /me/referrals/new': SELF,
  'get /me/referrals/:id': SELF,
  'get /referrals': ['oh-clinician'],
  'get /referrals/:id': ['oh-clinician'],
  'post /referrals/:id': ['oh-clinician'],
  // Issue 17: the staff pages of needs-assessment surveys (the service narrows campaigns to their reach).
  'get /surveys': SURVEYS,
  'get /surveys/new': SURVEYS,
  'post /surveys/new': SURVEYS,
  'get /surveys/:id': SURVEYS,
  'get /surveys/:id/charts/hse.svg': SURVEYS,
  'get /surveys/:id/charts/barriers.svg': SURVEYS,
  'get /surveys/:id/results.csv': SURVEYS,
  'post /surveys/:id/actions': SURVEYS,
  'post /surveys/:id/actions/:actionId/done': SURVEYS,
  'get /surveys/actions/:id': SURVEYS,
  'get /surveys/facilitators': ['oh-administrator'],
  'post /surveys/facilitators': ['oh-administrator'],
  'post /surveys/facilitators/remove': ['oh-administrator'],
  'get /admin/questionnaires': ALL,
  'get /admin/questionnaires/:id/export': ALL,
  'get /surveys/:id/responses': ['oh-clinician'],
  'get /surveys/:id/responses.json': ['oh-clinician'],
  'get /surveys/responses/:responseId': ['oh-clinician'],
  'post /surveys/responses/:responseId': ['oh-clinician'],
};

const RANDOM_ID = '00000000-0000-4000-8000-000000000000';

describe('role × route matrix', () => {
  let t: TestPlatform;
  let w: World;
  const agents = {} as Record<WorldUser, Awaited<ReturnType<typeof signIn>>>;
  const csrf = {} as Record<WorldUser, string>;
  const users: WorldUser[] = ['clinician', 'ohAdmin', 'lineManager', 'hr', 'healthBoardLead', 'staff', 'sysadmin'];

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
    for (const u of users) {
      agents[u] = await signIn(t, w.users[u].email);
      csrf[u] = csrfFrom((await agents[u].get('/account')).text);
    }
  });
  afterAll(async () => t.destroy());

  it('when the table is compared with the registry, then every protected route has an expectation', () => {
    const protectedRoutes = t.platform.app.registry
      .list()
      .filter((r) => r.policy.roles !== null)
      .map((r) => `${r.method} ${r.path}`);
    expect(protectedRoutes.filter((k) => !(k in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !protectedRoutes.includes(k))).toEqual([]);
  });

  it('when each role calls each protected route, then it is refused with 403 exactly where it must be', async () => {
    // Sign-out routes go last: they end the session the rest of the run depends on.
    const routes = t.platform.app.registry
      .list()
      .filter((r) => r.policy.roles !== null)
      .sort((a, b) => Number(a.path.startsWith('/logout')) - Number(b.path.startsWith('/logout')));
    const mismatches: string[] = [];
    for (const route of routes) {
      const allowed = EXPECTED[`${route.method} ${route.path}`] ?? [];
      const url = route.path.replace(/:(\w+)/g, RANDOM_ID);
      for (const u of users) {
        if (route.path.startsWith('/logout') && u !== 'staff') continue;
        const role = WORLD_ROLES[u];
        if (route.kind === 'fhir') {
          // A user's API token is not a partner access token: 401 OperationOutcome for every role.
          const res = await request(t.app)
            [route.method](url)
            .set('Authorization', `Bearer ${w.tokens[u]}`)
            .send(route.method === 'get' ? undefined : {});
          if (res.status !== 401 || res.body?.resourceType !== 'OperationOutcome')
            mismatches.push(`${role} ${route.method.toUpperCase()} ${route.path} → ${res.status}`);
          continue;
        }
        const res =
          route.kind === 'api'
            ? await request(t.app)
                [route.method](url)
                .set('Authorization', `Bearer ${w.tokens[u]}`)
                .send(route.method === 'get' ? undefined : {})
            : await agents[u][route.method](url)
                .type('form')
                .send(route.method === 'get' ? undefined : { _csrf: csrf[u] });
        const refused = res.status === 403;
        if (allowed.includes(role) === refused || res.status === 401 || res.status >= 500) {
          mismatches.push(
            `${role} ${route.method.toUpperCase()} ${route.path} → ${res.status}${res.body?.error ? ` ${res.body.error.code}` : ''}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Every role times every route: hundreds of requests, each through sign-in and the audit trail.
  }, 180_000);

  it('when a role is refused, then the refusal is in the audit trail', async () => {
    const res = await request(t.app).get('/api/v1/audit-events').set('Authorization', `Bearer ${w.tokens.staff}`);
    expect(res.status).toBe(403);
    const entry = await t.database
      .db('audit_events')
      .where({ actor_user_id: w.users.staff.id, outcome: 'denied', reason: 'role-not-permitted' })
      .orderBy('id', 'desc')
      .first();
    expect(entry).toBeDefined();
    expect(JSON.parse(entry.details)).toMatchObject({ policy: 'audit:read' });
  });
});

describe('reach over workforce records (relationships)', () => {
  let t: TestPlatform;
  let w: World;
  const get = (u: WorldUser, id: string) =>
    request(t.app).get(`/api/v1/people/${id}`).set('Authorization', `Bearer ${w.tokens[u]}`);
  const search = async (u: WorldUser) =>
    (
      (await request(t.app).get('/api/v1/people?limit=100').set('Authorization', `Bearer ${w.tokens[u]}`)).body
        .items as Array<{ id: string }>
    )
      .map((p) => p.id)
      .sort();

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when a line manager reads their direct and indirect reports, then they see them without DOB or NHS number', async () => {
    const direct = await get('lineManager', w.report.id);
    expect(direct.status).toBe(200);
    expect(direct.body).not.toHaveProperty('nhsNumber');
    expect(direct.body).not.toHaveProperty('dateOfBirth');
    expect((await get('lineManager', w.indirectReport.id)).status).toBe(200);
  });

  it('when a line manager reads someone outside their team, then 404 identical to a record that does not exist', async () => {
    const outside = await get('lineManager', w.outsider.id);
    const missing = await get('lineManager', RANDOM_ID);
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual(missing.body);
    expect((await get('lineManager', w.partnerPerson.id)).status).toBe(404);
  });

  it('when a line manager searches, then only their team and themselves come back', async () => {
    expect(await search('lineManager')).toEqual([w.manager.id, w.report.id, w.indirectReport.id].sort());
  });

  it('when a line manager reads their own record, then they see it (issue 15 §9)', async () => {
    expect((await get('lineManager', w.manager.id)).status).toBe(200);
  });

  it('when a staff member reads their own record, then they see all of it; anyone else is 404', async () => {
    const own = await get('staff', w.report.id);
    expect(own.status).toBe(200);
    expect(own.body.nhsNumber).toBe('9434765919');
    expect((await get('staff', w.manager.id)).status).toBe(404);
  });

  it("when a partner agency's HR reads people, then only their own organisation's staff are reachable", async () => {
    expect((await get('partnerHr', w.partnerPerson.id)).status).toBe(200);
    expect((await get('partnerHr', w.report.id)).status).toBe(404);
    expect(await search('partnerHr')).toEqual([w.partnerPerson.id]);
  });

  it("when the host force's HR reads a partner agency's staff member, then 404", async () => {
    expect((await get('hr', w.partnerPerson.id)).status).toBe(404);
    expect(await search('hr')).not.toContain(w.partnerPerson.id);
  });

  it('when OH staff read people, then every organisation they serve is reachable', async () => {
    for (const id of [w.report.id, w.outsider.id, w.partnerPerson.id])
      expect((await get('clinician', id)).status).toBe(200);
  });

  it('when a health board lead asks for any individual, then 403: aggregates only', async () => {
    expect((await get('healthBoardLead', w.report.id)).status).toBe(403);
    expect(
      (await request(t.app).get('/api/v1/people').set('Authorization', `Bearer ${w.tokens.healthBoardLead}`)).status,
    ).toBe(403);
  });

  it('when HR of a partner tries to change a host force record, then 404 and nothing changes', async () => {
    const res = await request(t.app)
      .patch(`/api/v1/people/${w.report.id}`)
      .set('Authorization', `Bearer ${w.tokens.partnerHr}`)
      .send({ familyName: 'Changed' });
    expect(res.status).toBe(404);
    expect((await t.database.db('people').where({ id: w.report.id }).first()).family_name).toBe('Report');
  });

  it('when a record outside reach is asked for, then the denied read is audited', async () => {
    const res = await get('lineManager', w.outsider.id);
    const entry = await t.database.db('audit_events').where({ request_id: res.headers['x-request-id'] }).first();
    expect(entry).toMatchObject({
      actor_role: 'line-manager',
      action: 'read',
      entity_id: w.outsider.id,
      outcome: 'denied',
    });
  });
});

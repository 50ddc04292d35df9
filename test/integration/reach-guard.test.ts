import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewPerson } from '../../src/people/people-types.js';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
  type WorldUser,
} from '../support/test-platform.js';

/**
 * Issue 14 §13: reach lives in the access policy and the repository query. A service must never load a
 * person-scoped row (an absence, a case step, a consent, a pathway, a referral, a task) and only then ask
 * whether the actor may reach its person: one forgotten check is a leak, and the row has already been read.
 *
 * This test watches every row the database hands the platform while an actor asks, through every route in
 * the registry, for records of a person outside their reach. A row about that person reaching the process is
 * a failure, whatever the route answered. New routes are covered as they are mounted.
 */
const RANDOM_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Valid bodies for the writes about one record, so the request passes validation and reaches the service
 * (where a record would be loaded); any other write is sent empty.
 */
const BODIES: Record<string, Record<string, unknown>> = {
  'patch /api/v1/absences/:id': { endDate: '2026-10-21' },
  'delete /api/v1/absences/:id': { reason: 'Recorded in error' },
  'post /api/v1/absences/:id/return-to-work': {
    interviewDate: '2026-11-02',
    fitForFullDuties: true,
    recurrenceLikelihood: 'unlikely',
    attendanceExpectationsDiscussed: true,
    certificationComplete: true,
    workplaceFactors: ['workload'],
    disabilityRelated: false,
    pregnancyRelated: false,
    notifiedFirstDayOfSickness: true,
    notifiedFirstDayOfFitness: true,
    flexibleWorkingDiscussed: true,
  },
  'post /api/v1/absences/:id/sick-pay-extensions': {
    fullPayExtraDays: 5,
    halfPayExtraDays: 0,
    reason: 'The Chief Constable extended full pay',
    decidedOn: '2026-11-20',
  },
  'post /api/v1/attendance-procedure/:id/outcome': { outcome: 'monitor', outcomeDate: '2026-11-20' },
  'post /api/v1/attendance-procedure/:id/postponement': { meetingDate: '2026-11-27', reason: 'Representative away' },
  'post /api/v1/attendance-procedure/:id/appeal': { lodgedOn: '2026-11-20' },
  'post /api/v1/consents/:id/decision': { decision: 'given', method: 'platform' },
  'post /api/v1/consents/:id/corrections': { text: 'The date of the injury is wrong' },
  'post /api/v1/consents/:id/statement': { text: 'I do not agree with the report' },
  'post /api/v1/consents/:id/supply-decision': { agree: true },
};

interface Victim {
  person: NewPerson;
  /** Users who cannot reach the person. */
  outsiders: WorldUser[];
  ids: Record<string, string>;
}

describe('reach is applied when rows are read, not after (issue 14 §13)', () => {
  let t: TestPlatform;
  let w: World;
  const agents = {} as Record<WorldUser, Awaited<ReturnType<typeof signIn>>>;
  const csrf = {} as Record<WorldUser, string>;
  const as = (u: WorldUser) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const victims: Victim[] = [];
  /** Rows the database returned while the watch was on: [sql, row]. */
  let seen: Array<[string, Record<string, unknown>]> | null = null;

  const created = async (res: request.Response, what: string): Promise<Record<string, unknown>> => {
    if (res.status !== 201 && res.status !== 200) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  };

  /** Everything a person can have, made by people who reach them. */
  async function recordsOf(person: NewPerson, referrer: WorldUser): Promise<Record<string, string>> {
    const absence = await created(
      await request(t.app)
        .post(`/api/v1/people/${person.id}/absences`)
        .set(as('ohAdmin'))
        .send({ startDate: '2026-10-05', endDate: '2026-10-20', reasonCategory: 'musculoskeletal-back' }),
      'absence',
    );
    const step = await created(
      await request(t.app)
        .post(`/api/v1/people/${person.id}/attendance-procedure`)
        .set(as('ohAdmin'))
        .send({ step: 'informal-action', actionDate: '2026-10-21', notes: 'A supportive conversation' }),
      'procedure step',
    );
    const consent = await created(
      await request(t.app)
        .post(`/api/v1/people/${person.id}/consents`)
        .set(as('clinician'))
        .send({
          kind: 'nhs-sharing',
          partnerOrganisationId: w.healthBoard.id,
          purpose: 'continuity-of-care',
          dataCategories: ['demographics', 'referral-details'],
          periodStart: '2026-11-22',
          description: 'Physiotherapy',
          noticeBy: 'letter',
        }),
      'consent',
    );
    const pathway = await created(
      await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: person.id, definition: 'msk', startedAt: '2026-11-22' }),
      'pathway',
    );
    const transferred = await created(
      await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: person.id, definition: 'mental-health', startedAt: '2026-11-22' }),
      'second pathway',
    );
    const referral = (
      await created(
        await request(t.app)
          .post(`/api/v1/pathways/${String(transferred.id)}/transfer`)
          .set(as('clinician'))
          .send({ service: 'nhs-msk-physiotherapy', reason: 'Shoulder pain', priority: 'routine' }),
        'transfer',
      )
    ).referral as Record<string, unknown>;
    const ohReferral = await created(
      await request(t.app).post(`/api/v1/people/${person.id}/oh-referrals`).set(as(referrer)).send({
        reason: 'Struggling with night shifts since returning',
        questions: 'What adjustments would help?',
        adjustmentsTried: 'Day shifts for two weeks',
        currentlyAbsent: false,
        personInformed: true,
      }),
      'OH referral',
    );
    const pathwayStep = await t.database.db('pathway_steps').where({ pathway_id: pathway.id }).first();
    const task = await t.database.db('tasks').where({ subject_person_id: person.id }).first();
    if (!pathwayStep || !task) throw new Error('the pathway step or the task was not made');
    return {
      people: person.id,
      absences: String(absence.id),
      'attendance-procedure': String(step.id),
      consents: String(consent.id),
      pathways: String(pathway.id),
      steps: String(pathwayStep.id),
      'oh-referrals': String(ohReferral.id),
      referrals: String(ohReferral.id),
      'pathway-referrals': String(referral.id),
      tasks: String(task.id),
    };
  }

  /** The route's path with each parameter filled: the victim's record where the parameter names one. */
  function urlFor(path: string, v: Victim): { url: string; personal: boolean } {
    let personal = false;
    const segments = path.split('/');
    const url = segments
      .map((segment, i) => {
        if (!segment.startsWith(':')) return segment;
        const before = segments[i - 1] ?? '';
        const id = v.ids[before];
        if (id) {
          personal = true;
          return id;
        }
        if (segment === ':number') return '1';
        if (segment === ':kind' && before === 'letters') return 'invitation';
        return RANDOM_ID;
      })
      .join('/');
    return { url, personal };
  }

  /** Rows about the person that the database handed over while `fn` ran. */
  async function rowsAbout(personId: string, fn: () => Promise<unknown>): Promise<string[]> {
    seen = [];
    await fn();
    const found = seen
      .filter(
        ([sql, row]) =>
          row.person_id === personId ||
          row.subject_person_id === personId ||
          row.assignee_person_id === personId ||
          (/\bfrom [`"]?people[`"]?/i.test(sql) && row.id === personId),
      )
      .map(([sql]) => sql.replace(/\s+/g, ' ').slice(0, 160));
    seen = null;
    return found;
  }

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
    t.database.db.on('query-response', (response: unknown, query: { sql?: string }) => {
      if (!seen) return;
      const rows = Array.isArray(response) ? response : response && typeof response === 'object' ? [response] : [];
      for (const row of rows)
        if (row && typeof row === 'object') seen.push([query.sql ?? '', row as Record<string, unknown>]);
    });
    victims.push(
      {
        person: w.partnerPerson,
        outsiders: ['lineManager', 'hr', 'staff'],
        ids: await recordsOf(w.partnerPerson, 'partnerHr'),
      },
      { person: w.outsider, outsiders: ['lineManager', 'partnerHr', 'staff'], ids: await recordsOf(w.outsider, 'hr') },
    );
    for (const u of ['lineManager', 'hr', 'partnerHr', 'staff'] as const) {
      agents[u] = await signIn(t, w.users[u].email);
      csrf[u] = csrfFrom((await agents[u].get('/account')).text);
    }
  });
  afterAll(async () => t.destroy());

  it('when OH reads a record within reach, then the watch sees its rows (the watch can fail)', async () => {
    const v = victims[0]!;
    const rows = await rowsAbout(v.person.id, () =>
      request(t.app).get(`/api/v1/consents/${v.ids.consents}`).set(as('clinician')),
    );
    expect(rows.length).toBeGreaterThan(0);
  });

  it('when someone out of reach asks for a person’s records through any route, then no row about the person is read', async () => {
    const routes = t.platform.app.registry.list().filter((r) => r.policy.roles !== null && r.kind !== 'fhir');
    const leaks: string[] = [];
    let asked = 0;
    for (const v of victims) {
      for (const route of routes) {
        const { url, personal } = urlFor(route.path, v);
        if (!personal) continue;
        for (const u of v.outsiders) {
          if (!route.policy.roles!.includes(w.users[u].roles[0]!)) continue;
          asked += 1;
          let status = 0;
          const rows = await rowsAbout(v.person.id, async () => {
            const res =
              route.kind === 'api'
                ? await request(t.app)
                    [route.method](url)
                    .set(as(u))
                    .send(route.method === 'get' ? undefined : (BODIES[`${route.method} ${route.path}`] ?? {}))
                : await agents[u][route.method](url)
                    .type('form')
                    .send(route.method === 'get' ? undefined : { _csrf: csrf[u] });
            status = res.status;
          });
          if (rows.length > 0 || status === 200 || status >= 500)
            leaks.push(`${u} ${route.method.toUpperCase()} ${route.path} → ${status}: ${rows.join(' | ')}`);
        }
      }
    }
    expect(asked).toBeGreaterThan(100);
    expect(leaks).toEqual([]);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** Blood-borne virus exposures over the API (issue 16 §7), on a fixed clock. */
describe('BBV incidents API (issue 16)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const stepsOf = async (pathwayId: string) =>
    Object.fromEntries(
      (
        (await request(t.app).get(`/api/v1/pathways/${pathwayId}`).set(as('clinician'))).body.steps as Array<{
          code: string;
          status: string;
          dueFrom: string | null;
          dueBy: string | null;
        }>
      ).map((s) => [s.code, s]),
    );

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-07-14T23:45:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('a needlestick late on a summer evening (BBV-7): the schedule counts from its UK date, the next UTC day; deadlines in elapsed hours', async () => {
    const res = await request(t.app).post('/api/v1/bbv-incidents').set(as('clinician')).send({
      personId: w.report.id,
      occurredAt: '2026-07-15T00:30:00+01:00',
      exposureType: 'needlestick',
      sourceKnown: false,
      highRiskHcv: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.exposureDate).toBe('2026-07-15');
    expect([res.body.riskAssessmentDueAt, res.body.pepAlertAt, res.body.pepDeadlineAt]).toEqual([
      '2026-07-15T00:30:00.000Z',
      '2026-07-15T23:30:00.000Z',
      '2026-07-17T23:30:00.000Z',
    ]);
    expect(
      res.body.schedule.map(
        (s: { timepoint: string; windowStart: string; windowEnd: string; dueDate: string; tests: string[] }) => [
          s.timepoint,
          s.windowStart,
          s.windowEnd,
          s.dueDate,
          s.tests.join(' '),
        ],
      ),
    ).toEqual([
      ['4-6-weeks', '2026-08-12', '2026-08-26', '2026-08-12', 'HBsAg HCV-Ag-PCR HIV-Ag-Ab'],
      ['3-months', '2026-10-01', '2026-10-29', '2026-10-15', 'HBsAg HCV-Ab HCV-Ag-PCR HIV-Ag-Ab'],
      ['6-months', '2027-01-01', '2027-01-29', '2027-01-15', 'HBsAg HCV-Ab HIV-Ag-Ab'],
    ]);
    const steps = await stepsOf(res.body.pathwayId);
    expect(steps['risk-assessment']!.status).toBe('completed');
    expect(steps['test-4-6-weeks']!.status).toBe('open');
    expect(steps['test-4-6-weeks']!.dueFrom).toBe('2026-08-11T23:00:00.000Z');
    expect(steps['test-4-6-weeks']!.dueBy).toBe('2026-08-26T23:00:00.000Z');
  });

  /** Records an exposure as an OH clinician. */
  const record = (fields: Record<string, unknown>) =>
    request(t.app)
      .post('/api/v1/bbv-incidents')
      .set(as('clinician'))
      .send({ occurredAt: '2026-07-14T21:00:00+01:00', exposureType: 'needlestick', sourceKnown: false, ...fields });
  const incidentsOf = async (personId: string) => {
    const res = await request(t.app).get(`/api/v1/people/${personId}/bbv-incidents`).set(as('clinician'));
    expect(res.status).toBe(200);
    return res.body.items as Array<{ id: string; pathwayId: string; clinical: Record<string, unknown> }>;
  };

  it('CONF-1: line managers and HR find no incident (404): not by its id, not in the person’s list, and not to post a result to', async () => {
    const created = await record({ personId: w.report.id, highRiskHcv: false });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const who of ['lineManager', 'hr'] as const) {
      expect((await request(t.app).get(`/api/v1/bbv-incidents/${id}`).set(as(who))).status).toBe(404);
      expect((await request(t.app).get(`/api/v1/people/${w.report.id}/bbv-incidents`).set(as(who))).status).toBe(404);
      const post = await request(t.app)
        .post(`/api/v1/bbv-incidents/${id}/results`)
        .set(as(who))
        .send({ timepoint: '4-6-weeks', test: 'HBsAg', result: 'negative', sampleTakenAt: '2026-07-14T23:00:00Z' });
      expect(post.status).toBe(404);
      expect(JSON.stringify(post.body)).not.toMatch(/HBsAg|needlestick/);
    }
    const stored = (await incidentsOf(w.report.id)).find((i) => i.id === id)!;
    expect(stored.clinical.results).toEqual([]);
  });

  it('CONF-1: an OH administrator sees the schedule’s dates and tests, never the clinical detail nor a result', async () => {
    const [person] = await addTeamMembers(t, w);
    const created = await record({ personId: person!.id, highRiskHcv: true });
    const id = created.body.id as string;
    t.clock.set('2026-08-12T09:00:00Z');
    const posted = await request(t.app)
      .post(`/api/v1/bbv-incidents/${id}/results`)
      .set(as('clinician'))
      .send({ timepoint: '4-6-weeks', test: 'HIV-Ag-Ab', result: 'positive', sampleTakenAt: '2026-08-12T09:00:00Z' });
    expect(posted.status).toBe(201);
    try {
      const res = await request(t.app).get(`/api/v1/bbv-incidents/${id}`).set(as('ohAdmin'));
      expect(res.status).toBe(200);
      expect(res.body.clinical).toBeNull();
      expect(res.body.schedule).toHaveLength(3);
      for (const item of res.body.schedule) expect(item).not.toHaveProperty('results');
      // That a result needs a clinician is itself clinical: the administrator sees the timepoint done.
      expect(res.body.schedule[0].status).toBe('complete');
      expect(JSON.stringify(res.body)).not.toMatch(/positive|needlestick/);
      const list = await request(t.app).get(`/api/v1/people/${person!.id}/bbv-incidents`).set(as('ohAdmin'));
      expect(list.status).toBe(200);
      expect(list.body.items[0].clinical).toBeNull();
      // Nor may the administrator record one.
      const refused = await request(t.app)
        .post(`/api/v1/bbv-incidents/${id}/results`)
        .set(as('ohAdmin'))
        .send({ timepoint: '4-6-weeks', test: 'HBsAg', result: 'negative', sampleTakenAt: '2026-08-12T09:00:00Z' });
      expect(refused.status).toBe(403);
    } finally {
      t.clock.set('2026-07-14T23:45:00Z');
    }
  });

  it('CONF-1: the member of staff sees their own incident without clinical detail, and finds no one else’s (404)', async () => {
    // The World's staff user is the record w.report.
    const own = (await incidentsOf(w.report.id))[0]!;
    const mine = await request(t.app).get(`/api/v1/bbv-incidents/${own.id}`).set(as('staff'));
    expect(mine.status).toBe(200);
    expect(mine.body.personId).toBe(w.report.id);
    expect(mine.body.clinical).toBeNull();
    for (const item of mine.body.schedule) expect(item).not.toHaveProperty('results');
    const list = await request(t.app).get(`/api/v1/people/${w.report.id}/bbv-incidents`).set(as('staff'));
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((i: { clinical: unknown }) => i.clinical === null)).toBe(true);

    const other = await record({ personId: w.outsider.id, highRiskHcv: false });
    expect(other.status).toBe(201);
    expect((await request(t.app).get(`/api/v1/bbv-incidents/${other.body.id}`).set(as('staff'))).status).toBe(404);
    expect((await request(t.app).get(`/api/v1/people/${w.outsider.id}/bbv-incidents`).set(as('staff'))).status).toBe(
      404,
    );
    // Nor can the person record anything on their own incident.
    const post = await request(t.app)
      .post(`/api/v1/bbv-incidents/${own.id}/results`)
      .set(as('staff'))
      .send({ timepoint: '4-6-weeks', test: 'HBsAg', result: 'negative', sampleTakenAt: '2026-07-14T23:00:00Z' });
    expect([403, 404]).toContain(post.status);
  });

  it('when the input is bad, then 422 names each field in plain words and nothing is stored', async () => {
    const [person] = await addTeamMembers(t, w);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ occurredAt: undefined }, 'occurredAt'],
      [{ sourceKnown: undefined }, 'sourceKnown'],
      [{ occurredAt: '2026-07-14T21:00:00' }, 'occurredAt'],
      [{ occurredAt: '2026-07-15T09:00:00Z' }, 'occurredAt'],
      [{ exposureType: 'scratch' }, 'exposureType'],
      [{ otherParty: { description: 'Detained person' } }, 'otherParty'],
    ];
    for (const [fields, field] of cases) {
      const res = await record({ personId: person!.id, highRiskHcv: false, ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(422);
      expect(Object.keys(res.body.error.fields), JSON.stringify(fields)).toContain(field);
      for (const message of Object.values(res.body.error.fields) as string[]) {
        expect(message).not.toMatch(/^validation\.|Invalid|expected|ZodError/);
        expect(message.length).toBeGreaterThan(0);
      }
    }
    const missing = await request(t.app).post('/api/v1/bbv-incidents').set(as('clinician')).send({});
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.error.fields).sort()).toEqual(
      expect.arrayContaining(['exposureType', 'occurredAt', 'personId', 'sourceKnown']),
    );
    expect(await incidentsOf(person!.id)).toEqual([]);
    const pathways = await request(t.app).get(`/api/v1/people/${person!.id}/pathways`).set(as('clinician'));
    expect(pathways.body.items).toEqual([]);
  });

  it('BBV-1: a bite between two members of staff makes two linked incidents, each with its own pathway', async () => {
    const [biter, bitten] = await addTeamMembers(t, w, 2);
    const res = await record({
      personId: bitten!.id,
      exposureType: 'bite',
      skinBroken: true,
      otherParty: { personId: biter!.id },
      highRiskHcv: false,
    });
    expect(res.status).toBe(201);
    const first = res.body;
    expect(first.clinical.otherPartyPersonId).toBe(biter!.id);
    const linkedId = first.clinical.linkedIncidentId as string;
    expect(linkedId).toBeTruthy();
    const second = await request(t.app).get(`/api/v1/bbv-incidents/${linkedId}`).set(as('clinician'));
    expect(second.status).toBe(200);
    expect(second.body.personId).toBe(biter!.id);
    expect(second.body.clinical.linkedIncidentId).toBe(first.id);
    expect(second.body.clinical.otherPartyPersonId).toBe(bitten!.id);
    expect(second.body.pathwayId).not.toBe(first.pathwayId);
    // The colleague's own risk assessment is still to do (BBV-1: both are assessed).
    expect(second.body.assessed).toBe(false);
    for (const p of [first.pathwayId, second.body.pathwayId]) {
      const pathway = await request(t.app).get(`/api/v1/pathways/${p}`).set(as('clinician'));
      expect(pathway.status).toBe(200);
    }
    expect((await stepsOf(second.body.pathwayId))['risk-assessment']!.status).toBe('open');
    expect((await incidentsOf(biter!.id)).map((i) => i.id)).toEqual([linkedId]);
  });

  /** Five results for the 4–6 week tests of a new incident, posted at once (two of them repeats). */
  const fiveAtOnce = async () => {
    const [person] = await addTeamMembers(t, w);
    const created = await record({ personId: person!.id, highRiskHcv: true });
    const id = created.body.id as string;
    t.clock.set('2026-08-13T09:00:00Z');
    try {
      const tests = ['HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab', 'HBsAg', 'HCV-Ag-PCR'];
      const answers = await Promise.all(
        tests.map((test) =>
          request(t.app)
            .post(`/api/v1/bbv-incidents/${id}/results`)
            .set(as('clinician'))
            .send({ timepoint: '4-6-weeks', test, result: 'negative', sampleTakenAt: '2026-08-13T08:00:00Z' }),
        ),
      );
      const saved = (await request(t.app).get(`/api/v1/bbv-incidents/${id}`).set(as('clinician'))).body;
      return { statuses: answers.map((a) => a.status), saved, steps: await stepsOf(saved.pathwayId) };
    } finally {
      t.clock.set('2026-07-14T23:45:00Z');
    }
  };

  it('when five results are posted at once for one incident, then each answers 201 or 409, never 500, and what is stored matches', async () => {
    const { statuses, saved } = await fiveAtOnce();
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(' '),
    ).toBe(true);
    expect(saved.clinical.results).toHaveLength(statuses.filter((s) => s === 201).length);
    const distinct = new Set(saved.clinical.results.map((r: { test: string }) => r.test));
    expect(saved.schedule[0].status).toBe(distinct.size === 3 ? 'complete' : 'partial');
  });

  it('when results posted at once complete a timepoint, then its pathway step is completed too (it must not escalate when the window closes)', async () => {
    const { saved, steps } = await fiveAtOnce();
    const complete = saved.schedule[0].status === 'complete';
    expect(steps['test-4-6-weeks']!.status).toBe(complete ? 'completed' : 'open');
  });

  it('BBV-5: a bite that did not break the skin needs no follow-up by default: no schedule, and the timepoint steps do not apply', async () => {
    const [person] = await addTeamMembers(t, w);
    const res = await record({ personId: person!.id, exposureType: 'bite', skinBroken: false, highRiskHcv: false });
    expect(res.status).toBe(201);
    expect(res.body.schedule).toEqual([]);
    expect(res.body.clinical.assessment.followUpIndicated).toBe(false);
    const steps = await stepsOf(res.body.pathwayId);
    for (const code of ['test-4-6-weeks', 'test-3-months', 'test-6-months', 'testing-referral'])
      expect(steps[code]!.status, code).toBe('not-applicable');
    // Results have nowhere to go.
    const post = await request(t.app)
      .post(`/api/v1/bbv-incidents/${res.body.id}/results`)
      .set(as('clinician'))
      .send({ timepoint: '4-6-weeks', test: 'HBsAg', result: 'negative', sampleTakenAt: '2026-07-14T23:00:00Z' });
    expect(post.status).toBe(409);
  });

  it('when a BBV pathway is started through POST /api/v1/pathways, then its incident is recorded and the answer links to it', async () => {
    const [person] = await addTeamMembers(t, w);
    const res = await request(t.app)
      .post('/api/v1/pathways')
      .set(as('clinician'))
      .send({
        personId: person!.id,
        definition: 'bbv',
        startedAt: '2026-07-14T22:00:00Z',
        facts: {
          occurredAt: '2026-07-14T22:00:00+01:00',
          exposureType: 'splash',
          sourceKnown: true,
          highRiskHcv: false,
        },
      });
    expect(res.status).toBe(201);
    expect(res.body.definition.code).toBe('bbv');
    const link = /^<(\/api\/v1\/bbv-incidents\/[0-9a-f-]{36})>; rel="related"$/.exec(res.headers.link ?? '');
    expect(link).not.toBeNull();
    const incident = await request(t.app).get(link![1]!).set(as('clinician'));
    expect(incident.status).toBe(200);
    expect(incident.body.pathwayId).toBe(res.body.id);
    expect(incident.body.exposureDate).toBe('2026-07-14');
    expect(incident.body.clinical.exposureType).toBe('splash');
    // Bad facts are refused like the incident's own fields.
    const bad = await request(t.app)
      .post('/api/v1/pathways')
      .set(as('clinician'))
      .send({
        personId: person!.id,
        definition: 'bbv',
        startedAt: '2026-07-14T22:00:00Z',
        facts: { occurredAt: '2026-07-14T22:00:00+01:00', exposureType: 'scratch', sourceKnown: true },
      });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields).toHaveProperty('exposureType');
  });
});

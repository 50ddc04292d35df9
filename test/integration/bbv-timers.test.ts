import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

interface StepJson {
  code: string;
  status: string;
  dueFrom: string | null;
  dueBy: string | null;
  escalationLevel: number;
  assignee: { role?: string; personId?: string } | null;
}
interface EventJson {
  kind: string;
  stepId: string | null;
  at: string;
  details: Record<string, unknown> | null;
}

const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);

/**
 * The BBV timers (issue 16 §3, §4; BBV-1, BBV-3, BBV-7, BBV-9) on a fixed clock: the sweep escalates
 * a missed risk assessment, PEP decision and testing window; a positive result escalates at once.
 */
describe('BBV timers and escalations (issue 16)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const pathwayOf = async (id: string) => {
    const res = await request(t.app).get(`/api/v1/pathways/${id}`).set(as('clinician'));
    expect(res.status).toBe(200);
    return {
      ...(res.body as { status: string; outcome: string | null; steps: StepJson[] }),
      step: (code: string) => (res.body.steps as StepJson[]).find((s) => s.code === code)!,
    };
  };
  const historyOf = async (id: string) => {
    const res = await request(t.app).get(`/api/v1/pathways/${id}/history`).set(as('clinician'));
    expect(res.status).toBe(200);
    return res.body.items as EventJson[];
  };
  const eventsFor = async (pathwayId: string, code: string, kind: string) => {
    const stepId = (await pathwayOf(pathwayId)).steps.find((s) => s.code === code) as unknown as { id: string };
    return (await historyOf(pathwayId)).filter((e) => e.kind === kind && e.stepId === stepId.id);
  };
  /** Records an exposure for a new member of staff at the clock's time. */
  const record = async (fields: Record<string, unknown>) => {
    const [person] = await addTeamMembers(t, w);
    const res = await request(t.app)
      .post('/api/v1/bbv-incidents')
      .set(as('clinician'))
      .send({ personId: person!.id, exposureType: 'needlestick', sourceKnown: false, ...fields });
    expect(res.status).toBe(201);
    return res.body as {
      id: string;
      pathwayId: string;
      exposureDate: string;
      schedule: Array<{ timepoint: string; windowStart: string; windowEnd: string; tests: string[]; status: string }>;
    };
  };
  const sweepAt = async (at: Date) => {
    t.clock.set(at.toISOString());
    return t.platform.services.pathways.sweep(at);
  };
  const result = (incidentId: string, timepoint: string, test: string, value: string, sampleTakenAt: string) =>
    request(t.app)
      .post(`/api/v1/bbv-incidents/${incidentId}/results`)
      .set(as('clinician'))
      .send({ timepoint, test, result: value, sampleTakenAt });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-06-01T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('BBV-1: an exposure without its risk assessment: nothing escalates within the hour; at 1h05 the sweep escalates the assessment to the OH clinicians’ queue', async () => {
    const occurredAt = '2026-06-10T10:00:00Z';
    t.clock.set('2026-06-10T10:05:00Z');
    const incident = await record({ occurredAt });
    let pathway = await pathwayOf(incident.pathwayId);
    expect(pathway.step('risk-assessment')).toMatchObject({
      status: 'open',
      dueBy: '2026-06-10T11:00:00.000Z',
      escalationLevel: 0,
    });
    await sweepAt(plus(occurredAt, 55 * 60_000));
    pathway = await pathwayOf(incident.pathwayId);
    expect(pathway.step('risk-assessment').escalationLevel).toBe(0);
    expect(await eventsFor(incident.pathwayId, 'risk-assessment', 'step-escalated')).toEqual([]);

    await sweepAt(plus(occurredAt, HOUR + 5 * 60_000));
    pathway = await pathwayOf(incident.pathwayId);
    expect(pathway.step('risk-assessment')).toMatchObject({
      status: 'open',
      escalationLevel: 1,
      assignee: { role: 'oh-clinician' },
    });
    const escalated = await eventsFor(incident.pathwayId, 'risk-assessment', 'step-escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.details).toMatchObject({ level: 1, to: { role: 'oh-clinician' } });
    expect(await eventsFor(incident.pathwayId, 'risk-assessment', 'step-overdue')).toHaveLength(1);
    // A second sweep later does not escalate it again.
    await sweepAt(plus(occurredAt, 2 * HOUR));
    expect((await pathwayOf(incident.pathwayId)).step('risk-assessment').escalationLevel).toBe(1);
  });

  it('BBV-1: a risk assessment recorded within the hour completes the step; the sweep after the hour escalates nothing, and the schedule is made', async () => {
    const occurredAt = '2026-06-11T10:00:00Z';
    t.clock.set('2026-06-11T10:10:00Z');
    const incident = await record({ occurredAt });
    expect(incident.schedule).toEqual([]);
    t.clock.set('2026-06-11T10:40:00Z');
    const assessed = await request(t.app)
      .post(`/api/v1/bbv-incidents/${incident.id}/risk-assessment`)
      .set(as('clinician'))
      .send({ highRiskHcv: true });
    expect(assessed.status).toBe(200);
    expect(assessed.body.schedule.map((s: { timepoint: string }) => s.timepoint)).toEqual([
      '4-6-weeks',
      '3-months',
      '6-months',
    ]);
    await sweepAt(plus(occurredAt, HOUR + 5 * 60_000));
    const pathway = await pathwayOf(incident.pathwayId);
    expect(pathway.step('risk-assessment')).toMatchObject({ status: 'completed', escalationLevel: 0 });
    expect(pathway.step('test-4-6-weeks').status).toBe('open');
    expect(await eventsFor(incident.pathwayId, 'risk-assessment', 'step-escalated')).toEqual([]);
  });

  it('BBV-3: the PEP decision is overdue at 24 hours and escalated at 72; after 72 hours only too-late stands, before it too-late is refused', async () => {
    const occurredAt = '2026-06-12T08:00:00Z';
    t.clock.set('2026-06-12T08:30:00Z');
    const incident = await record({ occurredAt, highRiskHcv: false });
    // Before 72 hours "too late" is not true yet.
    t.clock.set(plus(occurredAt, 71 * HOUR).toISOString());
    const early = await request(t.app)
      .post(`/api/v1/bbv-incidents/${incident.id}/pep`)
      .set(as('clinician'))
      .send({ decision: 'too-late' });
    expect(early.status).toBe(422);
    expect(Object.keys(early.body.error.fields)).toEqual(['decision']);

    await sweepAt(plus(occurredAt, 23 * HOUR));
    expect(await eventsFor(incident.pathwayId, 'pep-decision', 'step-overdue')).toEqual([]);
    await sweepAt(plus(occurredAt, 24 * HOUR + 5 * 60_000));
    expect(await eventsFor(incident.pathwayId, 'pep-decision', 'step-overdue')).toHaveLength(1);
    expect((await pathwayOf(incident.pathwayId)).step('pep-decision').escalationLevel).toBe(0);
    await sweepAt(plus(occurredAt, 71 * HOUR));
    expect((await pathwayOf(incident.pathwayId)).step('pep-decision').escalationLevel).toBe(0);
    await sweepAt(plus(occurredAt, 72 * HOUR + 5 * 60_000));
    expect((await pathwayOf(incident.pathwayId)).step('pep-decision')).toMatchObject({
      status: 'open',
      escalationLevel: 1,
      assignee: { role: 'oh-clinician' },
    });
    expect(await eventsFor(incident.pathwayId, 'pep-decision', 'step-escalated')).toHaveLength(1);

    const started = await request(t.app)
      .post(`/api/v1/bbv-incidents/${incident.id}/pep`)
      .set(as('clinician'))
      .send({ decision: 'started' });
    expect(started.status).toBe(422);
    expect(Object.keys(started.body.error.fields)).toEqual(['decision']);
    expect(started.body.error.fields.decision).not.toMatch(/^validation\./);

    const tooLate = await request(t.app)
      .post(`/api/v1/bbv-incidents/${incident.id}/pep`)
      .set(as('clinician'))
      .send({ decision: 'too-late' });
    expect(tooLate.status).toBe(200);
    expect(tooLate.body.clinical.pep).toMatchObject({ decision: 'too-late', startedAt: null });
    expect((await pathwayOf(incident.pathwayId)).step('pep-decision').status).toBe('completed');
  });

  it('BBV-7: a 4–6 week window that closes without results: on day 43 (UK) the sweep escalates the 4–6 week tests', async () => {
    // 23:30 UTC on a summer evening is 00:30 BST the next day: the schedule counts from 16 June (One UK day).
    const occurredAt = '2026-06-15T23:30:00Z';
    t.clock.set('2026-06-16T00:10:00Z');
    const incident = await record({ occurredAt, highRiskHcv: false });
    expect(incident.exposureDate).toBe('2026-06-16');
    const first = incident.schedule.find((s) => s.timepoint === '4-6-weeks')!;
    expect([first.windowStart, first.windowEnd]).toEqual(['2026-07-14', '2026-07-28']);
    expect((await pathwayOf(incident.pathwayId)).step('test-4-6-weeks')).toMatchObject({
      status: 'open',
      dueFrom: '2026-07-13T23:00:00.000Z',
      dueBy: '2026-07-28T23:00:00.000Z',
    });
    // 23:30 UTC on 28 July is already day 43 in the UK (00:30 BST on 29 July)…
    await sweepAt(new Date('2026-07-28T22:59:00Z'));
    expect((await pathwayOf(incident.pathwayId)).step('test-4-6-weeks').escalationLevel).toBe(0);
    await sweepAt(new Date('2026-07-28T23:30:00Z'));
    expect((await pathwayOf(incident.pathwayId)).step('test-4-6-weeks')).toMatchObject({
      status: 'open',
      escalationLevel: 1,
      assignee: { role: 'oh-clinician' },
    });
    expect(await eventsFor(incident.pathwayId, 'test-4-6-weeks', 'step-escalated')).toHaveLength(1);
    // …and the schedule says so on that UK day.
    const now = await request(t.app).get(`/api/v1/bbv-incidents/${incident.id}`).set(as('clinician'));
    expect(now.body.schedule.find((s: { timepoint: string }) => s.timepoint === '4-6-weeks').status).toBe('overdue');
    // The 3-month tests are not escalated with it.
    expect((await pathwayOf(incident.pathwayId)).step('test-3-months').escalationLevel).toBe(0);
  });

  it('BBV-9: a positive result escalates at once, without a sweep: the review is open in the OH clinicians’ queue and an urgent specialist referral exists', async () => {
    const occurredAt = '2026-06-20T12:00:00Z';
    t.clock.set('2026-06-20T12:20:00Z');
    const incident = await record({ occurredAt, highRiskHcv: false });
    t.clock.set('2026-07-20T10:00:00Z');
    const res = await result(incident.id, '4-6-weeks', 'HIV-Ag-Ab', 'positive', '2026-07-20T09:00:00+01:00');
    expect(res.status).toBe(201);
    expect(res.body.schedule.find((s: { timepoint: string }) => s.timepoint === '4-6-weeks').status).toBe(
      'needs-review',
    );
    const pathway = await pathwayOf(incident.pathwayId);
    expect(pathway.step('result-review')).toMatchObject({ status: 'open', assignee: { role: 'oh-clinician' } });
    expect(pathway.step('result-review').escalationLevel).toBeGreaterThanOrEqual(1);
    expect(pathway.step('specialist-referral').status).toBe('completed');
    expect(await eventsFor(incident.pathwayId, 'result-review', 'step-escalated')).toHaveLength(1);
    const referrals = await request(t.app).get(`/api/v1/pathways/${incident.pathwayId}/referrals`).set(as('clinician'));
    expect(referrals.status).toBe(200);
    expect(referrals.body.items).toEqual([
      expect.objectContaining({ serviceType: 'specialist', priority: 'urgent', kind: 'step' }),
    ]);
    // The pathway stays open for the clinician.
    expect(pathway.status).toBe('active');
  });

  it('BBV-9: an indeterminate result escalates at once too, and the review stays with the OH clinicians after a later sweep', async () => {
    const occurredAt = '2026-06-21T12:00:00Z';
    t.clock.set('2026-06-21T12:20:00Z');
    const incident = await record({ occurredAt, highRiskHcv: false });
    t.clock.set('2026-07-21T10:00:00Z');
    expect((await result(incident.id, '4-6-weeks', 'HBsAg', 'indeterminate', '2026-07-21T09:00:00+01:00')).status).toBe(
      201,
    );
    await sweepAt(new Date('2026-07-21T15:00:00Z'));
    const review = (await pathwayOf(incident.pathwayId)).step('result-review');
    expect(review.status).toBe('open');
    expect(review.assignee).toEqual({ role: 'oh-clinician' });
    expect(review.escalationLevel).toBeGreaterThanOrEqual(1);
  });

  it('BBV-6: every timepoint negative closes the pathway as discharged; a 3-month HIV result takes HIV off the 6-month tests', async () => {
    const occurredAt = '2026-06-25T14:00:00Z';
    t.clock.set('2026-06-25T14:30:00Z');
    const incident = await record({ occurredAt, highRiskHcv: false });
    expect(incident.schedule.find((s) => s.timepoint === '6-months')!.tests).toEqual(['HBsAg', 'HCV-Ab', 'HIV-Ag-Ab']);
    const post = async (at: string, timepoint: string, tests: string[]) => {
      t.clock.set(at);
      let last: request.Response | null = null;
      for (const test of tests) {
        last = await result(incident.id, timepoint, test, 'negative', at);
        expect(last.status).toBe(201);
      }
      return last!;
    };
    await post('2026-07-24T09:00:00Z', '4-6-weeks', ['HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab']);
    expect((await pathwayOf(incident.pathwayId)).step('test-4-6-weeks').status).toBe('completed');
    const three = await post('2026-09-25T09:00:00Z', '3-months', ['HBsAg', 'HCV-Ab', 'HIV-Ag-Ab']);
    // BBV-6: HIV was tested at 3 months, so not again at 6.
    expect(three.body.schedule.find((s: { timepoint: string }) => s.timepoint === '6-months').tests).toEqual([
      'HBsAg',
      'HCV-Ab',
    ]);
    expect((await pathwayOf(incident.pathwayId)).status).toBe('active');
    await post('2026-12-24T10:00:00Z', '6-months', ['HBsAg', 'HCV-Ab']);
    const closed = await pathwayOf(incident.pathwayId);
    expect(closed.status).toBe('closed');
    expect(closed.outcome).toBe('discharged');
    const incidentNow = await request(t.app).get(`/api/v1/bbv-incidents/${incident.id}`).set(as('clinician'));
    expect(incidentNow.body.schedule.map((s: { status: string }) => s.status)).toEqual([
      'complete',
      'complete',
      'complete',
    ]);
    expect(incidentNow.body.clinical.pathwayStatus).toBe('closed');
  });
});

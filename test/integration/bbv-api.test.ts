import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';

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
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, signIn, type TestPlatform, type World } from '../support/test-platform.js';

/** Four officers on Monday–Friday in one unit; November 2026 has 21 weekdays and no bank holidays. */
describe('monthly sickness statistics and the cost of sickness (ATT-28)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-12-10T09:00:00Z');
    w = await buildWorld(t);
    const record = (personId: string, body: Record<string, unknown>) =>
      request(t.app).post(`/api/v1/people/${personId}/absences`).set(as('hr')).send(body);
    expect(
      (await record(w.report.id, { startDate: '2026-11-02', endDate: '2026-11-04', reasonCategory: 'cold-flu' }))
        .status,
    ).toBe(201);
    // Long-term: from 12 October, still absent — 21 duty days in November.
    expect(
      (
        await record(w.outsider.id, {
          startDate: '2026-10-12',
          reasonCategory: 'mental-health-stress',
          certification: 'medical',
        })
      ).status,
    ).toBe(201);
    // Not sickness: never counted (ATT-6).
    expect(
      (
        await record(w.manager.id, {
          startDate: '2026-11-10',
          endDate: '2026-11-10',
          reasonCategory: 'other',
          notSicknessKind: 'statutory-medical',
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => t.destroy());

  it('when HR opens November, then the rate, long-term absence and reasons add up, and the department CSV has a row per department and a total', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/reports/attendance/monthly?month=2026-11');
    expect(page.status).toBe(200);
    // 24 of 84 duty days = 28.6 %.
    expect(page.text).toContain('28.6%');
    expect(page.text).toContain('24 of 84 duty days');
    expect(page.text).toContain('1 spell, 21 duty days');
    expect(page.text).toContain('Stress');
    // The month as the form sends it, typed as month and year (issue 15 §6): the same report; a month 13 is refused.
    const typed = await agent.get('/reports/attendance/monthly?month-month=11&month-year=2026');
    expect(typed.status).toBe(200);
    expect(typed.text).toContain('24 of 84 duty days');
    expect(typed.text).toContain('name="month-month" type="text" inputmode="numeric" value="11"');
    expect((await agent.get('/reports/attendance/monthly?month-month=13&month-year=2026')).status).toBe(422);
    const csv = await agent.get('/reports/attendance/monthly.csv?month=2026-11');
    expect(csv.headers['content-disposition']).toMatch(/attendance-monthly-2026-11\.csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toMatch(/^unit,headcount,available_duty_days,duty_days_lost,absence_rate_percent,spells/);
    expect(lines.find((l) => l.startsWith('Response,'))).toMatch(
      /^Response,4,84,24,28.6,2,2,6,1,21,1,3,5040.00,2026-11-01,2026-11-30$/,
    );
    expect(lines.at(-1)).toMatch(/^All departments,4,84,24,28.6,/);
    const reasons = await agent.get('/reports/attendance/monthly.csv?month=2026-11&part=reasons');
    expect(reasons.text.trim().split('\n').slice(1)).toEqual([
      'Stress,1,21,2026-11-01,2026-11-30',
      'Cold or flu,1,3,2026-11-01,2026-11-30',
    ]);
  });

  it('when the cost of a financial quarter is asked for, then duty days lost are costed at the policy’s rate for officers, and a new policy version changes it', async () => {
    const agent = await signIn(t, w.users.hr.email);
    // Q3 of 2026/27 is October to December; by 10 December: report 3 days, outsider 15 (Oct) + 21 (Nov) + 8 (Dec) days.
    const page = await agent.get('/reports/attendance/cost?period=2026-Q3');
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 October 2026 to 31 December 2026');
    expect(page.text).toContain('£9,870');
    // The quarter is not over: nothing is counted after today.
    expect(page.text).toContain('figures are to 10 December 2026');
    const published = await request(t.app)
      .post('/api/v1/policies/attendance/versions')
      .set(as('hr'))
      .send({
        effectiveFrom: '2026-01-01',
        content: { costPerDutyDay: { default: 100, byWorkforceRole: { officer: 250 } } },
      });
    expect(published.status).toBe(201);
    const csv = await agent.get('/reports/attendance/cost.csv?period=2026-Q3');
    expect(csv.text).toContain('All departments,4,');
    expect(csv.text).toMatch(/,11750\.00,2026-10-01,2026-12-31/);
  });

  it('when the period is malformed, then the page says how to write it (422) and the CSV refuses it', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/reports/attendance/cost?period=2026-11');
    expect(page.status).toBe(422);
    expect(page.text).toContain('Enter a quarter as YYYY-Qn');
    expect((await agent.get('/reports/attendance/monthly.csv?month=November')).status).toBe(422);
  });

  it('when a line manager or another organisation’s HR asks, then they are refused', async () => {
    expect((await (await signIn(t, w.users.lineManager.email)).get('/reports/attendance/monthly')).status).toBe(403);
    expect(
      (await (await signIn(t, w.users.partnerHr.email)).get(`/reports/attendance/monthly?organisationId=${w.host.id}`))
        .status,
    ).toBe(404);
  });
});

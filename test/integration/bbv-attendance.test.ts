import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, signIn, type TestPlatform, type World } from '../support/test-platform.js';

/** Issue 16 §5: a blood-borne virus exposure beside attendance. */
describe('BBV beside attendance (issue 16 §5)', () => {
  let t: TestPlatform;
  let w: World;
  let incidentId: string;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const summary = async () => {
    const res = await request(t.app).get(`/api/v1/people/${w.report.id}/attendance`).set(as('hr'));
    expect(res.status).toBe(200);
    return res.body as { bradfordScore: number; spells: number; days: number };
  };
  const forbidden = /HIV|hepatitis|blood-borne|blood borne|HBsAg|HCV|needlestick|exposure/i;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-22T09:00:00Z');
    w = await buildWorld(t);
    const res = await request(t.app).post('/api/v1/bbv-incidents').set(as('clinician')).send({
      personId: w.report.id,
      occurredAt: '2026-11-20T10:00:00Z',
      exposureType: 'needlestick',
      sourceKnown: false,
      highRiskHcv: false,
    });
    expect(res.status).toBe(201);
    incidentId = res.body.id;
  });
  afterAll(async () => t.destroy());

  it('time off for a test is not sickness and leaves the Bradford score alone', async () => {
    const before = await summary();
    const res = await request(t.app).post(`/api/v1/people/${w.report.id}/absences`).set(as('clinician')).send({
      startDate: '2026-11-21',
      endDate: '2026-11-21',
      reasonCategory: 'other',
      countsAsSickness: false,
      notSicknessKind: 'bbv-follow-up',
      bbvIncidentId: incidentId,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      countsAsSickness: false,
      notSicknessKind: 'bbv-follow-up',
      bbvIncidentId: incidentId,
    });
    expect(await summary()).toMatchObject({
      bradfordScore: before.bradfordScore,
      spells: before.spells,
      days: before.days,
    });
  });

  it('sickness linked to the exposure is duty-related, and the attendance page says so without naming it to the manager', async () => {
    const res = await request(t.app).post(`/api/v1/people/${w.report.id}/absences`).set(as('clinician')).send({
      startDate: '2026-11-22',
      reasonCategory: 'other',
      dutyRelated: false,
      bbvIncidentId: incidentId,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ countsAsSickness: true, dutyRelated: true, bbvIncidentId: incidentId });
    // The manager sees that it is duty-related, not which incident it follows.
    const read = await request(t.app).get(`/api/v1/people/${w.report.id}/absences`).set(as('lineManager'));
    expect(read.status).toBe(200);
    const spell = (read.body.items as Array<{ id: string; dutyRelated: boolean }>).find((s) => s.id === res.body.id);
    expect(spell?.dutyRelated).toBe(true);
    expect(spell).not.toHaveProperty('bbvIncidentId');

    const manager = await signIn(t, w.users.lineManager.email);
    const page = await manager.get(`/people/${w.report.id}/attendance`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Duty-related: after a duty incident on 20 November 2026');
    expect(page.text).toContain('Follow-up appointments after a duty incident');
    expect(page.text).not.toMatch(forbidden);

    const oh = await signIn(t, w.users.clinician.email);
    const ohPage = await oh.get(`/people/${w.report.id}/attendance`);
    expect(ohPage.text).toContain('Duty-related: after the blood-borne virus exposure on 20 November 2026');

    const own = await signIn(t, w.users.staff.email);
    expect((await own.get(`/people/${w.report.id}/attendance`)).text).toContain(
      'Duty-related: after the exposure on 20 November 2026',
    );
  });

  it('only an exposure of the same person that the caller reaches can be linked', async () => {
    const body = { startDate: '2026-11-19', endDate: '2026-11-19', reasonCategory: 'other', bbvIncidentId: incidentId };
    const byManager = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(as('lineManager'))
      .send(body);
    expect(byManager.status).toBe(422);
    expect(byManager.body.error.fields).toHaveProperty('bbvIncidentId');
    const otherPerson = await request(t.app)
      .post(`/api/v1/people/${w.indirectReport.id}/absences`)
      .set(as('clinician'))
      .send(body);
    expect(otherPerson.status).toBe(422);
    expect(otherPerson.body.error.fields).toHaveProperty('bbvIncidentId');
  });

  it('the manager’s worklist shows the appointment dates only', async () => {
    const manager = await signIn(t, w.users.lineManager.email);
    const page = await manager.get('/worklist');
    expect(page.status).toBe(200);
    // 4–6 weeks opens on 18 December 2026; 3 and 6 months are due on 20 February and 20 May 2027.
    expect(page.text).toContain('OH appointments: 18 December 2026, 20 February 2027, 20 May 2027');
    expect(page.text).toContain('Riley Report');
    expect(page.text).not.toMatch(forbidden);
  });

  it('managers and HR find no incident (404)', async () => {
    for (const u of ['lineManager', 'hr'] as const) {
      expect((await request(t.app).get(`/api/v1/bbv-incidents/${incidentId}`).set(as(u))).status).toBe(404);
      expect((await request(t.app).get(`/api/v1/people/${w.report.id}/bbv-incidents`).set(as(u))).status).toBe(404);
    }
  });
});

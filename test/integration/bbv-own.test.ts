import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, signIn, type TestPlatform, type World } from '../support/test-platform.js';

/** Issue 16 §8: the officer's own page, and their next test on their home page. */
describe('BBV: the officer’s own page (issue 16 §8)', () => {
  let t: TestPlatform;
  let w: World;
  let incidentId: string;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform({ OH_CONTACT_PHONE: '01234 567890', OH_CONTACT_EMAIL: 'oh@force.example' });
    t.clock.set('2026-11-22T09:00:00Z');
    w = await buildWorld(t);
    const res = await request(t.app).post('/api/v1/bbv-incidents').set(as('clinician')).send({
      personId: w.report.id,
      occurredAt: '2026-11-20T10:00:00Z',
      exposureType: 'bite',
      skinBroken: true,
      sourceKnown: false,
      highRiskHcv: false,
    });
    expect(res.status).toBe(201);
    incidentId = res.body.id;
  });
  afterAll(async () => t.destroy());

  it('says what happened when, the next test, what it is for in plain words, where, and that results go to OH only', async () => {
    const staff = await signIn(t, w.users.staff.email);
    const page = await staff.get('/me/bbv');
    expect(page.status).toBe(200);
    expect(page.text).toContain('After the exposure on 20 November 2026');
    expect(page.text).toContain('Between 18 December 2026 and 1 January 2027');
    expect(page.text).toContain('The test 4 to 6 weeks after the exposure');
    expect(page.text).toContain('One blood sample, tested for hepatitis B, hepatitis C and HIV.');
    expect(page.text).toContain('href="tel:01234 567890"');
    expect(page.text).toContain('Your results go to occupational health only');
    const home = await staff.get('/');
    expect(home.text).toContain('Follow-up blood test between 18 December 2026 and 1 January 2027');
    expect(home.text).toContain('href="/me/bbv"');

    // The officer's saved language is Welsh.
    await t.database.db('users').where({ id: w.users.staff.id }).update({ locale: 'cy' });
    const welsh = await (await signIn(t, w.users.staff.email)).get('/me/bbv');
    await t.database.db('users').where({ id: w.users.staff.id }).update({ locale: 'en' });
    expect(welsh.text).toContain('Rhwng 18 Rhagfyr 2026 a 1 Ionawr 2027');
    expect(welsh.text).toContain('Eich profion gwaed dilynol');
  });

  it('never shows a result: a positive one is simply done, and the next test comes next', async () => {
    t.clock.set('2026-12-20T10:00:00Z');
    for (const test of ['HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab']) {
      const res = await request(t.app)
        .post(`/api/v1/bbv-incidents/${incidentId}/results`)
        .set(as('clinician'))
        .send({
          timepoint: '4-6-weeks',
          test,
          result: test === 'HBsAg' ? 'positive' : 'negative',
          sampleTakenAt: '2026-12-19T10:00:00Z',
        });
      expect(res.status).toBe(201);
    }
    const staff = await signIn(t, w.users.staff.email);
    const page = await staff.get('/me/bbv');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/Positive|Negative|Needs a clinician/);
    expect(page.text).toContain('Done');
    // The 3-month test: due on 20 February 2027 with the policy's 14 days either side.
    expect(page.text).toContain('The test 3 months after the exposure');
    expect(page.text).toContain('Between 6 February 2027 and 6 March 2027');
  });

  it('someone with no exposure is told there is nothing to arrange', async () => {
    const manager = await signIn(t, w.users.lineManager.email);
    const page = await manager.get('/me/bbv');
    expect(page.status).toBe(200);
    expect(page.text).toContain('You have no follow-up blood tests to arrange.');
  });
});

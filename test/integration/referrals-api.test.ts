import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';

/** Referrals into OH (issue 4 §6): management, self and automatic, and OH triage. */
describe('referrals into OH', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-02T09:00:00Z');
    w = await buildWorld(t);
    await t.database.db('people').where({ id: w.report.id }).update({ personal_email: 'riley@home.example' });
  });
  afterAll(async () => t.destroy());

  const referral = {
    reason: 'Struggling with night shifts since returning',
    questions: 'Is Riley fit for night shifts? What adjustments would help?',
    adjustmentsTried: 'Day shifts for two weeks',
    currentlyAbsent: false,
    personInformed: true,
  };

  it('when a line manager refers a team member, then they must have told them; the person is emailed, can read the copy, and OH has it to triage', async () => {
    const untold = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/oh-referrals`)
      .set(as('lineManager'))
      .send({ ...referral, personInformed: false });
    expect(untold.status).toBe(422);
    expect(untold.body.error.fields).toHaveProperty('personInformed');

    const res = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/oh-referrals`)
      .set(as('lineManager'))
      .send(referral);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: 'management', status: 'awaiting-triage' });
    // The person's copy (seed 003 §14.1).
    const copy = await request(t.app).get(`/api/v1/oh-referrals/${res.body.id}`).set(as('staff'));
    expect(copy.status).toBe(200);
    expect(copy.body.details).toMatchObject({ questions: referral.questions });
    // Told by email, to their personal address; the email carries no detail, only where to read it.
    await t.platform.jobs.runner.runDue();
    const outbox = path.join(t.dataDir, 'outbox');
    const mail = fs
      .readdirSync(outbox)
      .map((f) =>
        fs
          .readFileSync(path.join(outbox, f), 'utf8')
          .replace(/=\r?\n/g, '')
          .replace(/=3D/g, '='),
      )
      .find((m) => m.includes('riley@home.example'));
    expect(mail).toBeDefined();
    expect(mail).toContain(`/me/referrals/${res.body.id}`);
    expect(mail).not.toContain('night shifts');
    // The OH clinicians' queue has the triage task (a clinical decision: not the administrators');
    // nobody outside reach can make or read one.
    const oh = (await request(t.app).get('/api/v1/worklist').set(as('clinician'))).body.items as Array<{
      code: string;
      sourceId: string;
    }>;
    expect(oh).toEqual([expect.objectContaining({ code: 'oh-referral-triage', sourceId: res.body.id })]);
    expect((await request(t.app).get('/api/v1/worklist').set(as('ohAdmin'))).body.items).toEqual([]);
    // The referrer sees what they wrote, never what OH decided.
    const theirs = await request(t.app).get(`/api/v1/oh-referrals/${res.body.id}`).set(as('lineManager'));
    expect(theirs.body).toMatchObject({ status: 'awaiting-triage', triageNote: null, pathwayId: null });
    expect(
      (await request(t.app).post(`/api/v1/people/${w.outsider.id}/oh-referrals`).set(as('lineManager')).send(referral))
        .status,
    ).toBe(404);
    expect((await request(t.app).get(`/api/v1/oh-referrals/${res.body.id}`).set(as('partnerHr'))).status).toBe(404);
  });

  it('when OH triages the referral into a pathway, then the person is enrolled, the task is done and it cannot be triaged twice', async () => {
    const [waiting] = (await request(t.app).get('/api/v1/oh-referrals').set(as('clinician'))).body.items;
    const res = await request(t.app)
      .post(`/api/v1/oh-referrals/${waiting.id}/triage`)
      .set(as('clinician'))
      .send({ accept: true, definition: 'mental-health', note: 'Sleep and mood: screening first' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', pathwayId: expect.any(String) });
    const pathway = (await request(t.app).get(`/api/v1/pathways/${res.body.pathwayId}`).set(as('clinician'))).body;
    expect(pathway).toMatchObject({ enrolmentSource: 'management-referral', definition: { code: 'mental-health' } });
    expect((await request(t.app).get('/api/v1/worklist').set(as('clinician'))).body.items).toEqual([]);
    // OH's note stays with OH: the manager still sees only that it was received.
    expect((await request(t.app).get(`/api/v1/oh-referrals/${waiting.id}`).set(as('lineManager'))).body).toMatchObject({
      status: 'awaiting-triage',
      triageNote: null,
      pathwayId: null,
    });
    const again = await request(t.app)
      .post(`/api/v1/oh-referrals/${waiting.id}/triage`)
      .set(as('clinician'))
      .send({ accept: false, note: 'duplicate' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('referral-already-triaged');
  });

  it('when a staff member refers themselves, then OH sees what they wrote but their manager cannot read it', async () => {
    const res = await request(t.app).post('/api/v1/me/oh-referrals').set(as('staff')).send({
      concern: 'welfare',
      description: 'Finding things hard after a fatal collision',
      venuePreference: 'Not the local hospital',
    });
    expect(res.status).toBe(201);
    expect(res.body.source).toBe('self');
    expect((await request(t.app).get(`/api/v1/oh-referrals/${res.body.id}`).set(as('lineManager'))).status).toBe(404);
    expect(
      (await request(t.app).get(`/api/v1/oh-referrals/${res.body.id}`).set(as('clinician'))).body.details,
    ).toMatchObject({ description: 'Finding things hard after a fatal collision' });
    // OH administrators handle bookings, not what a person wrote about their health.
    expect((await request(t.app).get(`/api/v1/oh-referrals/${res.body.id}`).set(as('ohAdmin'))).body.details).toEqual(
      {},
    );
    expect(
      (await request(t.app).post('/api/v1/me/oh-referrals').set(as('staff')).send({ concern: 'bored' })).status,
    ).toBe(422);
    const declined = await request(t.app)
      .post(`/api/v1/oh-referrals/${res.body.id}/triage`)
      .set(as('clinician'))
      .send({ accept: false, note: 'Already on the mental health pathway; discussed at the next step' });
    expect(declined.body).toMatchObject({ status: 'declined', pathwayId: null });
  });

  it('when an absence passes the OH referral point, then the daily job refers it: a musculoskeletal reason starts the MSK pathway at once', async () => {
    const absence = await request(t.app)
      .post(`/api/v1/people/${w.indirectReport.id}/absences`)
      .set(as('hr'))
      .send({ startDate: '2026-11-02', reasonCategory: 'musculoskeletal-back' });
    expect(absence.status).toBe(201);
    await t.platform.jobs.start();
    await t.platform.jobs.runner.stop();
    t.clock.set('2026-12-01T06:00:01Z'); // day 30
    expect((await t.platform.jobs.runner.runDue()).failed).toBe(0);
    const pathways = (await request(t.app).get(`/api/v1/people/${w.indirectReport.id}/pathways`).set(as('clinician')))
      .body.items;
    expect(pathways).toEqual([
      expect.objectContaining({
        enrolmentSource: 'automatic',
        definition: expect.objectContaining({ code: 'msk' }),
        status: 'active',
      }),
    ]);
    // The attendance item is done: the referral is made.
    const ohTasks = (await request(t.app).get('/api/v1/worklist').set(as('ohAdmin'))).body.items as Array<{
      code: string;
    }>;
    expect(ohTasks.map((x) => x.code)).not.toContain('oh-referral');
    // Running again makes no second referral.
    t.clock.set('2026-12-02T06:00:01Z');
    await t.platform.jobs.runner.runDue();
    expect(
      await t.database.db('oh_referrals').where({ absence_id: absence.body.id }).count<{ n: number }[]>({ n: '*' }),
    ).toEqual([{ n: 1 }]);
  });
});

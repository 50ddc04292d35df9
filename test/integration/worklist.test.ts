import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

describe('attendance milestones on worklists (issue 3 §4)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const worklistOf = async (u: keyof World['tokens']) =>
    (await request(t.app).get('/api/v1/worklist').set(as(u))).body.items as Array<{
      id: string;
      code: string;
      sequence: number;
      dueDate: string;
      subjectPersonId: string;
      escalationLevel: number;
    }>;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-13T09:00:00Z'); // Friday
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when a line manager records an absence that began ten days ago, then its milestones are on their worklist with due dates', async () => {
    const res = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(as('lineManager'))
      .send({ startDate: '2026-11-03', reasonCategory: 'mental-health-stress' });
    expect(res.status).toBe(201);
    const tasks = await worklistOf('lineManager');
    const byCode = Object.fromEntries(tasks.map((x) => [`${x.code}#${x.sequence}`, x.dueDate]));
    expect(byCode).toMatchObject({
      'manager-contact#1': '2026-11-04',
      'fourth-day-call#1': '2026-11-06',
      'medical-certificate#1': '2026-11-10',
      'liaison-officer#1': '2026-11-10',
      'weekly-contact#1': '2026-11-10',
    });
    // The home visit is planned from day 15 (ATT-10: by day 21); today is day 11.
    expect(byCode).not.toHaveProperty('home-visit#1');
    expect(tasks.every((x) => x.subjectPersonId === w.report.id)).toBe(true);
    // Nothing for the OH queue yet (the referral is at day 29).
    expect(await worklistOf('ohAdmin')).toEqual([]);
  });

  it('when a task is completed by its owner, then it leaves the list; nobody else can complete it', async () => {
    const [first] = await worklistOf('lineManager');
    expect(
      (await request(t.app).post(`/api/v1/tasks/${first!.id}/complete`).set(as('hr')).send({ note: 'not mine' }))
        .status,
    ).toBe(404);
    const done = await request(t.app)
      .post(`/api/v1/tasks/${first!.id}/complete`)
      .set(as('lineManager'))
      .send({ note: 'Spoke on the phone' });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expect((await worklistOf('lineManager')).map((x) => x.id)).not.toContain(first!.id);
    expect(
      (await request(t.app).post(`/api/v1/tasks/${first!.id}/complete`).set(as('lineManager')).send({})).status,
    ).toBe(404);
  });

  it('when days pass, then the daily job adds the milestones that became due, the OH referral to the OH queue, and escalates overdue ones', async () => {
    await t.platform.jobs.start();
    await t.platform.jobs.runner.stop();
    t.clock.set('2026-12-03T06:00:01Z');
    const summary = await t.platform.jobs.runner.runDue();
    expect(summary.failed).toBe(0);
    // The OH referral point (day 29, 1 December) has passed: the same run referred the absence
    // into OH (issue 4), and its stress-related reason started the mental health pathway.
    expect(await worklistOf('ohAdmin')).toEqual([]);
    const referral = await t.database.db('tasks').where({ code: 'oh-referral' }).first();
    expect(referral).toMatchObject({ status: 'completed', due_date: '2026-12-01' });
    const pathways = (await request(t.app).get(`/api/v1/people/${w.report.id}/pathways`).set(as('clinician'))).body
      .items;
    expect(
      pathways.map((p: { definition: { code: string }; enrolmentSource: string }) => [
        p.definition.code,
        p.enrolmentSource,
      ]),
    ).toEqual([['mental-health', 'automatic']]);
    // The manager has no manager above them, so their overdue steps went to the HR queue.
    const hr = await worklistOf('hr');
    expect(hr.length).toBeGreaterThan(0);
    expect(hr.every((x) => x.escalationLevel === 1)).toBe(true);
    expect(hr.map((x) => x.code)).toContain('fourth-day-call');
    const escalation = await t.database
      .db('audit_events')
      .where({ entity_type: 'task', request_id: 'worklist-escalation' })
      .first();
    expect(escalation).toBeDefined();
  });

  it('when the person returns, then steps after their return are cancelled', async () => {
    const spell = (await request(t.app).get(`/api/v1/people/${w.report.id}/absences`).set(as('hr'))).body.items[0];
    await request(t.app).patch(`/api/v1/absences/${spell.id}`).set(as('hr')).send({ endDate: '2026-11-12' });
    const remaining = [
      ...(await worklistOf('hr')),
      ...(await worklistOf('lineManager')),
      ...(await worklistOf('ohAdmin')),
    ];
    expect(remaining.map((x) => x.code)).not.toContain('oh-referral');
    // Only the return-to-work interview lies after the return: due on the first day back (ATT-13).
    expect(remaining.filter((x) => x.dueDate > '2026-11-12').map((x) => [x.code, x.dueDate])).toEqual([
      ['return-to-work-interview', '2026-11-13'],
    ]);
  });

  it('when the worklist page is opened, then tasks show with the person and a done button', async () => {
    // Tasks go to the person's direct line manager: the report's, here.
    expect(
      (
        await request(t.app)
          .post(`/api/v1/people/${w.report.id}/absences`)
          .set(as('lineManager'))
          .send({ startDate: '2026-12-01', reasonCategory: 'cold-flu' })
      ).status,
    ).toBe(201);
    const agent = await signIn(t, w.users.lineManager.email);
    const page = await agent.get('/worklist');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Riley Report');
    expect(page.text).toContain('Manager makes contact (within 24 hours)');
    const taskId = /action="\/tasks\/([0-9a-f-]+)\/complete"/.exec(page.text)?.[1];
    const done = await agent
      .post(`/tasks/${taskId}/complete`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), note: 'Called' });
    expect(done.status).toBe(303);
    expect((await t.database.db('tasks').where({ id: taskId }).first()).completion_note).toBe('Called');
  });
});

describe('injury on duty on worklists (ATT-5)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const codes = async (u: keyof World['tokens']) =>
    (
      (await request(t.app).get('/api/v1/worklist').set(as(u))).body.items as Array<{ code: string; dueDate: string }>
    ).map((x) => `${x.code} ${x.dueDate}`);

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-16T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when an injury on duty keeps someone off, then the manager has the accident report due in 48 hours, and HR the HSE report once it passes 7 days', async () => {
    expect(
      (
        await request(t.app)
          .post(`/api/v1/people/${w.report.id}/absences`)
          .set(as('lineManager'))
          .send({ startDate: '2026-11-16', reasonCategory: 'assault-on-duty', dutyRelated: true, injuryOnDuty: true })
      ).status,
    ).toBe(201);
    expect(await codes('lineManager')).toContain('accident-report 2026-11-18');
    expect((await codes('hr')).filter((c) => c.startsWith('hse-report'))).toEqual([]);
    t.clock.set('2026-11-24T06:00:01Z');
    await t.platform.services.attendanceSweep.dailySweep('2026-11-24');
    expect(await codes('hr')).toContain('hse-report 2026-12-01');
  });
});

describe('tasks that start or stop applying later (ATT-13, ATT-14)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const tasksOf = async (sourceType: string) =>
    (await t.database.db('tasks').where({ source_type: sourceType }).orderBy(['code', 'sequence'])).map((x) => [
      x.code,
      x.status,
    ]);

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-16T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when an absence is recorded with a last day still to come, then the daily sweep asks for the interview once that day has passed', async () => {
    const res = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(as('lineManager'))
      .send({ startDate: '2026-11-16', endDate: '2026-11-18', reasonCategory: 'cold-flu' });
    expect(res.status).toBe(201);
    t.clock.set('2026-11-19T06:00:01Z');
    await t.platform.services.attendanceSweep.dailySweep('2026-11-19');
    const interview = await t.database
      .db('tasks')
      .where({ source_id: res.body.id, code: 'return-to-work-interview' })
      .first();
    expect(interview).toMatchObject({ status: 'open', due_date: '2026-11-19', overdue_after: '2026-11-26' });
  });

  it('when a return is recorded by mistake and taken back, then the steps it cancelled come back', async () => {
    t.clock.set('2026-11-30T09:00:00Z');
    const res = await request(t.app)
      .post(`/api/v1/people/${w.outsider.id}/absences`)
      .set(as('hr'))
      .send({ startDate: '2026-11-23', reasonCategory: 'musculoskeletal-back' });
    const id = res.body.id;
    const open = async () =>
      (await t.database.db('tasks').where({ source_id: id, status: 'open' }).pluck('code')).sort();
    const before = await open();
    expect(before).toContain('fourth-day-call');
    await request(t.app).patch(`/api/v1/absences/${id}`).set(as('hr')).send({ endDate: '2026-11-24' });
    // Back after two days: later steps no longer apply; the contact made on day 1 still stands.
    expect(await open()).toEqual(['manager-contact', 'return-to-work-interview']);
    await request(t.app).patch(`/api/v1/absences/${id}`).set(as('hr')).send({ endDate: null });
    expect(await open()).toEqual(before);
  });

  it('when an absence with a recuperative strategy is removed, then the strategy’s reviews go with it', async () => {
    const res = await request(t.app)
      .post(`/api/v1/people/${w.indirectReport.id}/absences`)
      .set(as('hr'))
      .send({ startDate: '2026-10-05', endDate: '2026-11-20', reasonCategory: 'musculoskeletal-back' });
    const interview = {
      interviewDate: '2026-11-23',
      fitForFullDuties: false,
      recurrenceLikelihood: 'possible',
      attendanceExpectationsDiscussed: true,
      certificationComplete: true,
      disabilityRelated: false,
      pregnancyRelated: false,
      notifiedFirstDayOfSickness: true,
      notifiedFirstDayOfFitness: true,
      flexibleWorkingDiscussed: true,
      strategy: 'recuperative',
      strategyReviewDate: '2026-11-30',
      strategyEndDate: '2027-03-31',
    };
    expect(
      (await request(t.app).post(`/api/v1/absences/${res.body.id}/return-to-work`).set(as('hr')).send(interview))
        .status,
    ).toBe(201);
    expect(await tasksOf('return-to-work-interview')).toEqual([['duties-review', 'open']]);
    await request(t.app)
      .delete(`/api/v1/absences/${res.body.id}`)
      .set(as('hr'))
      .send({ reason: 'Entered against the wrong person' });
    expect(await tasksOf('return-to-work-interview')).toEqual([['duties-review', 'cancelled']]);
  });
});

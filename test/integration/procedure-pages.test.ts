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

describe('attendance procedure pages and letters (ATT-18, ATT-20 … ATT-25)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-16T10:00:00Z'); // Monday
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when HR records informal action and invites to stage 1 through the pages, then a bad meeting date comes back with the earliest date, values kept; fixed, the case lists it with its letter', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const informal = await agent.get(`/people/${w.report.id}/attendance/procedure/informal`);
    expect(informal.status).toBe(200);
    const saved = await agent
      .post(`/people/${w.report.id}/attendance/procedure/informal`)
      .type('form')
      .send({
        _csrf: csrfFrom(informal.text),
        actionDate: '2026-10-05',
        notes: 'Discussed four short absences; EAP and OH support offered',
      });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/people/${w.report.id}/attendance/procedure`);

    const form = await agent.get(`/people/${w.report.id}/attendance/procedure/stage`);
    const fields = {
      _csrf: csrfFrom(form.text),
      step: 'stage-1',
      ohReportRequestedOn: '2026-11-02',
      invitationDate: '2026-11-16',
      meetingDate: '2026-11-19',
      meetingTime: '10:30',
      meetingLocation: 'Room 4, Headquarters',
      chairName: 'Insp. Gwen Price',
    };
    const bad = await agent.post(`/people/${w.report.id}/attendance/procedure/stage`).type('form').send(fields);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('the earliest date for an invitation given on 16 November 2026 is 23 November 2026');
    expect(bad.text).toContain('value="Room 4, Headquarters"');
    expect(bad.text).toContain('href="#meetingDate"');
    const ok = await agent
      .post(`/people/${w.report.id}/attendance/procedure/stage`)
      .type('form')
      .send({ ...fields, meetingDate: '2026-11-23' });
    expect(ok.status).toBe(303);

    const page = await agent.get(`/people/${w.report.id}/attendance/procedure`);
    expect(page.status).toBe(200);
    // What happened and what comes next (issue 15 §4).
    expect(page.text).toContain('The invitation to the meeting has been recorded');
    expect(page.text).toContain('After the meeting, record its outcome here.');
    expect(page.text).toContain('Stage 1 meeting');
    expect(page.text).toContain('Awaiting the outcome');
    expect(page.text).toContain('OH report requested on 2 November 2026');
    const stepId = /\/attendance-procedure\/([0-9a-f-]+)\/letters\/invitation/.exec(page.text)?.[1];
    expect(stepId).toBeDefined();

    const letter = await agent.get(`/attendance-procedure/${stepId}/letters/invitation`);
    expect(letter.status).toBe(200);
    expect(letter.text).toContain('Invitation to a stage 1 attendance meeting');
    // On screen, inside the service's own layout, with the printable version one link away.
    expect(letter.text).toContain('<html lang="en">');
    expect(letter.text).toContain('nhsuk-header');
    expect(letter.text).toContain('/letters/invitation?print');
    expect(letter.text).toContain('23 November 2026');
    expect(letter.text).toContain('Room 4, Headquarters');
    expect(letter.text).toContain('right to be accompanied by a trade union representative or a work colleague');
    expect(letter.text).toContain('reasonable adjustments');
    expect(letter.text).toContain('at least 5 working days');
    const printable = await agent.get(`/attendance-procedure/${stepId}/letters/invitation?print=1&lang=cy`);
    expect(printable.status).toBe(200);
    expect(printable.text).toContain('<html lang="cy">');
    expect(printable.text).toContain('Gwahoddiad i gyfarfod presenoldeb cam 1');
    expect(printable.text).not.toContain('nhsuk-header');
    expect((await agent.get(`/attendance-procedure/${stepId}/letters/outcome`)).status).toBe(404);
    const audited = await t.database
      .db('audit_events')
      .where({ entity_type: 'attendance-letter', entity_id: stepId })
      .first();
    expect(audited).toBeDefined();
  });

  it('when the outcome is recorded through its page, then the outcome letter gives the warning, review date and appeal deadline', async () => {
    t.clock.set('2026-11-24T10:00:00Z');
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get(`/people/${w.report.id}/attendance/procedure`);
    const stepId = /\/attendance-procedure\/([0-9a-f-]+)\/outcome/.exec(page.text)?.[1];
    const form = await agent.get(`/attendance-procedure/${stepId}/outcome`);
    expect(form.text).toContain('Between 23 December 2026 and 23 February 2027');
    const missing = await agent
      .post(`/attendance-procedure/${stepId}/outcome`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), outcomeDate: '2026-11-24' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Choose an outcome the stage allows');
    const ok = await agent
      .post(`/attendance-procedure/${stepId}/outcome`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        outcome: 'first-written-improvement-notice',
        outcomeDate: '2026-11-24',
        reviewEndDate: '2027-02-23',
        notes: 'Weekly check-ins for three months',
      });
    expect(ok.status).toBe(303);
    const letter = await agent.get(`/attendance-procedure/${stepId}/letters/outcome`);
    expect(letter.text).toContain('The outcome is: First written improvement notice.');
    expect(letter.text).toContain('disregarded after 12 months of satisfactory attendance');
    expect(letter.text).toContain('reviewed until 23 February 2027');
    expect(letter.text).toContain('received by 1 December 2026');
    expect(letter.text).toContain('Weekly check-ins for three months');
    const caseView = await agent.get(`/people/${w.report.id}/attendance/procedure`);
    expect(caseView.text).toContain('Warning stands until 24 November 2027');
  });

  it('when a form is asked for that informal action does not have, or a review point not on the list is sent, then 404 or the error sits on the field', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const informalId = (
      await t.database
        .db('attendance_procedure_steps')
        .where({ person_id: w.report.id, step: 'informal-action' })
        .first()
    ).id;
    expect((await agent.get(`/attendance-procedure/${informalId}/outcome`)).status).toBe(404);
    expect((await agent.get(`/attendance-procedure/${informalId}/appeal`)).status).toBe(404);
    const form = await agent.get(`/people/${w.report.id}/attendance/trigger-decision`);
    const bad = await agent
      .post(`/people/${w.report.id}/attendance/trigger-decision`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), triggerCodes: 'sunspots', decision: 'maybe' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#decision"');
    expect(bad.text).toContain('Choose the decision');
  });

  it('when the staff member opens their own case, then they see the steps and letters but no action links', async () => {
    const agent = await signIn(t, w.users.staff.email);
    const page = await agent.get(`/people/${w.report.id}/attendance/procedure`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Outcome letter');
    expect(page.text).not.toContain('Record an appeal');
    expect(page.text).not.toContain('Record informal action');
    // The score and review points are explained, with the policy's thresholds (issue 15 §8).
    expect(page.text).toContain('What the Bradford score and review points mean');
    expect(page.text).toContain('a Bradford score of 200 or more');
  });

  it('when a trigger is reached, then the manager’s worklist links the review to the decision form, which will not take a note alone; the decision completes it', async () => {
    for (const d of ['2026-06-02', '2026-07-07', '2026-09-08']) {
      expect(
        (
          await request(t.app)
            .post(`/api/v1/people/${w.report.id}/absences`)
            .set(as('lineManager'))
            .send({ startDate: d, endDate: d, reasonCategory: 'cold-flu' })
        ).status,
      ).toBe(201);
    }
    const agent = await signIn(t, w.users.lineManager.email);
    const list = await agent.get('/worklist');
    expect(list.text).toContain('Review the attendance: a review point is reached');
    expect(list.text).toContain(`href="/people/${w.report.id}/attendance/trigger-decision"`);
    const review = await t.database
      .db('tasks')
      .where({ subject_person_id: w.report.id, code: 'trigger-review', status: 'open' })
      .first();
    expect(review.assignee_person_id).toBe(w.manager.id);
    const noted = await request(t.app)
      .post(`/api/v1/tasks/${review.id}/complete`)
      .set(as('lineManager'))
      .send({ note: 'done' });
    expect(noted.status).toBe(409);
    expect(noted.body.error.code).toBe('task-needs-its-form');

    const form = await agent.get(`/people/${w.report.id}/attendance/trigger-decision`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('3 spells of absence in 12 months');
    const bare = await agent
      .post(`/people/${w.report.id}/attendance/trigger-decision`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), triggerCodes: 'spells', decision: 'no-action' });
    expect(bare.status).toBe(422);
    expect(bare.text).toContain('A decision not to act must give its rationale');
    expect(bare.text).toMatch(/id="triggerCodes"[^>]*checked/);
    const ok = await agent
      .post(`/people/${w.report.id}/attendance/trigger-decision`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        triggerCodes: 'spells',
        decision: 'no-action',
        rationale: 'Three unrelated colds; attendance otherwise very good',
      });
    expect(ok.status).toBe(303);
    expect((await t.database.db('tasks').where({ id: review.id }).first()).status).toBe('completed');
    const caseView = await agent.get(`/people/${w.report.id}/attendance/procedure`);
    expect(caseView.text).toContain('Three unrelated colds');
    expect(caseView.text).toContain('Your decision about the review points has been recorded');
  });
});

describe('sick pay and return-to-work duties on the pages (ATT-14, ATT-29)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when someone has been off for months, then HR sees when pay reduces and the warning on the HR queue; the line manager does not see pay', async () => {
    // Service since 2010: 180 days full pay, 180 half. Off since 1 May 2026: full pay to 27 October.
    expect(
      (
        await request(t.app)
          .post(`/api/v1/people/${w.report.id}/absences`)
          .set(as('hr'))
          .send({ startDate: '2026-05-01', reasonCategory: 'mental-health-stress', certification: 'medical' })
      ).status,
    ).toBe(201);
    const hrView = (await request(t.app).get(`/api/v1/people/${w.report.id}/attendance`).set(as('hr'))).body;
    expect(hrView.sickPay).toMatchObject({ band: 'half', fullPayUntil: '2026-10-27', halfPayUntil: '2027-04-25' });
    const managerView = (await request(t.app).get(`/api/v1/people/${w.report.id}/attendance`).set(as('lineManager')))
      .body;
    expect(managerView).not.toHaveProperty('sickPay');
    const hrTasks = (await request(t.app).get('/api/v1/worklist').set(as('hr'))).body.items.map(
      (x: { code: string; dueDate: string }) => `${x.code} ${x.dueDate}`,
    );
    // Full pay ends on 27 October: HR were to warn 14 days before (App D §6.2); the first monthly review is not yet due.
    expect(hrTasks).toContain('sick-pay-half-pay-warning 2026-10-14');
    expect(hrTasks.filter((x: string) => x.startsWith('sick-pay-review'))).toEqual([]);
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get(`/people/${w.report.id}/attendance`);
    expect(page.text).toContain('Full pay until 27 October 2026');
    expect(page.text).toContain('Half pay until 25 April 2027');
    // The letter HR sends before pay is cut (App D §6.2), in English and Welsh.
    const letterHref = /href="(\/absences\/[0-9a-f-]+\/letters\/sick-pay)"/.exec(page.text)?.[1];
    const letter = await agent.get(letterHref!);
    expect(letter.status).toBe(200);
    expect(letter.text).toContain('Half pay from 28 October 2026 until 25 April 2027');
    expect(letter.text).toContain('No sick pay from 26 April 2027');
    expect(letter.text).toContain('pension contributions');
    expect((await agent.get(`${letterHref}?lang=cy&print=1`)).text).toContain(
      'Hanner cyflog o 28 Hydref 2026 tan 25 Ebrill 2027',
    );
    expect((await (await signIn(t, w.users.lineManager.email)).get(letterHref!)).status).toBe(403);
  });

  it('when HR extends sick pay at the force’s discretion, then the dates move and it is audited', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get(`/people/${w.report.id}/attendance`);
    const absenceId = /\/absences\/([0-9a-f-]+)\/sick-pay-extension/.exec(page.text)?.[1];
    const form = await agent.get(`/absences/${absenceId}/sick-pay-extension`);
    const bad = await agent
      .post(`/absences/${absenceId}/sick-pay-extension`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        fullPayExtraDays: 'thirty',
        halfPayExtraDays: '0',
        decidedOn: '2026-11-19',
        reason: 'Chief Constable: injury attributable to duty',
      });
    expect(bad.status).toBe(422);
    const ok = await agent
      .post(`/absences/${absenceId}/sick-pay-extension`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        fullPayExtraDays: '30',
        halfPayExtraDays: '0',
        decidedOn: '2026-11-19',
        reason: 'Chief Constable: injury attributable to duty',
      });
    expect(ok.status).toBe(303);
    const after = await agent.get(ok.headers.location as string);
    expect(after.text).toContain('The sick pay extension has been recorded');
    expect(after.text).toContain('Send the person a letter confirming them.');
    const view = (await request(t.app).get(`/api/v1/people/${w.report.id}/attendance`).set(as('hr'))).body;
    expect(view.sickPay).toMatchObject({
      fullPayUntil: '2026-11-26',
      band: 'full',
      extension: { fullPayDays: 30, halfPayDays: 0 },
    });
    // The warning follows the new date: the one about 28 October lapses, one about 27 November is asked for.
    const warnings = await t.database.db('tasks').where({ code: 'sick-pay-half-pay-warning' }).orderBy('sequence');
    expect(warnings.map((x) => [x.sequence, x.due_date, x.status])).toEqual([
      [20261028, '2026-10-14', 'cancelled'],
      [20261127, '2026-11-13', 'open'],
    ]);
    expect(await t.database.db('audit_events').where({ entity_type: 'sick-pay-extension' }).first()).toBeDefined();
  });

  it('when the person returns on recuperative duties, then the monthly reviews and the pay review fall due on the right lists', async () => {
    const spell = (await request(t.app).get(`/api/v1/people/${w.report.id}/absences`).set(as('hr'))).body.items[0];
    expect(
      (await request(t.app).patch(`/api/v1/absences/${spell.id}`).set(as('hr')).send({ endDate: '2026-11-19' })).status,
    ).toBe(200);
    const interview = {
      interviewDate: '2026-11-20',
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
      strategyReviewDate: '2026-12-18',
    };
    const tooLong = await request(t.app)
      .post(`/api/v1/absences/${spell.id}/return-to-work`)
      .set(as('lineManager'))
      .send({ ...interview, strategyEndDate: '2027-06-01' });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.fields.strategyEndDate).toMatch(/less than 6 months: they must end before 20 May 2027/);
    expect(
      (
        await request(t.app)
          .post(`/api/v1/absences/${spell.id}/return-to-work`)
          .set(as('lineManager'))
          .send({ ...interview, strategyEndDate: '2027-04-30' })
      ).status,
    ).toBe(201);
    const duties = async () =>
      (
        await t.database.db('tasks').where({ source_type: 'return-to-work-interview' }).orderBy(['due_date', 'code'])
      ).map((x) => [x.code, x.due_date, x.assignee_person_id ? 'manager' : x.assignee_role, x.escalation_level]);
    // The first monthly review falls due on the manager's list (§15.4).
    t.clock.set('2026-12-18T07:00:00Z');
    await t.platform.services.attendanceSweep.dailySweep('2026-12-18');
    expect(await duties()).toEqual([['duties-review', '2026-12-18', 'manager', 0]]);
    // Three months after the return, full pay on recuperative duties is reviewed by HR (§15.7.1); the reviews not done have moved up the line.
    t.clock.set('2027-02-22T07:00:00Z');
    await t.platform.services.attendanceSweep.dailySweep('2027-02-22');
    expect(await duties()).toEqual([
      ['duties-review', '2026-12-18', 'hr-manager', 1],
      ['duties-review', '2027-01-18', 'hr-manager', 1],
      ['duties-review', '2027-02-18', 'manager', 0],
      ['recuperative-pay-review', '2027-02-20', 'hr-manager', 0],
    ]);
  });
});

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

describe('return-to-work interviews (ATT-13, ATT-14)', () => {
  let t: TestPlatform;
  let w: World;
  let absenceId: string;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const interview = {
    interviewDate: '2026-11-23',
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
  };

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-23T09:00:00Z'); // Monday
    w = await buildWorld(t);
    const res = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(as('lineManager'))
      .send({ startDate: '2026-11-16', endDate: '2026-11-20', reasonCategory: 'cold-flu', certification: 'self' });
    absenceId = res.body.id;
  });
  afterAll(async () => t.destroy());

  it('when the person is back, then the interview is on the line manager’s worklist, due on the first day back', async () => {
    const tasks = (await request(t.app).get('/api/v1/worklist').set(as('lineManager'))).body.items;
    expect(tasks).toContainEqual(
      expect.objectContaining({ code: 'return-to-work-interview', dueDate: '2026-11-23', sourceId: absenceId }),
    );
  });

  it('when the form is incomplete, then 422 names the missing answers', async () => {
    const res = await request(t.app)
      .post(`/api/v1/absences/${absenceId}/return-to-work`)
      .set(as('lineManager'))
      .send({ interviewDate: '2026-11-23' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields)).toEqual(
      expect.arrayContaining(['fitForFullDuties', 'recurrenceLikelihood', 'notifiedFirstDayOfFitness']),
    );
  });

  it('when the interview date is during the absence, then it is refused', async () => {
    const res = await request(t.app)
      .post(`/api/v1/absences/${absenceId}/return-to-work`)
      .set(as('lineManager'))
      .send({ ...interview, interviewDate: '2026-11-19' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.interviewDate).toMatch(/after the absence/);
  });

  it('when the interview is recorded, then it is stored, the task is done, and a second one is refused', async () => {
    const res = await request(t.app)
      .post(`/api/v1/absences/${absenceId}/return-to-work`)
      .set(as('lineManager'))
      .send(interview);
    expect(res.status).toBe(201);
    const row = await t.database.db('return_to_work_interviews').where({ absence_id: absenceId }).first();
    expect(row).toMatchObject({ interview_date: '2026-11-23', recurrence_likelihood: 'unlikely' });
    expect(JSON.parse(row.workplace_factors)).toEqual(['workload']);
    const task = await t.database.db('tasks').where({ source_id: absenceId, code: 'return-to-work-interview' }).first();
    expect(task.status).toBe('completed');
    const again = await request(t.app)
      .post(`/api/v1/absences/${absenceId}/return-to-work`)
      .set(as('lineManager'))
      .send(interview);
    expect(again.status).toBe(422);
  });

  it('when a manager fills the form in the browser pages, then missing answers come back with errors and a complete form saves', async () => {
    const spell = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(as('lineManager'))
      .send({ startDate: '2026-11-02', endDate: '2026-11-03', reasonCategory: 'dental' });
    const agent = await signIn(t, w.users.lineManager.email);
    const summary = await agent.get(`/people/${w.report.id}/attendance`);
    expect(summary.text).toContain(`/absences/${spell.body.id}/return-to-work`);
    const form = await agent.get(`/absences/${spell.body.id}/return-to-work`);
    expect(form.status).toBe(200);
    const csrf = csrfFrom(form.text);
    const bad = await agent
      .post(`/absences/${spell.body.id}/return-to-work`)
      .type('form')
      .send({ _csrf: csrf, interviewDate: '2026-11-23', fitForFullDuties: 'yes' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('nhsuk-error-summary');
    const answers = {
      fitForFullDuties: 'yes',
      attendanceExpectationsDiscussed: 'yes',
      certificationComplete: 'yes',
      disabilityRelated: 'no',
      pregnancyRelated: 'no',
      notifiedFirstDayOfSickness: 'yes',
      notifiedFirstDayOfFitness: 'no',
      flexibleWorkingDiscussed: 'yes',
    };
    const ok = await agent
      .post(`/absences/${spell.body.id}/return-to-work`)
      .type('form')
      .send({
        _csrf: csrf,
        interviewDate: '2026-11-23',
        recurrenceLikelihood: 'possible',
        strategy: 'none',
        workplaceFactors: ['stress', 'workload'],
        ...answers,
      });
    expect(ok.status).toBe(303);
    const row = await t.database.db('return_to_work_interviews').where({ absence_id: spell.body.id }).first();
    expect(JSON.parse(row.workplace_factors)).toEqual(['stress', 'workload']);
    // Shown once it is recorded (issue 15 §9): when, who, what was agreed, and a link to it; with a banner.
    const page = await agent.get(ok.headers.location as string);
    expect(page.text).toContain('The return-to-work interview has been recorded');
    const row2 = rowOf(page.text, spell.body.id);
    expect(row2).toContain(`Held on 23 November 2026 by ${w.users.lineManager.displayName}`);
    expect(row2).toContain('Back on full duties');
    expect(row2).not.toContain('Record return-to-work interview');
    const view = await agent.get(`/absences/${spell.body.id}/return-to-work-interview`);
    expect(view.status).toBe(200);
    expect(view.text).toContain('Stress');
    expect(view.text).toContain('Possible');
    expect(view.text).not.toMatch(/ATT-\d|§|fitForFullDuties|recurrenceLikelihood/);
    // Out of reach, the interview is not found; the person sees their own.
    expect(
      (await (await signIn(t, w.users.partnerHr.email)).get(`/absences/${spell.body.id}/return-to-work-interview`))
        .status,
    ).toBe(404);
    expect(
      (await (await signIn(t, w.users.staff.email)).get(`/absences/${spell.body.id}/return-to-work-interview`)).status,
    ).toBe(200);
  });

  it('when a Welsh reader records an interview already recorded, then the refusal is in Welsh; the API says it in English', async () => {
    const agent = await signIn(t, w.users.lineManager.email);
    const home = await agent.get('/');
    await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'cy', returnTo: '/' });
    const form = await agent.get(`/absences/${absenceId}/return-to-work`);
    const again = await agent
      .post(`/absences/${absenceId}/return-to-work`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        interviewDate: '2026-11-23',
        recurrenceLikelihood: 'unlikely',
        strategy: 'none',
        fitForFullDuties: 'yes',
        attendanceExpectationsDiscussed: 'yes',
        certificationComplete: 'yes',
        disabilityRelated: 'no',
        pregnancyRelated: 'no',
        notifiedFirstDayOfSickness: 'yes',
        notifiedFirstDayOfFitness: 'yes',
        flexibleWorkingDiscussed: 'yes',
      });
    expect(again.status).toBe(422);
    expect(again.text).toContain('Mae cyfweliad dychwelyd i’r gwaith eisoes wedi’i gofnodi ar gyfer yr absenoldeb hwn');
    expect(again.text).not.toContain('already recorded for this absence');
    const api = await request(t.app)
      .post(`/api/v1/absences/${absenceId}/return-to-work`)
      .set(as('lineManager'))
      .send(interview);
    expect(api.body.error.fields.interviewDate).toBe('A return-to-work interview is already recorded for this absence');
    await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'en', returnTo: '/' });
  });

  it('when absences differ, then only a sickness absence the person is back from, with no interview, offers to record one', async () => {
    const record = (body: Record<string, unknown>) =>
      request(t.app)
        .post(`/api/v1/people/${w.report.id}/absences`)
        .set(as('lineManager'))
        .send({ certification: 'self', ...body });
    const due = (await record({ startDate: '2026-10-05', endDate: '2026-10-06', reasonCategory: 'cold-flu' })).body.id;
    const other = (
      await record({
        startDate: '2026-10-12',
        endDate: '2026-10-13',
        reasonCategory: 'other',
        notSicknessKind: 'statutory-medical',
      })
    ).body.id;
    const endsToday = (await record({ startDate: '2026-11-23', endDate: '2026-11-23', reasonCategory: 'cold-flu' }))
      .body.id;
    const agent = await signIn(t, w.users.lineManager.email);
    const page = await agent.get(`/people/${w.report.id}/attendance`);
    expect(rowOf(page.text, due)).toContain('Record return-to-work interview');
    expect(rowOf(page.text, other)).not.toContain('Record return-to-work interview');
    expect(rowOf(page.text, endsToday)).not.toContain('Record return-to-work interview');
    expect(rowOf(page.text, endsToday)).toContain('Held when they are back at work');
    // The person sees their own absences, and is never offered to record their own interview.
    const own = await (await signIn(t, w.users.staff.email)).get(`/people/${w.report.id}/attendance`);
    expect(rowOf(own.text, due)).toContain('Not recorded yet');
    expect(own.text).not.toContain('Record return-to-work interview');
  });
});

/** The table row of one absence on the attendance page; fails when there is none. */
function rowOf(html: string, absenceId: string): string {
  const row = html.split('<tr role="row"').find((r) => r.includes(`id="absence-${absenceId}"`));
  expect(row, `the row of absence ${absenceId}`).toBeDefined();
  return row!.split('</tr>')[0]!;
}

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';

describe('formal attendance procedure (ATT-20 … ATT-25)', () => {
  let t: TestPlatform;
  let w: World;
  const auth = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const post = (body: Record<string, unknown>, u: keyof World['tokens'] = 'hr', personId?: string) =>
    request(t.app)
      .post(`/api/v1/people/${personId ?? w.report.id}/attendance-procedure`)
      .set(auth(u))
      .send(body);
  const change = (
    stepId: string,
    what: 'outcome' | 'postponement' | 'appeal',
    body: Record<string, unknown>,
    u: keyof World['tokens'] = 'hr',
  ) => request(t.app).post(`/api/v1/attendance-procedure/${stepId}/${what}`).set(auth(u)).send(body);
  const caseOf = async (asOf?: string) =>
    (
      await request(t.app)
        .get(`/api/v1/people/${w.report.id}/attendance-procedure${asOf ? `?asOf=${asOf}` : ''}`)
        .set(auth('hr'))
    ).body;
  const stage1 = {
    step: 'stage-1',
    ohReportRequestedOn: '2026-11-02',
    invitationDate: '2026-11-16',
    meetingDate: '2026-11-23',
    meetingTime: '10:00',
    meetingLocation: 'Room 2, Carmarthen HQ',
    chairName: 'Insp. Gwen Price',
  };

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-16T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when stage 1 is asked for before any informal action, then it is refused (ATT-20)', async () => {
    const res = await post(stage1);
    expect(res.status).toBe(422);
    expect(res.body.error.fields.step).toMatch(/Informal action must be recorded before a formal stage/);
  });

  it('when a stage is asked for without an OH report requested first, then it is refused (ATT-20, §19.3)', async () => {
    expect(
      (
        await post({
          step: 'informal-action',
          actionDate: '2026-10-01',
          notes: 'Discussed attendance and support available',
        })
      ).status,
    ).toBe(201);
    const res = await post({ ...stage1, ohReportRequestedOn: null });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.ohReportRequestedOn).toMatch(/OH report/);
  });

  it('when the meeting date gives less than 5 working days’ notice, then it is refused naming the earliest date (ATT-21)', async () => {
    const res = await post({ ...stage1, meetingDate: '2026-11-20' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.meetingDate).toBe(
      "The meeting must give at least 5 working days' notice: the earliest date for an invitation given on 16 November 2026 is 23 November 2026",
    );
  });

  it('when the review period is outside 1–3 months, then it is refused', async () => {
    t.clock.set('2026-11-24T09:00:00Z');
    const res = await post({
      ...stage1,
      outcome: 'first-written-improvement-notice',
      outcomeDate: '2026-11-24',
      reviewEndDate: '2027-06-01',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.reviewEndDate).toMatch(/between 23 December 2026 and 23 February 2027/);
  });

  let stage1Id = '';
  it('when stage 1 is invited, then a second stage cannot start until its outcome is recorded', async () => {
    t.clock.set('2026-11-16T09:00:00Z');
    const res = await post(stage1);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      step: 'stage-1',
      stage: 1,
      outcome: null,
      appealDeadline: null,
      policyVersion: 0,
      warning: { kind: 'none' },
    });
    stage1Id = res.body.id;
    const next = await post({ ...stage1, step: 'stage-2', invitationDate: '2026-11-17', meetingDate: '2026-11-24' });
    expect(next.body.error.fields.step).toMatch(/Record the outcome of the stage in progress/);
  });

  it('when the representative cannot come, then the meeting may move within 5 working days of the original date, not later (ATT-24)', async () => {
    const late = await change(stage1Id, 'postponement', {
      meetingDate: '2026-12-01',
      reason: 'Union representative on leave',
    });
    expect(late.status).toBe(422);
    expect(late.body.error.fields.meetingDate).toMatch(/latest is 30 November 2026/);
    const ok = await change(stage1Id, 'postponement', {
      meetingDate: '2026-11-27',
      meetingTime: '14:00',
      reason: 'Union representative on leave',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      meetingDate: '2026-11-27',
      originalMeetingDate: '2026-11-23',
      meetingTime: '14:00',
    });
  });

  it('when the outcome is not one the stage allows, or dated in the future, then 422', async () => {
    t.clock.set('2026-11-30T09:00:00Z');
    expect(
      (await change(stage1Id, 'outcome', { outcome: 'dismissal', outcomeDate: '2026-11-27' })).body.error.fields
        .outcome,
    ).toMatch(/Choose an outcome that a stage 1 meeting can have/);
    expect(
      (await change(stage1Id, 'outcome', { outcome: 'monitor', outcomeDate: '2026-12-05' })).body.error.fields
        .outcomeDate,
    ).toMatch(/future/);
  });

  it('when the stage 1 outcome is a written improvement notice, then the appeal deadline is 5 working days after the letter and the warning stands for 12 months (ATT-24, ATT-25)', async () => {
    const res = await change(stage1Id, 'outcome', {
      outcome: 'first-written-improvement-notice',
      outcomeDate: '2026-11-27',
      reviewEndDate: '2027-02-15',
      notes: 'Action plan agreed',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'first-written-improvement-notice',
      appealDeadline: '2026-12-04',
      warning: { kind: 'warning', issuedOn: '2026-11-27', expiresOn: '2027-11-27', live: true },
    });
    expect(
      (await change(stage1Id, 'outcome', { outcome: 'monitor', outcomeDate: '2026-11-27' })).body.error.fields.outcome,
    ).toMatch(/already recorded/);
  });

  it('when an appeal is lodged after the deadline, then it is refused; one lodged in time and upheld withdraws the warning', async () => {
    t.clock.set('2026-12-20T09:00:00Z');
    expect((await change(stage1Id, 'appeal', { lodgedOn: '2026-12-07' })).body.error.fields.lodgedOn).toBe(
      'The appeal had to be lodged by 4 December 2026',
    );
    const heard = await change(stage1Id, 'appeal', { lodgedOn: '2026-12-03', heardOn: '2026-12-10' });
    expect(heard.body).toMatchObject({
      appealLodgedOn: '2026-12-03',
      appealDecisionDue: '2027-01-05',
      warning: { kind: 'warning', live: true },
    });
    // §21.1: the appeal is decided above the manager who gave the outcome; HR records it.
    const byManager = await change(
      stage1Id,
      'appeal',
      { lodgedOn: '2026-12-03', heardOn: '2026-12-10', outcome: 'dismissed', decidedOn: '2026-12-17' },
      'lineManager',
    );
    expect(byManager.body.error.fields.outcome).toMatch(/HR records the decision/);
    const upheld = await change(stage1Id, 'appeal', {
      lodgedOn: '2026-12-03',
      heardOn: '2026-12-10',
      outcome: 'upheld',
      decidedOn: '2026-12-17',
    });
    expect(upheld.body.warning).toEqual({ kind: 'withdrawn' });
    const again = await change(stage1Id, 'appeal', {
      lodgedOn: '2026-12-03',
      heardOn: '2026-12-10',
      outcome: 'dismissed',
      decidedOn: '2026-12-18',
    });
    expect(again.body.error.fields.lodgedOn).toBe('The appeal has been decided; its record cannot be changed');
  });

  it('when the stage 1 warning was withdrawn, then stage 2 is refused unless the reason for starting there is recorded (§19.1)', async () => {
    const invite = {
      ...stage1,
      step: 'stage-2',
      ohReportRequestedOn: '2026-12-18',
      invitationDate: '2026-12-21',
      meetingDate: '2027-01-05',
    };
    expect((await post(invite)).body.error.fields.step).toMatch(/first written improvement notice that still stands/);
    const res = await post({
      ...invite,
      outOfOrderReason: 'New pattern of absence agreed with HR and the union to be heard at stage 2',
    });
    expect(res.status).toBe(201);
    expect(res.body.notes).toMatch(/^Started at stage 2: New pattern/);
  });

  it('when stage 3 is asked for without a live second warning, then it is refused (ATT-23)', async () => {
    t.clock.set('2027-01-06T09:00:00Z');
    const [stage2] = (await caseOf()).steps.filter((s: { step: string }) => s.step === 'stage-2');
    expect((await change(stage2.id, 'outcome', { outcome: 'monitor', outcomeDate: '2027-01-05' })).status).toBe(200);
    const res = await post({
      ...stage1,
      step: 'stage-3',
      ohReportRequestedOn: '2027-01-04',
      invitationDate: '2027-01-06',
      meetingDate: '2027-01-13',
    });
    expect(res.body.error.fields.step).toMatch(/second or extended final warning/);
    // §19.13: a final hearing is HR's to call, not the line manager's.
    const byManager = await post(
      {
        ...stage1,
        step: 'stage-3',
        ohReportRequestedOn: '2027-01-04',
        invitationDate: '2027-01-06',
        meetingDate: '2027-01-13',
        outOfOrderReason: 'Agreed with HR and the union',
      },
      'lineManager',
    );
    expect(byManager.body.error.fields.step).toMatch(/called and recorded by HR/);
  });

  it('when the case is read, then every step is listed with its warning state and the read is audited', async () => {
    const c = await caseOf('2027-01-06');
    expect(c.steps.map((s: { step: string }) => s.step)).toEqual(['informal-action', 'stage-1', 'stage-2']);
    expect(c.steps[1].warning).toEqual({ kind: 'withdrawn' });
    const audit = await t.database
      .db('audit_events')
      .where({ entity_type: 'attendance-procedure', action: 'read', subject_person_id: w.report.id })
      .first();
    expect(audit).toBeDefined();
  });

  it('when an HR manager tries to record their own attendance case, then 403', async () => {
    const { users } = t.platform.repositories;
    const id = '00000000-0000-4000-8000-00000000f00d';
    await users.insert(
      {
        id,
        email: 'hr.self@test.example',
        displayName: 'HR self',
        passwordHash: 'x',
        organisationId: w.host.id,
        personId: w.outsider.id,
        roles: ['hr-manager'],
        locale: 'en',
      },
      t.clock.now(),
    );
    const token = (
      await t.platform.services.auth.createToken(
        { actor: null, requestId: 'test', ip: null },
        (await users.findById(id))!,
        { name: 'test' },
      )
    ).token;
    const res = await request(t.app)
      .post(`/api/v1/people/${w.outsider.id}/attendance-procedure`)
      .set({ Authorization: `Bearer ${token}` })
      .send({ step: 'informal-action', actionDate: '2026-10-01', notes: 'Reviewing myself' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('own-attendance-case');
  });

  it('when a line manager records for someone outside their team, then 404, and a staff member cannot record at all', async () => {
    expect(
      (await post({ step: 'informal-action', actionDate: '2026-10-01', notes: 'A chat' }, 'lineManager', w.outsider.id))
        .status,
    ).toBe(404);
    expect((await post({ step: 'informal-action', actionDate: '2026-10-01', notes: 'A chat' }, 'staff')).status).toBe(
      403,
    );
  });

  it('when a manager decides not to act on a trigger, then the rationale is required and the decision shows on the summary (ATT-18)', async () => {
    t.clock.set('2026-11-16T09:00:00Z');
    for (const d of ['2026-06-02', '2026-06-09', '2026-06-16']) {
      await request(t.app)
        .post(`/api/v1/people/${w.indirectReport.id}/absences`)
        .set(auth('lineManager'))
        .send({ startDate: d, endDate: d, reasonCategory: 'cold-flu' });
    }
    const decide = (body: Record<string, unknown>) =>
      request(t.app)
        .post(`/api/v1/people/${w.indirectReport.id}/trigger-decisions`)
        .set(auth('lineManager'))
        .send(body);
    const bare = await decide({ asOf: '2026-11-16', triggerCodes: ['spells'], decision: 'no-action' });
    expect(bare.status).toBe(422);
    expect(bare.body.error.fields.rationale).toMatch(/rationale/);
    const wrong = await decide({
      asOf: '2026-11-16',
      triggerCodes: ['bradford'],
      decision: 'no-action',
      rationale: 'Bereavement in the family; all three linked',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields.triggerCodes).toMatch(/Not reached on 2026-11-16: bradford/);
    expect(
      (
        await decide({
          asOf: '2026-11-17',
          triggerCodes: ['spells'],
          decision: 'no-action',
          rationale: 'Bereavement in the family; all three linked',
        })
      ).body.error.fields.asOf,
    ).toMatch(/future/);
    expect(
      (
        await decide({
          asOf: '2026-11-16',
          triggerCodes: ['spells'],
          decision: 'no-action',
          rationale: 'Bereavement in the family; all three linked',
        })
      ).status,
    ).toBe(201);
    const summary = await request(t.app)
      .get(`/api/v1/people/${w.indirectReport.id}/attendance?asOf=2026-11-16`)
      .set(auth('lineManager'));
    expect(summary.body.lastDecision).toEqual({
      asOf: '2026-11-16',
      decision: 'no-action',
      triggerCodes: ['spells'],
      rationale: 'Bereavement in the family; all three linked',
    });
  });
});

describe('case decisions: disability discount (ATT-7) and trigger reviews (ATT-18)', () => {
  let t: TestPlatform;
  let w: World;
  const auth = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const absence = (startDate: string, endDate: string, extra: Record<string, unknown> = {}) =>
    request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(auth('hr'))
      .send({ startDate, endDate, reasonCategory: 'other', ...extra });
  const summary = async () =>
    (await request(t.app).get(`/api/v1/people/${w.report.id}/attendance`).set(auth('hr'))).body;
  const reviews = async () =>
    t.database
      .db('tasks')
      .where({ source_type: 'attendance-person', source_id: w.report.id, code: 'trigger-review' })
      .orderBy(['created_at', 'sequence']);

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-16T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when disability-related absence is recorded, then it is discounted until HR decide all adjustments are made; from then it counts', async () => {
    // Tuesdays clear of bank holidays.
    for (const d of ['2026-03-03', '2026-04-14', '2026-05-12'])
      expect((await absence(d, d, { disabilityRelated: true })).status).toBe(201);
    expect((await summary()).triggers).toEqual([]);
    const refused = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/disability-discount`)
      .set(auth('lineManager'))
      .send({ effectiveFrom: '2026-04-01', discount: false, rationale: 'All adjustments made' });
    expect(refused.status).toBe(403);
    const thin = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/disability-discount`)
      .set(auth('hr'))
      .send({ effectiveFrom: '2026-04-01', discount: false, rationale: 'no' });
    expect(thin.body.error.fields.rationale).toMatch(/reasons/);
    const res = await request(t.app).post(`/api/v1/people/${w.report.id}/disability-discount`).set(auth('hr')).send({
      effectiveFrom: '2026-04-01',
      discount: false,
      rationale: 'Adjusted hours and equipment since March; OH advise no further adjustments are possible',
    });
    expect(res.status).toBe(201);
    // The March spell is still discounted; April and May count: 2 spells, 2 days → 8.
    expect(await summary()).toMatchObject({ spells: 2, days: 2, bradfordScore: 8 });
    const c = (await request(t.app).get(`/api/v1/people/${w.report.id}/attendance-procedure`).set(auth('hr'))).body;
    expect(c).toMatchObject({
      disabilityDiscountedNow: false,
      disabilityDecisions: [
        { effectiveFrom: '2026-04-01', discount: false, rationale: expect.stringMatching(/^Adjusted hours/) },
      ],
    });
    // CONF-1: the line manager sees the decision, not the reasons (they may carry health information).
    const managers = (
      await request(t.app).get(`/api/v1/people/${w.report.id}/attendance-procedure`).set(auth('lineManager'))
    ).body;
    expect(managers.disabilityDecisions).toEqual([
      expect.objectContaining({ effectiveFrom: '2026-04-01', discount: false, rationale: null }),
    ]);
  });

  it('when an absence brings a trigger, then the line manager gets a review at once; recording the decision completes it', async () => {
    expect((await absence('2026-11-09', '2026-11-10')).status).toBe(201);
    expect((await summary()).triggers.map((x: { code: string }) => x.code)).toEqual(['spells']);
    const [review] = await reviews();
    expect(review).toMatchObject({
      status: 'open',
      assignee_person_id: w.report.lineManagerId,
      sequence: 202611092,
      due_date: '2026-11-23',
      rule: 'ATT-18',
    });
    const done = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/trigger-decisions`)
      .set(auth('lineManager'))
      .send({ asOf: '2026-11-16', triggerCodes: ['spells'], decision: 'informal-action' });
    expect(done.status).toBe(201);
    expect((await reviews())[0]).toMatchObject({ status: 'completed' });
  });

  it('when the daily sweep runs after the decision, then no new review is asked for the same absence; a new absence asks again', async () => {
    expect(await t.platform.services.attendanceSweep.triggerReviews('2026-11-16')).toBe(0);
    t.clock.set('2026-11-20T09:00:00Z');
    expect((await absence('2026-11-19', '2026-11-19')).status).toBe(201);
    const all = await reviews();
    // The episode (YYYYMMDD) and the triggers reached (2 = number of spells).
    expect(all.map((r) => [r.sequence, r.status])).toEqual([
      [202611092, 'completed'],
      [202611192, 'open'],
    ]);
  });

  it('when the absence that brought the trigger is removed, then the open review is cancelled', async () => {
    const spell = (await request(t.app).get(`/api/v1/people/${w.report.id}/absences`).set(auth('hr'))).body.items.find(
      (s: { startDate: string }) => s.startDate === '2026-11-19',
    );
    await request(t.app)
      .delete(`/api/v1/absences/${spell.id}`)
      .set(auth('hr'))
      .send({ reason: 'Recorded against the wrong person' });
    await request(t.app)
      .delete(
        `/api/v1/absences/${(await request(t.app).get(`/api/v1/people/${w.report.id}/absences`).set(auth('hr'))).body.items.find((s: { startDate: string }) => s.startDate === '2026-11-09').id}`,
      )
      .set(auth('hr'))
      .send({ reason: 'Recorded twice' });
    expect((await reviews()).map((r) => r.status)).toEqual(['completed', 'cancelled']);
  });
});

describe('trigger reviews that stop or start applying (ATT-7, ATT-18)', () => {
  let t: TestPlatform;
  let w: World;
  const auth = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const absence = (startDate: string, endDate: string | null, extra: Record<string, unknown> = {}) =>
    request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(auth('hr'))
      .send({ startDate, endDate, reasonCategory: 'other', ...extra });
  const reviews = async () =>
    (
      await t.database
        .db('tasks')
        .where({ source_type: 'attendance-person', source_id: w.report.id, code: 'trigger-review' })
        .orderBy(['created_at', 'sequence'])
    ).map((r) => [r.sequence, r.status]);

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-23T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when the return-to-work interview says the absence that brought the trigger was pregnancy-related, then the review is withdrawn', async () => {
    for (const d of ['2026-04-14', '2026-06-09']) expect((await absence(d, d)).status).toBe(201);
    const third = await absence('2026-11-16', '2026-11-20');
    expect(await reviews()).toEqual([[202611162, 'open']]);
    const interview = {
      interviewDate: '2026-11-23',
      fitForFullDuties: true,
      recurrenceLikelihood: 'unlikely',
      attendanceExpectationsDiscussed: true,
      certificationComplete: true,
      disabilityRelated: false,
      pregnancyRelated: true,
      notifiedFirstDayOfSickness: true,
      notifiedFirstDayOfFitness: true,
      flexibleWorkingDiscussed: true,
    };
    expect(
      (
        await request(t.app)
          .post(`/api/v1/absences/${third.body.id}/return-to-work`)
          .set(auth('lineManager'))
          .send(interview)
      ).status,
    ).toBe(201);
    expect(await reviews()).toEqual([[202611162, 'cancelled']]);
  });

  it('when a decision covers one trigger and the same absence then reaches another, then it is reviewed again', async () => {
    t.clock.set('2026-11-30T09:00:00Z');
    // Off from 30 November: with April and June that is three spells.
    expect((await absence('2026-11-30', null)).status).toBe(201);
    expect(
      (
        await request(t.app)
          .post(`/api/v1/people/${w.report.id}/trigger-decisions`)
          .set(auth('lineManager'))
          .send({ asOf: '2026-11-30', triggerCodes: ['spells'], decision: 'informal-action' })
      ).status,
    ).toBe(201);
    expect((await reviews()).at(-1)).toEqual([202611302, 'completed']);
    // Four weeks on, the absence continues: 28 days is a review point of its own.
    t.clock.set('2026-12-28T07:00:00Z');
    await t.platform.services.attendanceSweep.dailySweep('2026-12-28');
    expect((await reviews()).at(-1)).toEqual([202611306, 'open']);
  });

  it('when a correction takes away one of the triggers, then the daily sweep replaces the open review with one for what is reached now', async () => {
    const spell = (await request(t.app).get(`/api/v1/people/${w.report.id}/absences`).set(auth('hr'))).body.items.find(
      (s: { startDate: string }) => s.startDate === '2026-06-09',
    );
    // Recorded as sickness by mistake: it was a statutory medical (ATT-6). The correction is made directly in the data, as an import would.
    await t.database
      .db('absence_spells')
      .where({ id: spell.id })
      .update({ counts_as_sickness: false, not_sickness_kind: 'statutory-medical' });
    const open = await t.database.db('tasks').where({ source_type: 'attendance-person', status: 'open' });
    expect(open).toHaveLength(1);
    t.clock.set('2026-12-29T07:00:00Z');
    await t.platform.services.attendanceSweep.dailySweep('2026-12-29');
    // Still 29 days off: the continuous trigger stands, the spells trigger has gone.
    expect((await reviews()).filter(([, status]) => status === 'open')).toEqual([[202611304, 'open']]);
  });
});

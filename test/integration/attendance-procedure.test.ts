import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';

describe('formal attendance procedure (ATT-20 … ATT-24)', () => {
  let t: TestPlatform;
  let w: World;
  const post = (body: Record<string, unknown>, u: keyof World['tokens'] = 'hr', personId?: string) =>
    request(t.app).post(`/api/v1/people/${personId ?? w.report.id}/attendance-procedure`).set({ Authorization: `Bearer ${w.tokens[u]}` }).send(body);

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-16T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when stage 1 is asked for before any informal action, then it is refused (ATT-20)', async () => {
    const res = await post({ step: 'stage-1', invitationDate: '2026-11-16', meetingDate: '2026-11-23' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.step).toMatch(/Informal action must be recorded before stage 1/);
  });

  it('when the meeting date gives less than 5 working days’ notice, then it is refused naming the earliest date (ATT-21)', async () => {
    expect((await post({ step: 'informal-action', actionDate: '2026-10-01', notes: 'Discussed attendance and support available' })).status).toBe(201);
    const res = await post({ step: 'stage-1', invitationDate: '2026-11-16', meetingDate: '2026-11-20' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.meetingDate).toBe("The meeting must give at least 5 working days' notice: the earliest date for an invitation given on 2026-11-16 is 2026-11-23 (ATT-21)");
  });

  it('when the review period is outside 1–3 months, then it is refused', async () => {
    const res = await post({ step: 'stage-1', invitationDate: '2026-11-16', meetingDate: '2026-11-23', reviewEndDate: '2027-06-01' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.reviewEndDate).toMatch(/between 2026-12-23 and 2027-02-23/);
  });

  it('when a valid stage 1 with an outcome is recorded, then the appeal deadline is 5 working days after the outcome letter (ATT-24)', async () => {
    const res = await post({ step: 'stage-1', invitationDate: '2026-11-16', meetingDate: '2026-11-23', outcome: 'first-written-improvement-notice', outcomeDate: '2026-11-24', reviewEndDate: '2027-01-23' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ step: 'stage-1', appealDeadline: '2026-12-01', policyVersion: 0 });
  });

  it('when stage 3 is asked for straight after stage 1, then it is refused; stage 2 is accepted', async () => {
    expect((await post({ step: 'stage-3', invitationDate: '2027-01-25', meetingDate: '2027-02-01' })).body.error.fields.step).toMatch(/Stage 2 must come before stage 3/);
    expect((await post({ step: 'stage-2', invitationDate: '2027-01-25', meetingDate: '2027-02-01' })).status).toBe(201);
  });

  it('when the outcome is not one the stage allows, then 422', async () => {
    expect((await post({ step: 'stage-1', invitationDate: '2026-11-16', meetingDate: '2026-11-23', outcome: 'dismissal', outcomeDate: '2026-11-24' })).status).toBe(422);
  });

  it('when a line manager records for someone outside their team, then 404', async () => {
    expect((await post({ step: 'informal-action', actionDate: '2026-10-01', notes: 'A chat' }, 'lineManager', w.outsider.id)).status).toBe(404);
  });

  it('when a manager decides not to act on a trigger, then the rationale is required and the decision shows on the summary (ATT-18)', async () => {
    const auth = { Authorization: `Bearer ${w.tokens.lineManager}` };
    for (const d of ['2026-06-02', '2026-06-09', '2026-06-16']) {
      await request(t.app).post(`/api/v1/people/${w.indirectReport.id}/absences`).set(auth).send({ startDate: d, endDate: d, reasonCategory: 'cold-flu' });
    }
    const decide = (body: Record<string, unknown>) => request(t.app).post(`/api/v1/people/${w.indirectReport.id}/trigger-decisions`).set(auth).send(body);
    const bare = await decide({ asOf: '2026-11-16', triggerCodes: ['spells'], decision: 'no-action' });
    expect(bare.status).toBe(422);
    expect(bare.body.error.fields.rationale).toMatch(/rationale/);
    const wrong = await decide({ asOf: '2026-11-16', triggerCodes: ['bradford'], decision: 'no-action', rationale: 'Bereavement in the family; all three linked' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields.triggerCodes).toMatch(/Not reached on 2026-11-16: bradford/);
    expect((await decide({ asOf: '2026-11-16', triggerCodes: ['spells'], decision: 'no-action', rationale: 'Bereavement in the family; all three linked' })).status).toBe(201);
    const summary = await request(t.app).get(`/api/v1/people/${w.indirectReport.id}/attendance?asOf=2026-11-16`).set(auth);
    expect(summary.body.lastDecision).toEqual({ asOf: '2026-11-16', decision: 'no-action', triggerCodes: ['spells'], rationale: 'Bereavement in the family; all three linked' });
  });
});

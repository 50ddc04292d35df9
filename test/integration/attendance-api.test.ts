import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';
import type { NewPerson } from '../../src/people/people-types.js';

describe('attendance API', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const record = (u: keyof World['tokens'], personId: string, body: Record<string, unknown>) =>
    request(t.app).post(`/api/v1/people/${personId}/absences`).set(as(u)).send(body);

  /**
   * Each test records against a person of its own, so it reads only what it wrote and passes run
   * alone or in any order: by default someone in the line manager's team.
   */
  const newPerson = async (overrides: Partial<NewPerson> = {}) => (await addTeamMembers(t, w, 1, overrides))[0]!;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when a line manager records a spell for their report, then 201 returns it without any OH text', async () => {
    const person = await newPerson();
    const res = await record('lineManager', person.id, {
      startDate: '2026-06-01',
      endDate: '2026-06-02',
      reasonCategory: 'cold-flu',
      certification: 'self',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      personId: person.id,
      startDate: '2026-06-01',
      endDate: '2026-06-02',
      reasonCategory: 'cold-flu',
      countsAsSickness: true,
    });
    expect(res.body).not.toHaveProperty('reasonText');
    expect(res.headers.location).toBe(`/api/v1/absences/${res.body.id}`);
  });

  it('when the input is wrong, then 422 names each field: bad date, end before start, unknown category', async () => {
    const person = await newPerson();
    const bad = await record('lineManager', person.id, { startDate: '2026-02-30', reasonCategory: 'vampirism' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['reasonCategory', 'startDate']);
    const backwards = await record('lineManager', person.id, {
      startDate: '2026-07-10',
      endDate: '2026-07-09',
      reasonCategory: 'other',
    });
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.fields.endDate).toMatch(/on or after the start/);
  });

  it('when a spell overlaps one already recorded, then 422 on the start date', async () => {
    const person = await newPerson();
    const first = await record('hr', person.id, {
      startDate: '2026-06-01',
      endDate: '2026-06-02',
      reasonCategory: 'cold-flu',
    });
    expect(first.status).toBe(201);
    const res = await record('hr', person.id, {
      startDate: '2026-06-02',
      endDate: '2026-06-05',
      reasonCategory: 'other',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.startDate).toMatch(/overlaps/);
  });

  it('when the person does not exist or is outside the manager’s team, then 404, and the refusal is audited', async () => {
    expect(
      (
        await record('lineManager', '00000000-0000-4000-8000-000000000000', {
          startDate: '2026-06-01',
          reasonCategory: 'other',
        })
      ).status,
    ).toBe(404);
    const outside = await request(t.app).get(`/api/v1/people/${w.outsider.id}/attendance`).set(as('lineManager'));
    expect(outside.status).toBe(404);
    const audit = await t.database.db('audit_events').where({ request_id: outside.headers['x-request-id'] }).first();
    expect(audit).toMatchObject({ actor_role: 'line-manager', outcome: 'denied', entity_id: w.outsider.id });
  });

  it('when a line manager tries to record OH free text, then 422; OH can, and only OH sees it', async () => {
    // Someone reporting to the manager's report: in the manager's reach indirectly.
    const indirect = await newPerson({ lineManagerId: w.report.id });
    const manager = await record('lineManager', indirect.id, {
      startDate: '2026-03-02',
      endDate: '2026-03-02',
      reasonCategory: 'headache-migraine',
      reasonText: 'Migraine after night shifts',
    });
    expect(manager.status).toBe(422);
    expect(manager.body.error.fields.reasonText).toMatch(/occupational health/);
    const oh = await record('clinician', indirect.id, {
      startDate: '2026-03-02',
      endDate: '2026-03-02',
      reasonCategory: 'headache-migraine',
      reasonText: 'Migraine after night shifts',
    });
    expect(oh.status).toBe(201);
    const asOh = await request(t.app).get(`/api/v1/people/${indirect.id}/absences`).set(as('clinician'));
    expect(asOh.body.items[0].reasonText).toBe('Migraine after night shifts');
    const asManager = await request(t.app).get(`/api/v1/people/${indirect.id}/absences`).set(as('lineManager'));
    expect(asManager.body.items[0]).not.toHaveProperty('reasonText');
    expect(JSON.stringify(asManager.body)).not.toContain('Migraine after');
  });

  /** Four spells, five days in the year to 20 November 2026: 4 × 4 × 5 = 80, over the default three-spell trigger. */
  const FOUR_SPELLS = [
    { startDate: '2026-06-01', endDate: '2026-06-02', reasonCategory: 'cold-flu' },
    ...['2026-06-09', '2026-06-16', '2026-06-23'].map((d) => ({
      startDate: d,
      endDate: d,
      reasonCategory: 'gastrointestinal',
    })),
  ];

  it('when the attendance summary is asked for, then it has the score, triggers, milestones and policy version', async () => {
    const person = await newPerson();
    for (const spell of FOUR_SPELLS) expect((await record('hr', person.id, spell)).status).toBe(201);
    const res = await request(t.app)
      .get(`/api/v1/people/${person.id}/attendance?asOf=2026-11-20`)
      .set(as('lineManager'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      asOf: '2026-11-20',
      windowStart: '2025-11-22',
      spells: 4,
      days: 5,
      bradfordScore: 80,
      projected: false,
      policyVersion: 0,
    });
    expect(res.body.triggers).toEqual([{ code: 'spells', value: 4, threshold: 3 }]);
    expect(res.body.milestones).toEqual([]);
  });

  it('when the person is off now, then the milestones of the open spell are listed with due dates', async () => {
    // The staff user's own record: the person reads their own summary.
    const res = await record('lineManager', w.report.id, {
      startDate: '2026-11-05',
      reasonCategory: 'musculoskeletal-back',
    });
    expect(res.status).toBe(201);
    const summary = await request(t.app)
      .get(`/api/v1/people/${w.report.id}/attendance?asOf=2026-11-20`)
      .set(as('staff'));
    expect(summary.status).toBe(200);
    const codes = summary.body.milestones.map((m: { code: string }) => m.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'manager-contact',
        'fourth-day-call',
        'medical-certificate',
        'liaison-officer',
        'weekly-contact',
        'home-visit',
      ]),
    );
    expect(summary.body.milestones.find((m: { code: string }) => m.code === 'medical-certificate')).toMatchObject({
      dueDate: '2026-11-12',
      status: 'overdue',
    });
    // The person returns: the end date closes the spell.
    const closed = await request(t.app)
      .patch(`/api/v1/absences/${res.body.id}`)
      .set(as('lineManager'))
      .send({ endDate: '2026-11-19' });
    expect(closed.status).toBe(200);
    expect(closed.body.endDate).toBe('2026-11-19');
  });

  it('when the policy changes, then the summary uses the version in force and says which', async () => {
    // A force of its own: publishing a policy version changes every summary in the organisation.
    const own = await buildWorld(t);
    const ownAs = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${own.tokens[u]}` });
    for (const spell of FOUR_SPELLS)
      expect(
        (await request(t.app).post(`/api/v1/people/${own.report.id}/absences`).set(ownAs('hr')).send(spell)).status,
      ).toBe(201);
    const summary = () =>
      request(t.app).get(`/api/v1/people/${own.report.id}/attendance?asOf=2026-11-20`).set(ownAs('hr'));
    const before = await summary();
    expect(before.body.policyVersion).toBe(0);
    expect(before.body.triggers.map((x: { code: string }) => x.code)).toContain('spells');
    const published = await request(t.app)
      .post('/api/v1/policies/attendance/versions')
      .set(ownAs('hr'))
      .send({ effectiveFrom: '2026-11-01', content: { spellsThreshold: 6 } });
    expect(published.status).toBe(201);
    const after = await summary();
    expect(after.body.policyVersion).toBe(1);
    expect(after.body.triggers.map((x: { code: string }) => x.code)).not.toContain('spells');
  });

  it('when HR removes a spell recorded in error, then it is gone from the list, kept in the database and audited; a line manager may not', async () => {
    const person = await newPerson({ lineManagerId: null });
    const created = await record('hr', person.id, {
      startDate: '2026-01-12',
      endDate: '2026-01-12',
      reasonCategory: 'other',
    });
    const byManager = await request(t.app)
      .delete(`/api/v1/absences/${created.body.id}`)
      .set(as('lineManager'))
      .send({ reason: 'mistake' });
    expect(byManager.status).toBe(403);
    const noReason = await request(t.app).delete(`/api/v1/absences/${created.body.id}`).set(as('hr')).send({});
    expect(noReason.status).toBe(422);
    expect(
      (
        await request(t.app)
          .delete(`/api/v1/absences/${created.body.id}`)
          .set(as('hr'))
          .send({ reason: 'Recorded against the wrong person' })
      ).status,
    ).toBe(204);
    const list = await request(t.app).get(`/api/v1/people/${person.id}/absences`).set(as('hr'));
    expect(list.body.items).toEqual([]);
    const row = await t.database.db('absence_spells').where({ id: created.body.id }).first();
    expect(row.deleted_reason).toBe('Recorded against the wrong person');
    expect(
      await t.database.db('audit_events').where({ entity_id: created.body.id, action: 'delete' }).first(),
    ).toBeDefined();
  });

  it('when a rota replaces the weekly pattern, then days lost follow the rota', async () => {
    const person = await newPerson({ lineManagerId: null });
    const put = await request(t.app)
      .put(`/api/v1/people/${person.id}/working-pattern`)
      .set(as('hr'))
      .send({
        kind: 'rota',
        anchorDate: '2026-10-05',
        cycle: [true, true, true, true, true, true, false, false, false, false],
      });
    expect(put.status).toBe(200);
    expect(put.body.workingPattern.kind).toBe('rota');
    // Mon 5 – Sun 11 Oct: six rota days on, then one off (Sun 11).
    expect(
      (
        await record('hr', person.id, {
          startDate: '2026-10-05',
          endDate: '2026-10-11',
          reasonCategory: 'infection',
        })
      ).status,
    ).toBe(201);
    const summary = await request(t.app).get(`/api/v1/people/${person.id}/attendance?asOf=2026-11-20`).set(as('hr'));
    expect(summary.body).toMatchObject({ spells: 1, days: 6, bradfordScore: 6 });
  });

  it('when an injury on duty is recorded, then the accident report is due within 48 hours (ATT-5)', async () => {
    const person = await newPerson();
    const res = await record('lineManager', person.id, {
      startDate: '2026-09-07',
      endDate: '2026-09-08',
      reasonCategory: 'injury-on-duty',
      dutyRelated: true,
      injuryOnDuty: true,
    });
    expect(res.status).toBe(201);
    // From the start of the UK day (One UK day): midnight BST on 9 September is 23:00 UTC on the 8th.
    expect(res.body.accidentReportDueAt).toBe('2026-09-08T23:00:00.000Z');
  });

  it('when time off is not sickness, then it is recorded but never counted (ATT-6)', async () => {
    const person = await newPerson();
    const res = await record('clinician', person.id, {
      startDate: '2026-10-06',
      endDate: '2026-10-06',
      reasonCategory: 'other',
      notSicknessKind: 'statutory-medical',
    });
    expect(res.status).toBe(201);
    expect(res.body.countsAsSickness).toBe(false);
    const summary = await request(t.app)
      .get(`/api/v1/people/${person.id}/attendance?asOf=2026-11-20`)
      .set(as('clinician'));
    expect(summary.body).toMatchObject({ spells: 0, days: 0, bradfordScore: 0 });
  });
});

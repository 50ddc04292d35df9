import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseImportRow, type ParsedImportRow } from '../../src/attendance/absence-import.js';
import { isPostgres } from '../../src/db/knex.js';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/**
 * Derived state commits with the change (issue 14 §12): an absence's milestone tasks and trigger
 * review, a referral's triage task and its completion are written in the change's own transaction.
 * With the tasks table refusing writes, the change itself is refused and nothing of it is kept;
 * before, the change committed and its tasks were lost.
 */
describe('derived state commits with the change', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  /** Makes every write to the tasks table fail, as a full disk or a lost connection would. */
  const refuseTaskWrites = async () => {
    const db = t.database.db;
    if (isPostgres(db)) {
      await db.raw(
        "CREATE OR REPLACE FUNCTION refuse_tasks() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'tasks unavailable'; END $$ LANGUAGE plpgsql",
      );
      await db.raw(
        'CREATE TRIGGER refuse_tasks BEFORE INSERT OR UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION refuse_tasks()',
      );
    } else {
      await db.raw(
        "CREATE TRIGGER refuse_task_inserts BEFORE INSERT ON tasks BEGIN SELECT RAISE(ABORT, 'tasks unavailable'); END",
      );
      await db.raw(
        "CREATE TRIGGER refuse_task_updates BEFORE UPDATE ON tasks BEGIN SELECT RAISE(ABORT, 'tasks unavailable'); END",
      );
    }
  };
  const allowTaskWrites = async () => {
    const db = t.database.db;
    if (isPostgres(db)) await db.raw('DROP TRIGGER IF EXISTS refuse_tasks ON tasks');
    else {
      await db.raw('DROP TRIGGER IF EXISTS refuse_task_inserts');
      await db.raw('DROP TRIGGER IF EXISTS refuse_task_updates');
    }
  };
  const teamMember = async () => (await addTeamMembers(t, w))[0]!;
  const referral = {
    reason: 'Struggling with night shifts since returning',
    questions: 'What adjustments would help?',
    adjustmentsTried: 'Day shifts for two weeks',
    currentlyAbsent: false,
    personInformed: true,
  };

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
  });
  afterEach(allowTaskWrites);
  afterAll(async () => t.destroy());

  it('when an absence’s tasks cannot be written, then the absence is not kept either', async () => {
    const person = await teamMember();
    await refuseTaskWrites();
    const res = await request(t.app)
      .post(`/api/v1/people/${person.id}/absences`)
      .set(as('lineManager'))
      .send({ startDate: '2026-11-16', reasonCategory: 'musculoskeletal-back' });
    expect(res.status).toBe(500);
    expect(await t.database.db('absence_spells').where({ person_id: person.id })).toEqual([]);
    await allowTaskWrites();
    // With the tasks table back, the same absence is recorded with its milestones.
    const again = await request(t.app)
      .post(`/api/v1/people/${person.id}/absences`)
      .set(as('lineManager'))
      .send({ startDate: '2026-11-16', reasonCategory: 'musculoskeletal-back' });
    expect(again.status).toBe(201);
    expect(
      (await t.database.db('tasks').where({ source_id: again.body.id })).map((r: { code: string }) => r.code),
    ).toContain('manager-contact');
  });

  it('when a referral’s triage task cannot be written, then the referral is not kept either', async () => {
    const person = await teamMember();
    await refuseTaskWrites();
    const res = await request(t.app)
      .post(`/api/v1/people/${person.id}/oh-referrals`)
      .set(as('lineManager'))
      .send(referral);
    expect(res.status).toBe(500);
    expect(await t.database.db('oh_referrals').where({ person_id: person.id })).toEqual([]);
  });

  it('when the triage task cannot be completed, then the triage is not kept either', async () => {
    const person = await teamMember();
    const made = await request(t.app)
      .post(`/api/v1/people/${person.id}/oh-referrals`)
      .set(as('lineManager'))
      .send(referral);
    expect(made.status).toBe(201);
    await refuseTaskWrites();
    const triage = await request(t.app)
      .post(`/api/v1/oh-referrals/${made.body.id}/triage`)
      .set(as('clinician'))
      .send({ accept: false, note: 'Managed by the line manager' });
    expect(triage.status).toBe(500);
    expect((await t.database.db('oh_referrals').where({ id: made.body.id }).first()).status).toBe('awaiting-triage');
    const task = await t.database.db('tasks').where({ source_id: made.body.id }).first();
    expect(task.status).toBe('open');
  });

  it('when a consent’s task for OH cannot be written, then the person’s decision is not kept either', async () => {
    const asked = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/consents`)
      .set(as('clinician'))
      .send({
        kind: 'amra-report',
        recipientRole: 'hr-manager',
        description: 'Fitness for firearms duties',
        doctor: { name: 'Dr Asha Patel', practice: 'Westshire Road Surgery' },
        noticeBy: 'letter',
      });
    expect(asked.status).toBe(201);
    const decide = () =>
      request(t.app)
        .post(`/api/v1/consents/${asked.body.id}/decision`)
        .set(as('staff'))
        .send({ decision: 'given', method: 'platform', wishesToSeeReport: false });
    await refuseTaskWrites();
    expect((await decide()).status).toBe(500);
    expect((await t.database.db('consents').where({ id: asked.body.id }).first()).status).toBe('requested');
    await allowTaskWrites();
    expect((await decide()).status).toBe(200);
    const task = await t.database.db('tasks').where({ source_id: asked.body.id }).first();
    expect(task).toMatchObject({ code: 'consent-apply', status: 'open' });
  });

  it('when an imported absence’s tasks cannot be written, then nothing of the import is kept', async () => {
    const person = await teamMember();
    const importOne = () =>
      t.platform.services.absenceImport.importAbsences(
        { actor: null, requestId: 'import-test', ip: null },
        {
          organisationId: w.host.id,
          rows: [
            parseImportRow(
              { staff_number: person.staffNumber, start_date: '2026-11-16', reason_category: 'musculoskeletal-back' },
              2,
            ) as ParsedImportRow,
          ],
          allOrNothing: true,
        },
      );
    await refuseTaskWrites();
    await expect(importOne()).rejects.toThrow();
    expect(await t.database.db('absence_spells').where({ person_id: person.id })).toEqual([]);
    await allowTaskWrites();
    expect((await importOne()).imported).toBe(1);
    expect(await t.database.db('tasks').where({ subject_person_id: person.id, status: 'open' })).not.toEqual([]);
  });
});

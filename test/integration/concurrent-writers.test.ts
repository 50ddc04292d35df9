import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/shared/dates.js';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/**
 * Concurrent writers (issue 14 defect 1): four clients writing at once through the API, for each
 * family of writes, get no 5xx, and every write they were told was kept is there. On SQLite a
 * deferred transaction that read before it wrote failed with SQLITE_BUSY when another writer got in
 * first (37 of 60 absences); every write transaction now takes the write lock up front.
 */
const CLIENTS = 4;
const WRITES = 60;

describe('concurrent writers', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  const team = (count: number) => addTeamMembers(t, w, count);

  /**
   * CLIENTS clients at once, each making WRITES requests one after another; returns every status.
   * `write(client, n)` is the n-th request of a client.
   */
  const concurrently = async (write: (client: number, n: number) => Promise<request.Response>) => {
    const statuses = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const mine: number[] = [];
        for (let n = 0; n < WRITES; n++) mine.push((await write(client, n)).status);
        return mine;
      }),
    );
    return statuses.flat();
  };

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when four clients record absences at once, each for their own person, then none fails and every absence is kept', async () => {
    const people = await team(CLIENTS);
    const statuses = await concurrently((client, n) =>
      request(t.app)
        .post(`/api/v1/people/${people[client]!.id}/absences`)
        .set(as('hr'))
        .send({
          startDate: addDays('2026-01-05', n * 2),
          endDate: addDays('2026-01-05', n * 2),
          reasonCategory: 'other',
        }),
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    for (const person of people)
      expect(await t.database.db('absence_spells').where({ person_id: person.id }).count({ n: '*' })).toEqual([
        { n: WRITES },
      ]);
  });

  it('when four clients enrol people on pathways at once, then none fails and every pathway and its first steps are kept', async () => {
    const people = await team(CLIENTS * WRITES);
    const statuses = await concurrently((client, n) =>
      request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: people[client * WRITES + n]!.id, definition: 'msk', startedAt: '2026-11-20' }),
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const ids = people.map((p) => p.id);
    expect(await t.database.db('pathways').whereIn('person_id', ids).count({ n: '*' })).toEqual([
      { n: CLIENTS * WRITES },
    ]);
    const withSteps = await t.database.db('pathway_steps').whereIn('person_id', ids).countDistinct({ n: 'pathway_id' });
    expect(withSteps).toEqual([{ n: CLIENTS * WRITES }]);
  });

  it('when four clients ask for consents at once, then none fails and every request is kept', async () => {
    const people = await team(CLIENTS);
    const statuses = await concurrently((client, n) =>
      request(t.app)
        .post(`/api/v1/people/${people[client]!.id}/consents`)
        .set(as('clinician'))
        .send({
          kind: 'nhs-sharing',
          partnerOrganisationId: w.healthBoard.id,
          purpose: 'continuity-of-care',
          dataCategories: ['demographics', 'referral-details'],
          periodStart: '2026-11-20',
          description: `Physiotherapy ${n}`,
          noticeBy: 'letter',
        }),
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    for (const person of people)
      expect(await t.database.db('consents').where({ person_id: person.id }).count({ n: '*' })).toEqual([
        { n: WRITES },
      ]);
  });

  it('when four clients refer people to OH at once, then none fails and every referral and its triage task is kept', async () => {
    const people = await team(CLIENTS * WRITES);
    const statuses = await concurrently((client, n) =>
      request(t.app)
        .post(`/api/v1/people/${people[client * WRITES + n]!.id}/oh-referrals`)
        .set(as('lineManager'))
        .send({
          reason: 'Struggling with night shifts since returning',
          questions: 'What adjustments would help?',
          adjustmentsTried: 'Day shifts for two weeks',
          currentlyAbsent: false,
          personInformed: true,
        }),
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const ids = people.map((p) => p.id);
    expect(await t.database.db('oh_referrals').whereIn('person_id', ids).count({ n: '*' })).toEqual([
      { n: CLIENTS * WRITES },
    ]);
  });
});

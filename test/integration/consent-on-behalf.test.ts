import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** Issue 14 §5: a sharing consent allows nothing from before it was given. */
describe('consent recorded on the person’s behalf', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const at = (day: string) => t.clock.set(`${day}T10:00:00Z`);
  const post = (u: keyof World['tokens'], url: string, body?: object) => {
    const req = request(t.app).post(url).set(as(u));
    return body === undefined ? req : req.send(body);
  };

  /** A workforce member with no user account: written to by post, who answers by letter. */
  async function personWithoutAccount(): Promise<string> {
    const person = buildPerson(w.host.id, { givenName: 'Noel', familyName: 'Post' });
    await t.platform.repositories.people.insertPeople([person], t.clock.now());
    expect(await t.database.db('users').where({ person_id: person.id }).first()).toBeUndefined();
    return person.id;
  }

  beforeAll(async () => {
    t = await createTestPlatform();
    at('2027-02-01');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when a sharing consent is asked for with a backdated period, then it is refused; one stored with such a period allows nothing dated before its decision (§5c)', async () => {
    at('2027-04-01');
    const personId = await personWithoutAccount();
    const sharing = {
      kind: 'nhs-sharing',
      partnerOrganisationId: w.healthBoard.id,
      purpose: 'treatment',
      dataCategories: ['demographics'],
      description: 'Physiotherapy',
      noticeBy: 'letter',
    };
    const backdated = await post('clinician', `/api/v1/people/${personId}/consents`, {
      ...sharing,
      periodStart: '2026-10-03',
    });
    expect(backdated.status).toBe(422);
    expect(backdated.body.error).toMatchObject({
      code: 'period-before-consent',
      fields: { periodStart: expect.stringContaining('cannot start before today') },
    });
    const id = (
      await post('clinician', `/api/v1/people/${personId}/consents`, { ...sharing, periodStart: '2027-04-01' })
    ).body.id;
    at('2027-04-03');
    await post('ohAdmin', `/api/v1/consents/${id}/decision`, {
      decision: 'given',
      method: 'paper',
      documentReference: 'SCAN-S1',
    });
    const check = (asOf: string) =>
      post('clinician', '/api/v1/consents/check', {
        personId,
        recipient: { type: 'nhs-partner', organisationId: w.healthBoard.id },
        purpose: 'treatment',
        dataCategories: ['demographics'],
        asOf,
      });
    // Asked for from 1 April, given on 3 April: nothing dated before 3 April.
    expect((await check('2027-04-02')).body).toMatchObject({ allow: false, reason: 'consent-not-yet-in-force' });
    expect((await check('2027-04-03')).body).toEqual({ allow: true, consentIds: [id] });
    // A consent stored before this rule with its period backdated 180 days (existing data).
    const row = await t.database.db('consents').where({ id }).first();
    const state = typeof row.state === 'string' ? JSON.parse(row.state) : row.state;
    await t.database
      .db('consents')
      .where({ id })
      .update({ state: JSON.stringify({ ...state, periodStart: '2026-10-03' }) });
    expect((await check('2027-01-01')).body).toEqual({
      allow: false,
      reason: 'consent-not-yet-in-force',
      message: 'The consent to share with this partner starts on 2027-04-03.',
    });
    expect((await check('2027-04-03')).body).toEqual({ allow: true, consentIds: [id] });
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/demo-data.js';
import { readTimestamp } from '../../src/db/knex.js';
import { addDays, londonDay } from '../../src/shared/dates.js';
import { deliveryWorld } from './support/delivery-world.js';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/**
 * One UK day (issue 14 defect 2): "today" is the Europe/London day of the clock, in attendance, consent,
 * the referral share and the demo seeding alike. At 23:30 UTC in summer it is already tomorrow in the UK;
 * around the clock changes the UK day follows GMT or BST.
 */
const INSTANTS = [
  { at: '2026-07-15T23:30:00Z', ukDay: '2026-07-16', what: '23:30 UTC in summer (00:30 BST)' },
  { at: '2026-01-15T23:30:00Z', ukDay: '2026-01-15', what: '23:30 UTC in winter (23:30 GMT)' },
  { at: '2026-03-29T00:30:00Z', ukDay: '2026-03-29', what: 'just before the clocks go forward' },
  { at: '2026-03-29T23:30:00Z', ukDay: '2026-03-30', what: 'the first night of BST' },
  { at: '2026-10-24T23:30:00Z', ukDay: '2026-10-25', what: 'the last night of BST' },
  { at: '2026-10-25T23:30:00Z', ukDay: '2026-10-25', what: 'the first night of GMT' },
] as const;

describe('one UK day', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-01-05T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  for (const { at, ukDay, what } of INSTANTS) {
    it(`when a sickness absence starts on the UK day at ${what}, then it is accepted, and the UK tomorrow is not`, async () => {
      t.clock.set(at);
      const person = (await addTeamMembers(t, w))[0]!;
      const record = (startDate: string) =>
        request(t.app)
          .post(`/api/v1/people/${person.id}/absences`)
          .set(as('lineManager'))
          .send({ startDate, reasonCategory: 'cold-flu' });
      const tomorrow = await record(new Date(Date.parse(`${ukDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
      expect(tomorrow.status).toBe(422);
      expect(tomorrow.body.error.fields.startDate).toMatch(/future/);
      const today = await record(ukDay);
      expect(today.status).toBe(201);
      expect(today.body.startDate).toBe(ukDay);
    });
  }

  it('when an OH report arrives on the day the person consented, at 00:30 BST, then it is accepted as received that UK day', async () => {
    t.clock.set('2026-07-15T23:30:00Z');
    const person = (await addTeamMembers(t, w))[0]!;
    const consent = await request(t.app).post(`/api/v1/people/${person.id}/consents`).set(as('clinician')).send({
      kind: 'oh-report-release',
      recipientRole: 'line-manager',
      description: 'Fitness for night shifts',
      noticeBy: 'letter',
    });
    expect(consent.status).toBe(201);
    expect(consent.body.notifiedOn).toBe('2026-07-16');
    const decided = await request(t.app)
      .post(`/api/v1/consents/${consent.body.id}/decision`)
      .set(as('clinician'))
      .send({ decision: 'given', method: 'paper', documentReference: 'FORM-1', wishesToSeeReport: false });
    expect(decided.status).toBe(200);
    expect(decided.body.decision.on).toBe('2026-07-16');
    const report = await request(t.app)
      .post(`/api/v1/consents/${consent.body.id}/report`)
      .set(as('clinician'))
      .send({ text: 'Fit for night shifts.', receivedOn: '2026-07-16' });
    expect(report.status).toBe(200);
    expect(report.body.report.receivedOn).toBe('2026-07-16');
  });

  it('when a pathway is started on the UK day at 00:30 BST, then it starts at that UK midnight, and the audit search by UK day finds it under that day', async () => {
    t.clock.set('2026-07-15T23:30:00Z');
    const person = (await addTeamMembers(t, w))[0]!;
    const pathway = await request(t.app)
      .post('/api/v1/pathways')
      .set(as('clinician'))
      .send({ personId: person.id, definition: 'msk', startedAt: '2026-07-16' });
    expect(pathway.status).toBe(201);
    // 00:00 BST on 16 July, not 00:00 UTC (which would be half an hour in the future).
    expect(pathway.body.startedAt).toBe('2026-07-15T23:00:00.000Z');
    const search = async (from: string, to: string) =>
      (
        await request(t.app)
          .get('/api/v1/audit-events')
          .query({ subjectPersonId: person.id, from, to })
          .set(as('ohAdmin'))
      ).body.items as unknown[];
    expect(await search('2026-07-16', '2026-07-16')).not.toHaveLength(0);
    expect(await search('2026-07-15', '2026-07-15')).toHaveLength(0);
  });

  it('when a sharing consent starts on the UK day, at 00:30 BST, then a referral can be shared under it that night', async () => {
    t.clock.set('2026-07-15T23:30:00Z');
    const own = await buildWorld(t);
    const d = deliveryWorld(t, own);
    await d.partnerService('http://127.0.0.1:9/fhir', 'rest');
    const consent = await request(t.app)
      .post(`/api/v1/people/${own.report.id}/consents`)
      .set(d.as('clinician'))
      .send({
        kind: 'nhs-sharing',
        partnerOrganisationId: own.healthBoard.id,
        purpose: 'continuity-of-care',
        dataCategories: ['demographics', 'referral-details'],
        periodStart: '2026-07-16',
        description: 'Physiotherapy',
        noticeBy: 'letter',
      });
    expect(consent.status).toBe(201);
    expect(
      (
        await request(t.app)
          .post(`/api/v1/consents/${consent.body.id}/decision`)
          .set(d.as('staff'))
          .send({ decision: 'given', method: 'platform' })
      ).status,
    ).toBe(200);
    const pathway = await request(t.app)
      .post('/api/v1/pathways')
      .set(d.as('clinician'))
      .send({ personId: own.report.id, definition: 'msk', startedAt: '2026-07-16' });
    expect(pathway.status).toBe(201);
    const referral = (
      await request(t.app)
        .post(`/api/v1/pathways/${pathway.body.id}/transfer`)
        .set(d.as('clinician'))
        .send({ service: 'nhs-msk-physiotherapy', reason: 'Knee pain', priority: 'routine' })
    ).body.referral;
    const shared = await request(t.app)
      .post(`/api/v1/pathway-referrals/${referral.id}/share`)
      .set(d.as('clinician'))
      .send({ partnerOrganisationId: own.healthBoard.id });
    expect(shared.status).toBe(200);
    expect(shared.body.status).toBe('ready');
  });
});

describe('the demo, seeded at night', () => {
  // Summer and winter, and 00:30 BST on the first night of BST and on the night the clocks go back.
  for (const at of ['2026-07-15T23:30:00Z', '2026-01-15T23:30:00Z', '2026-03-29T23:30:00Z', '2026-10-24T23:30:00Z']) {
    it(`when the demo is seeded at ${at}, then it seeds, and its consents and absences sit on the UK day`, async () => {
      const t = await createTestPlatform();
      try {
        t.clock.set(at);
        const summary = await seedDemo(t.platform, { people: 60, seed: 3, years: 1 });
        expect(summary.people).toBeGreaterThan(0);
        const ukDay = t.clock.today();
        const consents = await t.database.db('consents').select('state');
        expect(consents.length).toBeGreaterThan(0);
        for (const row of consents) {
          const state = JSON.parse(row.state);
          expect(state.notifiedOn <= ukDay).toBe(true);
          if (state.report) expect(state.report.receivedOn).toBe(ukDay);
        }
        const future = await t.database.db('absence_spells').where('start_date', '>', ukDay).count({ n: '*' });
        expect(future).toEqual([{ n: 0 }]);
        // The demo's pathways started on UK days up to today; the plan's latest (1 day ago, 09:00 UK time) yesterday.
        const startedOn = (await t.database.db('pathways').select('started_at')).map((r) =>
          londonDay(readTimestamp(r.started_at)),
        );
        expect(startedOn.filter((d) => d > ukDay)).toEqual([]);
        expect(startedOn).toContain(addDays(ukDay, -1));
      } finally {
        await t.destroy();
      }
    });
  }
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BbvReminderService } from '../../src/bbv/reminder-service.js';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** Issue 16 §3: the person is reminded before each test window opens, through OH, never to a protected identity's work address. */
describe('BBV test reminders (issue 16 §3)', () => {
  let t: TestPlatform;
  let w: World;
  let service: BbvReminderService;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const protectedPerson = { id: '' };
  const workOnly = { id: '' };
  const emails = async () =>
    (
      (await t.database.db('jobs').where({ kind: 'email.send' }).orderBy('dedupe_key')) as Array<{
        payload: string | { to: string; subject: string; text: string };
        dedupe_key: string | null;
      }>
    ).map((j) => ({
      key: j.dedupe_key,
      ...((typeof j.payload === 'string' ? JSON.parse(j.payload) : j.payload) as {
        to: string;
        subject: string;
        text: string;
      }),
    }));

  const expose = async (personId: string) => {
    const res = await request(t.app).post('/api/v1/bbv-incidents').set(as('clinician')).send({
      personId,
      occurredAt: '2026-07-15T00:30:00+01:00',
      exposureType: 'needlestick',
      sourceKnown: false,
      highRiskHcv: false,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; schedule: Array<{ timepoint: string; windowStart: string }> };
  };

  beforeAll(async () => {
    t = await createTestPlatform({ OH_CONTACT_PHONE: '01234 567890', PUBLIC_URL: 'https://blp.test.example' });
    t.clock.set('2026-07-15T08:00:00Z');
    w = await buildWorld(t);
    const people = t.platform.repositories.people;
    const p1 = buildPerson(w.host.id, {
      unitId: w.unit.id,
      givenName: 'Prudence',
      protectedIdentity: true,
      workEmail: 'prudence@force.example',
      personalEmail: null,
    });
    const p2 = buildPerson(w.host.id, { unitId: w.unit.id, givenName: 'Wyn', workEmail: 'wyn@force.example' });
    await people.insertPeople([p1, p2], t.clock.now());
    protectedPerson.id = p1.id;
    workOnly.id = p2.id;
    await t.database.db('people').where({ id: w.report.id }).update({ personal_email: 'riley@home.example' });
    service = new BbvReminderService({
      bbv: t.platform.services.bbv,
      people: t.platform.services.people,
      notifications: t.platform.notifications,
      policy: t.platform.services.policy,
      ohContact: t.platform.config.ohContact,
      publicUrl: t.platform.config.publicUrl,
    });
  });
  afterAll(async () => t.destroy());

  it('reminds on the UK day a week before the window opens, to the personal or (unprotected) work address, once', async () => {
    const [mine, prot, work] = [await expose(w.report.id), await expose(protectedPerson.id), await expose(workOnly.id)];
    expect(mine.schedule[0]).toMatchObject({ timepoint: '4-6-weeks', windowStart: '2026-08-12' });
    await t.database.db('jobs').where({ kind: 'email.send' }).delete();

    // 23:30 on 4 August in the UK (22:30 UTC): the UK day is still the 4th, eight days before the window.
    t.clock.set('2026-08-04T22:30:00Z');
    expect(t.clock.today()).toBe('2026-08-04');
    expect(await service.remind(t.clock.today())).toEqual([]);
    expect(await emails()).toEqual([]);

    // 00:30 on 5 August in the UK is 23:30 UTC on the 4th: the reminder day (7 days before 12 August).
    t.clock.set('2026-08-04T23:30:00Z');
    expect(t.clock.today()).toBe('2026-08-05');
    const sent = await service.remind(t.clock.today());
    expect(sent).toEqual(
      expect.arrayContaining([
        { incidentId: mine.id, timepoint: '4-6-weeks', to: 'personal' },
        { incidentId: work.id, timepoint: '4-6-weeks', to: 'work' },
      ]),
    );
    expect(sent).toHaveLength(2);
    expect(sent.some((s) => s.incidentId === prot.id)).toBe(false);
    const queued = await emails();
    expect(queued.map((e) => e.to).sort()).toEqual(['riley@home.example', 'wyn@force.example']);
    expect(queued.some((e) => e.to === 'prudence@force.example')).toBe(false);
    for (const e of queued) {
      expect(e.subject).toMatch(/follow-up blood test with occupational health/);
      expect(`${e.subject}\n${e.text}`).not.toMatch(/HIV|hepatitis|blood-borne|HBsAg|HCV/i);
      expect(e.text).toContain('between 12 August 2026 and 26 August 2026');
      expect(e.text).toContain('01234 567890');
      expect(e.text).toContain('https://blp.test.example/me/bbv');
      expect(e.text).toContain('12 Awst 2026');
    }

    // The next day (and a second run the same day) queue nothing more for that timepoint.
    expect((await service.remind('2026-08-05')).length).toBe(2);
    t.clock.set('2026-08-06T09:00:00Z');
    await service.remind(t.clock.today());
    expect(await emails()).toHaveLength(2);

    // Once the window is open, no more reminders for it; the 3-month one waits for its own day.
    t.clock.set('2026-08-12T09:00:00Z');
    expect(await service.remind(t.clock.today())).toEqual([]);
    expect(await emails()).toHaveLength(2);
  });
});

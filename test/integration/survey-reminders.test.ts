import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';
import { addPeopleWithEmail, answer, hseAnswers, tokensFromEmails, type Invited } from './survey-support.js';

/** Issue 17 §4: reminders to everyone whose invitation is unused, and the daily work after a survey closes. */
describe('survey reminders and the close (issue 17 §4)', () => {
  let t: TestPlatform;
  let w: World;
  let invited: Invited[];
  let campaignId: string;
  const emailsTo = async () =>
    ((await t.database.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{ payload: string }>).map(
      (r) => JSON.parse(r.payload) as { to: string; subject: string; text: string },
    );

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-07-01T23:30:00Z'); // 00:30 on 2 July in the UK (BST)
    w = await buildWorld(t);
    const { unitId, people } = await addPeopleWithEmail(t, w, 12);
    const res = await request(t.app)
      .post('/api/v1/campaigns')
      .set({ Authorization: `Bearer ${w.tokens.ohAdmin}` })
      .send({
        questionnaireId: 'hse-indicator-tool',
        title: 'Team check-in',
        population: { kind: 'unit', ref: unitId },
        breakdown: 'none',
        opensOn: '2026-07-02',
        closesOn: '2026-07-20',
      });
    expect(res.status).toBe(201);
    campaignId = res.body.id;
    invited = await tokensFromEmails(t, people);
    for (const i of invited.slice(0, 4)) await answer(t, i.token, hseAnswers(3));
    // One starts and leaves it half done: they have used their invitation, so they are not reminded.
    await request(t.app).post('/api/v1/responses').send({ invitationToken: invited[4]!.token });
    await t.database.db('jobs').where({ kind: 'email.send' }).delete();
  });
  afterAll(async () => t.destroy());

  it('when the reminder day has not come, then nobody is reminded', async () => {
    // The policy's default: 7 days before the close (13 July).
    expect(await t.platform.services.surveys.remind('2026-07-12')).toBe(0);
    expect(await emailsTo()).toHaveLength(0);
  });

  it('when it comes, then everyone whose invitation is unused is reminded once, in words that say nothing of who answered', async () => {
    expect(await t.platform.services.surveys.remind('2026-07-13')).toBe(7);
    const emails = await emailsTo();
    expect(emails.map((e) => e.to).sort()).toEqual(
      invited
        .slice(5)
        .map((i) => i.person.workEmail)
        .sort(),
    );
    for (const e of emails) {
      expect(e.subject).toBe('Reminder: a survey is waiting for you / Nodyn atgoffa: mae arolwg yn aros amdanoch');
      expect(e.text).toContain('Team check-in');
      expect(e.text).not.toMatch(/\/survey\?t=/); // no token: the invitation email's link, or the home page
      expect(e.text).not.toMatch(/answered|responded/i);
    }
    expect(await t.platform.services.surveys.remind('2026-07-14')).toBe(0);
  });

  it('when the survey has closed, then drafts are deleted unread and the last answers published', async () => {
    expect(Number((await t.database.db('survey_drafts').count({ n: '*' }).first())!.n)).toBe(1);
    expect(Number((await t.database.db('survey_pool').count({ n: '*' }).first())!.n)).toBe(4);
    await t.platform.services.surveys.remind('2026-07-21');
    expect(Number((await t.database.db('survey_drafts').count({ n: '*' }).first())!.n)).toBe(0);
    expect(Number((await t.database.db('survey_pool').count({ n: '*' }).first())!.n)).toBe(0);
    const published = await t.database.db('survey_responses').where('campaign_id', campaignId);
    expect(published).toHaveLength(4);
    t.clock.set('2026-07-20T23:30:00Z'); // 00:30 on 21 July in the UK: the day after the close
    const late = await request(t.app).post('/api/v1/responses').send({ invitationToken: invited[6]!.token });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('survey-closed');
  });
});

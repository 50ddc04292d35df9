import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo-data.js';
import { DEMO_SURVEY_DAYS } from '../../src/demo/demo-surveys.js';
import { addDays } from '../../src/shared/dates.js';
import { createTestPlatform, type TestPlatform } from '../support/test-platform.js';

/** The test clock's UK day (test/support/test-platform.ts). */
const TODAY = '2026-11-22';

const accountOf = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!;

describe('demo surveys (issue 17 §10)', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await createTestPlatform();
    await seedDemo(t.platform, { people: 160, seed: 1988, years: 1 });
  });
  afterAll(async () => t.destroy());

  /** A demo account's request context, as a signed-in session would give it. */
  const as = async (role: string) => {
    const user = (await t.platform.repositories.users.findByEmail(accountOf(role).email))!;
    return {
      actor: (await t.platform.services.auth.actorFor(user, undefined, 'session'))!,
      requestId: 'test',
      ip: null,
    };
  };
  const campaigns = () => t.database.db('survey_campaigns').select('*').orderBy('closes_on');
  const responses = async (campaignId: string) =>
    Number(
      (
        (await t.database.db('survey_responses').where('campaign_id', campaignId).count({ n: '*' }).first()) as {
          n: number | string;
        }
      ).n,
    );

  it('when the demo is seeded, then it has a closed needs assessment, two closed HSE campaigns a year apart and one open today', async () => {
    const rows = await campaigns();
    expect(rows.map((r) => [r.questionnaire_id, r.closes_on])).toEqual([
      ['hse-indicator-tool', addDays(TODAY, -DEMO_SURVEY_DAYS.previousHseClosed)],
      ['community-needs-assessment', addDays(TODAY, -DEMO_SURVEY_DAYS.needsAssessmentClosed)],
      ['hse-indicator-tool', addDays(TODAY, -DEMO_SURVEY_DAYS.hseClosed)],
      ['community-needs-assessment', addDays(TODAY, 21)],
      ['psychological-risk-assessment', addDays(TODAY, 28)],
    ]);
    const [previousHse, needs, hse, open, risk] = rows;
    // NA-8: a confidential risk assessment with answers waiting for a clinician's review.
    expect(risk!.mode).toBe('confidential');
    const reviews = await t.database.db('survey_identified_responses').where('campaign_id', risk!.id);
    expect(reviews).toHaveLength(3);
    expect(reviews.every((r: { review_outcome: string | null }) => r.review_outcome === null)).toBe(true);
    // NA-7: the manager owns an action from the recent HSE results, on their worklist.
    const actions = await t.database.db('survey_actions').where('campaign_id', hse!.id);
    expect(actions).toHaveLength(1);
    const tasks = await t.database.db('tasks').where({ source_type: 'survey-action', source_id: actions[0].id });
    expect(tasks).toHaveLength(1);
    expect(hse.previous_campaign_id).toBe(previousHse.id);
    expect(needs.population_kind).toBe('organisation');
    expect(needs.breakdown).toBe('unit');
    expect(JSON.parse(needs.groups).length).toBeGreaterThan(1);
    expect(open.opens_on).toBe(TODAY);
    expect(await responses(open.id)).toBe(0);
  });

  it('when the demo is seeded, then each closed campaign had 55 to 75 % respond and its other invitations remain unused (NA-2)', async () => {
    for (const c of (await campaigns()).filter((r) => r.closes_on < TODAY)) {
      const answered = await responses(c.id);
      const unused = Number(
        (
          (await t.database.db('survey_invitations').where('campaign_id', c.id).count({ n: '*' }).first()) as {
            n: number | string;
          }
        ).n,
      );
      expect(answered + unused).toBe(c.invited_count);
      expect(answered).toBeGreaterThanOrEqual(Math.max(c.threshold, Math.floor(c.invited_count * 0.55)));
      expect(answered).toBeLessThanOrEqual(Math.max(c.threshold, Math.ceil(c.invited_count * 0.75)));
    }
  });

  it('when OH reads the closed needs assessment, then its results show figures, barriers and wellbeing, not only suppressed ones', async () => {
    const needs = (await campaigns()).find(
      (r) => r.questionnaire_id === 'community-needs-assessment' && r.closes_on < TODAY,
    )!;
    const results = await t.platform.services.surveys.results(await as('oh-administrator'), needs.id);
    const { figures } = results;
    expect(figures.filter((f) => !f.suppressed).length).toBeGreaterThan(figures.length / 2);
    const share = (code: string) => results.barriers!.find((b) => b.code === code)!.share;
    expect(share('shift-patterns').value).toBeGreaterThan(0.25);
    expect(share('shift-patterns').value).toBeGreaterThan(share('unsafe-venues').value ?? 0);
    expect(results.swemwbs!.mean.value).toBeGreaterThan(19);
    expect(results.swemwbs!.mean.value).toBeLessThan(28);
    expect(results.comments?.length).toBeGreaterThan(0);
  });

  it('when the line manager (the appointed facilitator) reads the latest HSE campaign, then domain means show with the change since the previous one', async () => {
    const hse = (await campaigns()).filter((r) => r.questionnaire_id === 'hse-indicator-tool').at(-1)!;
    const domains = (await t.platform.services.surveys.results(await as('line-manager'), hse.id)).hse!.domains;
    expect(domains.every((d) => !d.mean.suppressed)).toBe(true);
    const mean = (name: string) => domains.find((d) => d.domain === name)!.mean.value!;
    expect(mean('demands')).toBeLessThan(mean('peer-support'));
    expect(domains.some((d) => d.change !== null)).toBe(true);
  });

  it('when the demo officer asks what waits for them, then the open survey they are invited to is listed', async () => {
    const invited = await t.platform.services.surveys.invitationsFor(await as('staff'));
    expect(invited.map((c) => c.title)).toEqual(['Your wellbeing and access to support']);
  });

  it('when seeded, then no response row holds anything of the people who answered', async () => {
    const columns = Object.keys((await t.database.db('survey_responses').first()) ?? {});
    expect(columns.sort()).toEqual(['answers', 'campaign_id', 'group_key', 'id', 'scores', 'submitted_on']);
  });
});

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, type DemoAccount } from '../../src/demo/demo-data.js';
import { londonDay } from '../../src/shared/dates.js';
import type { RequestContext } from '../../src/shared/request-context.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { submitWith } from './support/sign-in.js';

/** Issue 15 §8 acceptance: an officer answers a clinician's consent request from their home page's "waiting for you". */
describe('the officer’s home page in the browser', () => {
  const demo = useDemoBrowser();
  const officer = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;
  const description = 'Sharing your physiotherapy notes with the NHS service';

  /** The number in "N things are waiting for you" (0 for "Nothing is waiting for you"). */
  const waitingCount = async (page: Page): Promise<number> => {
    const heading = (await page.locator('#waiting-heading').innerText()).trim();
    if (heading === 'Nothing is waiting for you') return 0;
    const m = /^(\d+) things? (?:is|are) waiting for you$/.exec(heading);
    if (!m) throw new Error(`the home page's heading is "${heading}"`);
    return Number(m[1]);
  };

  it('when an OH clinician asks for consent, then it waits on the officer’s home page with the count; answered from there, the count goes down; the page passes axe at 1280 and 320 px, and speaks Welsh', async () => {
    const { services, repositories, clock } = demo.server.platform;
    const contextOf = async (a: DemoAccount): Promise<RequestContext> => {
      const user = await repositories.users.findByEmail(a.email);
      const actor = user && services.auth.actorFor(user, a.role, 'session');
      if (!actor) throw new Error(`the demo account ${a.email} has no ${a.role} role`);
      return { actor, requestId: 'e2e-officer-home', ip: null };
    };
    const officerUser = await repositories.users.findByEmail(officer.email);
    if (!officerUser?.personId) throw new Error(`the demo account ${officer.email} has no workforce record`);
    const healthBoard = (await services.people.listOrganisations()).find((o) => o.kind === 'nhs-partner');
    if (!healthBoard) throw new Error('the demo has no NHS partner');

    await demo.withPage(officer, async (page) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${demo.server.baseUrl}/`);
      const before = await waitingCount(page);

      // The clinician asks, through the platform's own service (as the consent page does).
      const asked = await services.consent.request(await contextOf(clinician), officerUser.personId!, {
        kind: 'nhs-sharing',
        partnerOrganisationId: healthBoard.id,
        purpose: 'continuity-of-care',
        dataCategories: ['demographics', 'referral-details'],
        periodStart: londonDay(clock.now()),
        periodEnd: null,
        description,
        noticeBy: 'letter',
      });

      await page.reload();
      expect(await waitingCount(page)).toBe(before + 1);
      const item = page.locator('#waiting li', { hasText: description });
      await expect(item.count()).resolves.toBe(1);
      const main = await page.locator('main').innerText();
      expect(main).not.toMatch(/nhs-sharing|continuity-of-care|consent-decision|\bundefined\b/);
      expect(await accessibilityProblems(page, 'home at 1280 px')).toBe('');

      await page.setViewportSize({ width: 320, height: 800 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      expect(await accessibilityProblems(page, 'home at 320 px')).toBe('');

      // The officer follows the link and gives consent there.
      await submitWith(page, item.getByRole('link'));
      expect(new URL(page.url()).pathname).toBe(`/me/consents/${asked.consent.id}`);
      await page.getByLabel(/^Yes/).first().check();
      await submitWith(page, page.getByRole('button', { name: 'Send my decision' }));
      expect((await services.consent.findForSystem(asked.consent.id))?.status).toBe('given');

      await page.goto(`${demo.server.baseUrl}/`);
      expect(await waitingCount(page)).toBe(before);
      await expect(page.locator('#waiting li', { hasText: description }).count()).resolves.toBe(0);

      // The same page in Welsh.
      await page.setViewportSize({ width: 1280, height: 900 });
      await submitWith(page, page.getByRole('button', { name: 'Cymraeg' }));
      expect(await page.locator('html').getAttribute('lang')).toBe('cy');
      const heading = await page.locator('#waiting-heading').innerText();
      expect(heading).toMatch(/yn aros amdanoch chi/);
      expect(await page.locator('h1').innerText()).toContain('Croeso');
      expect(await accessibilityProblems(page, 'home in Welsh')).toBe('');
    });
  });

  it('when the officer refers themselves for their mental health, then the form and the confirmation signpost urgent help, and both pass axe at 320 px', async () => {
    await demo.withPage(officer, async (page) => {
      await page.setViewportSize({ width: 320, height: 800 });
      await page.goto(`${demo.server.baseUrl}/me/referrals/new`);
      // The test above left this officer reading Welsh.
      if ((await page.locator('html').getAttribute('lang')) === 'cy') {
        await submitWith(page, page.getByRole('button', { name: 'English' }));
        await page.goto(`${demo.server.baseUrl}/me/referrals/new`);
      }
      const help = page.locator('#urgent-help');
      await expect(help.innerText()).resolves.toMatch(/116 123/);
      await expect(help.innerText()).resolves.toMatch(/option 2/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      expect(await accessibilityProblems(page, 'self-referral form at 320 px')).toBe('');
      await page.getByLabel('Mental health, stress or trauma').check();
      await page.getByLabel('Tell us what is happening').fill('Not sleeping since a fatal collision');
      await submitWith(page, page.getByRole('button', { name: 'Send the referral' }));
      expect(new URL(page.url()).pathname, await page.locator('main').innerText()).toMatch(
        /^\/me\/referrals\/[0-9a-f-]+$/,
      );
      await expect(page.locator('#urgent-help').count()).resolves.toBe(1);
      expect(await accessibilityProblems(page, 'self-referral sent at 320 px')).toBe('');
    });
  });
});

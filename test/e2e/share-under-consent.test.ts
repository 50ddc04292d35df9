import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, type DemoAccount } from '../../src/demo/demo-data.js';
import type { RequestContext } from '../../src/shared/request-context.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { checkBothWidths } from './support/reflow.js';
import { submitWith } from './support/sign-in.js';

/**
 * Issue 15 acceptance, end to end in Chromium: a clinician's share refused for want of consent leads to a
 * pre-filled consent request; the officer answers it from their home page's "waiting for you"; and the
 * clinician, back on the pathway, shares. Every page passes axe at 1280 and 320 px without scrolling sideways.
 */
describe('sharing under consent, from refusal to share', () => {
  const demo = useDemoBrowser();
  const officer = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;

  it('when the clinician’s share is refused for want of consent, then “Ask for consent for this” asks for exactly it, the officer gives it from home, and the share then goes', async () => {
    const { services, repositories, clock } = demo.server.platform;
    const contextOf = async (a: DemoAccount): Promise<RequestContext> => {
      const user = await repositories.users.findByEmail(a.email);
      const actor = user && services.auth.actorFor(user, a.role, 'session');
      if (!actor) throw new Error(`the demo account ${a.email} has no ${a.role} role`);
      return { actor, requestId: 'e2e-share-under-consent', ip: null };
    };
    const officerUser = await repositories.users.findByEmail(officer.email);
    const personId = officerUser!.personId!;
    const msk = (await services.partners.list()).find(
      (p) => p.service.serviceType === 'nhs-msk-physiotherapy' && p.service.enabled,
    );
    const healthBoard = msk!.organisation!;
    // A pathway handed over to NHS physiotherapy: its referral waits to be shared.
    const asClinician = await contextOf(clinician);
    const enrolled = await services.pathways.enrol(asClinician, {
      personId,
      definition: 'msk',
      startedAt: clock.now(),
      source: 'clinician',
    });
    await services.pathways.transfer(asClinician, enrolled.pathway.id, {
      service: 'nhs-msk-physiotherapy',
      reason: 'Knee pain after a fall on duty; NHS physiotherapy',
      priority: 'routine',
    });
    const pathwayPath = `/pathways/${enrolled.pathway.id}`;
    const share = async (page: Page) => {
      await page
        .getByRole('group', { name: 'Which referral' })
        .getByLabel('NHS MSK physiotherapy (a handover)')
        .check();
      await page.getByLabel('NHS partner').selectOption({ label: healthBoard.name });
      await submitWith(page, page.getByRole('button', { name: 'Share under consent' }));
    };

    let consentPath = '';
    await demo.withPage(clinician, async (page) => {
      await page.goto(`${demo.server.baseUrl}${pathwayPath}`);
      await share(page);
      await expect(page.locator('.nhsuk-error-summary').count()).resolves.toBe(1);
      expect(await checkBothWidths(page, 'the refused share')).toEqual([]);
      await submitWith(page, page.getByRole('link', { name: 'Ask for consent for this' }));
      expect(new URL(page.url()).pathname).toBe(`/people/${personId}/consents/new/nhs-sharing`);
      // Pre-filled: the partner the share named, the categories it needed.
      await expect(page.locator('#partnerOrganisationId').inputValue()).resolves.toBe(healthBoard.id);
      await expect(page.getByLabel('Why they are referred').isChecked()).resolves.toBe(true);
      expect(await checkBothWidths(page, 'the pre-filled request')).toEqual([]);
      await submitWith(page, page.getByRole('button', { name: 'Ask for consent' }));
      await expect(page.locator('.nhsuk-notification-banner').innerText()).resolves.toContain(
        'Consent has been asked for',
      );
      consentPath = new URL(page.url()).pathname;
      expect(await checkBothWidths(page, 'the consent asked for')).toEqual([]);
    });

    await demo.withPage(officer, async (page) => {
      await page.goto(`${demo.server.baseUrl}/`);
      if ((await page.locator('html').getAttribute('lang')) === 'cy')
        await submitWith(page, page.getByRole('button', { name: 'English' }));
      const waiting = page.locator(`#waiting a[href="/me${consentPath}"]`);
      await expect(waiting.count(), 'the request waits on the officer’s home page').resolves.toBe(1);
      expect(await checkBothWidths(page, 'the officer’s home page')).toEqual([]);
      await submitWith(page, waiting);
      await page.getByLabel(/^Yes/).first().check();
      await submitWith(page, page.getByRole('button', { name: 'Send my decision' }));
      await expect(page.locator('.nhsuk-notification-banner').count()).resolves.toBe(1);
      expect(await checkBothWidths(page, 'the officer’s decision sent')).toEqual([]);
    });

    await demo.withPage(clinician, async (page) => {
      await page.goto(`${demo.server.baseUrl}${consentPath}?returnTo=${encodeURIComponent(pathwayPath)}`);
      await submitWith(page, page.getByRole('link', { name: 'Back to the pathway' }));
      expect(new URL(page.url()).pathname).toBe(pathwayPath);
      await share(page);
      await expect(page.locator('.nhsuk-error-summary').count()).resolves.toBe(0);
      await expect(page.locator('.nhsuk-notification-banner__heading').innerText()).resolves.toBe(
        `Referral to NHS MSK physiotherapy shared with ${healthBoard.name}`,
      );
      expect(await checkBothWidths(page, 'the pathway after the share')).toEqual([]);
    });
  });
});

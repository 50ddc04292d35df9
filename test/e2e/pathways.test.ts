import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { submitWith } from './support/sign-in.js';

/** Issue 4 in the browser: an OH clinician starts the MSK pathway and triages; a staff member refers themselves. */
describe('pathways in the browser', () => {
  const demo = useDemoBrowser();
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;
  const officer = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;

  it('when an OH clinician enrols a person on the MSK pathway and completes the triage form, then the next step is shown as due, and every page passes axe', async () => {
    const db = demo.server.platform.db;
    // Someone in post who is on no pathway yet.
    const person = await db('people')
      .whereNull('leaving_date')
      .whereNotIn('id', db('pathways').select('person_id'))
      .orderBy('staff_number', 'desc')
      .first();
    await demo.withPage(clinician, async (page) => {
      await page.goto(`${demo.server.baseUrl}/people/${person.id}/pathways`);
      expect(await accessibilityProblems(page, 'pathways of a person')).toBe('');
      await page.getByLabel('Musculoskeletal (MSK) pathway').check();
      await submitWith(page, page.getByRole('button', { name: 'Start the pathway' }));
      expect(new URL(page.url()).pathname).toMatch(/^\/pathways\/[0-9a-f-]{36}$/);
      expect(await accessibilityProblems(page, 'pathway')).toBe('');

      await submitWith(page, page.getByRole('link', { name: /Triage/ }).first());
      expect(new URL(page.url()).pathname).toMatch(/\/steps\/triage$/);
      expect(await accessibilityProblems(page, 'triage form')).toBe('');
      // A first submission without the red flags question is refused, with the other answers kept.
      await page.getByRole('group', { name: 'Is the main problem back pain?' }).getByLabel('Yes').check();
      await page.getByLabel('Lower back').check();
      await page.getByRole('group', { name: 'Did the injury happen on duty?' }).getByLabel('No').check();
      await submitWith(page, page.getByRole('button', { name: 'Save and continue' }));
      await expect(page.locator('.nhsuk-error-summary').count()).resolves.toBe(1);
      expect(await page.getByLabel('Lower back').isChecked()).toBe(true);
      expect(await accessibilityProblems(page, 'triage form with an error')).toBe('');
      await page
        .getByRole('group', { name: /red flags/ })
        .getByLabel('No')
        .check();
      await submitWith(page, page.getByRole('button', { name: 'Save and continue' }));

      expect(new URL(page.url()).pathname).toMatch(/^\/pathways\/[0-9a-f-]{36}$/);
      await expect(page.locator('.nhsuk-notification-banner__heading').innerText()).resolves.toMatch(/Triage.*: saved/);
      // What happens next, first: the STarT Back screening, who does it, by when, and the link to do it.
      const next = page.locator('[data-next] li', { hasText: 'STarT Back screening' });
      await expect(next.count()).resolves.toBe(1);
      // Due from today to two days on (0–2 days after the triage): by two days on.
      const today = new Date();
      const inTwoDays = new Date(today.getTime() + 2 * 86_400_000);
      const day = (d: Date) =>
        new Intl.DateTimeFormat('en-GB', {
          day: 'numeric',
          month: 'long',
          year: 'numeric',
          timeZone: 'Europe/London',
        }).format(d);
      expect(await next.innerText()).toContain(`By ${day(inTwoDays)}`);
      await expect(next.getByRole('link', { name: 'STarT Back screening' }).count()).resolves.toBe(1);
      // The full steps table is in the history, folded away until asked for.
      const stepsTable = page.locator('#history table').first();
      expect(await stepsTable.isVisible()).toBe(false);
      await page.locator('#history summary').click();
      const startBackRow = stepsTable.locator('tr', { hasText: 'STarT Back screening' });
      await expect(startBackRow.count()).resolves.toBe(1);
      const rowText = await startBackRow.innerText();
      expect(rowText).toContain(day(inTwoDays));
      await expect(startBackRow.getByRole('link', { name: /Complete/ }).count()).resolves.toBe(1);
      // The pathway page, history open, at a desktop's width and a small phone's: axe-clean, never sideways.
      for (const width of [1280, 320]) {
        await page.setViewportSize({ width, height: 800 });
        expect(await accessibilityProblems(page, `pathway at ${width} px`)).toBe('');
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(scrollWidth, `the pathway page at ${width} px`).toBeLessThanOrEqual(clientWidth);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(
        await db('pathway_steps').where({ person_id: person.id, step_code: 'msk-assessment' }).first(),
      ).toMatchObject({ status: 'not-applicable' });
    });
  });

  it('when a clinician transfers from the actions list and a share is refused for want of consent, then the page offers the pre-filled consent request, and the journey updates without a reload; every page passes axe at 1280 and 320 px', async () => {
    const db = demo.server.platform.db;
    const person = await db('people')
      .whereNull('leaving_date')
      .whereNotIn('id', db('pathways').select('person_id'))
      .orderBy('staff_number', 'asc')
      .first();
    const partner = await db('organisations').where({ kind: 'nhs-partner' }).orderBy('name').first();
    await demo.withPage(clinician, async (page) => {
      await page.goto(`${demo.server.baseUrl}/people/${person.id}/pathways`);
      await page.getByLabel('Musculoskeletal (MSK) pathway').check();
      await submitWith(page, page.getByRole('button', { name: 'Start the pathway' }));
      const pathwayPath = new URL(page.url()).pathname;
      await expect(page.locator('.nhsuk-notification-banner__heading').innerText()).resolves.toContain('started');

      // The transfer has its own page, reached from the actions list.
      await submitWith(page, page.locator('[data-actions]').getByRole('link', { name: 'Transfer to an NHS service' }));
      expect(new URL(page.url()).pathname).toBe(`${pathwayPath}/transfer`);
      expect(await accessibilityProblems(page, 'transfer page')).toBe('');
      await page.getByLabel('NHS MSK physiotherapy').check();
      await page.getByLabel('Reason for the transfer').fill('Knee pain after a fall; needs NHS physiotherapy');
      await submitWith(page, page.getByRole('button', { name: 'Transfer' }));
      expect(new URL(page.url()).pathname).toBe(pathwayPath);
      await expect(page.locator('.nhsuk-notification-banner__heading').innerText()).resolves.toBe(
        'Handover referral to NHS MSK physiotherapy prepared',
      );

      // No consent yet: the gate refuses, and the page offers to ask for exactly this consent.
      await page
        .getByRole('group', { name: 'Which referral' })
        .getByLabel('NHS MSK physiotherapy (a handover)')
        .check();
      await page.getByLabel('NHS partner').selectOption({ label: partner.name });
      await submitWith(page, page.getByRole('button', { name: 'Share under consent' }));
      await expect(page.locator('.nhsuk-error-summary').count()).resolves.toBe(1);
      const ask = page.getByRole('link', { name: 'Ask for consent for this' });
      const href = new URL((await ask.getAttribute('href'))!, demo.server.baseUrl);
      expect(href.pathname).toBe(`/people/${person.id}/consents/new/nhs-sharing`);
      expect(href.searchParams.get('partnerOrganisationId')).toBe(partner.id);
      expect(href.searchParams.get('purpose')).toBe('continuity-of-care');
      expect(href.searchParams.getAll('dataCategories')).toEqual(['demographics', 'referral-details']);
      expect(href.searchParams.get('returnTo')).toBe(pathwayPath);
      for (const width of [1280, 320]) {
        await page.setViewportSize({ width, height: 800 });
        expect(await accessibilityProblems(page, `refused share at ${width} px`)).toBe('');
        const wide = await page.evaluate(
          () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
        );
        expect(wide, `the refused share at ${width} px scrolls sideways`).toBe(false);
      }
      await page.setViewportSize({ width: 1280, height: 800 });

      // The journey refreshes in place: when the server says the referral has moved on, the page shows it, unreloaded.
      const referral = page.locator('li[data-referral]').first();
      const referralId = await referral.getAttribute('data-referral');
      await page.route('**/journey.json', (route) =>
        route.fulfill({
          json: {
            referrals: [
              {
                id: referralId,
                statusName: 'Sent',
                partnerText: `with ${partner.name}`,
                lines: [
                  {
                    progress: false,
                    label: 'Referral message',
                    status: 'Delivered',
                    tag: 'nhsuk-tag--green',
                    detail: 'just now',
                  },
                  {
                    progress: true,
                    label: 'At the service',
                    status: 'Received',
                    tag: 'nhsuk-tag--blue',
                    detail: 'just now',
                  },
                ],
              },
            ],
          },
        }),
      );
      const loadedAt = await page.evaluate(() => performance.timeOrigin);
      await expect
        .poll(() => referral.locator('[data-progress] strong').allTextContents(), { timeout: 25_000 })
        .toEqual(['Received']);
      expect(await referral.locator('[data-referral-status]').innerText()).toBe('Sent');
      expect(await page.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
    });
  }, 120_000);

  it('when the clinical lead uploads the next version of a definition as a file, then it is checked and published, and the page passes axe', async () => {
    const next = {
      ...(await demo.server.platform.services.pathways.exportDefinition('retirement')),
      version: '2',
      date: '2026-12-01',
    };
    await demo.withPage(clinician, async (page) => {
      await page.goto(`${demo.server.baseUrl}/admin/pathway-definitions`);
      expect(await accessibilityProblems(page, 'pathway definitions')).toBe('');
      await page.getByLabel('Choose a PlanDefinition JSON file').setInputFiles({
        name: 'retirement-v2.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(next)),
      });
      await expect
        .poll(async () => (await page.getByLabel('Upload a PlanDefinition (JSON)').inputValue()).length)
        .toBeGreaterThan(100);
      await submitWith(page, page.getByRole('button', { name: 'Check and publish' }));
      await expect(
        page.locator('table tr', { hasText: 'Retirement preparation pathway' }).filter({ hasText: /\b2\b/ }).count(),
      ).resolves.toBeGreaterThan(0);
    });
    expect(
      await demo.server.platform.db('pathway_definitions').where({ code: 'retirement', version: 2 }).first(),
    ).toBeDefined();
  });

  it('when a staff member refers themselves, then they see their copy and OH has it to triage', async () => {
    await demo.withPage(officer, async (page) => {
      await page.goto(`${demo.server.baseUrl}/me`);
      await submitWith(page, page.getByRole('link', { name: 'Refer yourself to occupational health' }).first());
      expect(await accessibilityProblems(page, 'self-referral')).toBe('');
      await submitWith(page, page.getByRole('button', { name: 'Send the referral' }));
      await expect(page.locator('.nhsuk-error-summary').count()).resolves.toBe(1);
      await page.getByLabel('Mental health, stress or trauma').check();
      await page
        .getByLabel('Tell us what is happening')
        .fill('I have not been sleeping since the incident on the motorway.');
      await page.getByLabel(/Where would you like to be seen/).fill('Not at the local hospital');
      await submitWith(page, page.getByRole('button', { name: 'Send the referral' }));
      expect(new URL(page.url()).pathname).toMatch(/^\/me\/referrals\/[0-9a-f-]{36}$/);
      await expect(
        page.getByText('I have not been sleeping since the incident on the motorway.').count(),
      ).resolves.toBe(1);
      expect(await accessibilityProblems(page, 'referral copy')).toBe('');
    });
    const waiting = await demo.server.platform.db('oh_referrals').where({ source: 'self', status: 'awaiting-triage' });
    expect(waiting).toHaveLength(1);
  });
});

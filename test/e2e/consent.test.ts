import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { submitWith } from './support/sign-in.js';

/** Issue 5 in the browser: a staff member reviews a pending OH report, asks for a correction and refuses release; their manager sees no report. */
describe('consent in the browser', () => {
  const demo = useDemoBrowser();
  const officer = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;
  const manager = DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!;
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;
  const reportText = 'no lifting over 10 kg';

  it('when the officer reviews the OH report waiting for them, asks for a correction and refuses release, then the manager’s view shows no report, and every page passes axe', async () => {
    const db = demo.server.platform.db;
    const user = await db('users').where({ email: officer.email }).first();
    const consent = await db('consents').where({ person_id: user.person_id, kind: 'oh-report-release' }).first();
    expect(consent.status).toBe('report-received');

    await demo.withPage(officer, async (page) => {
      // On a phone: nothing runs off the side of the screen.
      await page.setViewportSize({ width: 375, height: 800 });
      await page.goto(`${demo.server.baseUrl}/me/consents`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      expect(await accessibilityProblems(page, 'my consents')).toBe('');
      const waiting = page.locator('.nhsuk-card', { hasText: 'Return to work after a back injury' });
      // One message about release, never two that contradict (issue 15 §5).
      const card = await waiting.innerText();
      expect(card).toMatch(
        /Read it by \d+ \w+ \d{4}\. If you have not read it by then, it may be released on that day/,
      );
      expect(card).not.toContain('will not be released until');
      await submitWith(page, waiting.getByRole('link'));
      expect(await accessibilityProblems(page, 'a consent')).toBe('');
      await submitWith(page, page.getByRole('link', { name: 'Read the report' }));
      expect(new URL(page.url()).pathname).toBe(`/me/consents/${consent.id}/report`);
      await expect(page.locator('#report-text').innerText()).resolves.toContain(reportText);
      expect(await accessibilityProblems(page, 'the report')).toBe('');

      // A decision without a choice comes back with the error beside the question.
      await submitWith(page, page.getByRole('button', { name: 'Send my decision' }));
      await expect(page.locator('.nhsuk-error-summary').innerText()).resolves.toContain(
        'Say whether the report may be released',
      );
      expect(await accessibilityProblems(page, 'the report with an error')).toBe('');

      await page
        .getByLabel('What is incorrect or misleading?')
        .fill('I can drive for up to two hours: my consultant cleared it.');
      await submitWith(page, page.getByRole('button', { name: 'Ask for this correction' }));
      await expect(page.locator('main').innerText()).resolves.toContain('I can drive for up to two hours');
      await page.getByLabel('No, do not release it').check();
      await submitWith(page, page.getByRole('button', { name: 'Send my decision' }));
      expect(new URL(page.url()).pathname).toBe(`/me/consents/${consent.id}`);
      await expect(page.locator('main').innerText()).resolves.toContain('Report withheld at your request');
    });
    expect((await db('consents').where({ id: consent.id }).first()).status).toBe('withheld');

    await demo.withPage(manager, async (page) => {
      await page.goto(`${demo.server.baseUrl}/people/${user.person_id}`);
      await submitWith(page, page.getByRole('link', { name: 'Occupational health reports released to you' }));
      const main = await page.locator('main').innerText();
      expect(main).toContain('No report is available. Decisions will be made on the facts available');
      expect(main).not.toMatch(/AMRA-\d/);
      expect(main).not.toContain(reportText);
      // Not even what the report was about (CONF-1).
      expect(main).not.toContain('back injury');
      expect(main).not.toContain('two hours');
      expect(await accessibilityProblems(page, 'reports released to the manager')).toBe('');
      // The consent itself is not the manager's to see: their own consent pages do not find another person's.
      const response = await page.goto(`${demo.server.baseUrl}/me/consents/${consent.id}`);
      expect(response?.status()).toBe(404);
    });
  });

  it('when the officer opens the sharing request, then it says what would be shared and with whom, and they can give consent', async () => {
    const db = demo.server.platform.db;
    const user = await db('users').where({ email: officer.email }).first();
    const sharing = await db('consents').where({ person_id: user.person_id, kind: 'nhs-sharing' }).first();
    await demo.withPage(officer, async (page) => {
      await page.goto(`${demo.server.baseUrl}/me/consents/${sharing.id}`);
      const main = await page.locator('main').innerText();
      expect(main).toContain('Westshire University Health Board');
      expect(main).toContain('Relevant health history');
      expect(main).toContain('never shared unless it is listed here');
      await page.getByLabel('Yes, I agree').check();
      await submitWith(page, page.getByRole('button', { name: 'Send my decision' }));
      await expect(page.locator('main').innerText()).resolves.toContain('Consent given');
      expect(await accessibilityProblems(page, 'a sharing consent')).toBe('');
      await submitWith(page, page.getByRole('button', { name: 'Withdraw my consent' }));
      await expect(page.locator('main').innerText()).resolves.toContain('Consent withdrawn');
    });
  });

  it('when a clinician records a letter from someone with no account, then a missing answer shows beside its field, the letter is recorded from its date, and every page passes axe (issue 14 §4)', async () => {
    const db = demo.server.platform.db;
    const person = await db('people')
      .leftJoin('users', 'users.person_id', 'people.id')
      .whereNull('users.id')
      .select('people.id')
      .first();
    await demo.withPage(clinician, async (page) => {
      // A phone's width: the consent list and each kind's form fit (WCAG 1.4.10).
      await page.setViewportSize({ width: 320, height: 800 });
      await page.goto(`${demo.server.baseUrl}/people/${person.id}/consents`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      expect(await accessibilityProblems(page, 'a person’s consents')).toBe('');
      // An empty request names each of its fields in words.
      await submitWith(
        page,
        page.getByRole('link', { name: 'Ask for consent to share information with an NHS service' }),
      );
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await page.getByLabel('Day').first().fill('');
      await submitWith(page, page.getByRole('button', { name: 'Ask for consent' }));
      const errors = await page.locator('.nhsuk-error-summary').innerText();
      expect(errors).toContain('Select the NHS partner');
      expect(errors).not.toMatch(/discriminator|expected|nhs-sharing/i);
      expect(await accessibilityProblems(page, 'a sharing request with errors')).toBe('');
      await page.setViewportSize({ width: 1280, height: 800 });

      await page.goto(`${demo.server.baseUrl}/people/${person.id}/consents`);
      await submitWith(
        page,
        page.getByRole('link', {
          name: 'Ask for consent to release an occupational health report to their manager or HR',
        }),
      );
      // Only this kind's questions: no doctor, no NHS service.
      expect(await page.locator('main').getByLabel('The doctor’s name').count()).toBe(0);
      expect(await page.locator('main #partnerOrganisationId').count()).toBe(0);
      expect(await accessibilityProblems(page, 'an OH report release request')).toBe('');
      await page.getByLabel('What it is for, in plain words').fill('Fitness for night shifts');
      await page.getByLabel('Line manager').check();
      await submitWith(page, page.getByRole('button', { name: 'Ask for consent' }));
      await expect(page.locator('.nhsuk-notification-banner').innerText()).resolves.toContain(
        'Consent has been asked for',
      );
      expect(await accessibilityProblems(page, 'a consent just asked for')).toBe('');
      await page.getByLabel('Consent given').check();
      await page.getByLabel('On a paper form').check();
      await page.getByLabel('Scanned form reference').fill('SCAN-E2E-1');
      await page.getByLabel('Yes', { exact: true }).check();
      await submitWith(page, page.getByRole('button', { name: 'Record the decision' }));
      await expect(page.locator('.nhsuk-notification-banner').innerText()).resolves.toContain(
        'Their consent has been recorded',
      );
      await page.getByLabel('The report', { exact: true }).fill('Fit for night shifts.');
      await submitWith(page, page.getByRole('button', { name: 'Record the report' }));

      await expect(page.locator('main').innerText()).resolves.toContain('Record a letter from the person');
      await submitWith(page, page.getByRole('button', { name: 'Record the letter' }));
      await expect(page.locator('.nhsuk-error-summary').innerText()).resolves.toContain('Choose what the letter says');
      await expect(page.locator('#letterReference-error').innerText()).resolves.toContain(
        'Enter the reference of the scanned letter',
      );
      expect(await accessibilityProblems(page, 'a letter from the person, with errors')).toBe('');
      await page.getByLabel('They have seen the report').check();
      await page.getByLabel('Reference of the scanned letter').fill('LTR-E2E-1');
      await submitWith(page, page.getByRole('button', { name: 'Record the letter' }));
      await expect(page.locator('main').innerText()).resolves.toMatch(
        /from their letter received on \d+ \w+ \d{4} \(reference LTR-E2E-1\)/,
      );
      expect(await accessibilityProblems(page, 'a consent with a letter recorded')).toBe('');
    });
  });

  it('when a clinician follows a pre-filled link to ask for sharing consent, then the choices are made, the request goes, and the banner leads back to the pathway (issue 15 §3, §5)', async () => {
    const db = demo.server.platform.db;
    const partner = await db('organisations').where({ kind: 'nhs-partner' }).first();
    const person = await db('people')
      .leftJoin('users', 'users.person_id', 'people.id')
      .whereNull('users.id')
      .select('people.id')
      .first();
    const pathway = '/pathways/00000000-0000-4000-8000-000000000000';
    const query = new URLSearchParams([
      ['partnerOrganisationId', partner.id],
      ['purpose', 'treatment'],
      ['dataCategories', 'demographics'],
      ['dataCategories', 'referral-details'],
      ['description', 'Physiotherapy for a knee injury'],
      ['returnTo', pathway],
    ]);
    await demo.withPage(clinician, async (page) => {
      await page.goto(`${demo.server.baseUrl}/people/${person.id}/consents/new/nhs-sharing?${query}`);
      await expect(page.locator('#partnerOrganisationId').inputValue()).resolves.toBe(partner.id);
      await expect(page.getByLabel('Treatment', { exact: true }).isChecked()).resolves.toBe(true);
      await expect(page.getByLabel('Why they are referred').isChecked()).resolves.toBe(true);
      await expect(page.getByLabel('Mental health information').isChecked()).resolves.toBe(false);
      await expect(page.getByLabel('What it is for, in plain words').inputValue()).resolves.toBe(
        'Physiotherapy for a knee injury',
      );
      expect(await accessibilityProblems(page, 'a pre-filled sharing request')).toBe('');
      await submitWith(page, page.getByRole('button', { name: 'Ask for consent' }));
      await expect(page.locator('.nhsuk-notification-banner').innerText()).resolves.toContain(
        'Consent has been asked for',
      );
      await expect(page.getByRole('link', { name: 'Back to the pathway' }).getAttribute('href')).resolves.toBe(pathway);
      const main = await page.locator('main').innerText();
      expect(main).toContain('Westshire University Health Board');
      expect(main).not.toMatch(/nhs-sharing|referral-details|continuity-of-care/);
      expect(await accessibilityProblems(page, 'a sharing consent just asked for')).toBe('');
    });
  });
});

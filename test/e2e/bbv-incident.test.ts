import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { addDays, londonDay, longDate } from '../../src/shared/dates.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { fillDate } from './support/date-input.js';
import { checkBothWidths } from './support/reflow.js';
import { submitWith } from './support/sign-in.js';

/**
 * Issue 16 §8 end to end in Chromium: an OH clinician records a bite between two members of staff about five
 * weeks ago, completes the risk assessment, sees the testing schedule and records a 4–6 week result; the
 * officer then sees their next test's dates from home. Every page passes axe at 1280 and 320 px without
 * scrolling sideways.
 */
describe('a blood-borne virus exposure, recorded and followed up by OH', () => {
  const demo = useDemoBrowser();
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;
  const officer = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;

  it('when a clinician records a bite with both parties five weeks ago and its risk assessment, then the schedule shows the 4–6 week tests due, a result is recorded for them, and the officer sees the dates of their next test', async () => {
    const { baseUrl, platform } = demo.server;
    const officerUser = await platform.repositories.users.findByEmail(officer.email);
    const personId = officerUser!.personId!;
    const today = londonDay(new Date());
    const fiveWeeksAgo = addDays(today, -35);

    await demo.withPage(clinician, async (page) => {
      const errors = () => page.locator('.nhsuk-error-summary').allTextContents();
      if ((await page.locator('html').getAttribute('lang')) === 'cy')
        await submitWith(page, page.getByRole('button', { name: 'English' }));
      // From the person's pathways, where OH starts things for them.
      await page.goto(`${baseUrl}/people/${personId}/pathways`);
      await submitWith(page, page.getByRole('link', { name: 'Record a blood-borne virus exposure' }));
      expect(new URL(page.url()).pathname).toBe(`/people/${personId}/bbv-incidents/new`);
      expect(await checkBothWidths(page, 'the exposure form')).toEqual([]);

      await fillDate(page, 'occurredAt', fiveWeeksAgo);
      await page.locator('input[name="occurredAt-time"]').fill('14:30');
      await page.getByRole('group', { name: 'How did it happen?' }).getByLabel('Bite', { exact: true }).check();
      await page.getByRole('group', { name: 'Did the bite break the skin?' }).getByLabel('Yes').check();
      await page.getByRole('group', { name: 'Was there blood in the biter’s mouth?' }).getByLabel('No').check();
      await page
        .getByRole('group', { name: 'Who was the other person in the bite?' })
        .getByLabel('A member of staff')
        .check();
      await page.getByLabel('Which member of staff?').selectOption({ index: 1 });
      await page.getByRole('group', { name: 'What body fluid was it?' }).getByLabel('Saliva').check();
      await page.getByRole('group', { name: 'Is the source known?' }).getByLabel('Yes').check();
      expect(await checkBothWidths(page, 'the exposure form, filled in')).toEqual([]);
      await submitWith(page, page.getByRole('button', { name: 'Record the exposure' }));
      expect(new URL(page.url()).pathname, (await errors()).join()).toMatch(/^\/bbv-incidents\/[0-9a-f-]{36}$/);
      const incidentPath = new URL(page.url()).pathname;
      await expect(page.locator('.nhsuk-notification-banner').innerText()).resolves.toContain(
        'The exposure has been recorded',
      );
      // The other member of staff has their own exposure, linked from this one.
      await expect(page.getByRole('link', { name: 'Open the other member of staff’s exposure' }).count()).resolves.toBe(
        1,
      );
      expect(await checkBothWidths(page, 'the incident, not yet assessed')).toEqual([]);

      await submitWith(page, page.getByRole('link', { name: 'Record the risk assessment' }));
      expect(await checkBothWidths(page, 'the risk assessment form')).toEqual([]);
      await page.getByRole('group', { name: 'Is the source at high risk of hepatitis C?' }).getByLabel('No').check();
      await page
        .getByRole('group', { name: 'Is the person a known hepatitis B vaccine responder?' })
        .getByLabel('Yes')
        .check();
      await page
        .getByRole('group', { name: 'Has the other person in the bite been assessed?' })
        .getByLabel('Yes')
        .check();
      await submitWith(page, page.getByRole('button', { name: 'Record the risk assessment' }));
      expect(new URL(page.url()).pathname, (await errors()).join()).toBe(incidentPath);
      const schedule = page.locator('.blp-timeline > li').first();
      await expect(schedule.innerText()).resolves.toContain('4 to 6 weeks');
      await expect(schedule.innerText()).resolves.toContain('Due now');
      expect(await checkBothWidths(page, 'the incident with its schedule')).toEqual([]);

      await submitWith(page, schedule.getByRole('link', { name: /Record a result/ }));
      expect(await checkBothWidths(page, 'the result form')).toEqual([]);
      await expect(page.getByLabel(/^4 to 6 weeks/).isChecked()).resolves.toBe(true);
      await page.getByLabel('Hepatitis B surface antigen (HBsAg)').check();
      await page.getByRole('group', { name: 'Result' }).getByLabel('Negative').check();
      await fillDate(page, 'sampleTakenAt', addDays(today, -1));
      await page.locator('input[name="sampleTakenAt-time"]').fill('09:00');
      await submitWith(page, page.getByRole('button', { name: 'Record the result' }));
      expect(new URL(page.url()).pathname, (await errors()).join()).toBe(incidentPath);
      await expect(page.locator('.nhsuk-notification-banner').innerText()).resolves.toContain(
        'The result has been recorded',
      );
      await expect(page.locator('.blp-timeline > li').first().innerText()).resolves.toContain(
        'Hepatitis B surface antigen (HBsAg): Negative',
      );
      expect(await checkBothWidths(page, 'the incident with a result')).toEqual([]);
    });

    // The officer sees their next test date from home, and the page about it says when and where, never a result.
    const from = longDate(addDays(fiveWeeksAgo, 28), 'en');
    const to = longDate(addDays(fiveWeeksAgo, 42), 'en');
    await demo.withPage(officer, async (page) => {
      if ((await page.locator('html').getAttribute('lang')) === 'cy')
        await submitWith(page, page.getByRole('button', { name: 'English' }));
      await page.goto(`${baseUrl}/`);
      // One result of three is in: the test is part done, so home gives its window.
      const fromHome = page.getByRole('link', { name: `Follow-up blood test between ${from} and ${to}` });
      await expect(fromHome.count()).resolves.toBe(1);
      expect(await checkBothWidths(page, 'the officer’s home with the test')).toEqual([]);
      await submitWith(page, fromHome);
      expect(new URL(page.url()).pathname).toBe('/me/bbv');
      const exposure = page.locator('[data-testid="exposure"]', {
        has: page.getByRole('heading', { name: `After the exposure on ${longDate(fiveWeeksAgo, 'en')}` }),
      });
      const next = exposure.locator('[data-testid="next-test"]');
      await expect(next.innerText()).resolves.toContain(`Between ${from} and ${to}`);
      await expect(exposure.innerText()).resolves.not.toMatch(/Negative|Positive/);
      expect(await checkBothWidths(page, 'the officer’s follow-up tests')).toEqual([]);
    });
  }, 180_000);
});

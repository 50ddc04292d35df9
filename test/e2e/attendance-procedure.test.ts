import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { addDays, londonDay } from '../../src/shared/dates.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { directReportFreeOfRecentAbsence } from './support/demo-people.js';
import { submitWith } from './support/sign-in.js';
import { fillDate } from './support/date-input.js';

/** Issue 3 §6 and §8 in the browser: the formal procedure with its letters, and the reports HR use. */
describe('attendance procedure and reports in the browser', () => {
  const demo = useDemoBrowser();
  const manager = DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!;
  const hr = DEMO_ACCOUNTS.find((a) => a.role === 'hr-manager' && a.organisation === 'host')!;
  const today = londonDay(new Date());

  it('when a line manager records informal action and invites a team member to stage 1, then the case lists it and the invitation letter prints, every page passing axe', async () => {
    const member = await directReportFreeOfRecentAbsence(demo.server.platform, manager.email);
    await demo.withPage(manager, async (page) => {
      const { baseUrl } = demo.server;
      await page.goto(`${baseUrl}/people/${member.id}/attendance`);
      await submitWith(page, page.getByRole('link', { name: 'Attendance procedure and decisions' }));
      expect(await accessibilityProblems(page, 'attendance procedure')).toBe('');

      await submitWith(page, page.getByRole('link', { name: 'Record informal action' }));
      expect(await accessibilityProblems(page, 'informal action form')).toBe('');
      await page.locator('#notes').fill('Talked through three short absences; EAP offered');
      await submitWith(page, page.getByRole('button', { name: 'Save' }));

      await submitWith(page, page.getByRole('link', { name: 'Invite to a formal stage meeting' }));
      await fillDate(page, 'ohReportRequestedOn', today);
      await fillDate(page, 'meetingDate', addDays(today, 2));
      await submitWith(page, page.getByRole('button', { name: 'Save the invitation' }));
      // Too little notice: the form comes back saying the earliest date (ATT-21).
      await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('working days');
      expect(await accessibilityProblems(page, 'stage invitation with errors')).toBe('');
      await fillDate(page, 'meetingDate', addDays(today, 14));
      await page.locator('#meetingLocation').fill('Room 2, Divisional HQ');
      await submitWith(page, page.getByRole('button', { name: 'Save the invitation' }));
      expect(new URL(page.url()).pathname).toBe(`/people/${member.id}/attendance/procedure`);
      await expect(page.getByText('Awaiting the outcome').count()).resolves.toBe(1);

      await submitWith(page, page.getByRole('link', { name: /^Invitation letter/ }));
      await expect(page.locator('h1').textContent()).resolves.toBe('Invitation to a stage 1 attendance meeting');
      await expect(page.getByText('Room 2, Divisional HQ').count()).resolves.toBe(1);
      expect(await accessibilityProblems(page, 'invitation letter')).toBe('');
      await submitWith(page, page.getByRole('link', { name: 'Printable version' }));
      await expect(page.locator('header.nhsuk-header').count()).resolves.toBe(0);
      await expect(page.locator('article.blp-letter').count()).resolves.toBe(1);
    });
  });

  it('when HR opens the monthly statistics, the cost of sickness and the attendance policy, then each shows and passes axe', async () => {
    await demo.withPage(hr, async (page) => {
      const { baseUrl } = demo.server;
      await page.goto(`${baseUrl}/reports/attendance`);
      await submitWith(page, page.getByRole('link', { name: 'Monthly statistics' }));
      await expect(page.locator('h1').textContent()).resolves.toBe('Monthly sickness statistics');
      await expect(page.getByText('Absence rate').count()).resolves.toBeGreaterThan(0);
      expect(await accessibilityProblems(page, 'monthly statistics')).toBe('');
      await submitWith(page, page.getByRole('link', { name: 'Cost of sickness' }));
      await expect(page.locator('h1').textContent()).resolves.toBe('Cost of sickness absence');
      await expect(page.getByText('£').count()).resolves.toBeGreaterThan(0);
      expect(await accessibilityProblems(page, 'cost of sickness')).toBe('');
      await submitWith(page, page.locator('nav.nhsuk-header__navigation').getByRole('link', { name: 'Policies' }));
      await expect(page.locator('h1').textContent()).resolves.toBe('Attendance policy');
      await expect(page.locator('#bradfordThreshold').inputValue()).resolves.toBe('200');
      expect(await accessibilityProblems(page, 'attendance policy')).toBe('');
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { accessibilityProblems, launchChromium } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';
import { signInThroughTheForms, submitWith } from './support/sign-in.js';

/** Issue 3 in the browser: a line manager records an absence for someone in their team and sees what is due. */
describe('attendance in the browser', () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startDemoServer();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when a line manager records an absence for a team member, then the attendance page lists it with its milestones, and both pages pass axe', async () => {
    const manager = DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signInThroughTheForms(page, server.baseUrl, manager);
      await page.goto(`${server.baseUrl}/people`);
      await submitWith(page, page.locator('table a').first());
      await submitWith(page, page.getByRole('link', { name: 'Attendance' }));
      await submitWith(page, page.getByRole('link', { name: 'Record an absence' }));
      expect(await accessibilityProblems(page, 'record an absence')).toBe('');
      const fourDaysAgo = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
      await page.locator('#startDate').fill(fourDaysAgo);
      await page.locator('#reasonCategory').selectOption('musculoskeletal-back');
      await submitWith(page, page.getByRole('button', { name: 'Save absence' }));
      expect(new URL(page.url()).pathname).toMatch(/\/attendance$/);
      await expect(page.getByText('Back pain or injury').count()).resolves.toBeGreaterThan(0);
      await expect(page.getByText('Phone call on the 4th day').count()).resolves.toBe(1);
      expect(await accessibilityProblems(page, 'attendance')).toBe('');
    } finally {
      await context.close();
    }
  });

  it('when HR opens the compliance report from the menu, then it shows every measure and passes axe', async () => {
    const hr = DEMO_ACCOUNTS.find((a) => a.role === 'hr-manager' && a.organisation === 'host')!;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signInThroughTheForms(page, server.baseUrl, hr);
      await submitWith(page, page.locator('nav.nhsuk-header__navigation').getByRole('link', { name: 'Reports' }));
      await expect(page.getByRole('heading', { name: 'Attendance compliance' }).count()).resolves.toBe(1);
      await expect(page.locator('tbody tr').count()).resolves.toBe(5);
      expect(await accessibilityProblems(page, 'compliance report')).toBe('');
    } finally {
      await context.close();
    }
  });
});

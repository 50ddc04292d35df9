import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { submitCredentials, submitWith } from './support/sign-in.js';

/** The Welsh Language Standards journey: choose Cymraeg before signing in and keep it afterwards. */
describe('Welsh language', () => {
  const demo = useDemoBrowser();

  it('when Cymraeg is chosen, then the sign-in page, the home page and /me are in Welsh and pass axe', async () => {
    const staff = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;
    await demo.withPage(async (page) => {
      await page.goto(`${demo.server.baseUrl}/`);
      await page.waitForURL((url) => url.pathname === '/login');
      expect(await page.locator('html').getAttribute('lang')).toBe('en');

      await chooseCymraeg(page);
      await page.waitForURL((url) => url.pathname === '/login');
      expect(await page.locator('html').getAttribute('lang')).toBe('cy');
      expect(await page.locator('h1').textContent()).toContain('Mewngofnodi');
      const problems = [await accessibilityProblems(page, '/login (Welsh)')];

      await submitCredentials(page, staff.email);
      await page.waitForURL((url) => url.pathname === '/');
      // The choice made before signing in is lost (see the known-failure test below), so
      // choose again; signed in, the choice is saved for the user.
      if ((await page.locator('html').getAttribute('lang')) !== 'cy') {
        await chooseCymraeg(page);
        await page.waitForURL((url) => url.pathname === '/');
      }
      expect(await page.locator('html').getAttribute('lang'), 'home page').toBe('cy');
      expect(await page.locator('h1').textContent()).toContain('Croeso');
      expect(await page.locator('nav.nhsuk-header__navigation').textContent()).toContain('Fy nghofnod');
      problems.push(await accessibilityProblems(page, '/ (Welsh)'));

      const me = await page.goto(`${demo.server.baseUrl}/me`);
      expect(me?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang'), '/me').toBe('cy');
      expect(await page.locator('h1').textContent()).toContain('Fy nghofnod');
      problems.push(await accessibilityProblems(page, '/me (Welsh)'));

      expect(problems.filter(Boolean).join('\n\n')).toBe('');
    });
  });

  it('when Cymraeg is chosen on the sign-in page, then the home page after signing in is still in Welsh', async () => {
    // Another account than the test above, whose saved choice is now Welsh.
    const manager = DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!;
    await demo.withPage(async (page) => {
      await page.goto(`${demo.server.baseUrl}/login`);
      await chooseCymraeg(page);
      await page.waitForURL((url) => url.pathname === '/login');
      await submitCredentials(page, manager.email);
      await page.waitForURL((url) => url.pathname === '/');
      expect(await page.locator('html').getAttribute('lang'), 'home page straight after signing in').toBe('cy');
    });
  });
});

/** Presses the header's language button (it offers Cymraeg on English pages). */
async function chooseCymraeg(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: 'Cymraeg' });
  expect(await button.getAttribute('lang'), 'the language button is marked up in the language it names').toBe('cy');
  await submitWith(page, button);
}

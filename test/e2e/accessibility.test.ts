import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { accessibilityProblems, launchChromium } from './support/browser.js';
import { startDemoServer, type DemoServer } from './support/demo-server.js';
import { signInThroughTheForms, submitCredentials, submitWith } from './support/sign-in.js';

/**
 * WCAG 2.1 A/AA checks with axe-core in Chromium, against the real platform on a fresh
 * database with the demo organisation. Every demo role signs in through the forms and
 * every page in its navigation is scanned; serious or critical violations fail.
 */
describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startDemoServer(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A fresh browser profile (no cookies) for each journey; closed whatever happens. */
  async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
    const context: BrowserContext = await browser.newContext();
    try {
      await run(await context.newPage());
    } finally {
      await context.close();
    }
  }

  /** Loads a path, requiring a successful response, and returns axe's blocking violations ('' for none). */
  async function visitAndScan(page: Page, path: string): Promise<string> {
    const response = await page.goto(`${server.baseUrl}${path}`);
    expect(response?.status(), `GET ${path}`).toBe(200);
    return accessibilityProblems(page, path);
  }

  for (const account of DEMO_ACCOUNTS) {
    it(`when ${account.email} (${account.role}${account.mfa ? ', with MFA' : ''}) signs in, then the home page, every page in the navigation and the account page pass axe`, async () => {
      await withPage(async (page) => {
        await signInThroughTheForms(page, server.baseUrl, account);
        await expect.poll(() => page.locator('h1').textContent()).toContain('Welcome');

        const problems = [await accessibilityProblems(page, '/ (home)')];
        const links = await page.locator('nav.nhsuk-header__navigation a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
        expect(links.length, 'the header navigation has links').toBeGreaterThan(0);
        const paths = [...new Set([...links.filter((href) => href.startsWith('/') && href !== '/'), '/account'])];
        for (const path of paths) problems.push(await visitAndScan(page, path));

        expect(problems.filter(Boolean).join('\n\n'), `pages scanned: /, ${paths.join(', ')}`).toBe('');
      });
    });
  }

  it('when the sign-in page is shown, then it passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${server.baseUrl}/`);
      await page.waitForURL((url) => url.pathname === '/login');
      expect(await page.locator('h1').textContent()).toContain('Sign in');
      expect(await accessibilityProblems(page, '/login')).toBe('');
    });
  });

  it('when a user who needs MFA has given their password, then the MFA page passes axe', async () => {
    const account = DEMO_ACCOUNTS.find((a) => a.mfa)!;
    await withPage(async (page) => {
      await page.goto(`${server.baseUrl}/login`);
      await submitCredentials(page, account.email);
      await page.waitForURL((url) => url.pathname === '/login/mfa');
      expect(await page.locator('#code').count()).toBe(1);
      expect(await accessibilityProblems(page, '/login/mfa')).toBe('');
    });
  });

  it('when an address does not exist, then the not-found page passes axe, signed out and signed in', async () => {
    await withPage(async (page) => {
      const signedOut = await page.goto(`${server.baseUrl}/no-such-page`);
      expect(signedOut?.status()).toBe(404);
      const problems = [await accessibilityProblems(page, '/no-such-page (signed out)')];

      await signInThroughTheForms(page, server.baseUrl, DEMO_ACCOUNTS.find((a) => a.role === 'hr-manager' && !a.mfa)!);
      const signedIn = await page.goto(`${server.baseUrl}/no-such-page`);
      expect(signedIn?.status()).toBe(404);
      problems.push(await accessibilityProblems(page, '/no-such-page (signed in)'));
      expect(problems.filter(Boolean).join('\n\n')).toBe('');
    });
  });

  it('when the sign-in form is sent empty, then it comes back with an error summary linking to the fields, and passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${server.baseUrl}/login`);
      const response = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login');
      await submitWith(page, page.locator('form[action="/login"] button[type="submit"]'));
      expect((await response).status()).toBe(422);

      const summary = page.locator('.nhsuk-error-summary');
      expect(await summary.count()).toBe(1);
      const targets = await summary.locator('a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
      expect(targets).toEqual(expect.arrayContaining(['#email', '#password']));
      // Each link leads to a field that exists and says what is wrong beside it.
      for (const target of targets) {
        const id = target!.slice(1);
        expect(await page.locator(`[id="${id}"]`).count(), `field for ${target}`).toBe(1);
        expect(await page.locator(`[id="${id}-error"]`).count(), `error message for ${target}`).toBe(1);
        expect(await page.locator(`[id="${id}"]`).getAttribute('aria-describedby')).toContain(`${id}-error`);
      }
      expect(await accessibilityProblems(page, '/login (with errors)')).toBe('');
    });
  });
});

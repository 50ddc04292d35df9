import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { accessibilityProblems, listProblems, watchConsole } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { signInThroughTheForms, submitCredentials, submitWith } from './support/sign-in.js';

/**
 * WCAG 2.1 A/AA checks with axe-core in Chromium, against the real platform on a fresh
 * database with the demo organisation. Every demo role signs in through the forms and
 * every page in its navigation is scanned; serious or critical violations fail.
 */
describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  const demo = useDemoBrowser();

  /**
   * A fresh browser profile (no cookies, CSP enforced) for each journey, closed whatever
   * happens. Every page visited must also keep to the Content-Security-Policy.
   */
  async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
    await demo.withPage(async (page) => {
      const seen = watchConsole(page);
      await run(page);
      expect(seen.csp, `CSP reports other than the NHS web fonts:\n${listProblems(seen.csp)}`).toEqual([]);
    });
  }

  /** Loads a path, requiring a successful response, and returns axe's blocking violations ('' for none). */
  async function visitAndScan(page: Page, path: string): Promise<string> {
    const response = await page.goto(`${demo.server.baseUrl}${path}`);
    expect(response?.status(), `GET ${path}`).toBe(200);
    return accessibilityProblems(page, path);
  }

  /**
   * The pages one level below a navigation page that it links to from its main content:
   * its "add" form and its first record (e.g. /people/new and /people/<id>).
   */
  async function pagesBelow(page: Page, navPath: string): Promise<string[]> {
    const hrefs = await page
      .locator('main a[href]')
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
    const below = hrefs.filter(
      (href) =>
        href.startsWith(`${navPath}/`) &&
        /^\/[\w/-]+$/.test(href) &&
        href.split('/').length === navPath.split('/').length + 1,
    );
    const form = below.find((href) => href.endsWith('/new'));
    const record = below.find((href) => !href.endsWith('/new'));
    return [form, record].filter((href): href is string => Boolean(href));
  }

  for (const account of DEMO_ACCOUNTS) {
    it(`when ${account.email} (${account.role}${account.mfa ? ', with MFA' : ''}) signs in, then home, every page in the navigation, the account page and the first record and form they link to pass axe`, async () => {
      await withPage(async (page) => {
        await signInThroughTheForms(page, demo.server.baseUrl, account);
        await expect.poll(() => page.locator('h1').textContent()).toContain('Welcome');

        const problems = [await accessibilityProblems(page, '/ (home)')];
        const links = await page
          .locator('nav.nhsuk-header__navigation a')
          .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
        expect(links.length, 'the header navigation has links').toBeGreaterThan(0);
        const navPaths = [...new Set([...links.filter((href) => href.startsWith('/') && href !== '/'), '/account'])];
        const scanned = ['/'];
        for (const navPath of navPaths) {
          problems.push(await visitAndScan(page, navPath));
          scanned.push(navPath);
          for (const below of await pagesBelow(page, navPath)) {
            problems.push(await visitAndScan(page, below));
            scanned.push(below);
          }
        }

        expect(problems.filter(Boolean).join('\n\n'), `pages scanned: ${scanned.join(', ')}`).toBe('');
      });
    });
  }

  it('when a page has known faults, then the scan reports them (the scanner is really running)', async () => {
    await withPage(async (page) => {
      await page.setContent(
        '<!DOCTYPE html><html><head><title>Faulty</title></head><body><main><img src="/x.png"><a href="/"></a><input type="text"></main></body></html>',
      );
      const report = await accessibilityProblems(page, 'faulty page');
      for (const rule of ['html-has-lang', 'image-alt', 'link-name', 'label']) expect(report).toContain(rule);
    });
  });

  it('when the sign-in page is shown, then it passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${demo.server.baseUrl}/`);
      await page.waitForURL((url) => url.pathname === '/login');
      expect(await page.locator('h1').textContent()).toContain('Sign in');
      expect(await accessibilityProblems(page, '/login')).toBe('');
    });
  });

  it('when a user who needs MFA has given their password, then the MFA page passes axe', async () => {
    const account = DEMO_ACCOUNTS.find((a) => a.mfa)!;
    await withPage(async (page) => {
      await page.goto(`${demo.server.baseUrl}/login`);
      await submitCredentials(page, account.email);
      await page.waitForURL((url) => url.pathname === '/login/mfa');
      expect(await page.locator('#code').count()).toBe(1);
      expect(await accessibilityProblems(page, '/login/mfa')).toBe('');
    });
  });

  it('when an address does not exist, then the not-found page passes axe, signed out and signed in', async () => {
    await withPage(async (page) => {
      const signedOut = await page.goto(`${demo.server.baseUrl}/no-such-page`);
      expect(signedOut?.status()).toBe(404);
      const problems = [await accessibilityProblems(page, '/no-such-page (signed out)')];

      await signInThroughTheForms(
        page,
        demo.server.baseUrl,
        DEMO_ACCOUNTS.find((a) => a.role === 'hr-manager' && !a.mfa)!,
      );
      const signedIn = await page.goto(`${demo.server.baseUrl}/no-such-page`);
      expect(signedIn?.status()).toBe(404);
      problems.push(await accessibilityProblems(page, '/no-such-page (signed in)'));
      expect(problems.filter(Boolean).join('\n\n')).toBe('');
    });
  });

  it('when the sign-in form is sent empty, then it comes back with an error summary linking to the fields, and passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${demo.server.baseUrl}/login`);
      const response = page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
      );
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

import { describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { listProblems, watchConsole } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { signInThroughTheForms } from './support/sign-in.js';

/**
 * The pages run under a strict Content-Security-Policy (script-src 'self', no inline
 * scripts or styles). In an ordinary browser context — no bypassCSP — our own markup must
 * cause no CSP reports, and the NHS.UK frontend module must load. The NHS.UK stylesheet's
 * web fonts on assets.nhs.uk are the one accepted report (font-src 'self').
 */
describe('Content-Security-Policy in the browser', () => {
  const demo = useDemoBrowser();

  /** Records every script the page fetched, with its status and content type. */
  function watchScripts(page: Page): Map<string, Response> {
    const scripts = new Map<string, Response>();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.set(new URL(response.url()).pathname, response);
    });
    return scripts;
  }

  function expectModulesLoaded(scripts: Map<string, Response>, where: string): void {
    for (const path of ['/assets/app.js', '/assets/nhsuk-frontend.min.js']) {
      const response = scripts.get(path);
      expect(response, `${where}: ${path} was requested`).toBeDefined();
      expect(response!.status(), `${where}: ${path} status`).toBe(200);
      expect(response!.headers()['content-type'], `${where}: ${path} content type`).toMatch(/javascript/);
    }
  }

  it('when the sign-in page and a signed-in home page load, then nothing but the NHS web fonts breaks the CSP and the NHS.UK frontend module loads', async () => {
    await demo.withPage(async (page) => {
      const seen = watchConsole(page);
      const scripts = watchScripts(page);

      const login = await page.goto(`${demo.server.baseUrl}/login`);
      expect(login?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.waitForLoadState('networkidle');
      expect(await page.locator('.nhsuk-header').count()).toBe(1);
      expectModulesLoaded(scripts, '/login');

      scripts.clear();
      await signInThroughTheForms(
        page,
        demo.server.baseUrl,
        DEMO_ACCOUNTS.find((a) => a.role === 'staff')!,
      );
      await page.waitForLoadState('networkidle');
      expect(await page.locator('.nhsuk-header').count()).toBe(1);
      expect(await page.locator('nav.nhsuk-header__navigation').count()).toBe(1);
      expectModulesLoaded(scripts, '/');

      expect(seen.csp, `CSP reports other than the NHS web fonts:\n${listProblems(seen.csp)}`).toEqual([]);
      expect(seen.errors, `console errors and uncaught exceptions:\n${listProblems(seen.errors)}`).toEqual([]);
    });
  });

  it('when a page loads, then the NHS.UK frontend components initialise', async () => {
    await demo.withPage(async (page) => {
      const seen = watchConsole(page);
      await page.goto(`${demo.server.baseUrl}/login`);
      await page.waitForLoadState('networkidle');
      const supportErrors = seen.logs.filter((l) => /SupportError/.test(l.text));
      expect(supportErrors, `NHS.UK frontend refused to start:\n${listProblems(supportErrors)}`).toEqual([]);
      expect(await page.locator('.nhsuk-header[data-nhsuk-header-init]').count(), 'header initialised').toBe(1);
    });
  });
});

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { addDays, londonDay } from '../../src/shared/dates.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';

const PHONE = { width: 375, height: 740 };

/** What has keyboard focus: its tag, type, name, whether its group has an answer, and the button's value. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    if (!el) return null;
    const group = el.name ? Array.from(document.querySelectorAll<HTMLInputElement>(`[name="${el.name}"]`)) : [];
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type'),
      name: el.getAttribute('name'),
      value: el.getAttribute('value'),
      answered: group.some((g) => g.checked),
      firstOfGroup: group[0] === el,
      text: el.textContent?.trim() ?? '',
    };
  });
}

/** Presses Enter on the focused button and waits for the page that comes back. */
async function enterAndWait(page: Page): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await page.keyboard.press('Enter');
  await navigated;
  await page.waitForLoadState('load');
}

/** Tabs forward until `wanted` holds for the focused element (at most 200 presses). */
async function tabTo(page: Page, wanted: (f: NonNullable<Awaited<ReturnType<typeof focused>>>) => boolean) {
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f && wanted(f)) return f;
  }
  throw new Error(`no such element reached by Tab on ${page.url()}`);
}

/**
 * Answers the page as a keyboard user: Tab through the form; Space on the first radio of each group (Tab enters
 * a group once) and on the first box of each set of checkboxes; type in text boxes; Enter on Continue.
 */
async function answerWithKeyboard(page: Page): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) continue;
    if (f.tag === 'input' && f.type === 'radio' && !f.answered) await page.keyboard.press('Space');
    else if (f.tag === 'input' && f.type === 'checkbox' && f.firstOfGroup && !f.answered)
      await page.keyboard.press('Space');
    else if (f.tag === 'textarea') await page.keyboard.type('Evening clinics would help.');
    else if (f.tag === 'button' && f.value === 'continue') return enterAndWait(page);
  }
  throw new Error(`Continue was never reached on ${page.url()}`);
}

/**
 * Issue 17 acceptance: at phone size an officer completes the community needs assessment from their invitation
 * link through every page with the keyboard only; axe finds no serious or critical violation on the statement,
 * each question page, the check page and the thank-you page.
 */
describe('a needs assessment answered on a phone with the keyboard', () => {
  const demo = useDemoBrowser();

  it('when an officer opens their invitation on a phone and answers every page with the keyboard, then the answers are sent and every page is free of serious accessibility problems', async () => {
    const { baseUrl, platform } = demo.server;
    const admin = await platform.repositories.users.findByEmail(
      DEMO_ACCOUNTS.find((a) => a.role === 'oh-administrator')!.email,
    );
    const { token: adminToken } = await platform.services.auth.createToken(
      { actor: null, requestId: 'e2e', ip: null },
      admin!,
      { name: 'e2e-survey' },
    );
    const today = londonDay(new Date());
    const launched = await fetch(`${baseUrl}/api/v1/campaigns`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        questionnaireId: 'community-needs-assessment',
        title: 'Westshire wellbeing survey',
        mode: 'anonymous',
        population: { kind: 'organisation', ref: admin!.organisationId },
        breakdown: 'none',
        opensOn: today,
        closesOn: addDays(today, 14),
      }),
    });
    expect(launched.status).toBe(201);
    const jobs = (await platform.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
      payload: unknown;
    }>;
    const token = jobs
      .map((j) => (typeof j.payload === 'string' ? j.payload : JSON.stringify(j.payload)))
      .filter((text) => text.includes('Westshire wellbeing survey'))
      .map((text) => /\/survey\?t=([A-Za-z0-9_-]+)/.exec(text)?.[1])
      .find(Boolean)!;
    expect(token).toBeTruthy();

    await demo.withPage(async (page) => {
      await page.setViewportSize(PHONE);
      const problems: string[] = [];
      const axe = async (where: string) => {
        const found = await accessibilityProblems(page, where);
        if (found) problems.push(found);
        // WCAG 1.4.10: nothing scrolls sideways at 320 px either.
        await page.setViewportSize({ width: 320, height: PHONE.height });
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        if (wide > 320) problems.push(`${where}: ${wide} px wide at 320 px`);
        await page.setViewportSize(PHONE);
      };
      await page.goto(`${baseUrl}/survey?t=${token}`);
      await expect(page.locator('h1').innerText()).resolves.toBe('Police workforce community needs assessment');
      await expect(page.locator('main').innerText()).resolves.toContain('Who will see your answers');
      await axe('the statement');
      const start = await tabTo(page, (f) => f.tag === 'button' && f.text === 'Start now');
      expect(start.text).toBe('Start now');
      await enterAndWait(page);

      const visited: string[] = [];
      while (/\/page\/\d+$/.test(new URL(page.url()).pathname)) {
        const progress = await page.locator('[data-testid="progress"]').innerText();
        visited.push(progress);
        await axe(progress);
        await answerWithKeyboard(page);
        const errors = await page.locator('.nhsuk-error-summary').count();
        expect(errors, `${progress}: ${await page.locator('main').innerText()}`).toBe(0);
      }
      expect(visited).toEqual(Array.from({ length: 14 }, (_, i) => `Page ${i + 1} of 14`));

      expect(new URL(page.url()).pathname).toMatch(/\/check$/);
      await expect(page.locator('main').innerText()).resolves.toContain('Evening clinics would help.');
      await axe('the check page');
      await tabTo(page, (f) => f.tag === 'button' && f.text === 'Send my answers');
      await enterAndWait(page);
      expect(new URL(page.url()).pathname).toBe('/survey/done');
      await expect(page.locator('h1').innerText()).resolves.toBe('Your answers have been sent');
      await axe('the thank-you page');
      expect(problems.join('\n')).toBe('');
    });
  }, 180_000);
});

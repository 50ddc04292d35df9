import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS, type DemoAccount } from '../../src/demo/demo-data.js';
import { unplainWords } from '../support/plain-words.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { NARROW, WIDE, resizeTo } from './support/reflow.js';
import { submitWith } from './support/sign-in.js';

/** Forms whose post is not a question to answer (signing out, switching language or role), or that change access. */
const NOT_FORMS = /\/(logout|logout-everywhere|language|role|revoke|disable|enable|check|resume|release)$/;

/**
 * Issue 15 acceptance: every form sent empty, in Chromium, comes back with an error summary that names
 * each field in words (never zod's, an identifier or a rule id), each entry leading to its field, and
 * the page passes axe at 1280 and 320 px wide.
 */
describe('empty forms in the browser (issue 15)', () => {
  const demo = useDemoBrowser();
  const account = (role: DemoAccount['role']) =>
    DEMO_ACCOUNTS.find((a) => a.role === role && a.organisation === 'host')!;

  /** The demo officer's workforce record: every form below is about them. */
  async function officerId(): Promise<string> {
    const row = await demo.server.platform
      .db('users')
      .where({ email: account('staff').email })
      .first('person_id');
    return (row as { person_id: string }).person_id;
  }

  /** The actions of the post forms in a page's main content that ask a question. */
  async function formsOn(page: Page): Promise<string[]> {
    const actions = await page
      .locator('main form[method="post"]')
      .evaluateAll((forms) => forms.map((f) => f.getAttribute('action') ?? ''));
    return actions.filter((a) => a.startsWith('/') && !NOT_FORMS.test(a));
  }

  /** What is wrong with the error summary on the page now ('' when it is right). */
  async function summaryProblems(page: Page, where: string): Promise<string[]> {
    const entries = await page.locator('.nhsuk-error-summary a').evaluateAll((links) =>
      links.map((a) => {
        const href = a.getAttribute('href') ?? '';
        const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
        return { href, text: (a.textContent ?? '').trim(), leads: target !== null };
      }),
    );
    const problems: string[] = [];
    if (entries.length === 0) problems.push(`${where}: no entries in the error summary`);
    for (const e of entries) {
      const why = unplainWords(e.text);
      if (why) problems.push(`${where}: “${e.text}” is ${why}`);
      if (!e.leads) problems.push(`${where}: “${e.text}” leads to ${e.href}, which is not on the page`);
    }
    return problems;
  }

  const pages = (officer: string, pathway: string): Array<[DemoAccount['role'], string]> => [
    ['oh-clinician', `/people/${officer}/pathways`],
    ...(['advice', 'pause', 'transfer', 'close'] as const).map((a): [DemoAccount['role'], string] => [
      'oh-clinician',
      `/pathways/${pathway}/${a}`,
    ]),
    ...(['amra-report', 'oh-report-release', 'nhs-sharing'] as const).map((k): [DemoAccount['role'], string] => [
      'oh-clinician',
      `/people/${officer}/consents/new/${k}`,
    ]),
    ['hr-manager', '/people/new'],
    ['hr-manager', `/people/${officer}/absences/new`],
    ['hr-manager', `/people/${officer}/attendance/procedure/informal`],
    ['hr-manager', `/people/${officer}/attendance/procedure/stage`],
    ['hr-manager', `/people/${officer}/attendance/disability-discount`],
    ['line-manager', `/people/${officer}/refer`],
    ['staff', '/me/referrals/new'],
    ['system-administrator', '/admin/users/new'],
  ];

  it('when each form is sent as it stands, then its error summary names every field in words and leads to it, at 1280 and 320 px', async () => {
    const officer = await officerId();
    // An open pathway led by the demo clinician: its actions have their own forms.
    const pathway = (
      (await demo.server.platform
        .db('pathways')
        .where({ status: 'active' })
        .orderBy('started_at', 'asc')
        .first('id')) as { id: string }
    ).id;
    const problems: string[] = [];
    let summaries = 0;
    const byRole = new Map<DemoAccount['role'], string[]>();
    for (const [role, url] of pages(officer, pathway)) byRole.set(role, [...(byRole.get(role) ?? []), url]);
    for (const [role, urls] of byRole) {
      await demo.withPage(account(role), async (page) => {
        for (const url of urls) {
          await resizeTo(page, WIDE);
          const response = await page.goto(`${demo.server.baseUrl}${url}`);
          expect(response?.status(), url).toBe(200);
          const actions = await formsOn(page);
          for (const [index, action] of actions.entries()) {
            if (index > 0) await page.goto(`${demo.server.baseUrl}${url}`);
            const form = page.locator(`main form[method="post"][action="${action}"]`).first();
            await submitWith(
              page,
              form.locator('button[type="submit"], button:not([type]), input[type="submit"]').last(),
            );
            if ((await page.locator('.nhsuk-error-summary').count()) === 0) continue;
            summaries += 1;
            problems.push(...(await summaryProblems(page, `${role} ${action}`)));
            const wide = await accessibilityProblems(page, `${action} with errors at 1280 px`);
            await resizeTo(page, NARROW);
            const narrow = await accessibilityProblems(page, `${action} with errors at 320 px`);
            problems.push(...[wide, narrow].filter(Boolean));
            await resizeTo(page, WIDE);
          }
        }
      });
    }
    expect(problems).toEqual([]);
    // Every page above has at least one form that cannot be sent empty.
    expect(summaries).toBeGreaterThanOrEqual(pages(officer, pathway).length);
    // Sixteen forms, each loaded, sent and scanned twice: more than the default minute on a busy machine.
  }, 300_000);
});

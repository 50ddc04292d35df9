import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { fillDate } from './support/date-input.js';
import { directReportFreeOfRecentAbsence } from './support/demo-people.js';
import { submitWith } from './support/sign-in.js';
import { addDays, londonDay } from '../../src/shared/dates.js';
import { NARROW, checkBothWidths, pageLinks, pagePatterns, patternOf, resizeTo } from './support/reflow.js';
import { heldInterviewForm } from '../support/return-to-work-answers.js';

/**
 * WCAG 1.4.10 (reflow), issue 15 §7: no page scrolls sideways at 320 px, and every page passes
 * axe at 320 px and at 1280 px. Each demo role signs in through the forms and walks every page
 * its header (navigation, account) and main content link to, from the home page (and the
 * start addresses below) on, breadth first: one address per GET page route of the route registry
 * (the first one reached), so each page template is seen once per role whatever the size of the
 * demo data. Each page is loaded at 320 px, as a phone loads it, then widened to 1280 px. A page
 * fails when document.documentElement.scrollWidth > clientWidth, naming the elements that stick
 * out. A last test checks that together the roles reached every GET page route of the registry
 * other than signing in, one-time links and downloads: a page added without a link fails it.
 */
describe('reflow at 320 px and axe at 320 px and 1280 px (WCAG 1.4.10, issue 15 §7)', () => {
  const demo = useDemoBrowser();
  /** Route pattern → the roles that reached it. */
  const reached = new Map<string, string[]>();
  /**
   * Addresses a role starts from besides home: records the fresh demo has none of, made in the
   * first test through the forms, whose pages are then reached by their links (a stage meeting's
   * letters, outcome and postponement) or, where nothing links to them yet, by address (the
   * appeal, before an outcome; the officer's OH report, which only the consent pages link to).
   */
  const startFrom = new Map<string, string[]>();
  const manager = DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!;
  const officer = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;
  const hr = DEMO_ACCOUNTS.find((a) => a.role === 'hr-manager' && a.organisation === 'host')!;

  it('when an officer refers themselves and a line manager invites a team member to a stage meeting, then the pages those records have exist for the walks below', async () => {
    const { baseUrl, platform } = demo.server;
    await demo.withPage(officer, async (page) => {
      await page.goto(`${baseUrl}/me/referrals/new`);
      await page.locator('input[name="concern"]').first().check();
      await page.locator('#description').fill('Back pain since a fall at work; struggling with kit.');
      await submitWith(page, page.locator('main form button[type="submit"]'));
      expect(new URL(page.url()).pathname).not.toBe('/me/referrals/new');
    });
    const member = await directReportFreeOfRecentAbsence(platform, manager.email);
    const today = londonDay(new Date());
    await demo.withPage(manager, async (page) => {
      const errors = () => page.locator('.nhsuk-error-summary').allTextContents();
      await page.goto(`${baseUrl}/people/${member.id}/attendance/procedure/informal`);
      await fillDate(page, 'actionDate', today);
      await page.locator('#notes').fill('Talked through three short absences; EAP offered');
      await submitWith(page, page.locator('main form button[type="submit"]'));
      expect(new URL(page.url()).pathname, (await errors()).join()).toBe(`/people/${member.id}/attendance/procedure`);
      await page.goto(`${baseUrl}/people/${member.id}/attendance/procedure/stage`);
      await fillDate(page, 'ohReportRequestedOn', today);
      await fillDate(page, 'meetingDate', addDays(today, 14));
      await page.locator('#meetingLocation').fill('Room 2, Divisional HQ');
      await submitWith(page, page.locator('main form button[type="submit"]'));
      expect(new URL(page.url()).pathname, (await errors()).join()).toBe(`/people/${member.id}/attendance/procedure`);
    });
    const step = await platform
      .db('attendance_procedure_steps')
      .where({ person_id: member.id })
      .whereNot({ step: 'informal-action' })
      .first<{ id: string } | undefined>('id');
    expect(step, 'the stage meeting was recorded').toBeDefined();
    // A return-to-work interview held after one of the team member's past absences: it has a page of its own.
    const past = await platform
      .db('absence_spells as s')
      .leftJoin('return_to_work_interviews as i', 'i.absence_id', 's.id')
      .whereNull('i.id')
      .where('s.person_id', member.id)
      .where('s.end_date', '<', addDays(today, -7))
      .orderBy('s.end_date', 'desc')
      .first<{ id: string; end_date: string } | undefined>('s.id', 's.end_date');
    expect(past, 'the team member has a past absence without an interview').toBeDefined();
    await demo.withPage(manager, async (page) => {
      const form = `${baseUrl}/absences/${past!.id}/return-to-work`;
      await page.goto(form);
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      const held = await page.request.post(form, {
        form: {
          _csrf: csrf,
          ...heldInterviewForm(addDays(today, -1)),
        },
        maxRedirects: 0,
      });
      expect(held.status(), 'the interview is recorded').toBe(303);
    });
    startFrom.set(manager.email, [
      `/people/${member.id}/attendance/procedure`,
      `/attendance-procedure/${step!.id}/appeal`,
      `/absences/${past!.id}/return-to-work-interview`,
    ]);
    // HR's sick pay pages for an absence, which the attendance page links to only when pay is running down.
    startFrom.set(hr.email, [`/absences/${past!.id}/sick-pay-extension`, `/absences/${past!.id}/letters/sick-pay`]);
    // A pathway its clinician has paused: its page offers to resume it.
    const [active, another] = await platform
      .db('pathways')
      .where({ status: 'active' })
      .orderBy('started_at')
      .limit(2)
      .select<Array<{ id: string }>>('id');
    await demo.withPage(clinician, async (page) => {
      await page.goto(`${baseUrl}/pathways/${active!.id}/pause`);
      await page.locator('#pauseReason').fill('Off work for surgery');
      await submitWith(page, page.locator('main form button[type="submit"]'));
      expect(new URL(page.url()).pathname).toBe(`/pathways/${active!.id}`);
    });
    // The demo's confidential risk assessment (issue 17, NA-8): a campaign page per role is walked, so the
    // clinician starts from who answered it and one person's answers.
    const confidential = await platform
      .db('survey_identified_responses')
      .first<{ id: string; campaign_id: string }>('id', 'campaign_id');
    startFrom.set(clinician.email, [
      `/pathways/${active!.id}/resume`,
      `/pathways/${another!.id}/pause`,
      `/surveys/${confidential!.campaign_id}/responses`,
      `/surveys/responses/${confidential!.id}`,
    ]);
    // The manager's action from the HSE results (NA-7): their worklist links to it once it is due.
    const action = await platform.db('survey_actions').first<{ id: string }>('id');
    startFrom.set(manager.email, [...(startFrom.get(manager.email) ?? []), `/surveys/actions/${action!.id}`]);
    const officerPerson = await platform
      .db('users')
      .where({ email: officer.email })
      .first<{ person_id: string }>('person_id');
    const report = await platform
      .db('consents')
      .where({ person_id: officerPerson!.person_id, kind: 'oh-report-release' })
      .first<{ id: string } | undefined>('id');
    expect(report, 'the demo officer has an OH report to review').toBeDefined();
    // The officer's own follow-up blood tests (issue 16 §8): home links to it only after an exposure.
    startFrom.set(officer.email, [`/me/consents/${report!.id}/report`, '/me/bbv']);
    // Blood-borne virus exposures (issue 16 §8), which the fresh demo has none of: two the day before,
    // recorded through the form; their pages link to what is still to do.
    const exposed = await platform
      .db('users')
      .where({ email: manager.email })
      .first<{ person_id: string }>('person_id');
    await demo.withPage(clinician, async (page) => {
      const form = `${baseUrl}/people/${exposed!.person_id}/bbv-incidents/new`;
      await page.goto(form);
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      const [year, month, day] = addDays(today, -1).split('-');
      // A bite assessed with it (its schedule links to recording a result), and a needlestick not yet assessed.
      const record = async (exposure: Record<string, string>) => {
        const recorded = await page.request.post(form, {
          form: {
            _csrf: csrf,
            'occurredAt-day': day!,
            'occurredAt-month': month!,
            'occurredAt-year': year!,
            'occurredAt-time': '09:00',
            sourceKnown: 'yes',
            ...exposure,
          },
          maxRedirects: 0,
        });
        expect(recorded.status(), 'the exposure is recorded').toBe(303);
        return new URL(recorded.headers().location!, baseUrl).pathname;
      };
      const bite = await record({
        exposureType: 'bite',
        skinBroken: 'yes',
        otherPartyKind: 'not-staff',
        otherPartyDescription: 'Detained person, custody ref 12/3456',
        highRiskHcv: 'no',
      });
      const needlestick = await record({ exposureType: 'needlestick' });
      startFrom.set(clinician.email, [...(startFrom.get(clinician.email) ?? []), bite, needlestick]);
    });
  });

  for (const account of DEMO_ACCOUNTS) {
    it(`when ${account.email} (${account.role}) walks every page their navigation and pages link to, then none scrolls sideways at 320 px and each passes axe at 320 px and 1280 px`, async () => {
      const patterns = pagePatterns(demo.server.platform.app.registry.list());
      await demo.withPage(account, async (page) => {
        const queue = [...(startFrom.get(account.email) ?? []), '/'];
        const seen = new Set<string>(queue.map((address) => patternOf(patterns, address)!));
        const problems: string[] = [];
        const visited: string[] = [];
        while (queue.length) {
          const address = queue.shift()!;
          const pattern = patternOf(patterns, address)!;
          await resizeTo(page, NARROW);
          const response = await page.goto(`${demo.server.baseUrl}${address}`);
          const status = response?.status();
          if (status !== 200) {
            problems.push(`${address} (${pattern}) answered ${status}`);
            continue;
          }
          visited.push(address);
          reached.set(pattern, [...(reached.get(pattern) ?? []), account.role]);
          problems.push(...(await checkBothWidths(page, `${address} (${pattern})`)));
          for (const link of await pageLinks(page)) {
            const linked = patternOf(patterns, link);
            if (!linked || seen.has(linked)) continue;
            seen.add(linked);
            queue.push(link);
          }
        }
        expect(visited.length, 'pages reached').toBeGreaterThan(1);
        expect(problems.join('\n\n'), `pages visited (${visited.length}): ${visited.join(', ')}`).toBe('');
      });
    }, 180_000);
  }

  it('when the roles have walked their pages, then together they reached every GET page route a signed-in person can follow a link to', () => {
    const patterns = pagePatterns(demo.server.platform.app.registry.list());
    // Pages no signed-in person reaches by a link: signing in, and one-time links sent by email.
    const notLinked = new Set([
      '/login',
      '/login/mfa',
      '/mfa/setup',
      '/set-password/:token',
      '/setup/:token',
      // A survey invitation's link, sent by email, and the pages its form leads to with the respondent's own cookie
      // (issue 17): survey-phone.test.ts walks each of them at 320 px and with axe.
      '/survey',
      '/survey/continue',
      '/survey/answer/:id/page/:n',
      '/survey/answer/:id/check',
      '/survey/saved',
      '/survey/done',
    ]);
    const missed = patterns
      .map((p) => p.path)
      // Downloads, and images a page shows (a survey's charts), are not pages.
      .filter((path) => !notLinked.has(path) && !/(\.csv|\.json|\.svg|\/export)$/.test(path) && !reached.has(path));
    expect(missed, `reached: ${[...reached.keys()].sort().join(', ')}`).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Page } from 'playwright-core';
import { readBoolean, readJson } from '../../src/db/knex.js';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { addDays, londonDay } from '../../src/shared/dates.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { directReportFreeOfRecentAbsence } from './support/demo-people.js';
import { submitWith } from './support/sign-in.js';
import { dateValue, fillDate } from './support/date-input.js';

/** Issue 3 in the browser: a line manager records an absence for someone in their team and sees what is due. */
describe('attendance in the browser', () => {
  const demo = useDemoBrowser();
  const manager = DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!;

  /** A calendar date `days` from today (negative for the past), in UTC as the demo server counts. */
  const daysFromToday = (days: number) => addDays(londonDay(new Date()), days);

  it('when a line manager records an absence for a team member, then the attendance page lists it with its milestones, and both pages pass axe', async () => {
    await demo.withPage(manager, async (page) => {
      const member = await directReportFreeOfRecentAbsence(demo.server.platform, manager.email);
      await page.goto(`${demo.server.baseUrl}/people/${member.id}/attendance`);
      await submitWith(page, page.getByRole('link', { name: 'Record an absence' }));
      expect(await accessibilityProblems(page, 'record an absence')).toBe('');
      await fillDate(page, 'startDate', daysFromToday(-4));
      await page.locator('#reasonCategory').selectOption('musculoskeletal-back');
      await submitWith(page, page.getByRole('button', { name: 'Save absence' }));
      expect(new URL(page.url()).pathname).toMatch(/\/attendance$/);
      await expect(page.getByText('Back pain or injury').count()).resolves.toBeGreaterThan(0);
      await expect(page.getByText('Phone call on the 4th day').count()).resolves.toBe(1);
      await expect(page.getByText('The absence has been recorded').count()).resolves.toBe(1);
      expect(await accessibilityProblems(page, 'attendance')).toBe('');

      // The Bradford score is explained with the policy's review points (issue 15 §8).
      await page.getByText('What the Bradford score and review points mean').click();
      await expect(page.getByText(/a Bradford score of \d+ or more/).count()).resolves.toBe(1);

      // The return, typed as day, month and year in the absence's own row (issue 15 §6).
      const open = await demo.server.platform
        .db('absence_spells')
        .where({ person_id: member.id })
        .whereNull('end_date')
        .whereNull('deleted_at')
        .first('id');
      const row = page.locator(`#absence-${open.id}`);
      const [year, month, day] = daysFromToday(-1).split('-');
      await row.locator('input[name="endDate-day"]').fill(String(Number(day)));
      await row.locator('input[name="endDate-month"]').fill(String(Number(month)));
      await row.locator('input[name="endDate-year"]').fill(year!);
      await submitWith(page, row.getByRole('button', { name: /^Record return/ }));
      await expect(page.getByText('The return to work has been recorded').count()).resolves.toBe(1);
      await expect(
        page.locator(`#absence-${open.id} a[href="/absences/${open.id}/return-to-work"]`).count(),
        'the interview is offered once the person is back',
      ).resolves.toBe(1);
      expect(await accessibilityProblems(page, 'attendance after the return')).toBe('');

      // Nothing scrolls sideways on a 320 px screen.
      await page.setViewportSize({ width: 320, height: 800 });
      await page.reload();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    });
  });

  it('when a line manager records an ended absence and holds the return-to-work interview, then a missing answer is refused with the others kept, every answer is saved, and the interview is no longer due on the attendance page or the worklist', async () => {
    const { platform, baseUrl } = demo.server;
    const db = platform.db;
    const answers = {
      interviewDate: daysFromToday(-1),
      yesNo: {
        fitForFullDuties: 'yes',
        attendanceExpectationsDiscussed: 'yes',
        certificationComplete: 'yes',
        disabilityRelated: 'yes',
        pregnancyRelated: 'no',
        notifiedFirstDayOfSickness: 'yes',
        notifiedFirstDayOfFitness: 'no',
        flexibleWorkingDiscussed: 'yes',
      },
      adjustments: 'A phased return over two weeks',
      recurrenceLikelihood: 'possible',
      workplaceFactors: ['staff-shortages', 'workload'],
      workplaceNotes: 'Two vacancies on the shift',
      // A short absence: no recuperative or restricted duties, so no review date (ATT-14).
      strategy: 'none',
      strategyReviewDate: null,
      notes: 'Talk again at the monthly one-to-one',
    } as const;
    /** The answer left out of the first submission. */
    const missing = 'fitForFullDuties';

    await demo.withPage(manager, async (page) => {
      const member = await directReportFreeOfRecentAbsence(platform, manager.email);
      const attendancePath = `/people/${member.id}/attendance`;
      expect((await page.goto(`${baseUrl}${attendancePath}`))?.status(), `GET ${attendancePath}`).toBe(200);
      await submitWith(page, page.getByRole('link', { name: 'Record an absence' }));
      const firstDay = daysFromToday(-8);
      const lastDay = daysFromToday(-2);
      await fillDate(page, 'startDate', firstDay);
      await fillDate(page, 'endDate', lastDay);
      await page.locator('#reasonCategory').selectOption('gastrointestinal');
      await submitWith(page, page.getByRole('button', { name: 'Save absence' }));
      expect(new URL(page.url()).pathname).toBe(attendancePath);

      const spells: Array<{ id: string; end_date: string }> = await db('absence_spells')
        .where({ person_id: member.id, start_date: firstDay })
        .whereNull('deleted_at')
        .select('id', 'end_date');
      expect(
        spells.map((s) => s.end_date),
        'the absence recorded through the form',
      ).toEqual([lastDay]);
      const spell = spells[0]!;
      const interviewPath = `/absences/${spell.id}/return-to-work`;
      const interviewLink = page.locator(`main a[href="${interviewPath}"]`);
      // The link names its absence for screen readers, so each interview link reads differently.
      await expect(
        interviewLink.textContent(),
        'the attendance page offers the interview for the ended absence',
      ).resolves.toMatch(/^Record return-to-work interview \(.+\)$/);

      await page.goto(`${baseUrl}/worklist`);
      expect(await interviewTasksOf(page, member.id), 'the worklist before the interview').toEqual([spell.id]);

      await page.goto(`${baseUrl}${attendancePath}`);
      await submitWith(page, interviewLink);
      expect(new URL(page.url()).pathname).toBe(interviewPath);
      await expect(page.locator('h1').textContent()).resolves.toBe('Return-to-work interview');
      expect(await accessibilityProblems(page, 'return-to-work interview')).toBe('');

      // Every answer but one.
      await fillDate(page, 'interviewDate', answers.interviewDate);
      for (const [name, value] of Object.entries(answers.yesNo))
        if (name !== missing) await page.locator(`input[name="${name}"][value="${value}"]`).check();
      await page.locator('#adjustments').fill(answers.adjustments);
      await page.locator('#recurrenceLikelihood').selectOption(answers.recurrenceLikelihood);
      for (const factor of answers.workplaceFactors) await page.locator(`#factor-${factor}`).check();
      await page.locator('#workplaceNotes').fill(answers.workplaceNotes);
      await page.locator('#strategy').selectOption(answers.strategy);
      await page.locator('#notes').fill(answers.notes);
      const refused = page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === interviewPath,
      );
      await submitWith(page, page.getByRole('button', { name: 'Save interview' }));
      expect((await refused).status()).toBe(422);

      const summary = page.locator('.nhsuk-error-summary');
      expect(await summary.count()).toBe(1);
      expect(await summary.locator('a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')))).toEqual([
        `#${missing}`,
      ]);
      const fieldError = page.locator(`#${missing}-error`);
      expect(await fieldError.isVisible(), 'the error beside the question').toBe(true);
      // Beside the question, the same message after a visually hidden "Error:" for screen readers.
      expect((await fieldError.textContent())?.trim()).toBe(
        `Error: ${(await summary.locator('a').textContent())?.trim()}`,
      );
      expect(await page.locator(`fieldset:has(#${missing})`).getAttribute('aria-describedby')).toContain(
        `${missing}-error`,
      );
      expect(await page.locator(`input[name="${missing}"]:checked`).count()).toBe(0);
      // The answers given are kept.
      expect(await dateValue(page, 'interviewDate')).toBe(answers.interviewDate);
      for (const [name, value] of Object.entries(answers.yesNo))
        if (name !== missing)
          expect(await page.locator(`input[name="${name}"][value="${value}"]`).isChecked(), name).toBe(true);
      expect(await page.locator('#adjustments').inputValue()).toBe(answers.adjustments);
      expect(await page.locator('#recurrenceLikelihood').inputValue()).toBe(answers.recurrenceLikelihood);
      for (const factor of answers.workplaceFactors)
        expect(await page.locator(`#factor-${factor}`).isChecked(), factor).toBe(true);
      expect(await page.locator('#workplaceNotes').inputValue()).toBe(answers.workplaceNotes);
      expect(await page.locator('#strategy').inputValue()).toBe(answers.strategy);
      expect(await page.locator('#notes').inputValue()).toBe(answers.notes);
      expect(
        Number((await db('return_to_work_interviews').where({ absence_id: spell.id }).count({ n: '*' }).first())?.n),
        'nothing saved from the refused form',
      ).toBe(0);

      await page.locator(`input[name="${missing}"][value="${answers.yesNo[missing]}"]`).check();
      await submitWith(page, page.getByRole('button', { name: 'Save interview' }));
      expect(new URL(page.url()).pathname).toBe(attendancePath);
      expect(await page.locator('h1').textContent()).toBe('Attendance');
      const spellRow = page.locator('main tbody tr').filter({ hasText: 'Stomach, bowel or vomiting' });
      expect(await spellRow.count(), 'the absence is still listed').toBeGreaterThan(0);
      expect(
        await page.locator(`main a[href="${interviewPath}"]`).count(),
        'the attendance page no longer offers the interview',
      ).toBe(0);
      // It is shown instead, with a banner saying so (issue 15 §4, §9).
      await expect(page.getByText('The return-to-work interview has been recorded').count()).resolves.toBe(1);
      await expect(page.locator(`#absence-${spell.id}`).textContent()).resolves.toMatch(/Held on .+ by /);
      await submitWith(
        page,
        page.locator(`#absence-${spell.id} a[href="/absences/${spell.id}/return-to-work-interview"]`),
      );
      await expect(page.locator('h1').textContent()).resolves.toBe('Return-to-work interview');
      expect(await accessibilityProblems(page, 'the recorded interview')).toBe('');
      await page.goto(`${baseUrl}${attendancePath}`);

      const saved = await db('return_to_work_interviews').where({ absence_id: spell.id }).first();
      const interviewer = await db('users').where({ email: manager.email }).first('id');
      expect(saved, 'the interview in the database').toBeDefined();
      expect({
        personId: saved.person_id,
        interviewerUserId: saved.interviewer_user_id,
        interviewDate: saved.interview_date,
        yesNo: {
          fitForFullDuties: readBoolean(saved.fit_for_full_duties),
          attendanceExpectationsDiscussed: readBoolean(saved.attendance_expectations_discussed),
          certificationComplete: readBoolean(saved.certification_complete),
          disabilityRelated: readBoolean(saved.disability_related),
          pregnancyRelated: readBoolean(saved.pregnancy_related),
          notifiedFirstDayOfSickness: readBoolean(saved.notified_first_day_of_sickness),
          notifiedFirstDayOfFitness: readBoolean(saved.notified_first_day_of_fitness),
          flexibleWorkingDiscussed: readBoolean(saved.flexible_working_discussed),
        },
        adjustments: saved.adjustments,
        recurrenceLikelihood: saved.recurrence_likelihood,
        workplaceFactors: [...readJson(saved.workplace_factors, z.array(z.string()), 'workplace_factors')].sort(),
        workplaceNotes: saved.workplace_notes,
        strategy: saved.strategy,
        strategyReviewDate: saved.strategy_review_date,
        notes: saved.notes,
      }).toEqual({
        ...answers,
        personId: member.id,
        interviewerUserId: interviewer.id,
        yesNo: Object.fromEntries(Object.entries(answers.yesNo).map(([name, value]) => [name, value === 'yes'])),
        workplaceFactors: [...answers.workplaceFactors].sort(),
      });

      await page.goto(`${baseUrl}/worklist`);
      expect(await interviewTasksOf(page, member.id), 'the worklist after the interview').toEqual([]);
    });
  });

  it('when HR opens the compliance report from the menu, then it shows every measure and passes axe', async () => {
    const hr = DEMO_ACCOUNTS.find((a) => a.role === 'hr-manager' && a.organisation === 'host')!;
    await demo.withPage(hr, async (page) => {
      await submitWith(page, page.locator('nav.nhsuk-header__navigation').getByRole('link', { name: 'Reports' }));
      await expect(page.getByRole('heading', { name: 'Attendance compliance' }).count()).resolves.toBe(1);
      await expect(page.locator('tbody tr').count()).resolves.toBe(5);
      expect(await accessibilityProblems(page, 'compliance report')).toBe('');
      // The weekly report: sorted by a column heading, paged, and whole on a 320 px screen.
      await page.goto(`${demo.server.baseUrl}/reports/attendance/weekly`);
      await submitWith(page, page.locator('thead').getByRole('link', { name: /Bradford score/ }));
      await expect(page.locator('th[aria-sort="descending"]').count()).resolves.toBe(1);
      expect(await accessibilityProblems(page, 'weekly report')).toBe('');
      await page.setViewportSize({ width: 320, height: 800 });
      await page.reload();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    });
  });

  /**
   * The absences whose return-to-work interview the worklist on `page` lists for one person.
   * A row names the person; its link leads to the interview of one absence, whose owner the
   * database knows, so people who share a name cannot be confused.
   */
  async function interviewTasksOf(page: Page, personId: string): Promise<string[]> {
    expect(await page.locator('h1').textContent()).toBe('Worklist');
    const rows = page.locator('main tbody tr').filter({ hasText: 'Return-to-work interview' });
    const hrefs = await rows
      .locator('a[href$="/return-to-work"]')
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
    const spellIds = hrefs
      .map((href) => /^\/absences\/([^/]+)\/return-to-work$/.exec(href)?.[1])
      .filter((id): id is string => Boolean(id));
    if (spellIds.length === 0) return [];
    return demo.server.platform
      .db('absence_spells')
      .whereIn('id', spellIds)
      .where({ person_id: personId })
      .orderBy('id')
      .pluck('id');
  }
});

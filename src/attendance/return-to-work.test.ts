import { describe, expect, it } from 'vitest';
import { englandAndWalesCalendar } from '../shared/working-days.js';
import { checkStrategyDates, dutiesTasks, returnToWorkDue, returnToWorkSchema } from './return-to-work.js';

const calendar = englandAndWalesCalendar();

describe('return-to-work interview (ATT-13)', () => {
  it('when the last day off is a Friday, then the interview is due on Monday and overdue after five working days', () => {
    expect(returnToWorkDue('2026-11-20', { kind: 'weekly', days: [1, 2, 3, 4, 5] }, calendar, 5)).toEqual({
      dueDate: '2026-11-23',
      overdueAfter: '2026-11-30',
    });
  });
  it('when the return would fall on a bank holiday, then it is the next rostered day', () => {
    expect(returnToWorkDue('2026-12-24', { kind: 'weekly', days: [1, 2, 3, 4, 5] }, calendar, 5).dueDate).toBe(
      '2026-12-29',
    );
  });
  it('when someone works a rota, then the return is their next shift', () => {
    const rota = { kind: 'rota' as const, anchorDate: '2026-11-01' as const, cycle: [true, true, false, false] };
    // 1–2 on, 3–4 off, 5–6 on: last day off sick 2 Nov → back 5 Nov.
    expect(returnToWorkDue('2026-11-02', rota, calendar, 5).dueDate).toBe('2026-11-05');
  });
  it('when a recuperative strategy is agreed without a review date, then the form is refused (ATT-14)', () => {
    const base = {
      interviewDate: '2026-11-23',
      fitForFullDuties: false,
      recurrenceLikelihood: 'possible',
      attendanceExpectationsDiscussed: true,
      certificationComplete: true,
      disabilityRelated: false,
      pregnancyRelated: false,
      notifiedFirstDayOfSickness: true,
      notifiedFirstDayOfFitness: true,
      flexibleWorkingDiscussed: true,
    };
    expect(returnToWorkSchema.safeParse({ ...base, strategy: 'recuperative' }).success).toBe(false);
    expect(
      returnToWorkSchema.safeParse({ ...base, strategy: 'recuperative', strategyReviewDate: '2026-12-23' }).success,
    ).toBe(false);
    expect(
      returnToWorkSchema.safeParse({
        ...base,
        strategy: 'recuperative',
        strategyReviewDate: '2026-12-23',
        strategyEndDate: '2027-03-01',
      }).success,
    ).toBe(true);
    expect(returnToWorkSchema.safeParse({ ...base, strategy: 'none', strategyReviewDate: '2026-12-23' }).success).toBe(
      false,
    );
  });
});

describe('recuperative and restricted duties (ATT-14)', () => {
  const policy = { recuperativeMaxMonths: 6, recuperativeFullPayMonths: 3, reviewEveryMonths: 1 };

  it('when recuperative duties would last six months or more, then the end date is refused; restricted duties may be longer', () => {
    expect(
      checkStrategyDates({
        strategy: 'recuperative',
        returnDate: '2026-11-23',
        reviewDate: '2026-12-23',
        endDate: '2027-05-23',
        policy,
      }),
    ).toHaveProperty('strategyEndDate');
    expect(
      checkStrategyDates({
        strategy: 'recuperative',
        returnDate: '2026-11-23',
        reviewDate: '2026-12-23',
        endDate: '2027-05-22',
        policy,
      }),
    ).toEqual({});
    expect(
      checkStrategyDates({
        strategy: 'restricted',
        returnDate: '2026-11-23',
        reviewDate: '2026-12-23',
        endDate: '2027-11-23',
        policy,
      }),
    ).toEqual({});
  });

  it('when the first review is more than a month after the return, then it is refused', () => {
    expect(
      checkStrategyDates({
        strategy: 'restricted',
        returnDate: '2026-11-23',
        reviewDate: '2027-01-05',
        endDate: '2027-06-01',
        policy,
      }).strategyReviewDate,
    ).toEqual({ key: 'rtw.refusals.reviewEvery', values: { count: 1, date: '2026-12-23' } });
  });

  it('when recuperative duties run, then reviews are monthly, pay is reviewed from three months, and OH reviews a month before the limit', () => {
    const tasks = dutiesTasks({
      strategy: 'recuperative',
      returnDate: '2026-06-01',
      reviewDate: '2026-07-01',
      endDate: '2026-11-30',
      asOf: '2026-12-31',
      policy,
    });
    expect(tasks.filter((t) => t.code === 'duties-review').map((t) => t.dueDate)).toEqual([
      '2026-07-01',
      '2026-08-01',
      '2026-09-01',
      '2026-10-01',
      '2026-11-01',
    ]);
    expect(tasks.filter((t) => t.code === 'recuperative-pay-review').map((t) => t.dueDate)).toEqual([
      '2026-09-01',
      '2026-10-01',
      '2026-11-01',
    ]);
    expect(tasks.find((t) => t.code === 'recuperative-limit-review')).toEqual({
      code: 'recuperative-limit-review',
      sequence: 1,
      dueDate: '2026-11-01',
      owner: 'oh',
    });
  });

  it('when it is early in the duties, then only the tasks due so far exist; restricted duties have no pay review', () => {
    expect(
      dutiesTasks({
        strategy: 'recuperative',
        returnDate: '2026-06-01',
        reviewDate: '2026-07-01',
        endDate: '2026-11-30',
        asOf: '2026-08-15',
        policy,
      }).map((t) => t.code),
    ).toEqual(['duties-review', 'duties-review']);
    expect(
      dutiesTasks({
        strategy: 'restricted',
        returnDate: '2026-06-01',
        reviewDate: '2026-07-01',
        endDate: '2027-06-01',
        asOf: '2026-12-31',
        policy,
      }).every((t) => t.code === 'duties-review'),
    ).toBe(true);
  });
});

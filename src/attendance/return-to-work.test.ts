import { describe, expect, it } from 'vitest';
import { englandAndWalesCalendar } from '../shared/working-days.js';
import { returnToWorkDue, returnToWorkSchema } from './return-to-work.js';

const calendar = englandAndWalesCalendar();

describe('return-to-work interview (ATT-13)', () => {
  it('when the last day off is a Friday, then the interview is due on Monday and overdue after five working days', () => {
    expect(returnToWorkDue('2026-11-20', { kind: 'weekly', days: [1, 2, 3, 4, 5] }, calendar, 5)).toEqual({ dueDate: '2026-11-23', overdueAfter: '2026-11-30' });
  });
  it('when the return would fall on a bank holiday, then it is the next rostered day', () => {
    expect(returnToWorkDue('2026-12-24', { kind: 'weekly', days: [1, 2, 3, 4, 5] }, calendar, 5).dueDate).toBe('2026-12-29');
  });
  it('when someone works a rota, then the return is their next shift', () => {
    const rota = { kind: 'rota' as const, anchorDate: '2026-11-01', cycle: [true, true, false, false] };
    // 1–2 on, 3–4 off, 5–6 on: last day off sick 2 Nov → back 5 Nov.
    expect(returnToWorkDue('2026-11-02', rota, calendar, 5).dueDate).toBe('2026-11-05');
  });
  it('when a recuperative strategy is agreed without a review date, then the form is refused (ATT-14)', () => {
    const base = {
      interviewDate: '2026-11-23', fitForFullDuties: false, recurrenceLikelihood: 'possible', attendanceExpectationsDiscussed: true, certificationComplete: true,
      disabilityRelated: false, pregnancyRelated: false, notifiedFirstDayOfSickness: true, notifiedFirstDayOfFitness: true, flexibleWorkingDiscussed: true,
    };
    expect(returnToWorkSchema.safeParse({ ...base, strategy: 'recuperative' }).success).toBe(false);
    expect(returnToWorkSchema.safeParse({ ...base, strategy: 'recuperative', strategyReviewDate: '2026-12-23' }).success).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { englandAndWalesCalendar } from '../shared/working-days.js';
import { appealDeadline, checkMeetingDate, checkPostponedDate, checkReviewPeriod, earliestMeetingDate, warningExpiry, warningIsLive, type FormalProcedurePolicy } from './formal-procedure.js';

const calendar = englandAndWalesCalendar();
const POLICY: FormalProcedurePolicy = {
  meetingNoticeWorkingDays: 5,
  stage1ReviewMonths: { min: 1, max: 3 },
  stage2ReviewMonths: { min: 1, max: 3 },
  appealWarningWorkingDays: 5,
  appealStage3WorkingDays: 15,
  appealDecisionWorkingDays: 15,
  postponementWorkingDays: 5,
  warningLifeMonths: 12,
};

describe('formal procedure periods', () => {
  it('when an invitation is given on a Monday, then the meeting can be held from the next Monday (5 working days, ATT-21)', () => {
    expect(earliestMeetingDate('2026-11-16', calendar, POLICY)).toBe('2026-11-23');
    expect(checkMeetingDate('2026-11-16', '2026-11-23', calendar, POLICY)).toEqual({ ok: true });
  });

  it('when the meeting date gives too little notice, then it is refused naming the earliest allowed date', () => {
    expect(checkMeetingDate('2026-11-16', '2026-11-20', calendar, POLICY)).toEqual({ ok: false, reason: 'notice-too-short', earliest: '2026-11-23' });
  });

  it('when bank holidays fall in the notice period, then they do not count as notice', () => {
    // Invited Tue 22 Dec 2026: 23, 24, 29, 30, 31 Dec are the five working days.
    expect(earliestMeetingDate('2026-12-22', calendar, POLICY)).toBe('2026-12-31');
  });

  it('when an outcome is sent, then a warning may be appealed within 5 working days and a stage 3 outcome within 15 (ATT-24)', () => {
    expect(appealDeadline(1, '2026-11-16', calendar, POLICY)).toBe('2026-11-23');
    expect(appealDeadline(3, '2026-11-16', calendar, POLICY)).toBe('2026-12-07');
  });

  it('when a meeting is postponed for a representative, then the new date must be within 5 working days of the original (ATT-24)', () => {
    expect(checkPostponedDate('2026-11-23', '2026-11-30', calendar, POLICY)).toEqual({ ok: true });
    expect(checkPostponedDate('2026-11-23', '2026-12-01', calendar, POLICY)).toEqual({ ok: false, reason: 'postponement-too-late', latest: '2026-11-30' });
  });

  it('when a stage 1 review period is set, then it must be between 1 and 3 months (ATT-21)', () => {
    expect(checkReviewPeriod(1, '2026-11-23', '2027-01-23', POLICY)).toEqual({ ok: true });
    expect(checkReviewPeriod(1, '2026-11-23', '2027-03-24', POLICY)).toMatchObject({ ok: false, latest: '2027-02-23' });
    expect(checkReviewPeriod(1, '2026-11-23', '2026-12-01', POLICY)).toMatchObject({ ok: false, earliest: '2026-12-23' });
  });

  it('when twelve months of satisfactory attendance pass, then the warning is disregarded (ATT-25)', () => {
    expect(warningExpiry('2026-01-15', [], POLICY)).toBe('2027-01-15');
    expect(warningIsLive('2026-01-15', [], '2027-01-14', POLICY)).toBe(true);
    expect(warningIsLive('2026-01-15', [], '2027-01-15', POLICY)).toBe(false);
  });

  it('when a trigger is reached during the warning, then the twelve months start again from it', () => {
    expect(warningExpiry('2026-01-15', ['2025-12-01', '2026-06-30'], POLICY)).toBe('2027-06-30');
  });
});

import type { IsoDate } from '../shared/dates.js';
import { describe, expect, it } from 'vitest';
import { englandAndWalesCalendar } from '../shared/working-days.js';
import { triggeredSince } from './bradford.js';
import {
  appealDeadline,
  checkMeetingDate,
  checkPostponedDate,
  checkReviewPeriod,
  earliestMeetingDate,
  finalWarningExtensionAllowed,
  stageMayStart,
  warningExpiry,
  warningIsLive,
  warningState,
  type FormalProcedurePolicy,
} from './formal-procedure.js';

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
    expect(checkMeetingDate('2026-11-16', '2026-11-20', calendar, POLICY)).toEqual({
      ok: false,
      reason: 'notice-too-short',
      earliest: '2026-11-23',
    });
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
    expect(checkPostponedDate('2026-11-23', '2026-12-01', calendar, POLICY)).toEqual({
      ok: false,
      reason: 'postponement-too-late',
      latest: '2026-11-30',
    });
  });

  it('when a stage 1 review period is set, then it must be between 1 and 3 months (ATT-21)', () => {
    expect(checkReviewPeriod(1, '2026-11-23', '2027-01-23', POLICY)).toEqual({ ok: true });
    expect(checkReviewPeriod(1, '2026-11-23', '2027-03-24', POLICY)).toMatchObject({ ok: false, latest: '2027-02-23' });
    expect(checkReviewPeriod(1, '2026-11-23', '2026-12-01', POLICY)).toMatchObject({
      ok: false,
      earliest: '2026-12-23',
    });
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

describe('stages and warnings (ATT-20 … ATT-25)', () => {
  const informal = { step: 'informal-action' as const, outcome: null, warningLive: false };

  it('when no informal action is recorded, then no formal stage may start (ATT-20)', () => {
    expect(stageMayStart(1, [])).toEqual({ ok: false, reason: 'informal-action-first' });
    expect(stageMayStart(1, [informal])).toEqual({ ok: true });
  });

  it('when a stage still awaits its outcome, then the next one may not start', () => {
    expect(stageMayStart(2, [informal, { step: 'stage-1', outcome: null, warningLive: false }])).toEqual({
      ok: false,
      reason: 'stage-awaiting-outcome',
    });
  });

  it('when stage 1 ended with a live improvement notice, then stage 2 may start; once it is disregarded, not (ATT-21, ATT-25)', () => {
    expect(
      stageMayStart(2, [informal, { step: 'stage-1', outcome: 'first-written-improvement-notice', warningLive: true }]),
    ).toEqual({ ok: true });
    expect(
      stageMayStart(2, [
        informal,
        { step: 'stage-1', outcome: 'first-written-improvement-notice', warningLive: false },
      ]),
    ).toEqual({ ok: false, reason: 'previous-warning-not-live' });
    expect(stageMayStart(2, [informal, { step: 'stage-1', outcome: 'monitor', warningLive: false }])).toEqual({
      ok: false,
      reason: 'previous-warning-not-live',
    });
    expect(
      stageMayStart(3, [informal, { step: 'stage-1', outcome: 'first-written-improvement-notice', warningLive: true }]),
    ).toEqual({ ok: false, reason: 'previous-stage-first' });
  });

  it('when a final warning was extended once, then it cannot be extended again unless that extension was overturned (ATT-23)', () => {
    expect(
      finalWarningExtensionAllowed([{ step: 'stage-3', outcome: 'final-warning-extended', appealOutcome: null }]),
    ).toBe(false);
    expect(
      finalWarningExtensionAllowed([{ step: 'stage-3', outcome: 'final-warning-extended', appealOutcome: 'upheld' }]),
    ).toBe(true);
    expect(
      finalWarningExtensionAllowed([{ step: 'stage-2', outcome: 'second-written-warning', appealOutcome: null }]),
    ).toBe(true);
  });

  it('when a warning is appealed successfully, then it is withdrawn; when the outcome is not a warning, there is none', () => {
    const base = { outcomeDate: '2026-01-15' as const, restartDates: [], asOf: '2026-06-01' as const, policy: POLICY };
    expect(warningState({ ...base, outcome: 'second-written-warning', appealOutcome: 'upheld' })).toEqual({
      kind: 'withdrawn',
    });
    expect(warningState({ ...base, outcome: 'monitor', appealOutcome: null })).toEqual({ kind: 'none' });
    expect(warningState({ ...base, outcome: 'second-written-warning', appealOutcome: 'dismissed' })).toEqual({
      kind: 'warning',
      issuedOn: '2026-01-15',
      expiresOn: '2027-01-15',
      live: true,
    });
  });
});

describe('unsatisfactory attendance after a warning (ATT-25)', () => {
  const c = {
    serviceStartDate: '2010-01-04' as const,
    pattern: { kind: 'weekly' as const, days: [1, 2, 3, 4, 5] },
    calendar,
    policy: {
      bradfordWindowWeeks: 52,
      bradfordThreshold: 200,
      spellsThreshold: 3,
      spellsWindowMonths: 12,
      continuousDaysThreshold: 28,
    },
    disability: [],
  };
  const spell = (startDate: IsoDate, endDate: IsoDate | null) => ({
    startDate,
    endDate,
    countsAsSickness: true,
    pregnancyRelated: false,
    disabilityRelated: false,
  });

  it('when only the absence before the warning reached the triggers, then nothing restarts the twelve months', () => {
    const before = [
      spell('2025-11-03', '2025-11-04'),
      spell('2025-12-01', '2025-12-02'),
      spell('2026-01-05', '2026-01-06'),
    ];
    expect(triggeredSince([...before, spell('2026-03-02', '2026-03-02')], '2026-01-15', '2026-11-01', c)).toEqual([]);
  });

  it('when absence after the warning reaches a trigger again, then its last day restarts the twelve months', () => {
    const after = [
      spell('2026-02-02', '2026-02-02'),
      spell('2026-04-06', '2026-04-07'),
      spell('2026-06-01', '2026-06-03'),
    ];
    const dates = triggeredSince(after, '2026-01-15', '2026-11-01', c);
    expect(dates).toEqual(['2026-06-03']);
    expect(warningExpiry('2026-01-15', dates, POLICY)).toBe('2027-06-03');
  });

  it('when absence after the warning is discounted or not sickness, then it does not restart the twelve months (ATT-6, ATT-7, ATT-19)', () => {
    const after = [
      spell('2026-02-02', '2026-02-03'),
      spell('2026-04-06', '2026-04-07'),
      spell('2026-06-01', '2026-06-02'),
    ];
    const discounted = [
      { ...spell('2026-09-07', '2026-09-10'), pregnancyRelated: true },
      { ...spell('2026-10-05', '2026-10-05'), countsAsSickness: false },
    ];
    expect(triggeredSince([...after, ...discounted], '2026-01-10', '2026-11-01', c)).toEqual(['2026-06-02']);
  });
});

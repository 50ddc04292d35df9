import type { IsoDate } from '../shared/dates.js';
import { describe, expect, it } from 'vitest';
import { englandAndWalesCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { milestonesFor, type MilestonePolicy } from './milestones.js';

const calendar = englandAndWalesCalendar();
const MON_FRI: WorkingPattern = { kind: 'weekly', days: [1, 2, 3, 4, 5] };
const POLICY: MilestonePolicy = {
  contactWithinDays: 1,
  callOnDay: 4,
  certificateAfterDays: 7,
  liaisonAfterDays: 7,
  contactEveryDays: 7,
  homeVisitByDay: 21,
  reportEveryDays: 28,
  ohReferralAfterDays: 28,
  escalateAfterWorkingDays: 2,
  returnToWorkWithinWorkingDays: 5,
  accidentReportWithinDays: 2,
  hseReportableAfterDays: 7,
  hseReportWithinDays: 15,
};

const run = (startDate: IsoDate, asOf: IsoDate, endDate: IsoDate | null = null, pattern = MON_FRI) =>
  milestonesFor({ startDate, endDate, asOf, pattern, calendar, policy: POLICY });
const due = (ms: ReturnType<typeof run>, code: string, sequence = 1) =>
  ms.find((m) => m.code === code && m.sequence === sequence)?.dueDate;

describe('milestones during an absence', () => {
  it('when someone goes off sick, then the manager must make contact within 24 hours (ATT-2)', () => {
    const ms = run('2026-11-16', '2026-11-16');
    expect(ms.map((m) => m.code)).toEqual(['manager-contact']);
    expect(due(ms, 'manager-contact')).toBe('2026-11-17');
  });

  it('when the 4th day is a working day, then the call is due that day (ATT-3)', () => {
    // Mon 16 Nov: day 4 is Thu 19 Nov.
    expect(due(run('2026-11-16', '2026-11-19'), 'fourth-day-call')).toBe('2026-11-19');
  });

  it('when the 4th day falls on a weekend, then the call moves to the next working day (ATT-3)', () => {
    // Thu 19 Nov: day 4 is Sun 22 Nov → Mon 23 Nov.
    expect(due(run('2026-11-19', '2026-11-23'), 'fourth-day-call')).toBe('2026-11-23');
  });

  it('when the 4th day is a bank holiday, then the call moves past it (ATT-3)', () => {
    // Tue 22 Dec 2026: day 4 is Fri 25 Dec (holiday) → Sat, Sun, Mon 28 (holiday) → Tue 29 Dec.
    expect(due(run('2026-12-22', '2026-12-29'), 'fourth-day-call')).toBe('2026-12-29');
  });

  it('when the absence ended on day 5, then no certificate, liaison officer or visit is needed', () => {
    const codes = run('2026-11-02', '2026-11-20', '2026-11-06').map((m) => m.code);
    expect(codes).toEqual(['manager-contact', 'fourth-day-call']);
  });

  it('when the absence passes 7 days, then a certificate by day 8 and a liaison officer are due (ATT-4, ATT-9), with weekly contact (ATT-8)', () => {
    const ms = run('2026-11-02', '2026-11-09');
    expect(due(ms, 'medical-certificate')).toBe('2026-11-09');
    expect(due(ms, 'liaison-officer')).toBe('2026-11-09');
    expect(due(ms, 'weekly-contact', 1)).toBe('2026-11-09');
  });

  it('when the absence reaches week 3, then a home visit by day 21 and the first report are due; reports then every 4 weeks (ATT-10)', () => {
    const ms = run('2026-09-01', '2026-11-20');
    expect(due(ms, 'home-visit')).toBe('2026-09-21');
    expect(due(ms, 'liaison-report', 1)).toBe('2026-09-21');
    expect(due(ms, 'liaison-report', 2)).toBe('2026-10-19');
    expect(due(ms, 'liaison-report', 3)).toBe('2026-11-16');
    expect(ms.filter((m) => m.code === 'weekly-contact')).toHaveLength(11);
  });

  it('when the absence goes past 28 days, then the automatic OH referral is due (ATT-12); at 28 days it is not yet', () => {
    expect(due(run('2026-10-01', '2026-10-29'), 'oh-referral')).toBe('2026-10-29');
    expect(run('2026-10-01', '2026-10-28').map((m) => m.code)).not.toContain('oh-referral');
  });

  it('when asked for a date before the absence started, then there are no milestones', () => {
    expect(run('2026-11-20', '2026-11-19')).toEqual([]);
  });

  it('when the absence follows an injury on duty, then the accident report is due within 48 hours, and the HSE report once it passes 7 days, within 15 days (ATT-5)', () => {
    const early = milestonesFor({
      startDate: '2026-11-16',
      endDate: null,
      asOf: '2026-11-17',
      pattern: MON_FRI,
      calendar,
      policy: POLICY,
      injuryOnDuty: true,
    });
    expect(early.find((m) => m.code === 'accident-report')).toMatchObject({
      dueDate: '2026-11-18',
      owner: 'line-manager',
      rule: 'ATT-5',
    });
    expect(early.some((m) => m.code === 'hse-report')).toBe(false);
    const later = milestonesFor({
      startDate: '2026-11-16',
      endDate: null,
      asOf: '2026-11-23',
      pattern: MON_FRI,
      calendar,
      policy: POLICY,
      injuryOnDuty: true,
    });
    expect(later.find((m) => m.code === 'hse-report')).toMatchObject({ dueDate: '2026-12-01', owner: 'hr' });
    // The seed policy's own threshold (over 3 days) is policy data.
    const seedThreshold = milestonesFor({
      startDate: '2026-11-16',
      endDate: null,
      asOf: '2026-11-19',
      pattern: MON_FRI,
      calendar,
      policy: { ...POLICY, hseReportableAfterDays: 3 },
      injuryOnDuty: true,
    });
    expect(seedThreshold.some((m) => m.code === 'hse-report')).toBe(true);
    expect(run('2026-11-16', '2026-11-30').some((m) => m.code === 'accident-report' || m.code === 'hse-report')).toBe(
      false,
    );
  });
});

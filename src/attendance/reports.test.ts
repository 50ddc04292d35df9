import type { IsoDate } from '../shared/dates.js';
import { describe, expect, it } from 'vitest';
import { englandAndWalesCalendar } from '../shared/working-days.js';
import { absenceStatistics, complianceReport, lastWholeQuarter, reportPeriod } from './reports.js';

describe('compliance report (ATT-27)', () => {
  const done = (d: string) => new Date(`${d}T12:00:00Z`);
  const report = complianceReport({
    from: '2026-10-01',
    to: '2026-10-31',
    spells: [
      { id: 'a', startDate: '2026-10-05', endDate: '2026-10-06', countsAsSickness: true },
      { id: 'b', startDate: '2026-10-01', endDate: null, countsAsSickness: true },
      { id: 'c', startDate: '2026-09-20', endDate: '2026-10-02', countsAsSickness: true },
      { id: 'd', startDate: '2026-10-10', endDate: '2026-10-10', countsAsSickness: false },
    ],
    tasks: [
      {
        sourceId: 'a',
        code: 'manager-contact',
        dueDate: '2026-10-06',
        status: 'completed',
        completedAt: done('2026-10-06'),
      },
      {
        sourceId: 'b',
        code: 'manager-contact',
        dueDate: '2026-10-02',
        status: 'completed',
        completedAt: done('2026-10-04'),
      },
      {
        sourceId: 'b',
        code: 'home-visit',
        dueDate: '2026-10-21',
        status: 'completed',
        completedAt: done('2026-10-20'),
      },
      {
        sourceId: 'c',
        code: 'manager-contact',
        dueDate: '2026-09-21',
        status: 'completed',
        completedAt: done('2026-09-21'),
      },
    ],
    interviews: [{ absenceId: 'a', notifiedFirstDayOfSickness: true, notifiedFirstDayOfFitness: false }],
  });
  const byCode = Object.fromEntries(report.map((m) => [m.code, m]));

  it('when contacts were made late for one of two spells that began in the period, then 1 of 2, 50 %', () => {
    expect(byCode['contact-within-24h']).toEqual({ code: 'contact-within-24h', met: 1, of: 2, percent: 50 });
  });
  it('when the one spell that reached day 21 had its visit in time, then 1 of 1', () => {
    expect(byCode['home-visit-by-day-21']).toMatchObject({ met: 1, of: 1, percent: 100 });
  });
  it('when one of two spells that ended in the period has an interview, then 1 of 2; time off that is not sickness is left out', () => {
    expect(byCode['return-to-work-interview']).toMatchObject({ met: 1, of: 2, percent: 50 });
  });
  it('when the interviews say how people notified, then those measures come from them', () => {
    expect(byCode['notified-first-day-sick']).toMatchObject({ met: 1, of: 1, percent: 100 });
    expect(byCode['notified-first-day-fit']).toMatchObject({ met: 0, of: 1, percent: 0 });
  });
  it('when there is nothing to measure, then the percentage is empty rather than 0 %', () => {
    const empty = complianceReport({ from: '2026-10-01', to: '2026-10-31', spells: [], tasks: [], interviews: [] });
    expect(empty.every((m) => m.of === 0 && m.percent === null)).toBe(true);
  });
});

describe('sickness statistics and cost (ATT-28)', () => {
  const calendar = englandAndWalesCalendar();
  const monFri = { kind: 'weekly' as const, days: [1, 2, 3, 4, 5] };
  const person = (
    id: string,
    overrides: Partial<{
      role: string;
      serviceStartDate: IsoDate;
      leavingDate: IsoDate | null;
      unitId: string | null;
    }> = {},
  ) => ({
    id,
    unitId: 'u1',
    role: 'police-staff',
    serviceStartDate: '2010-01-04' as const,
    leavingDate: null,
    pattern: monFri,
    ...overrides,
  });
  const sick = (
    personId: string,
    startDate: IsoDate,
    endDate: IsoDate | null,
    reasonCategory = 'cold-flu',
    countsAsSickness = true,
  ) => ({ personId, startDate, endDate, reasonCategory, countsAsSickness });
  // November 2026 has 21 weekdays and no bank holidays.
  const stats = (people: ReturnType<typeof person>[], spells: ReturnType<typeof sick>[]) =>
    absenceStatistics({
      from: '2026-11-01',
      to: '2026-11-30',
      asOf: '2026-12-01',
      people,
      spells,
      calendar,
      longTermAfterDays: 28,
      costPerDutyDay: (role) => (role === 'officer' ? 200 : 100),
    });

  it('when two people lose 5 of their 42 duty days in a month, then the rate is 11.9 % and each day is costed by role', () => {
    const s = stats(
      [person('a'), person('b', { role: 'officer' })],
      [sick('a', '2026-11-02', '2026-11-04'), sick('b', '2026-11-19', '2026-11-20', 'musculoskeletal-back')],
    );
    expect(s).toMatchObject({
      headcount: 2,
      availableDutyDays: 42,
      dutyDaysLost: 5,
      absenceRate: 11.9,
      spells: 2,
      peopleAbsent: 2,
      daysLostPerPerson: 2.5,
      cost: 3 * 100 + 2 * 200,
    });
    expect(s.byReason).toEqual([
      { reasonCategory: 'cold-flu', spells: 1, dutyDaysLost: 3 },
      { reasonCategory: 'musculoskeletal-back', spells: 1, dutyDaysLost: 2 },
    ]);
  });

  it('when a spell runs into the month from before and is still open, then only its days inside the month count, and it is long-term by its whole length (ATT-12)', () => {
    const s = stats([person('a')], [sick('a', '2026-10-12', null, 'mental-health-stress')]);
    expect(s).toMatchObject({
      dutyDaysLost: 21,
      spells: 1,
      longTerm: { spells: 1, dutyDaysLost: 21 },
      shortTerm: { spells: 0, dutyDaysLost: 0 },
    });
  });

  it('when time off is not sickness, or the person joined or left during the month, then it is left out or prorated (ATT-6)', () => {
    const s = stats(
      [
        person('a'),
        person('b', { serviceStartDate: '2026-11-16' as const }),
        person('c', { leavingDate: '2026-10-30' }),
      ],
      [sick('a', '2026-11-02', '2026-11-02', 'other', false)],
    );
    expect(s).toMatchObject({
      headcount: 2,
      availableDutyDays: 21 + 11,
      dutyDaysLost: 0,
      absenceRate: 0,
      spells: 0,
      cost: 0,
    });
  });

  it('when the month is not over, then the figures run to today: an open spell counts no days ahead of it', () => {
    const s = absenceStatistics({
      from: '2026-11-01',
      to: '2026-11-30',
      asOf: '2026-11-13',
      people: [person('a')],
      spells: [sick('a', '2026-11-09', null)],
      calendar,
      longTermAfterDays: 28,
      costPerDutyDay: () => 100,
    });
    expect(s).toMatchObject({ availableDutyDays: 10, dutyDaysLost: 5, absenceRate: 50, cost: 500 });
  });

  it('when nobody is in post, then the rates are null, never 0 % of nothing', () => {
    expect(stats([], [])).toMatchObject({ headcount: 0, absenceRate: null, daysLostPerPerson: null });
  });
});

describe('report periods (ATT-28)', () => {
  it('when a month, a financial quarter or a financial year is asked for, then its first and last days follow an April year start', () => {
    expect(reportPeriod('2026-02', 4)).toEqual({
      kind: 'month',
      label: '2026-02',
      from: '2026-02-01',
      to: '2026-02-28',
    });
    expect(reportPeriod('2026-Q1', 4)).toMatchObject({ kind: 'quarter', from: '2026-04-01', to: '2026-06-30' });
    expect(reportPeriod('2026-Q4', 4)).toMatchObject({ from: '2027-01-01', to: '2027-03-31' });
    expect(reportPeriod('2026', 4)).toMatchObject({ kind: 'year', from: '2026-04-01', to: '2027-03-31' });
    expect(reportPeriod('2026', 1)).toMatchObject({ from: '2026-01-01', to: '2026-12-31' });
  });

  it('when the period is malformed, then there is none', () => {
    for (const bad of ['2026-13', '2026-Q5', '26', '2026-1', 'next', '0999', '0050-01', '0000-Q1', '9999-Q4'])
      expect(reportPeriod(bad, 4)).toBeNull();
  });

  it('when today is in a quarter, then the last whole quarter is the one before it, across the year boundary too', () => {
    expect(lastWholeQuarter('2026-12-01', 4)).toBe('2026-Q2');
    expect(lastWholeQuarter('2026-05-10', 4)).toBe('2025-Q4');
    expect(lastWholeQuarter('2027-02-10', 4)).toBe('2026-Q3');
  });
});

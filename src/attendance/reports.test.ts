import { describe, expect, it } from 'vitest';
import { complianceReport } from './reports.js';

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
      { sourceId: 'a', code: 'manager-contact', dueDate: '2026-10-06', status: 'completed', completedAt: done('2026-10-06') },
      { sourceId: 'b', code: 'manager-contact', dueDate: '2026-10-02', status: 'completed', completedAt: done('2026-10-04') },
      { sourceId: 'b', code: 'home-visit', dueDate: '2026-10-21', status: 'completed', completedAt: done('2026-10-20') },
      { sourceId: 'c', code: 'manager-contact', dueDate: '2026-09-21', status: 'completed', completedAt: done('2026-09-21') },
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

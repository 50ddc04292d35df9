import { describe, expect, it } from 'vitest';
import { addMonths, epochDay, isoWeekday, type IsoDate } from './dates.js';
import { englandAndWalesCalendar, WorkingDayCalendar } from './working-days.js';

describe('England and Wales bank holidays (shipped data)', () => {
  const calendar = englandAndWalesCalendar();

  it('when checked against announced years, then the regular, substitute and one-off days are all there', () => {
    const expected: Record<string, IsoDate[]> = {
      '2020': [
        '2020-01-01',
        '2020-04-10',
        '2020-04-13',
        '2020-05-08',
        '2020-05-25',
        '2020-08-31',
        '2020-12-25',
        '2020-12-28',
      ],
      '2022': [
        '2022-01-03',
        '2022-04-15',
        '2022-04-18',
        '2022-05-02',
        '2022-06-02',
        '2022-06-03',
        '2022-08-29',
        '2022-09-19',
        '2022-12-26',
        '2022-12-27',
      ],
      '2023': [
        '2023-01-02',
        '2023-04-07',
        '2023-04-10',
        '2023-05-01',
        '2023-05-08',
        '2023-05-29',
        '2023-08-28',
        '2023-12-25',
        '2023-12-26',
      ],
      '2026': [
        '2026-01-01',
        '2026-04-03',
        '2026-04-06',
        '2026-05-04',
        '2026-05-25',
        '2026-08-31',
        '2026-12-25',
        '2026-12-28',
      ],
    };
    for (const dates of Object.values(expected)) for (const d of dates) expect(calendar.isBankHoliday(d), d).toBe(true);
    expect(calendar.isBankHoliday('2020-05-04')).toBe(false); // the early May holiday moved to VE day
    expect(calendar.isBankHoliday('2022-05-30')).toBe(false); // spring holiday moved to 2 June
  });

  it('when a date is a weekday bank holiday or a weekend, then it is not a working day', () => {
    expect(calendar.isWorkingDay('2026-12-28')).toBe(false);
    expect(calendar.isWorkingDay('2026-11-21')).toBe(false);
    expect(calendar.isWorkingDay('2026-11-23')).toBe(true);
  });

  it('when counting 5 working days from Christmas Eve 2026, then both holidays and the weekend are skipped', () => {
    // Thu 24 Dec → Fri 25 (holiday), Sat, Sun, Mon 28 (holiday), Tue 29 .. Mon 4 Jan: 29, 30, 31, 1 Jan (holiday), 4 Jan, 5 Jan
    expect(calendar.addWorkingDays('2026-12-24', 5)).toBe('2027-01-05');
    expect(calendar.workingDaysBetween('2026-12-24', '2027-01-05')).toBe(5);
  });

  it('when a day falls on a weekend or holiday, then onOrNextWorkingDay moves it to the next working day (ATT-3)', () => {
    expect(calendar.onOrNextWorkingDay('2026-04-03')).toBe('2026-04-07');
    expect(calendar.onOrNextWorkingDay('2026-11-23')).toBe('2026-11-23');
  });
});

describe('calendar arithmetic', () => {
  it('when adding months past a short month end, then the day clamps (BBV-7)', () => {
    expect(addMonths('2026-08-31', 3)).toBe('2026-11-30');
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
    expect(addMonths('2026-01-15', -12)).toBe('2025-01-15');
  });
  it('when asking the weekday, then Monday is 1 and Sunday 7', () => {
    expect(isoWeekday('2026-11-23')).toBe(1);
    expect(isoWeekday('2026-11-22')).toBe(7);
  });
  it('when looking up the first bank holiday from a day, then it is found by epoch day, or none past the end', () => {
    const c = new WorkingDayCalendar(['2026-12-28', '2026-12-25', '2027-01-01'], 2027);
    expect(c.bankHolidayDays).toEqual((['2026-12-25', '2026-12-28', '2027-01-01'] as const).map(epochDay));
    expect(c.firstBankHolidayFrom(epochDay('2026-01-01'))).toBe(0);
    expect(c.firstBankHolidayFrom(epochDay('2026-12-25'))).toBe(0);
    expect(c.firstBankHolidayFrom(epochDay('2026-12-26'))).toBe(1);
    expect(c.firstBankHolidayFrom(epochDay('2027-01-01'))).toBe(2);
    expect(c.firstBankHolidayFrom(epochDay('2027-01-02'))).toBe(3);
  });
  it('when a calendar is built from a list, then only those dates are holidays', () => {
    const c = new WorkingDayCalendar(['2026-11-23'], 2026);
    expect(c.isWorkingDay('2026-11-23')).toBe(false);
    expect(c.addWorkingDays('2026-11-20', 1)).toBe('2026-11-24');
  });
});

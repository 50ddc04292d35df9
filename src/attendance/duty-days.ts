import { daysBetween, epochDay, isoWeekday, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';

/**
 * Duty days (ATT-16): a spell's days lost are the days inside it on which the person was
 * rostered to work. A weekly pattern works its weekdays except England & Wales bank
 * holidays; a shift rota works its cycle whatever the date (police rotas run through bank
 * holidays).
 */
export function isRostered(pattern: WorkingPattern, date: IsoDate, calendar: WorkingDayCalendar): boolean {
  if (pattern.kind === 'weekly') return pattern.days.includes(isoWeekday(date)) && !calendar.isBankHoliday(date);
  const offset = daysBetween(pattern.anchorDate, date);
  const len = pattern.cycle.length;
  return pattern.cycle[((offset % len) + len) % len] === true;
}

/** Rostered days from `from` to `to`, both included (0 when `to` is before `from`). */
export function dutyDaysBetween(
  pattern: WorkingPattern,
  from: IsoDate,
  to: IsoDate,
  calendar: WorkingDayCalendar,
): number {
  return dutyDayCounter(pattern, calendar)(epochDay(from), epochDay(to));
}

/** ISO weekday (1 = Monday … 7 = Sunday) of an epoch day: 1970-01-01, day 0, was a Thursday. */
const weekdayOf = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;

/**
 * Counts a person's rostered days between two epoch days (both included; 0 when the second
 * is before the first), as `dutyDaysBetween` does, with the pattern prepared once: the
 * trigger sweep counts several spells for each of tens of thousands of people. Whole weeks
 * or cycles are multiplied out; the remainder is read off prefix sums over the pattern; a
 * weekly pattern then gives back the bank holidays on its working weekdays.
 */
export function dutyDayCounter(
  pattern: WorkingPattern,
  calendar: WorkingDayCalendar,
): (from: number, to: number) => number {
  if (pattern.kind === 'rota') {
    const len = pattern.cycle.length;
    // rostered[k] = rostered days among the first k of the cycle, over two cycles so a remainder can wrap.
    const rostered = new Array<number>(2 * len + 1);
    rostered[0] = 0;
    for (let k = 0; k < 2 * len; k++) rostered[k + 1] = rostered[k]! + (pattern.cycle[k % len] === true ? 1 : 0);
    const perCycle = rostered[len]!;
    const anchor = epochDay(pattern.anchorDate);
    return (from, to) => {
      const span = to - from + 1;
      if (span <= 0) return 0;
      const whole = Math.floor(span / len);
      const rest = span - whole * len;
      // The remainder starts where `from` stands in the cycle (whole cycles leave that unchanged).
      const offset = (((from - anchor) % len) + len) % len;
      return whole * perCycle + rostered[offset + rest]! - rostered[offset]!;
    };
  }
  const works = new Array<boolean>(8).fill(false);
  for (const d of pattern.days) works[d] = true;
  const perWeek = pattern.days.length;
  // rostered[k] = working weekdays among the k days starting on a Monday, over two weeks so a remainder can wrap.
  const rostered = new Array<number>(15);
  rostered[0] = 0;
  for (let k = 0; k < 14; k++) rostered[k + 1] = rostered[k]! + (works[(k % 7) + 1] ? 1 : 0);
  const holidays = calendar.bankHolidayDays;
  return (from, to) => {
    const span = to - from + 1;
    if (span <= 0) return 0;
    const weeks = Math.floor(span / 7);
    const rest = span - weeks * 7;
    // The remainder starts on the weekday of `from` (whole weeks leave that unchanged).
    const sinceMonday = weekdayOf(from) - 1;
    let count = weeks * perWeek + rostered[sinceMonday + rest]! - rostered[sinceMonday]!;
    for (let i = calendar.firstBankHolidayFrom(from); i < holidays.length && holidays[i]! <= to; i++)
      if (works[weekdayOf(holidays[i]!)]) count -= 1;
    return count;
  };
}

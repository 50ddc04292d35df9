import { addDays, daysBetween, isoWeekday, type IsoDate } from '../shared/dates.js';
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
export function dutyDaysBetween(pattern: WorkingPattern, from: IsoDate, to: IsoDate, calendar: WorkingDayCalendar): number {
  const span = daysBetween(from, to) + 1;
  if (span <= 0) return 0;
  if (pattern.kind === 'rota') {
    // Whole cycles, then the remainder day by day.
    const len = pattern.cycle.length;
    const perCycle = pattern.cycle.filter(Boolean).length;
    const whole = Math.floor(span / len);
    let count = whole * perCycle;
    for (let i = whole * len; i < span; i++) if (isRostered(pattern, addDays(from, i), calendar)) count += 1;
    return count;
  }
  // Whole weeks, then the remainder; bank holidays on working weekdays come off afterwards.
  const weeks = Math.floor(span / 7);
  let count = weeks * pattern.days.length;
  for (let i = weeks * 7; i < span; i++) {
    const weekday = isoWeekday(addDays(from, i));
    if (pattern.days.includes(weekday)) count += 1;
  }
  for (const holiday of calendar.bankHolidaysBetween(from, to)) if (pattern.days.includes(isoWeekday(holiday))) count -= 1;
  return count;
}

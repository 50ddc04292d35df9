import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, addWeeks, addYears } from 'date-fns';
import type { DurationUnit } from './definition-format.js';

/** A length of time in a pathway definition: hours are exact; days, weeks, months and years are UK calendar ones. */
export interface Duration {
  value: number;
  unit: DurationUnit;
}

const HOUR = 3_600_000;
/** Pathway steps fall due on UK days: a week after 09:00 on a Monday is 09:00 the next Monday, GMT or BST. */
const UK = 'Europe/London';

/**
 * `instant` plus `duration` (negative values go back). Hours are exact. Days, weeks, months and years are
 * counted on the UK calendar at the same UK wall-clock time (One UK day): across a clock change a day is 23
 * or 25 hours, and an instant just after midnight UK time in summer (still the previous day in UTC) keeps its
 * UK date. A month from 31 January is the last day of February, at the same time of day.
 */
export function addDuration(instant: Date, duration: Duration): Date {
  if (duration.unit === 'h') return new Date(instant.getTime() + duration.value * HOUR);
  const local = new TZDate(instant.getTime(), UK);
  const add = { d: addDays, wk: addWeeks, mo: addMonths, a: addYears }[duration.unit];
  return new Date(add(local, duration.value).getTime());
}

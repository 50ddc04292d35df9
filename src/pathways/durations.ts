import type { DurationUnit } from './definition-format.js';

/** A length of time in a pathway definition: hours, days and weeks are exact; months and years are calendar ones. */
export interface Duration {
  value: number;
  unit: DurationUnit;
}

const HOUR = 3_600_000;
const EXACT: Record<'h' | 'd' | 'wk', number> = { h: HOUR, d: 24 * HOUR, wk: 7 * 24 * HOUR };

/** `instant` plus `duration` (negative values go back). A month from 31 January is the last day of February, at the same time of day. */
export function addDuration(instant: Date, duration: Duration): Date {
  if (duration.unit === 'h' || duration.unit === 'd' || duration.unit === 'wk')
    return new Date(instant.getTime() + duration.value * EXACT[duration.unit]);
  const months = duration.unit === 'mo' ? duration.value : duration.value * 12;
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(instant.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(
      year,
      month,
      day,
      instant.getUTCHours(),
      instant.getUTCMinutes(),
      instant.getUTCSeconds(),
      instant.getUTCMilliseconds(),
    ),
  );
}

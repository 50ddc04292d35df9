import { isValid, parseISO, format } from 'date-fns';

/**
 * Calendar dates are ISO strings (YYYY-MM-DD) everywhere in the domain: a date of birth,
 * a service start date or an as-of date has no time zone.
 */
export type IsoDate = string;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const parsed = parseISO(value);
  return isValid(parsed) && format(parsed, 'yyyy-MM-dd') === value;
}

/** The calendar date of `instant` in UTC, as YYYY-MM-DD. */
export function toIsoDate(instant: Date): IsoDate {
  return instant.toISOString().slice(0, 10);
}

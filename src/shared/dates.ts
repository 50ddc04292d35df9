/**
 * Calendar dates are ISO strings (YYYY-MM-DD) everywhere in the domain: a date of birth,
 * a service start date or an as-of date has no time zone.
 */
export type IsoDate = string;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  // Round-trip through UTC: 2026-02-30 becomes 2 March and so fails the comparison.
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && year >= 1000;
}

/** The calendar date of `instant` in UTC, as YYYY-MM-DD. */
export function toIsoDate(instant: Date): IsoDate {
  return instant.toISOString().slice(0, 10);
}

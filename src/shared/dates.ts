import { TZDate } from '@date-fns/tz';

/**
 * Calendar dates are ISO strings (YYYY-MM-DD) everywhere in the domain: a date of birth,
 * a service start date or an as-of date has no time zone.
 *
 * The type only admits what has the shape of a date: a written literal ('2026-07-16'), a value
 * checked by `isIsoDate` or `parseIsoDate`, a schema's output, or what the functions here return
 * (`londonDay`, `addDays`, …). A plain string — a UTC instant sliced to its first ten characters,
 * a column read without its reader — does not pass for one (issue 14 defect 2).
 */
export type IsoDate = `${number}-${number}-${number}`;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): value is IsoDate {
  if (!ISO_DATE.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  // Round-trip through UTC: 2026-02-30 becomes 2 March and so fails the comparison.
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && year >= 1000;
}

/** `value` as a calendar date, or a thrown error naming what was wrong with it. */
export function parseIsoDate(value: string): IsoDate {
  if (!isIsoDate(value)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${value.slice(0, 20)}`);
  return value;
}

// en-CA writes dates as YYYY-MM-DD.
const LONDON_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The UK calendar date of `instant` (GMT or BST), as YYYY-MM-DD: the day a statutory period counts from. */
export function londonDay(instant: Date): IsoDate {
  return LONDON_DAY.format(instant) as IsoDate;
}

/**
 * The instant a UK calendar day begins (00:00 GMT, or BST: 23:00 UTC the evening before): a date
 * typed as the start of something, or the first moment a search by UK days takes in.
 */
export function startOfLondonDay(date: IsoDate): Date {
  const [year, month, day] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  return new Date(new TZDate(year, month - 1, day, 'Europe/London').getTime());
}

const DAY_MS = 86_400_000;

/**
 * Days since 1970-01-01 for a calendar date (for arithmetic; never shown). The digits are read
 * one by one: the trigger sweep turns some 700,000 spell dates into days, and cutting and
 * parsing substrings costs three times as much.
 */
export function epochDay(date: IsoDate): number {
  const year =
    (date.charCodeAt(0) - 48) * 1000 +
    (date.charCodeAt(1) - 48) * 100 +
    (date.charCodeAt(2) - 48) * 10 +
    (date.charCodeAt(3) - 48);
  const month = (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
  const day = (date.charCodeAt(8) - 48) * 10 + (date.charCodeAt(9) - 48);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** The calendar date `n` days since 1970-01-01. */
export function fromEpochDay(n: number): IsoDate {
  // Calendar arithmetic runs on UTC midnights on purpose: the result is a date, not the day of an instant.
  return new Date(n * DAY_MS).toISOString().slice(0, 10) as IsoDate;
}

/** `date` plus `days` (negative to go back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(epochDay(date) + days);
}

/** Whole days from `from` to `to` (0 when equal, negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return epochDay(to) - epochDay(from);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  const d = new Date(epochDay(date) * DAY_MS).getUTCDay();
  return d === 0 ? 7 : d;
}

/** `date` plus whole calendar months; a day past the end of the month clamps to its last day (BBV-7 uses the same rule). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const d = Number(date.slice(8, 10));
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, last))).toISOString().slice(0, 10) as IsoDate;
}

/** A moment as people read it, in UK time, in English or Welsh: 22 Nov 2026, 10:05. */
export function shortDateTime(instant: Date, locale: 'en' | 'cy'): string {
  return instant.toLocaleString(locale === 'cy' ? 'cy-GB' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  });
}

/** A calendar date as people read it, in English or Welsh: 23 December 2026, 23 Rhagfyr 2026. */
export function longDate(date: IsoDate | string, locale: 'en' | 'cy'): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString(locale === 'cy' ? 'cy-GB' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

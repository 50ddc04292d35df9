import { z } from 'zod';
import { isIsoDate, londonDay } from '../shared/dates.js';

/**
 * Instants as people in the UK read and type them: the calendar date of an instant in UK time,
 * and a `datetime-local` value (UK wall-clock time, GMT or BST) as an instant.
 */
const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function londonParts(instant: Date): Record<string, number> {
  return Object.fromEntries(
    LONDON.formatToParts(instant)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  );
}

/** The calendar date (YYYY-MM-DD) of an instant in the UK, for the `date` helper. */
export function londonDate(instant: Date | string | null): string | null {
  return instant ? londonDay(new Date(instant)) : null;
}

/**
 * A date and time as typed into a `datetime-local` field (UK time, no offset) as an ISO
 * instant; a value that already carries an offset is read as it is. Null when not a real one.
 */
export function localDateTimeToIso(value: string): string | null {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) || !isIsoDate(v.slice(0, 10)) ? null : new Date(t).toISOString();
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(v);
  if (!m || !isIsoDate(`${m[1]}-${m[2]}-${m[3]}`) || Number(m[4]) > 23 || Number(m[5]) > 59) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // The UK offset at that moment (GMT or BST), found by reading the wall clock back.
  const offsetAt = (t: number) => {
    const p = londonParts(new Date(t));
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(t / 1000) * 1000;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first)).toISOString();
}

/** An optional date and time field: undefined when blank; the value as typed when it cannot be read (so the schema says so). */
export const optionalDateTime = (message: string) =>
  z
    .string()
    .optional()
    .transform((v, c) => {
      if (v === undefined) return undefined;
      const iso = localDateTimeToIso(v);
      if (!iso) {
        c.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return iso;
    });

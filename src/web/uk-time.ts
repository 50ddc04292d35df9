import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import { isIsoDate, londonDay, type IsoDate } from '../shared/dates.js';

/**
 * Instants as people in the UK read and type them: the calendar date of an instant in UK time,
 * and a `datetime-local` value (UK wall-clock time, GMT or BST) as an instant.
 */
const UK = 'Europe/London';

/** The calendar date (YYYY-MM-DD) of an instant in the UK, for the `date` helper. */
export function londonDate(instant: Date | string | null): IsoDate | null {
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
  // UK wall-clock time (GMT or BST) to an instant, by the time-zone rules @date-fns/tz applies: a time the
  // spring change skips (01:30 on its day) is read an hour on, and one the autumn change repeats as the later (GMT).
  const wall = new TZDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), UK);
  return new Date(wall.getTime()).toISOString();
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

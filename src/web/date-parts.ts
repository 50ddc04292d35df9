/**
 * NHS.UK date input (issue 15 §6): a date is typed as day, month and year in three boxes
 * (`name-day`, `name-month`, `name-year`) and, for a date with a time, the time in a fourth
 * (`name-time`, 24-hour "14:30"). Forms post the parts; `joinDateParts` puts the field itself back
 * (`name` = YYYY-MM-DD, or YYYY-MM-DDTHH:MM in UK wall-clock time) before any schema reads it, so
 * the API's schemas and the page handlers see the same values as before. Parts that do not make a
 * real date are joined as typed, so the schema refuses them and names the field; all blank joins
 * to '' (no date). The parts stay in the body, so a form shown again keeps what was typed.
 */
import { TZDate } from '@date-fns/tz';
import { londonDay } from '../shared/dates.js';

const PART = /^(.+)-(day|month|year|time)$/;

function pad(part: string): string {
  return /^\d$/.test(part) ? `0${part}` : part;
}

/** The time as HH:MM when it can be read as one ("9:05", "09.05", "0905" and "9" are all read). */
function readTime(raw: string): string {
  const t = raw.trim().replace('.', ':');
  const m = /^(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (!m) return t;
  return `${pad(m[1]!)}:${m[2] ?? '00'}`;
}

/** The body with each date given as parts joined into the field the parts belong to. */
export function joinDateParts(body: Record<string, unknown>): Record<string, unknown> {
  const names = new Set<string>();
  for (const key of Object.keys(body)) {
    const m = PART.exec(key);
    if (m && m[2] !== 'time') names.add(m[1]!);
  }
  if (names.size === 0) return body;
  const out: Record<string, unknown> = { ...body };
  for (const name of names) {
    const text = (part: string) => {
      const v = body[`${name}-${part}`];
      return typeof v === 'string' ? v.trim() : '';
    };
    const [day, month, year] = [text('day'), text('month'), text('year')];
    const hasTime = `${name}-time` in body;
    const time = hasTime ? text('time') : '';
    if (!day && !month && !year && !time) {
      out[name] = '';
      continue;
    }
    // A month (a report's, typed as month and year) has no day box.
    if (!(`${name}-day` in body)) {
      out[name] = month || year ? `${year}-${pad(month)}` : '';
      continue;
    }
    const date = `${year}-${pad(month)}-${pad(day)}`;
    out[name] = hasTime ? `${date}T${readTime(time)}` : date;
  }
  return out;
}

/** One part of a date field for the form: what was typed, else the part of the stored value. */
export function datePart(values: unknown, name: string, part: 'day' | 'month' | 'year' | 'time'): string {
  const v = (values && typeof values === 'object' ? values : {}) as Record<string, unknown>;
  const typed = v[`${name}-${part}`];
  if (typeof typed === 'string') return typed;
  const value = v[name];
  if (typeof value !== 'string') return '';
  // An instant (with Z or an offset) is shown as the UK wall-clock date and time it was.
  const stored = /(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)) ? ukWallClock(value) : value;
  // YYYY-MM (a month), YYYY-MM-DD, or either with a time.
  const m = /^(\d{4})-(\d{2})(?:-(\d{2})(?:[T ](\d{2}:\d{2}))?)?/.exec(stored);
  if (!m) return '';
  switch (part) {
    case 'day':
      return m[3] ? String(Number(m[3])) : '';
    case 'month':
      return String(Number(m[2]));
    case 'year':
      return m[1]!;
    case 'time':
      return m[4] ?? '';
  }
}

/** An instant as UK wall-clock YYYY-MM-DDTHH:MM (GMT or BST): its London day, and its time there. */
function ukWallClock(instant: string): string {
  const d = new TZDate(Date.parse(instant), 'Europe/London');
  const two = (n: number) => String(n).padStart(2, '0');
  return `${londonDay(d)}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A query without the date boxes (once joined), for a strict schema over a report's filters. */
export function withoutDateParts(query: unknown): Record<string, unknown> {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).filter(([k]) => !PART.test(k)));
}

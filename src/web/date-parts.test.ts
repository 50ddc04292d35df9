import { describe, expect, it } from 'vitest';
import { datePart, joinDateParts } from './date-parts.js';

describe('date parts (issue 15 §6)', () => {
  it('joins day, month and year into the field as YYYY-MM-DD, padding single digits', () => {
    expect(
      joinDateParts({ 'startDate-day': '7', 'startDate-month': '3', 'startDate-year': '2026', _csrf: 'x' }),
    ).toMatchObject({ startDate: '2026-03-07', _csrf: 'x', 'startDate-day': '7' });
  });

  it('joins a date with a time in UK wall-clock form, reading common ways of typing the time', () => {
    const parts = { 'at-day': '22', 'at-month': '11', 'at-year': '2026' };
    expect(joinDateParts({ ...parts, 'at-time': '9:05' }).at).toBe('2026-11-22T09:05');
    expect(joinDateParts({ ...parts, 'at-time': '14.30' }).at).toBe('2026-11-22T14:30');
    expect(joinDateParts({ ...parts, 'at-time': '1430' }).at).toBe('2026-11-22T14:30');
  });

  it('joins all-blank parts to no date, and nonsense as typed so the schema refuses it', () => {
    expect(joinDateParts({ 'd-day': '', 'd-month': ' ', 'd-year': '' }).d).toBe('');
    expect(joinDateParts({ 'd-day': '31', 'd-month': 'Feb', 'd-year': '2026' }).d).toBe('2026-Feb-31');
    expect(joinDateParts({ 'd-day': '', 'd-month': '2', 'd-year': '2026' }).d).toBe('2026-02-');
  });

  it('joins a month typed as month and year (no day box) into YYYY-MM, and shows it back in its boxes', () => {
    expect(joinDateParts({ 'month-month': '11', 'month-year': '2026' }).month).toBe('2026-11');
    expect(joinDateParts({ 'month-month': '3', 'month-year': '2026' }).month).toBe('2026-03');
    expect(joinDateParts({ 'month-month': '', 'month-year': '' }).month).toBe('');
    expect(datePart({ month: '2026-03' }, 'month', 'month')).toBe('3');
    expect(datePart({ month: '2026-03' }, 'month', 'year')).toBe('2026');
    expect(datePart({ month: '2026-03' }, 'month', 'day')).toBe('');
  });

  it('leaves a body without date parts as it is', () => {
    const body = { name: 'x' };
    expect(joinDateParts(body)).toBe(body);
  });

  it('fills the boxes from what was typed, else from the stored value', () => {
    expect(datePart({ 'd-day': '31', d: '2026-Feb-31' }, 'd', 'day')).toBe('31');
    expect(datePart({ d: '2026-03-07' }, 'd', 'day')).toBe('7');
    expect(datePart({ d: '2026-03-07' }, 'd', 'month')).toBe('3');
    expect(datePart({ d: '2026-03-07T09:05' }, 'd', 'time')).toBe('09:05');
    expect(datePart({ d: null }, 'd', 'year')).toBe('');
    // An instant is shown in UK time: 23:30 UTC on a summer day is 00:30 the next day in London.
    expect(datePart({ d: '2026-07-14T23:30:00.000Z' }, 'd', 'day')).toBe('15');
    expect(datePart({ d: '2026-07-14T23:30:00.000Z' }, 'd', 'time')).toBe('00:30');
    expect(datePart(undefined, 'd', 'year')).toBe('');
  });
});

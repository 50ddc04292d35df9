import { describe, expect, it } from 'vitest';
import { epochDay, fromEpochDay, isIsoDate, londonDay, parseIsoDate, startOfLondonDay, type IsoDate } from './dates.js';

describe('calendar dates', () => {
  it('when the date is real and written YYYY-MM-DD, then it is accepted', () => {
    for (const d of ['2026-11-22', '2024-02-29', '2000-02-29', '1999-12-31']) expect(isIsoDate(d), d).toBe(true);
  });
  it('when the date does not exist or is written otherwise, then it is refused', () => {
    for (const d of [
      '2026-02-29',
      '1900-02-29',
      '2026-13-01',
      '2026-04-31',
      '2026-11-22T00:00:00Z',
      '22/11/2026',
      '2026-1-2',
      '0999-01-01',
      '',
    ])
      expect(isIsoDate(d), d).toBe(false);
  });
  it('when an instant is converted, then it is the UK day: GMT in winter, BST in summer (issue 14 defect 2)', () => {
    expect(londonDay(new Date('2026-11-22T23:59:59Z'))).toBe('2026-11-22');
    // 23:30 UTC in July is 00:30 BST the next day.
    expect(londonDay(new Date('2026-07-15T23:30:00Z'))).toBe('2026-07-16');
    // Around the clock changes (29 March and 25 October 2026, at 01:00 UTC).
    expect(londonDay(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-28');
    expect(londonDay(new Date('2026-03-29T23:30:00Z'))).toBe('2026-03-30');
    expect(londonDay(new Date('2026-10-24T23:30:00Z'))).toBe('2026-10-25');
    expect(londonDay(new Date('2026-10-25T23:30:00Z'))).toBe('2026-10-25');
  });
});

describe('epoch days', () => {
  it('when a date is read digit by digit, then it is the day the Date parser gives, and back, for every day from 1900 to 2100', () => {
    for (let day = -25567; day <= 47846; day++) {
      const date = fromEpochDay(day);
      if (epochDay(date) !== day || Date.parse(`${date}T00:00:00Z`) / 86_400_000 !== day)
        expect([epochDay(date), Date.parse(`${date}T00:00:00Z`) / 86_400_000], date).toEqual([day, day]);
    }
    expect(fromEpochDay(-25567)).toBe('1900-01-01');
    expect(fromEpochDay(47846)).toBe('2100-12-31');
  });
});

describe('londonDay', () => {
  it('when an instant falls after midnight in BST but before it in UTC, then the UK day is the later one', () => {
    expect(londonDay(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDay(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  it('when a plain string — a UTC instant sliced to ten characters — is used as a date, then the type checker refuses it (issue 14 defect 2)', () => {
    const utc: string = new Date('2026-07-15T23:30:00Z').toISOString().slice(0, 10);
    // @ts-expect-error a plain string is not an IsoDate: it has to be parsed, or come from londonDay
    const unchecked: IsoDate = utc;
    expect(unchecked).toBe('2026-07-15');
    // The ways in: a literal, a checked value, londonDay.
    const literal: IsoDate = '2026-07-16';
    expect(parseIsoDate(utc)).toBe('2026-07-15');
    expect(londonDay(new Date('2026-07-15T23:30:00Z'))).toBe(literal);
    expect(() => parseIsoDate('2026-02-30')).toThrow(RangeError);
  });
});

describe('the start of a UK day', () => {
  it('when a UK day starts, then it is 00:00 GMT in winter and 23:00 UTC the evening before in summer, across both clock changes', () => {
    const start = (d: IsoDate) => startOfLondonDay(d).toISOString();
    expect(start('2026-01-15')).toBe('2026-01-15T00:00:00.000Z');
    expect(start('2026-07-16')).toBe('2026-07-15T23:00:00.000Z');
    expect(start('2026-03-29')).toBe('2026-03-29T00:00:00.000Z'); // the clocks go forward at 01:00 UTC that day
    expect(start('2026-03-30')).toBe('2026-03-29T23:00:00.000Z');
    expect(start('2026-10-25')).toBe('2026-10-24T23:00:00.000Z'); // the clocks go back at 01:00 UTC that day
    expect(start('2026-10-26')).toBe('2026-10-26T00:00:00.000Z');
  });
});

import { describe, expect, it } from 'vitest';
import { localDateTimeToIso, londonDate } from './uk-time.js';

/** UK wall-clock time as people type it, read with @date-fns/tz (issue 14 defect 2). */
describe('UK time', () => {
  it('when a time is typed in winter, then it is GMT; in summer, BST', () => {
    expect(localDateTimeToIso('2026-01-15T09:00')).toBe('2026-01-15T09:00:00.000Z');
    expect(localDateTimeToIso('2026-07-16T00:30')).toBe('2026-07-15T23:30:00.000Z');
    expect(localDateTimeToIso('2026-07-16 08:15')).toBe('2026-07-16T07:15:00.000Z');
  });

  it('when a time falls on a clock change, then it is read by the time-zone rules', () => {
    // 29 March 2026: 00:59 GMT is the last minute before the change; 01:30 does not exist and is read an hour on.
    expect(localDateTimeToIso('2026-03-29T00:59')).toBe('2026-03-29T00:59:00.000Z');
    expect(localDateTimeToIso('2026-03-29T01:30')).toBe('2026-03-29T01:30:00.000Z');
    expect(localDateTimeToIso('2026-03-29T03:00')).toBe('2026-03-29T02:00:00.000Z');
    // 25 October 2026: 00:30 is still BST; 01:30 happens twice and is read as the later (GMT); 02:00 is GMT.
    expect(localDateTimeToIso('2026-10-25T00:30')).toBe('2026-10-24T23:30:00.000Z');
    expect(localDateTimeToIso('2026-10-25T01:30')).toBe('2026-10-25T01:30:00.000Z');
    expect(localDateTimeToIso('2026-10-25T02:00')).toBe('2026-10-25T02:00:00.000Z');
  });

  it('when a value carries its own offset, then it is read as it is; when it is not a real time, null', () => {
    expect(localDateTimeToIso('2026-07-16T00:30+01:00')).toBe('2026-07-15T23:30:00.000Z');
    expect(localDateTimeToIso('2026-07-16T00:30Z')).toBe('2026-07-16T00:30:00.000Z');
    for (const bad of ['2026-02-30T09:00', '2026-07-16T24:00', '2026-07-16T09:60', 'tomorrow', ''])
      expect(localDateTimeToIso(bad), bad).toBeNull();
  });

  it('when an instant is shown as a date, then it is its UK day', () => {
    expect(londonDate('2026-07-15T23:30:00.000Z')).toBe('2026-07-16');
    expect(londonDate('2026-01-15T23:30:00.000Z')).toBe('2026-01-15');
    expect(londonDate(null)).toBeNull();
  });
});

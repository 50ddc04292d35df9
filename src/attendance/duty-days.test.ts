import { describe, expect, it } from 'vitest';
import type { WorkingPattern } from '../people/people-schemas.js';
import { addDays, epochDay, type IsoDate } from '../shared/dates.js';
import { englandAndWalesCalendar, type WorkingDayCalendar } from '../shared/working-days.js';
import { dutyDayCounter, dutyDaysBetween, isRostered } from './duty-days.js';

const calendar = englandAndWalesCalendar();

/** A small seeded generator, so the sample of spans is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
}

/** The definition, day by day (ATT-16): what the arithmetic must always agree with. */
function dayByDay(pattern: WorkingPattern, from: IsoDate, to: IsoDate, c: WorkingDayCalendar): number {
  let count = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) if (isRostered(pattern, d, c)) count += 1;
  return count;
}

const PATTERNS: WorkingPattern[] = [
  { kind: 'weekly', days: [1, 2, 3, 4, 5] },
  { kind: 'weekly', days: [1, 2, 3] },
  { kind: 'weekly', days: [6, 7] },
  { kind: 'weekly', days: [5, 1, 3] },
  { kind: 'weekly', days: [1, 2, 3, 4, 5, 6, 7] },
  { kind: 'rota', anchorDate: '2026-11-01', cycle: [true, true, true, true, true, true, false, false, false, false] },
  { kind: 'rota', anchorDate: '2030-02-11', cycle: [true, true, true, true, false, false, false, false] },
  { kind: 'rota', anchorDate: '2019-06-30', cycle: [false, true] },
  {
    kind: 'rota',
    anchorDate: '2024-02-29',
    cycle: [true, false, false, true, true, false, true, false, false, false, false, true, false],
  },
];

describe('duty days (ATT-16)', () => {
  it('when counted over whole weeks, cycles and remainders, then the arithmetic agrees with counting day by day', () => {
    const random = seeded(16);
    for (let i = 0; i < 3000; i++) {
      const pattern = PATTERNS[i % PATTERNS.length]!;
      // From 2014 to 2031, so spans cross the ends of the shipped bank-holiday list.
      const from = addDays('2014-06-01', Math.floor(random() * 6300));
      const to = addDays(from, Math.floor(random() * 90) - 3);
      expect(dutyDaysBetween(pattern, from, to, calendar), `${JSON.stringify(pattern)} ${from}..${to}`).toBe(
        dayByDay(pattern, from, to, calendar),
      );
    }
  });

  it('when a span is a year long, then every bank holiday on a working weekday comes off, and none does on a rota', () => {
    expect(dutyDaysBetween({ kind: 'weekly', days: [1, 2, 3, 4, 5] }, '2026-01-01', '2026-12-31', calendar)).toBe(
      261 - 8,
    );
    expect(dutyDaysBetween(PATTERNS[5]!, '2026-01-01', '2026-12-31', calendar)).toBe(
      dayByDay(PATTERNS[5]!, '2026-01-01', '2026-12-31', calendar),
    );
  });

  it('when the end is before the start, then no days are lost', () => {
    for (const pattern of PATTERNS) expect(dutyDaysBetween(pattern, '2026-11-23', '2026-11-22', calendar)).toBe(0);
  });

  it('when a counter is prepared once, then it counts epoch days as dutyDaysBetween counts dates', () => {
    const count = dutyDayCounter({ kind: 'weekly', days: [1, 2, 3, 4, 5] }, calendar);
    expect(count(epochDay('2026-12-24'), epochDay('2026-12-31'))).toBe(4);
    expect(count(epochDay('2026-12-24'), epochDay('2026-12-23'))).toBe(0);
  });
});

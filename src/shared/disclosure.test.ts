import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLD,
  differenceIsolatesFew,
  effectiveThreshold,
  figure,
  isSmall,
  queryableGroups,
  suppressBreakdown,
} from './disclosure.js';
import { ValidationError } from './errors.js';

const hiddenKeys = (r: ReturnType<typeof suppressBreakdown>) => r.parts.filter((p) => p.suppressed).map((p) => p.key);

describe('The threshold (CONF-5)', () => {
  it('when none is configured, then it is 10', () => {
    expect(effectiveThreshold()).toBe(10);
    expect(effectiveThreshold(null)).toBe(10);
    expect(DEFAULT_THRESHOLD).toBe(10);
  });

  it('when 3 is configured, then 5 is used; never below 5', () => {
    expect(effectiveThreshold(3)).toBe(5);
    expect(effectiveThreshold(0)).toBe(5);
    expect(effectiveThreshold(-4)).toBe(5);
    expect(effectiveThreshold(5)).toBe(5);
  });

  it('when a higher one is configured, then it is used as it is', () => {
    expect(effectiveThreshold(20)).toBe(20);
  });

  it('when the configured value is not a whole number, then it is refused', () => {
    expect(() => effectiveThreshold(7.5)).toThrow(ValidationError);
    expect(() => effectiveThreshold(Number.NaN)).toThrow(ValidationError);
  });

  it('when a function is given a threshold below 5, then it is refused rather than used', () => {
    expect(() => figure(1, 3, 3)).toThrow(ValidationError);
    expect(() => suppressBreakdown({ total: 20, parts: [] }, 4)).toThrow(ValidationError);
    expect(() => queryableGroups(20, [], 2)).toThrow(ValidationError);
    expect(() => differenceIsolatesFew(20, 18, 1)).toThrow(ValidationError);
  });
});

describe('A single figure (CONF-5)', () => {
  it('when a group of 9 is shown with a threshold of 10, then its figure is suppressed', () => {
    expect(figure(3.4, 9, 10)).toEqual({ value: null, n: 9, suppressed: true });
  });

  it('when a group of 10 is shown with a threshold of 10, then its figure is shown', () => {
    expect(figure(3.4, 10, 10)).toEqual({ value: 3.4, n: 10, suppressed: false });
  });

  it('when nobody is in the group, then there is nothing to hide', () => {
    expect(figure(null, 0, 10)).toEqual({ value: null, n: 0, suppressed: false });
    expect(isSmall(0, 10)).toBe(false);
  });

  it('when a figure is from 1 person, then it is suppressed', () => {
    expect(figure('barrier', 1, 5).suppressed).toBe(true);
  });
});

describe('A breakdown (CONF-5 primary and complementary suppression)', () => {
  it('when every part is at least the threshold, then nothing is hidden', () => {
    const r = suppressBreakdown(
      {
        total: 45,
        parts: [
          { key: 'a', n: 10 },
          { key: 'b', n: 15 },
          { key: 'c', n: 20 },
        ],
      },
      10,
    );
    expect(r.totalSuppressed).toBe(false);
    expect(hiddenKeys(r)).toEqual([]);
  });

  it('when one part of two is small, then the other is hidden too, or the total would give it away', () => {
    const r = suppressBreakdown(
      {
        total: 39,
        parts: [
          { key: 'day', n: 9 },
          { key: 'night', n: 30 },
        ],
      },
      10,
    );
    expect(hiddenKeys(r)).toEqual(['day', 'night']);
    expect(r.totalSuppressed).toBe(false);
  });

  it('when one part is small, then the next smallest is hidden with it, and the larger ones stay', () => {
    const parts = [
      { key: 'a', n: 40 },
      { key: 'b', n: 3 },
      { key: 'c', n: 12 },
      { key: 'd', n: 20 },
    ];
    expect(hiddenKeys(suppressBreakdown({ total: 75, parts }, 10))).toEqual(['b', 'c']);
  });

  it('when two small parts together are still below the threshold, then more are hidden until they are not', () => {
    const parts = [
      { key: 'a', n: 2 },
      { key: 'b', n: 3 },
      { key: 'c', n: 30 },
      { key: 'd', n: 25 },
    ];
    expect(hiddenKeys(suppressBreakdown({ total: 60, parts }, 10))).toEqual(['a', 'b', 'd']);
  });

  it('when two small parts together reach the threshold, then they protect each other', () => {
    const parts = [
      { key: 'a', n: 6 },
      { key: 'b', n: 4 },
      { key: 'c', n: 30 },
    ];
    expect(hiddenKeys(suppressBreakdown({ total: 40, parts }, 10))).toEqual(['a', 'b']);
  });

  it('when people in no group make a large remainder, then it protects a small hidden part', () => {
    const r = suppressBreakdown(
      {
        total: 55,
        parts: [
          { key: 'a', n: 3 },
          { key: 'b', n: 40 },
        ],
      },
      10,
    );
    expect(hiddenKeys(r)).toEqual(['a']);
  });

  it('when the people in no group are few, then a part is hidden so that the total does not reveal them', () => {
    const r = suppressBreakdown(
      {
        total: 54,
        parts: [
          { key: 'a', n: 20 },
          { key: 'b', n: 30 },
        ],
      },
      10,
    );
    expect(hiddenKeys(r)).toEqual(['a']);
  });

  it('when the total is below the threshold, then everything is hidden, the total included', () => {
    const r = suppressBreakdown(
      {
        total: 8,
        parts: [
          { key: 'a', n: 8 },
          { key: 'b', n: 0 },
        ],
      },
      10,
    );
    expect(r.totalSuppressed).toBe(true);
    expect(hiddenKeys(r)).toEqual(['a', 'b']);
  });

  it('when a part is empty, then it is shown as nobody and never used to protect another', () => {
    const parts = [
      { key: 'a', n: 0 },
      { key: 'b', n: 4 },
      { key: 'c', n: 50 },
    ];
    expect(hiddenKeys(suppressBreakdown({ total: 54, parts }, 10))).toEqual(['b', 'c']);
  });

  it('when the parts add up to more than the total, or a key repeats, then the breakdown is refused', () => {
    expect(() => suppressBreakdown({ total: 10, parts: [{ key: 'a', n: 11 }] }, 10)).toThrow(ValidationError);
    const twice = [
      { key: 'a', n: 10 },
      { key: 'a', n: 10 },
    ];
    expect(() => suppressBreakdown({ total: 30, parts: twice }, 10)).toThrow(ValidationError);
  });

  it('when any breakdown is suppressed, then total minus visible parts never reveals a small hidden part', () => {
    const breakdown = fc
      .record({
        threshold: fc.integer({ min: 5, max: 20 }),
        sizes: fc.array(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 60 })), { maxLength: 8 }),
        remainder: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 25 })),
      })
      .map(({ threshold, sizes, remainder }) => ({
        threshold,
        total: sizes.reduce((a, b) => a + b, 0) + remainder,
        parts: sizes.map((n, i) => ({ key: `g${i}`, n })),
      }));
    fc.assert(
      fc.property(breakdown, ({ threshold, total, parts }) => {
        const r = suppressBreakdown({ total, parts }, threshold);
        if (r.totalSuppressed) {
          expect(total).toBeGreaterThan(0);
          expect(total).toBeLessThan(threshold);
          expect(r.parts.every((p) => p.suppressed)).toBe(true);
          return;
        }
        // Every small part is hidden.
        for (const p of r.parts) if (p.n > 0 && p.n < threshold) expect(p.suppressed).toBe(true);
        const visible = r.parts.filter((p) => !p.suppressed).reduce((a, p) => a + p.n, 0);
        const workedOut = total - visible;
        // What a reader can work out is never exactly one hidden small part …
        for (const p of r.parts) if (p.suppressed && p.n < threshold) expect(workedOut).not.toBe(p.n);
        // … because it is either nobody or at least the threshold.
        expect(workedOut === 0 || workedOut >= threshold).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Two queries (CONF-5 differencing across filters)', () => {
  it('when two filters differ by fewer than the threshold, then the pair is refused', () => {
    expect(differenceIsolatesFew(100, 95, 10)).toBe(true);
    expect(differenceIsolatesFew(95, 100, 10)).toBe(true);
    expect(differenceIsolatesFew(100, 91, 10)).toBe(true);
    expect(differenceIsolatesFew(100, 99, 10)).toBe(true);
  });

  it('when two filters differ by the threshold or more, or not at all, then the pair is allowed', () => {
    expect(differenceIsolatesFew(100, 90, 10)).toBe(false);
    expect(differenceIsolatesFew(100, 40, 10)).toBe(false);
    expect(differenceIsolatesFew(100, 100, 10)).toBe(false);
  });

  it('when a group is small or leaves a small rest of the campaign, then it may not be queried alone', () => {
    const groups = [
      { key: 'almost-everyone', n: 95 },
      { key: 'nine', n: 9 },
      { key: 'ten', n: 10 },
      { key: 'ninety', n: 90 },
      { key: 'everyone', n: 100 },
      { key: 'nobody', n: 0 },
    ];
    expect(queryableGroups(100, groups, 10)).toEqual(['ten', 'ninety', 'everyone']);
  });

  it('when the threshold is 5, then a group of 5 whose rest is 5 or more may be queried', () => {
    expect(
      queryableGroups(
        12,
        [
          { key: 'a', n: 5 },
          { key: 'b', n: 7 },
          { key: 'c', n: 8 },
        ],
        5,
      ),
    ).toEqual(['a', 'b']);
  });

  it('when any group may be queried alone, then neither it nor the rest of the campaign is small', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 20 }),
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }),
        (threshold, total, shares) => {
          const parts = shares.map((s, i) => ({ key: `g${i}`, n: Math.floor(s * total) }));
          const allowed = new Set(queryableGroups(total, parts, threshold));
          for (const p of parts) {
            const safe = p.n >= threshold && !differenceIsolatesFew(total, p.n, threshold);
            expect(allowed.has(p.key)).toBe(safe);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

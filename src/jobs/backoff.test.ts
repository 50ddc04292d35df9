import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe('retryDelayMs', () => {
  it('when attempts grow, then the delay ceiling doubles each time up to the maximum', () => {
    const top = () => 1 - Number.EPSILON;
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => retryDelayMs(a, { ...policy, jitter: 'full' }, top));
    expect(delays).toEqual([999, 1_999, 3_999, 7_999, 15_999, 31_999, 59_999, 59_999]);
  });

  it('when full jitter is used, then the delay lies anywhere between 1 ms and the ceiling', () => {
    expect(retryDelayMs(3, { ...policy, jitter: 'full' }, () => 0)).toBe(1);
    expect(retryDelayMs(3, { ...policy, jitter: 'full' }, () => 0.5)).toBe(2_000);
  });

  it('when equal jitter is used (the default), then the delay lies between half the ceiling and the ceiling', () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(2_000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3_000);
    for (let i = 0; i < 200; i += 1) {
      const d = retryDelayMs(4, policy);
      expect(d).toBeGreaterThanOrEqual(4_000);
      expect(d).toBeLessThan(8_000);
    }
  });

  it('when the attempt number is huge, then the delay is capped and finite', () => {
    expect(retryDelayMs(10_000, policy, () => 0.5)).toBe(45_000);
  });

  it('when the attempt number is zero or not a number, then it is treated as the first attempt', () => {
    expect(retryDelayMs(0, policy, () => 0)).toBe(500);
    expect(retryDelayMs(Number.NaN, policy, () => 0)).toBe(500);
  });

  it('when the random source misbehaves, then the delay still stays within bounds', () => {
    expect(retryDelayMs(2, policy, () => -3)).toBe(1_000);
    expect(retryDelayMs(2, policy, () => 7)).toBeLessThan(2_000);
    expect(retryDelayMs(2, policy, () => Number.NaN)).toBe(1_000);
  });

  it('when the policy is nonsense, then it refuses', () => {
    expect(() => retryDelayMs(1, { baseMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => retryDelayMs(1, { baseMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

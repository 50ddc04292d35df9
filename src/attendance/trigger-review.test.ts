import { describe, expect, it } from 'vitest';
import { triggerReviewNeeded } from './trigger-review.js';

describe('trigger reviews (ATT-18)', () => {
  it('when a trigger is reached and nothing has been decided, then a review is needed for that episode and trigger', () => {
    expect(triggerReviewNeeded({ reached: ['spells'], episode: '2026-11-09', decisions: [] })).toEqual({
      sequence: 202611092,
    });
  });

  it('when a decision on or after the episode covers every trigger reached, then no review is needed; an older decision does not count', () => {
    expect(
      triggerReviewNeeded({
        reached: ['spells'],
        episode: '2026-11-09',
        decisions: [{ asOf: '2026-11-16', triggerCodes: ['spells'] }],
      }),
    ).toBeNull();
    expect(
      triggerReviewNeeded({
        reached: ['spells'],
        episode: '2026-11-09',
        decisions: [{ asOf: '2026-10-01', triggerCodes: ['spells'] }],
      }),
    ).toEqual({ sequence: 202611092 });
  });

  it('when a new trigger is reached in the same absence after a decision, then it is reviewed again, as a new review', () => {
    const after = triggerReviewNeeded({
      reached: ['spells', 'continuous'],
      episode: '2026-11-09',
      decisions: [{ asOf: '2026-11-10', triggerCodes: ['spells'] }],
    });
    expect(after).toEqual({ sequence: 202611096 });
  });

  it('when nothing is reached, then no review', () => {
    expect(triggerReviewNeeded({ reached: [], episode: '2026-11-09', decisions: [] })).toBeNull();
    expect(triggerReviewNeeded({ reached: ['bradford'], episode: null, decisions: [] })).toBeNull();
  });
});

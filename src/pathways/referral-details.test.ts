import { describe, expect, it } from 'vitest';
import { referralDetailsSchema } from './referral-details.js';

/** What a pathway referral carries to the NHS is parsed when read (issue 14 §14). */
describe('referral details', () => {
  it('when a handover is read, then its named fields come back typed', () => {
    const handover = {
      reason: 'Knee pain',
      priority: 'urgent',
      pathway: 'msk',
      startedAt: '2027-01-04T09:00:00.000Z',
      stepsDone: [{ step: 'triage', title: 'Triage', completedAt: '2027-01-05T09:00:00.000Z' }],
      facts: { painScore: 7 },
      sharedAnswers: { painScore: 7 },
    };
    expect(referralDetailsSchema.parse(handover)).toEqual(handover);
  });

  it('when a step referral written before its answers had a name is read, then they come back as the form answers', () => {
    expect(referralDetailsSchema.parse({ painScore: 6, redFlags: false, note: 'Seen today' })).toEqual({
      note: 'Seen today',
      formAnswers: { painScore: 6, redFlags: false },
    });
  });

  it('when a named field has the wrong shape, then it is refused rather than sent', () => {
    expect(referralDetailsSchema.safeParse({ stepsDone: 'triage' }).success).toBe(false);
    expect(referralDetailsSchema.safeParse({ priority: 'whenever' }).success).toBe(false);
    expect(referralDetailsSchema.safeParse({ sharedAnswers: { x: { nested: true } } }).success).toBe(false);
  });
});

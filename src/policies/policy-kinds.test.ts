import { describe, expect, it } from 'vitest';
import { POLICY_KINDS } from './policy-kinds.js';

describe('policy kinds', () => {
  it('when a kind is parsed from nothing, then its shipped defaults come out', () => {
    for (const [kind, def] of Object.entries(POLICY_KINDS)) {
      expect(def.schema.parse({}), kind).toEqual(def.defaults);
    }
  });

  it('when an older attendance version lacks the milestone settings, then it still reads, with the seed values', () => {
    const parsed = POLICY_KINDS.attendance.schema.parse({ bradfordThreshold: 250 });
    expect(parsed.bradfordThreshold).toBe(250);
    expect(parsed.milestones.callOnDay).toBe(4);
    expect(parsed.formalProcedure.meetingNoticeWorkingDays).toBe(5);
  });

  it('when a review range is upside down, then it is refused', () => {
    expect(POLICY_KINDS.attendance.schema.safeParse({ formalProcedure: { stage1ReviewMonths: { min: 4, max: 2 } } }).success).toBe(false);
  });
});

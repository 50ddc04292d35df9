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
    expect(
      POLICY_KINDS.attendance.schema.safeParse({ formalProcedure: { stage1ReviewMonths: { min: 4, max: 2 } } }).success,
    ).toBe(false);
  });

  it('when a repeat period or day number is 0, or a value is not a number, then it is refused with a plain message (a 0 would loop for ever)', () => {
    const zero = POLICY_KINDS.attendance.schema.safeParse({ milestones: { contactEveryDays: 0 } });
    expect(zero.success).toBe(false);
    expect(zero.error?.issues[0]?.message).toBe('Enter 1 or more');
    const text = POLICY_KINDS.attendance.schema.safeParse({ bradfordThreshold: 'two hundred' });
    expect(text.error?.issues[0]?.message).toBe('Enter a whole number');
  });

  it('when the sick pay scale has no rows, then it is refused, not an error (ATT-29)', () => {
    const empty = POLICY_KINDS.attendance.schema.safeParse({ sickPay: { scale: [] } });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues.map((i) => i.message)).toContain('Give at least one row');
  });
});

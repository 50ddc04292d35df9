import { addDays, daysBetween, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { isRostered } from './duty-days.js';

/** The contact and review periods of the attendance policy (seed 003 defaults; policy data). */
export interface MilestonePolicy {
  /** ATT-2: the line manager makes contact within this many days (24 hours) if the person has not. */
  contactWithinDays: number;
  /** ATT-3: the person phones on this calendar day of absence (moved to their next working day). */
  callOnDay: number;
  /** ATT-4: absence longer than this many days needs a medical certificate by the next day. */
  certificateAfterDays: number;
  /** ATT-9: after this many days a liaison officer is appointed and an action plan agreed. */
  liaisonAfterDays: number;
  /** ATT-8: weekly contact. */
  contactEveryDays: number;
  /** ATT-10: home visit by this day; the first liaison report at the end of this day (week 3). */
  homeVisitByDay: number;
  /** ATT-10: later reports every this many days. */
  reportEveryDays: number;
  /** ATT-12: absence over this many days is long-term: automatic OH referral. */
  ohReferralAfterDays: number;
  /** Issue 3 §4: an overdue milestone moves up to the next manager after this many working days. */
  escalateAfterWorkingDays: number;
  /** ATT-13 */
  returnToWorkWithinWorkingDays: number;
  /** ATT-5: an injury on duty needs an accident report within this many days (48 hours). */
  accidentReportWithinDays: number;
  /** ATT-5: an injury on duty keeping someone off for more than this many days is reportable to the HSE (seed 3; RIDDOR today 7). */
  hseReportableAfterDays: number;
  /** ATT-5: … reported within this many days of the injury. */
  hseReportWithinDays: number;
}

export const MILESTONE_CODES = [
  'manager-contact',
  'fourth-day-call',
  'medical-certificate',
  'liaison-officer',
  'weekly-contact',
  'home-visit',
  'liaison-report',
  'oh-referral',
  'accident-report',
  'hse-report',
] as const;
export type MilestoneCode = (typeof MILESTONE_CODES)[number];

/** Who must act. */
export type MilestoneOwner = 'line-manager' | 'staff' | 'oh' | 'hr';

export interface Milestone {
  code: MilestoneCode;
  /** Distinguishes repeats (weekly contact 1, 2, …; report 1, 2, …); 1 for one-offs. */
  sequence: number;
  /** The day of absence that makes the milestone apply (1 = the first day). */
  fromDay: number;
  dueDate: IsoDate;
  owner: MilestoneOwner;
  rule: string;
}

/**
 * The milestones an absence has reached by `asOf` (ATT-2 … ATT-5, ATT-8 … ATT-12). A
 * milestone applies once the absence has lasted to its day: a spell that ended on day 5
 * needs no certificate. Due dates follow the policy; the 4th-day call moves to the person's
 * next working day when day 4 is not one (ATT-3).
 */
export function milestonesFor(input: {
  startDate: IsoDate;
  endDate: IsoDate | null;
  asOf: IsoDate;
  pattern: WorkingPattern;
  calendar: WorkingDayCalendar;
  policy: MilestonePolicy;
  /** ATT-5 */
  injuryOnDuty?: boolean;
}): Milestone[] {
  const { startDate, policy } = input;
  const lastAbsentDay = input.endDate !== null && input.endDate < input.asOf ? input.endDate : input.asOf;
  const daysAbsent = daysBetween(startDate, lastAbsentDay) + 1;
  if (daysAbsent < 1) return [];
  const day = (n: number) => addDays(startDate, n - 1);
  const out: Milestone[] = [];
  const add = (m: Omit<Milestone, 'dueDate'> & { dueDate?: IsoDate }, dueDay: number) => {
    if (daysAbsent >= m.fromDay) out.push({ ...m, dueDate: m.dueDate ?? day(dueDay) });
  };

  add(
    { code: 'manager-contact', sequence: 1, fromDay: 1, owner: 'line-manager', rule: 'ATT-2' },
    1 + policy.contactWithinDays,
  );

  let call = day(policy.callOnDay);
  while (!isRostered(input.pattern, call, input.calendar) && daysBetween(day(policy.callOnDay), call) < 14)
    call = addDays(call, 1);
  add(
    { code: 'fourth-day-call', sequence: 1, fromDay: policy.callOnDay, owner: 'staff', rule: 'ATT-3', dueDate: call },
    policy.callOnDay,
  );

  add(
    {
      code: 'medical-certificate',
      sequence: 1,
      fromDay: policy.certificateAfterDays + 1,
      owner: 'staff',
      rule: 'ATT-4',
    },
    policy.certificateAfterDays + 1,
  );
  add(
    {
      code: 'liaison-officer',
      sequence: 1,
      fromDay: policy.liaisonAfterDays + 1,
      owner: 'line-manager',
      rule: 'ATT-9',
    },
    policy.liaisonAfterDays + 1,
  );

  // Policy data says every N days with N ≥ 1; the guard keeps a bad value from looping for ever.
  const every = Math.max(1, policy.contactEveryDays);
  const reportEvery = Math.max(1, policy.reportEveryDays);
  for (let n = 1; 1 + n * every <= daysAbsent; n++) {
    const dueDay = 1 + n * every;
    add({ code: 'weekly-contact', sequence: n, fromDay: dueDay, owner: 'line-manager', rule: 'ATT-8' }, dueDay);
  }

  // ATT-10: the visit is planned from the end of the second week so it can happen by day 21.
  add(
    {
      code: 'home-visit',
      sequence: 1,
      fromDay: Math.max(1, policy.homeVisitByDay - 6),
      owner: 'line-manager',
      rule: 'ATT-10',
    },
    policy.homeVisitByDay,
  );
  for (let n = 0; policy.homeVisitByDay + n * reportEvery <= daysAbsent; n++) {
    const dueDay = policy.homeVisitByDay + n * reportEvery;
    add({ code: 'liaison-report', sequence: n + 1, fromDay: dueDay, owner: 'line-manager', rule: 'ATT-10' }, dueDay);
  }

  add(
    { code: 'oh-referral', sequence: 1, fromDay: policy.ohReferralAfterDays + 1, owner: 'oh', rule: 'ATT-12' },
    policy.ohReferralAfterDays + 1,
  );

  if (input.injuryOnDuty) {
    // ATT-5: the accident report from the first day; the HSE report once the absence passes the threshold.
    add(
      { code: 'accident-report', sequence: 1, fromDay: 1, owner: 'line-manager', rule: 'ATT-5' },
      1 + policy.accidentReportWithinDays,
    );
    add(
      { code: 'hse-report', sequence: 1, fromDay: policy.hseReportableAfterDays + 1, owner: 'hr', rule: 'ATT-5' },
      1 + policy.hseReportWithinDays,
    );
  }
  return out.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.code.localeCompare(b.code)));
}

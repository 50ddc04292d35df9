import { addMonths, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';

/** Periods of the formal procedure (seed 003 §19–§22 defaults; policy data). */
export interface FormalProcedurePolicy {
  /** ATT-21: working days' notice of a stage meeting. */
  meetingNoticeWorkingDays: number;
  /** ATT-21, ATT-22: review period bounds in months. */
  stage1ReviewMonths: { min: number; max: number };
  stage2ReviewMonths: { min: number; max: number };
  /** ATT-24 */
  appealWarningWorkingDays: number;
  appealStage3WorkingDays: number;
  appealDecisionWorkingDays: number;
  postponementWorkingDays: number;
  /** ATT-25: warnings are disregarded after this many months of satisfactory attendance. */
  warningLifeMonths: number;
}

export type Stage = 1 | 2 | 3;

/** Why a date is refused, with what would be acceptable. */
export type DateCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'notice-too-short' | 'postponement-too-late' | 'review-period-out-of-range';
      earliest?: IsoDate;
      latest?: IsoDate;
    };

/** The earliest date a stage meeting may be held after the invitation is given (ATT-21: at least N working days' notice). */
export function earliestMeetingDate(
  invitationDate: IsoDate,
  calendar: WorkingDayCalendar,
  policy: FormalProcedurePolicy,
): IsoDate {
  return calendar.addWorkingDays(invitationDate, policy.meetingNoticeWorkingDays);
}

/** ATT-21: refuses a meeting date that gives less than the required notice. */
export function checkMeetingDate(
  invitationDate: IsoDate,
  meetingDate: IsoDate,
  calendar: WorkingDayCalendar,
  policy: FormalProcedurePolicy,
): DateCheck {
  const earliest = earliestMeetingDate(invitationDate, calendar, policy);
  return meetingDate >= earliest ? { ok: true } : { ok: false, reason: 'notice-too-short', earliest };
}

/** ATT-24: the latest date a meeting first set for `originalDate` may be postponed to, for a representative. */
export function latestPostponedDate(
  originalDate: IsoDate,
  calendar: WorkingDayCalendar,
  policy: FormalProcedurePolicy,
): IsoDate {
  return calendar.addWorkingDays(originalDate, policy.postponementWorkingDays);
}

/** ATT-24: a meeting postponed for a representative must fall within N working days of the original date. */
export function checkPostponedDate(
  originalDate: IsoDate,
  newDate: IsoDate,
  calendar: WorkingDayCalendar,
  policy: FormalProcedurePolicy,
): DateCheck {
  const latest = latestPostponedDate(originalDate, calendar, policy);
  return newDate <= latest ? { ok: true } : { ok: false, reason: 'postponement-too-late', latest };
}

/** ATT-21, ATT-22: the first and last day a stage's review period may end on (stage 3 has no review period). */
export function reviewPeriodBounds(
  stage: Stage,
  meetingDate: IsoDate,
  policy: FormalProcedurePolicy,
): { earliest: IsoDate; latest: IsoDate } | null {
  if (stage === 3) return null;
  const bounds = stage === 1 ? policy.stage1ReviewMonths : policy.stage2ReviewMonths;
  return { earliest: addMonths(meetingDate, bounds.min), latest: addMonths(meetingDate, bounds.max) };
}

/** ATT-21, ATT-22: the review period must lie within the stage's bounds (stage 3 has none). */
export function checkReviewPeriod(
  stage: Stage,
  meetingDate: IsoDate,
  reviewEndDate: IsoDate,
  policy: FormalProcedurePolicy,
): DateCheck {
  const bounds = reviewPeriodBounds(stage, meetingDate, policy);
  if (!bounds) return { ok: true };
  return reviewEndDate >= bounds.earliest && reviewEndDate <= bounds.latest
    ? { ok: true }
    : { ok: false, reason: 'review-period-out-of-range', ...bounds };
}

/** ATT-24: the last day to appeal an outcome sent on `outcomeDate`. */
export function appealDeadline(
  stage: Stage,
  outcomeDate: IsoDate,
  calendar: WorkingDayCalendar,
  policy: FormalProcedurePolicy,
): IsoDate {
  return calendar.addWorkingDays(
    outcomeDate,
    stage === 3 ? policy.appealStage3WorkingDays : policy.appealWarningWorkingDays,
  );
}

/** ATT-24: the appeal committee's decision is due in writing by this date. */
export function appealDecisionDue(
  appealHeardOn: IsoDate,
  calendar: WorkingDayCalendar,
  policy: FormalProcedurePolicy,
): IsoDate {
  return calendar.addWorkingDays(appealHeardOn, policy.appealDecisionWorkingDays);
}

/**
 * ATT-25: a warning is disregarded after the policy's months of satisfactory attendance.
 * Attendance is satisfactory from the warning date unless a review trigger is reached
 * afterwards, which restarts the period from that date.
 */
export function warningExpiry(
  warningDate: IsoDate,
  triggersReachedSince: readonly IsoDate[],
  policy: FormalProcedurePolicy,
): IsoDate {
  const restart =
    [...triggersReachedSince]
      .filter((d) => d > warningDate)
      .sort()
      .at(-1) ?? warningDate;
  return addMonths(restart, policy.warningLifeMonths);
}

/** True when a warning still stands on `asOf`. */
export function warningIsLive(
  warningDate: IsoDate,
  triggersReachedSince: readonly IsoDate[],
  asOf: IsoDate,
  policy: FormalProcedurePolicy,
): boolean {
  return asOf >= warningDate && asOf < warningExpiry(warningDate, triggersReachedSince, policy);
}

/** Outcomes that are warnings (ATT-21 … ATT-23); ATT-25 says when they are disregarded. */
export const WARNING_OUTCOMES: readonly string[] = [
  'first-written-improvement-notice',
  'second-written-warning',
  'final-warning-extended',
];

/** What the stage rules need to know of a step so far. */
export interface StepSoFar {
  step: 'informal-action' | 'stage-1' | 'stage-2' | 'stage-3';
  outcome: string | null;
  /** The step's warning stands on the date in question (issued, not withdrawn on appeal, not expired). */
  warningLive: boolean;
}

export type StageRefusal =
  'informal-action-first' | 'stage-awaiting-outcome' | 'previous-stage-first' | 'previous-warning-not-live';

/**
 * Whether a formal stage may start given the steps so far (ATT-20 … ATT-23, ATT-25): informal
 * action first; one stage at a time; stage 2 follows a live first written improvement notice,
 * stage 3 a live second (or extended final) warning. Seed 003 §19.1 lets the force start at a
 * later stage where it considers it appropriate: the service allows that with a recorded reason.
 */
export function stageMayStart(
  stage: Stage,
  steps: readonly StepSoFar[],
): { ok: true } | { ok: false; reason: StageRefusal } {
  if (!steps.some((s) => s.step === 'informal-action')) return { ok: false, reason: 'informal-action-first' };
  if (steps.some((s) => s.step !== 'informal-action' && s.outcome === null))
    return { ok: false, reason: 'stage-awaiting-outcome' };
  if (stage === 1) return { ok: true };
  const before = stage === 2 ? ['stage-1'] : ['stage-2', 'stage-3'];
  const prior = steps.filter((s) => before.includes(s.step));
  if (prior.length === 0) return { ok: false, reason: 'previous-stage-first' };
  const warnings =
    stage === 2 ? ['first-written-improvement-notice'] : ['second-written-warning', 'final-warning-extended'];
  return prior.some((s) => s.outcome !== null && warnings.includes(s.outcome) && s.warningLive)
    ? { ok: true }
    : { ok: false, reason: 'previous-warning-not-live' };
}

/** ATT-23: a final warning may be extended once only. */
export function finalWarningExtensionAllowed(
  steps: ReadonlyArray<{ step: string; outcome: string | null; appealOutcome: string | null }>,
): boolean {
  return !steps.some(
    (s) => s.step === 'stage-3' && s.outcome === 'final-warning-extended' && s.appealOutcome !== 'upheld',
  );
}

/**
 * The state of a step's warning on `asOf` (ATT-25): none when the outcome is not a warning;
 * withdrawn when an appeal against it was upheld; otherwise it expires after the policy's
 * months of satisfactory attendance, restarted by each date absence reached a trigger again.
 */
export function warningState(input: {
  outcome: string | null;
  outcomeDate: IsoDate | null;
  appealOutcome: string | null;
  restartDates: readonly IsoDate[];
  asOf: IsoDate;
  policy: FormalProcedurePolicy;
}):
  { kind: 'none' } | { kind: 'withdrawn' } | { kind: 'warning'; issuedOn: IsoDate; expiresOn: IsoDate; live: boolean } {
  if (!input.outcome || !input.outcomeDate || !WARNING_OUTCOMES.includes(input.outcome)) return { kind: 'none' };
  if (input.appealOutcome === 'upheld') return { kind: 'withdrawn' };
  const expiresOn = warningExpiry(input.outcomeDate, input.restartDates, input.policy);
  return {
    kind: 'warning',
    issuedOn: input.outcomeDate,
    expiresOn,
    live: warningIsLive(input.outcomeDate, input.restartDates, input.asOf, input.policy),
  };
}

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
export type DateCheck = { ok: true } | { ok: false; reason: 'notice-too-short' | 'postponement-too-late' | 'review-period-out-of-range'; earliest?: IsoDate; latest?: IsoDate };

/** The earliest date a stage meeting may be held after the invitation is given (ATT-21: at least N working days' notice). */
export function earliestMeetingDate(invitationDate: IsoDate, calendar: WorkingDayCalendar, policy: FormalProcedurePolicy): IsoDate {
  return calendar.addWorkingDays(invitationDate, policy.meetingNoticeWorkingDays);
}

/** ATT-21: refuses a meeting date that gives less than the required notice. */
export function checkMeetingDate(invitationDate: IsoDate, meetingDate: IsoDate, calendar: WorkingDayCalendar, policy: FormalProcedurePolicy): DateCheck {
  const earliest = earliestMeetingDate(invitationDate, calendar, policy);
  return meetingDate >= earliest ? { ok: true } : { ok: false, reason: 'notice-too-short', earliest };
}

/** ATT-24: a meeting postponed for a representative must fall within N working days of the original date. */
export function checkPostponedDate(originalDate: IsoDate, newDate: IsoDate, calendar: WorkingDayCalendar, policy: FormalProcedurePolicy): DateCheck {
  const latest = calendar.addWorkingDays(originalDate, policy.postponementWorkingDays);
  return newDate <= latest ? { ok: true } : { ok: false, reason: 'postponement-too-late', latest };
}

/** ATT-21, ATT-22: the review period must lie within the stage's bounds (stage 3 has none). */
export function checkReviewPeriod(stage: Stage, meetingDate: IsoDate, reviewEndDate: IsoDate, policy: FormalProcedurePolicy): DateCheck {
  if (stage === 3) return { ok: true };
  const bounds = stage === 1 ? policy.stage1ReviewMonths : policy.stage2ReviewMonths;
  const earliest = addMonths(meetingDate, bounds.min);
  const latest = addMonths(meetingDate, bounds.max);
  return reviewEndDate >= earliest && reviewEndDate <= latest ? { ok: true } : { ok: false, reason: 'review-period-out-of-range', earliest, latest };
}

/** ATT-24: the last day to appeal an outcome sent on `outcomeDate`. */
export function appealDeadline(stage: Stage, outcomeDate: IsoDate, calendar: WorkingDayCalendar, policy: FormalProcedurePolicy): IsoDate {
  return calendar.addWorkingDays(outcomeDate, stage === 3 ? policy.appealStage3WorkingDays : policy.appealWarningWorkingDays);
}

/** ATT-24: the appeal committee's decision is due in writing by this date. */
export function appealDecisionDue(appealHeardOn: IsoDate, calendar: WorkingDayCalendar, policy: FormalProcedurePolicy): IsoDate {
  return calendar.addWorkingDays(appealHeardOn, policy.appealDecisionWorkingDays);
}

/**
 * ATT-25: a warning is disregarded after the policy's months of satisfactory attendance.
 * Attendance is satisfactory from the warning date unless a review trigger is reached
 * afterwards, which restarts the period from that date.
 */
export function warningExpiry(warningDate: IsoDate, triggersReachedSince: readonly IsoDate[], policy: FormalProcedurePolicy): IsoDate {
  const restart = [...triggersReachedSince].filter((d) => d > warningDate).sort().at(-1) ?? warningDate;
  return addMonths(restart, policy.warningLifeMonths);
}

/** True when a warning still stands on `asOf`. */
export function warningIsLive(warningDate: IsoDate, triggersReachedSince: readonly IsoDate[], asOf: IsoDate, policy: FormalProcedurePolicy): boolean {
  return asOf >= warningDate && asOf < warningExpiry(warningDate, triggersReachedSince, policy);
}

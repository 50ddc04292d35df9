import type { IsoDate } from '../shared/dates.js';
import type { TriggerCode } from './bradford.js';

/** The worklist code of the ATT-18 review a newly reached trigger asks of the line manager. */
export const TRIGGER_REVIEW = 'trigger-review';

/** Worklist tasks done by recording the work itself: the interview form (ATT-13), the trigger decision (ATT-18). */
export const TASKS_COMPLETED_BY_FORM = ['return-to-work-interview', TRIGGER_REVIEW] as const;

export type ProcedureStepKind = 'informal-action' | 'stage-1' | 'stage-2' | 'stage-3';
export type AppealOutcome = 'upheld' | 'dismissed' | 'varied';

/** A recorded step of the attendance procedure (ATT-20 … ATT-24), as stored. */
export interface ProcedureStepRecord {
  id: string;
  personId: string;
  organisationId: string;
  step: ProcedureStepKind;
  /** Informal action only. */
  actionDate: IsoDate | null;
  /** ATT-20: a formal stage needs an OH report to be requested first. */
  ohReportRequestedOn: IsoDate | null;
  invitationDate: IsoDate | null;
  meetingDate: IsoDate | null;
  /** HH:MM, for the invitation letter. */
  meetingTime: string | null;
  meetingLocation: string | null;
  chairName: string | null;
  /** ATT-24: set when the meeting was postponed for a representative. */
  originalMeetingDate: IsoDate | null;
  postponementReason: string | null;
  outcome: string | null;
  outcomeDate: IsoDate | null;
  reviewEndDate: IsoDate | null;
  /** ATT-24 */
  appealDeadline: IsoDate | null;
  appealLodgedOn: IsoDate | null;
  appealHeardOn: IsoDate | null;
  appealOutcome: AppealOutcome | null;
  appealDecidedOn: IsoDate | null;
  notes: string | null;
  policyVersion: number;
  recordedByUserId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** ATT-18: what was decided about the triggers reached on a date. */
export interface TriggerDecision {
  id: string;
  personId: string;
  asOf: IsoDate;
  decision: string;
  triggerCodes: TriggerCode[];
  rationale: string;
}

/** ATT-7: from `effectiveFrom`, the case's disability-related absence is discounted (or not). */
export interface DisabilityDecision {
  id: string;
  personId: string;
  effectiveFrom: IsoDate;
  discount: boolean;
  rationale: string;
  decidedByUserId: string;
  createdAt: Date;
}

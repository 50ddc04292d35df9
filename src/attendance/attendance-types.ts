import type { CERTIFICATION, NOT_SICKNESS_KINDS, ReasonCategory } from './attendance-schemas.js';

/** A spell of absence (ATT-1). */
export interface AbsenceSpell {
  id: string;
  personId: string;
  organisationId: string;
  startDate: string;
  endDate: string | null;
  reasonCategory: ReasonCategory;
  /** OH only (CONF-1). */
  ohReasonText: string | null;
  dutyRelated: boolean;
  injuryOnDuty: boolean;
  /** ATT-5: the accident report is due within 48 hours of an injury on duty. */
  accidentReportDueAt: Date | null;
  pregnancyRelated: boolean;
  disabilityRelated: boolean;
  countsAsSickness: boolean;
  notSicknessKind: (typeof NOT_SICKNESS_KINDS)[number] | null;
  certification: (typeof CERTIFICATION)[number];
  certificateFrom: string | null;
  certificateTo: string | null;
  expectedReturnDate: string | null;
  importKey: string | null;
  recordedByUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewAbsenceSpell = Omit<AbsenceSpell, 'createdAt' | 'updatedAt'>;

import type { IsoDate } from '../shared/dates.js';
import type { CERTIFICATION, NOT_SICKNESS_KINDS, ReasonCategory } from './attendance-schemas.js';

/** The purpose the attendance services give the audit trail for what they read and write. */
export const ATTENDANCE_PURPOSE = 'attendance-management';

/** A spell of absence (ATT-1). */
export interface AbsenceSpell {
  id: string;
  personId: string;
  organisationId: string;
  startDate: IsoDate;
  endDate: IsoDate | null;
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
  certificateFrom: IsoDate | null;
  certificateTo: IsoDate | null;
  expectedReturnDate: IsoDate | null;
  /** ATT-1: urgent work to hand over. */
  handoverNotes: string | null;
  /** ATT-11: the person wants no direct contact; contact goes through their nominated liaison. */
  noDirectContact: boolean;
  nominatedLiaison: string | null;
  /** Issue 16 §5: the blood-borne virus exposure this absence follows (OH and the person only see which). */
  bbvIncidentId: string | null;
  importKey: string | null;
  recordedByUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type ContactFields = 'handoverNotes' | 'noDirectContact' | 'nominatedLiaison' | 'bbvIncidentId';
/** A spell to save; the contact fields (ATT-1, ATT-11) default to none. */
export type NewAbsenceSpell = Omit<AbsenceSpell, 'createdAt' | 'updatedAt' | ContactFields> &
  Partial<Pick<AbsenceSpell, ContactFields>>;

/** The spell as stored: the contact fields filled with their defaults (ATT-1, ATT-11). */
export function asSaved(spell: NewAbsenceSpell, createdAt: Date, updatedAt: Date): AbsenceSpell {
  return {
    handoverNotes: null,
    noDirectContact: false,
    nominatedLiaison: null,
    bbvIncidentId: null,
    ...spell,
    createdAt,
    updatedAt,
  };
}

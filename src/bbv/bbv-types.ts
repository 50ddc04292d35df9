import type { IsoDate } from '../shared/dates.js';

/** How the exposure happened (issue 16 §1; domain brief BBV-5). */
export const EXPOSURE_TYPES = ['needlestick', 'sharp', 'bite', 'splash', 'spit', 'other'] as const;
export type ExposureType = (typeof EXPOSURE_TYPES)[number];

/** What reached the person (BBV-5: saliva, urine and vomit carry minimal risk unless blood-stained). */
export const BODY_FLUIDS = ['blood', 'blood-stained-fluid', 'saliva', 'urine-or-vomit', 'other', 'unknown'] as const;
export type BodyFluid = (typeof BODY_FLUIDS)[number];

/** The follow-up timepoints (BBV-6, BBV-7). */
export const TIMEPOINTS = ['4-6-weeks', '3-months', '6-months'] as const;
export type Timepoint = (typeof TIMEPOINTS)[number];

/** The tests the schedule asks for (BBV-6). */
export const BBV_TESTS = ['HBsAg', 'HCV-Ag-PCR', 'HCV-Ab', 'HIV-Ag-Ab'] as const;
export type BbvTest = (typeof BBV_TESTS)[number];

export const RESULT_VALUES = ['negative', 'positive', 'indeterminate'] as const;
export type ResultValue = (typeof RESULT_VALUES)[number];

/**
 * Where a timepoint stands on a day: not open yet, open for a sample, closed without every result,
 * some results in, all in and negative, or a result that needs a clinician (BBV-9).
 */
export const TIMEPOINT_STATUSES = ['upcoming', 'due', 'overdue', 'partial', 'complete', 'needs-review'] as const;
export type TimepointStatus = (typeof TIMEPOINT_STATUSES)[number];

/** The HIV PEP decision (BBV-3). `too-late` is all the form offers after 72 hours. */
export const PEP_DECISIONS = ['started', 'not-indicated', 'declined', 'too-late'] as const;
export type PepDecision = (typeof PEP_DECISIONS)[number];

/** Hepatitis B vaccination after exposure (BBV-4). */
export const HBV_VACCINATIONS = ['accelerated', 'very-rapid', 'booster', 'not-needed', 'declined'] as const;
export type HbvVaccination = (typeof HBV_VACCINATIONS)[number];

/** Where a result came from. */
export const RESULT_SOURCES = ['oh', 'laboratory'] as const;
export type ResultSource = (typeof RESULT_SOURCES)[number];

/** One test result at one timepoint. */
export interface BbvResult {
  id: string;
  incidentId: string;
  timepoint: Timepoint;
  test: BbvTest;
  result: ResultValue;
  sampleTakenAt: Date;
  source: ResultSource;
  /** The stored laboratory resource it came from (fhir_resources id), when it came from a partner. */
  resourceId: string | null;
  recordedByUserId: string | null;
  recordedAt: Date;
}

/** The other person in a bite who is not staff: the minimum OH needs to see them assessed (BBV-1). */
export interface NonStaffParty {
  /** How OH refers to them, e.g. "Detained person, custody ref 12/3456". */
  description: string;
  /** Whether they agreed to be tested (BBV-8). */
  consentedToTesting: boolean | null;
  /** How their assessment was arranged: custody healthcare, A&E … */
  assessmentArrangedWith: string | null;
}

/** The risk assessment (BBV-1), due within an hour of the exposure. */
export interface RiskAssessment {
  assessedAt: Date;
  assessedByUserId: string | null;
  highRiskHcv: boolean;
  knownHbvResponder: boolean | null;
  followUpIndicated: boolean;
  /** BBV-8: when the baseline sample was taken and stored. */
  baselineStoredAt: Date | null;
  /** BBV-1: in a bite, the other person's assessment was arranged. */
  otherPartyAssessed: boolean | null;
  note: string | null;
}

export interface PepRecord {
  decision: PepDecision;
  decidedAt: Date;
  /** When the course began (decision `started`). */
  startedAt: Date | null;
}

export interface HbvRecord {
  vaccination: HbvVaccination;
  /** The first dose (or the booster) date. */
  vaccinationDate: IsoDate | null;
  hbigGiven: boolean;
  hbigDate: IsoDate | null;
  recordedAt: Date;
}

/** A blood-borne virus exposure incident (issue 16 §1). */
export interface BbvIncident {
  id: string;
  organisationId: string;
  personId: string;
  pathwayId: string;
  occurredAt: Date;
  /** The UK date of the exposure: the schedule counts from it (BBV-7). */
  exposureDate: IsoDate;
  exposureType: ExposureType;
  skinBroken: boolean | null;
  bloodInMouth: boolean | null;
  bodyFluid: BodyFluid | null;
  firstAidGiven: boolean | null;
  sourceKnown: boolean;
  sourceRiskFactors: string | null;
  sourceConsentedToTesting: boolean | null;
  /** In a bite: the other person, when they are staff (they have their own incident, linkedIncidentId). */
  otherPartyPersonId: string | null;
  otherParty: NonStaffParty | null;
  /** The other staff member's incident in the same bite (BBV-1). */
  linkedIncidentId: string | null;
  /** ATT-5: the accident report's reference, once the manager has made it. */
  accidentReportRef: string | null;
  /** The 3- and 6-month tolerance, in days, from the BBV policy in force when the schedule was made. */
  toleranceDays: number | null;
  assessment: RiskAssessment | null;
  pep: PepRecord | null;
  hbv: HbvRecord | null;
  recordedByUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
  revision: number;
}

/** One timepoint of the testing schedule on a day (schedule.ts planSchedule). */
export interface ScheduleItem {
  timepoint: Timepoint;
  windowStart: IsoDate;
  windowEnd: IsoDate;
  dueDate: IsoDate;
  tests: BbvTest[];
  status: TimepointStatus;
  results: Array<{ test: BbvTest; result: ResultValue }>;
}

/** An incident with its results and schedule on a day, before it is cut to what its reader may see (bbv-views.ts). */
export interface IncidentRecord {
  incident: BbvIncident;
  results: BbvResult[];
  schedule: ScheduleItem[];
  pathwayStatus: string;
}

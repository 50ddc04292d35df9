import type { IsoDate } from '../shared/dates.js';

/** The three kinds of consent (domain brief §5a, §5b, §5c). */
export const CONSENT_KINDS = ['amra-report', 'oh-report-release', 'nhs-sharing'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

/**
 * Where a consent is in its life. Not every kind passes through every status:
 * `applied` is AMRA only (the application to the doctor, AMRA-3); `report-received`,
 * `supplied` and `withheld` are the report kinds; sharing consent goes requested → given →
 * withdrawn (or refused), and expires by its period rather than by a status.
 */
export const CONSENT_STATUSES = [
  'requested',
  'given',
  'refused',
  'applied',
  'report-received',
  'supplied',
  'withheld',
  'withdrawn',
] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/**
 * How a decision was recorded: in the platform by the person, on a scanned paper form, or verbally with a
 * witness. An AMRA decision is always in writing (AMRA-1, s.9): in the platform or on paper, never verbal.
 */
export const DECISION_METHODS = ['platform', 'paper', 'verbal'] as const;
export type DecisionMethod = (typeof DECISION_METHODS)[number];

/**
 * The person's own statutory steps OH may record from a letter they sent (issue 14 §4): they have seen
 * the report (AMRA-4), agree to or refuse its supply (AMRA-4, AMRA-5), ask for a correction or attach a
 * statement (AMRA-5), ask to see it (AMRA-4; after supply, AMRA-6).
 */
export const ON_BEHALF_ACTIONS = [
  'seen-report',
  'supply-decision',
  'correction',
  'statement',
  'access-request',
] as const;
export type OnBehalfAction = (typeof ON_BEHALF_ACTIONS)[number];
/** The steps whose words are the person's comments on their report: clinical content (CONF-1). */
export const CLINICAL_ON_BEHALF_ACTIONS: ReadonlySet<OnBehalfAction> = new Set(['correction', 'statement']);

/** A letter from the person, as OH records it: the day it was received and the reference of the scanned letter. */
export interface LetterReceived {
  action: OnBehalfAction;
  receivedOn: IsoDate;
  documentReference: string;
}

/** How a person told OH they withdraw their consent (§5c); in the platform they withdraw for themselves. */
export const WITHDRAWAL_METHODS = ['written', 'in-person', 'phone'] as const;
export type WithdrawalMethod = (typeof WITHDRAWAL_METHODS)[number];

/** A withdrawal OH records for the person: how and when they said so, and a written one's reference. */
export interface WithdrawalStatement {
  method: WithdrawalMethod;
  saidOn: IsoDate;
  documentReference: string | null;
}

/** Purposes a disclosure can serve. */
export const EMPLOYMENT_PURPOSE = 'employment' as const;
export const SHARING_PURPOSES = ['treatment', 'continuity-of-care', 'results-to-oh'] as const;
export type SharingPurpose = (typeof SHARING_PURPOSES)[number];
export const DISCLOSURE_PURPOSES = [EMPLOYMENT_PURPOSE, ...SHARING_PURPOSES] as const;
export type DisclosurePurpose = (typeof DISCLOSURE_PURPOSES)[number];

/**
 * What may be shared with an NHS partner (§5c). Every category must be named in the consent;
 * the sensitive ones (mental health, sexual health and blood-borne viruses) are never implied
 * by a broader one such as clinical history.
 */
export const SHARING_CATEGORIES = [
  'demographics',
  'referral-details',
  'clinical-history',
  'questionnaire-answers',
  'test-results',
  'mental-health',
  'sexual-health',
] as const;
export type SharingCategory = (typeof SHARING_CATEGORIES)[number];
export const SENSITIVE_CATEGORIES: ReadonlySet<SharingCategory> = new Set(['mental-health', 'sexual-health']);

/** The report categories: a medical report from a treating doctor (AMRA) and an OH assessment report (§5b). */
export const REPORT_CATEGORIES = ['medical-report', 'oh-report'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];
export type DataCategory = SharingCategory | ReportCategory;
export const DATA_CATEGORY_LIST = [...SHARING_CATEGORIES, ...REPORT_CATEGORIES] as const;

/** Who receives a report on the employer's side. */
export const EMPLOYER_RECIPIENTS = ['line-manager', 'hr-manager'] as const;
export type EmployerRecipientRole = (typeof EMPLOYER_RECIPIENTS)[number];

/** The recipient a consent names. */
export type ConsentRecipient =
  | { type: 'employer'; role: EmployerRecipientRole }
  | { type: 'nhs-partner'; organisationId: string; name: string; odsCode: string | null };

/** AMRA-7: the grounds on which a doctor may withhold part of a report. */
export const WITHHELD_GROUNDS = ['serious-harm', 'doctor-intentions', 'third-party'] as const;
export type WithheldGround = (typeof WITHHELD_GROUNDS)[number];

export interface WithheldPart {
  ground: WithheldGround;
  note: string | null;
}

/** The report a report consent is about. Clinical content: OH and the person only, until supplied. */
export interface ConsentReport {
  text: string;
  receivedOn: IsoDate;
  /** AMRA-7 */
  withheldParts: WithheldPart[];
  amendedAt: string | null;
}

/** AMRA-5 / §5b: a request to correct something incorrect or misleading, and the answer. */
export interface CorrectionRequest {
  number: number;
  requestedAt: string;
  text: string;
  response: 'amended' | 'declined' | null;
  respondedAt: string | null;
  responseNote: string | null;
}

export interface ConsentDecision {
  decision: 'given' | 'refused';
  method: DecisionMethod;
  /** Verbal consent: who witnessed it. */
  witness: string | null;
  /** Paper consent: the scanned form's reference. */
  documentReference: string | null;
  on: IsoDate;
  at: string;
}

/** What withdrawing a sharing consent stopped, and what had already gone (§5c). */
export interface WithdrawalOutcome {
  cancelled: DisclosureItem[];
  alreadySent: DisclosureItem[];
}

/** A queued or sent disclosure, as the person is shown it. */
export interface DisclosureItem {
  id: string;
  description: string;
  at: string;
}

/** The doctor a medical report is asked of (AMRA: one who is or was responsible for the person's care). */
export interface ReportDoctor {
  name: string;
  practice: string | null;
}

/** One consent, whatever its kind: a plain value the rules change and the repository stores. */
export interface Consent {
  id: string;
  organisationId: string;
  personId: string;
  kind: ConsentKind;
  status: ConsentStatus;
  recipient: ConsentRecipient;
  purpose: DisclosurePurpose;
  /** Plain words: what this consent is for ("Fitness for firearms duties"). */
  description: string;
  dataCategories: DataCategory[];
  /** Sharing consent: the period it covers (end null: until withdrawn). */
  periodStart: IsoDate | null;
  periodEnd: IsoDate | null;
  /** AMRA only. */
  doctor: ReportDoctor | null;
  /** AMRA-1: the written notice; OH release: the notice of the request. */
  notifiedOn: IsoDate;
  noticeBy: 'email' | 'letter';
  decision: ConsentDecision | null;
  /** AMRA-3, AMRA-4, §5b */
  wishesToSeeReport: boolean | null;
  /** AMRA-3 */
  applicationDate: IsoDate | null;
  /** The day the application was recorded (and the person told, AMRA-3): the 21 days never start before it. */
  applicationRecordedOn: IsoDate | null;
  /** AMRA-4: a request to see the report made only after the application (the 21 days run from it). */
  accessRequestedOn: IsoDate | null;
  /** AMRA-4: the person arranged access within the period (the report then waits for their agreement). */
  accessArrangedOn: IsoDate | null;
  seenAt: string | null;
  /** OH release: the review period's last day (§5b). */
  reviewUntil: IsoDate | null;
  report: ConsentReport | null;
  corrections: CorrectionRequest[];
  /** AMRA-5: the person's statement of their views, attached to the report. */
  statement: { text: string; at: string } | null;
  supplyAgreedOn: IsoDate | null;
  suppliedOn: IsoDate | null;
  /** AMRA-6: the person may read the report until this day. */
  retainUntil: IsoDate | null;
  closedOn: IsoDate | null;
  withdrawal: WithdrawalOutcome | null;
  createdByUserId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: each change writes version + 1 where version matches. */
  version: number;
}

/** One entry of a consent's history. */
export interface ConsentEvent {
  id: string;
  consentId: string;
  type: string;
  at: string;
  byUserId: string | null;
  byRole: string | null;
  details: Record<string, unknown> | null;
}

/** The statutory and policy periods the rules use (policy kind `consent`). */
export interface ConsentPeriods {
  /** AMRA-4: 21 days (statute: a force may lengthen it, never shorten it). */
  amraAccessDays: number;
  /** AMRA-6: 6 months. */
  reportRetentionMonths: number;
  /** §5b: the review period for an OH report, in working days. */
  ohReviewWorkingDays: number;
}

import type { CloseOutcome, PerformerRole, ServiceType } from './definition-format.js';
import type { Facts, Pause, PathwayStatus, StepStatus } from './engine.js';
import type { Answers } from './questionnaire.js';
import type { ReferralDetails } from './referral-details.js';
import type { SharingCategory } from '../consent/consent-types.js';

export const ENROLMENT_SOURCES = ['clinician', 'self-referral', 'management-referral', 'automatic'] as const;
export type EnrolmentSource = (typeof ENROLMENT_SOURCES)[number];

export const FITNESS = ['fit', 'adjusted-duties', 'unfit'] as const;
export type Fitness = (typeof FITNESS)[number];

/** A published version of a pathway definition. */
export interface DefinitionRecord {
  id: string;
  code: string;
  version: number;
  title: string;
  resource: Record<string, unknown>;
  publishedAt: Date;
  publishedByUserId: string | null;
}

/** A running (or finished) pathway. */
export interface Pathway {
  id: string;
  organisationId: string;
  personId: string;
  definitionId: string;
  definitionCode: string;
  definitionVersion: number;
  status: PathwayStatus;
  startedAt: Date;
  enrolmentSource: EnrolmentSource;
  referralId: string | null;
  enrolledByUserId: string | null;
  leadClinicianUserId: string | null;
  facts: Facts;
  pauses: Pause[];
  outcome: CloseOutcome | null;
  closedAt: Date | null;
  fitness: Fitness | null;
  expectedDuration: string | null;
  adjustments: string | null;
  adviceGivenAt: Date | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Whose list a step is on. */
export type Assignee = { userId: string } | { personId: string } | { role: PerformerRole };

/** One step of a running pathway. */
export interface PathwayStep {
  id: string;
  pathwayId: string;
  organisationId: string;
  personId: string;
  definitionCode: string;
  stepCode: string;
  status: StepStatus;
  dueFrom: Date | null;
  dueBy: Date | null;
  escalateAt: Date | null;
  resolvedAt: Date | null;
  assignee: Assignee | null;
  escalationLevel: number;
  dueFiredAt: Date | null;
  overdueFiredAt: Date | null;
  escalatedAt: Date | null;
  answers: Answers | null;
  note: string | null;
  completedByUserId: string | null;
}

export const EVENT_KINDS = [
  'enrolled',
  'step-completed',
  'step-skipped',
  'step-reassigned',
  'step-due',
  'step-overdue',
  'step-escalated',
  'paused',
  'resumed',
  'closed',
  'transferred',
  'advice',
  'referral-requested',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One entry of a pathway's history: who did what, when and why. */
export interface PathwayEvent {
  id: number;
  pathwayId: string;
  stepId: string | null;
  kind: EventKind;
  at: Date;
  actorUserId: string | null;
  actorRole: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

export type NewPathwayEvent = Omit<PathwayEvent, 'id'> & { dedupeKey?: string };

/** A referral a pathway step (or a transfer) asks for; the FHIR exchange sends it under consent. */
export interface PathwayReferral {
  id: string;
  pathwayId: string;
  stepId: string | null;
  organisationId: string;
  personId: string;
  serviceType: ServiceType;
  kind: 'step' | 'handover';
  priority: 'routine' | 'urgent';
  details: ReferralDetails;
  /**
   * awaiting-consent: to an NHS service, not yet shared; ready: shared under consent, queued for
   * the FHIR exchange (or not a disclosure at all); sent: delivered; cancelled: stopped (consent
   * withdrawn, §5c).
   */
  status: 'awaiting-consent' | 'ready' | 'sent' | 'cancelled';
  /** The NHS partner it goes to, what is shared, and the consent the gate allowed it under (§5c). */
  partnerOrganisationId: string | null;
  dataCategories: SharingCategory[] | null;
  consentId: string | null;
  createdByUserId: string | null;
  createdAt: Date;
}

export const OH_REFERRAL_SOURCES = ['management', 'self', 'automatic'] as const;
export type OhReferralSource = (typeof OH_REFERRAL_SOURCES)[number];

/** A referral into OH, waiting for OH to triage it into a pathway. */
export interface OhReferral {
  id: string;
  organisationId: string;
  personId: string;
  source: OhReferralSource;
  referredByUserId: string | null;
  referrerRole: string | null;
  absenceId: string | null;
  details: Record<string, string | boolean | null>;
  status: 'awaiting-triage' | 'accepted' | 'declined';
  pathwayId: string | null;
  triageNote: string | null;
  triagedByUserId: string | null;
  triagedAt: Date | null;
  createdAt: Date;
}

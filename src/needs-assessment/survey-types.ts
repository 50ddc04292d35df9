import type { IsoDate } from '../shared/dates.js';

/** How answers are kept (NA-2): anonymous answers cannot be linked to anyone; confidential ones are OH's alone. */
export const SURVEY_MODES = ['anonymous', 'confidential'] as const;
export type SurveyMode = (typeof SURVEY_MODES)[number];

/** Who a campaign asks: an organisation, a unit (and the units under it), a line manager's team, a workforce role. */
export const POPULATION_KINDS = ['organisation', 'unit', 'team', 'role'] as const;
export type PopulationKind = (typeof POPULATION_KINDS)[number];

/** The one dimension a campaign's answers may be broken down by. */
export const BREAKDOWNS = ['unit', 'role', 'none'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** NA-8: the clinician's review of a psychological risk assessment. */
export const REVIEW_OUTCOMES = ['no-further-action', 'structured-interview', 'further-intervention'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** Where a campaign stands on a given UK day. */
export const CAMPAIGN_STATUSES = ['scheduled', 'open', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const ACTION_STATUSES = ['open', 'done'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** A reporting group made at launch; every one has at least the disclosure threshold of people invited. */
export interface ReportingGroup {
  key: string;
  invited: number;
}

export interface Campaign {
  id: string;
  organisationId: string;
  questionnaireId: string;
  questionnaireVersion: string;
  title: string;
  mode: SurveyMode;
  populationKind: PopulationKind;
  populationRef: string;
  breakdown: Breakdown;
  groups: ReportingGroup[];
  invitedCount: number;
  threshold: number;
  opensOn: IsoDate;
  closesOn: IsoDate;
  ownerUserId: string;
  previousCampaignId: string | null;
  lastRemindedOn: IsoDate | null;
  createdAt: Date;
}

/** A submitted response as results read it: its group, answers and scores, never who gave it. */
export interface ResponseRow {
  groupKey: string | null;
  answers: Record<string, unknown>;
  scores: Record<string, unknown>;
}

export interface SurveyAction {
  id: string;
  campaignId: string;
  groupKey: string | null;
  topic: string;
  description: string;
  ownerPersonId: string;
  dueOn: IsoDate;
  status: ActionStatus;
  createdByUserId: string;
  completedAt: Date | null;
  createdAt: Date;
}

export interface IdentifiedResponse {
  id: string;
  campaignId: string;
  personId: string;
  submittedAt: Date;
  answers: Record<string, unknown>;
  scores: Record<string, unknown>;
  reviewOutcome: ReviewOutcome | null;
  reviewNote: string | null;
  reviewedByUserId: string | null;
  reviewedAt: Date | null;
}

/** What a draft holds once opened with the respondent's secret. */
export interface DraftContent {
  answers: Record<string, unknown>;
  /** The furthest page the respondent has reached (0-based). */
  page: number;
}

/** Whoever is invited, with what an invitation email needs. */
export interface Invitee {
  personId: string;
  givenName: string;
  unitId: string | null;
  workforceRole: string;
  workEmail: string | null;
  personalEmail: string | null;
  protectedIdentity: boolean;
}

import { REASON_CATEGORIES, CERTIFICATION, NOT_SICKNESS_KINDS } from '../attendance/attendance-schemas.js';
import { TRIGGER_CODES } from '../attendance/bradford.js';
import { MILESTONE_CODES } from '../attendance/milestones.js';
import { ALL_OUTCOMES, APPEAL_OUTCOMES } from '../attendance/procedure-schemas.js';
import { TRIGGER_REVIEW } from '../attendance/procedure-types.js';
import { RECURRENCE, STRATEGIES, WORKPLACE_FACTORS, type DutiesTaskCode } from '../attendance/return-to-work.js';
import type { SickPayTaskCode } from '../attendance/sick-pay.js';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, AUDIT_OUTCOMES } from '../audit/audit-types.js';
import { ROLES } from '../auth/roles.js';
import {
  CONSENT_KINDS,
  CONSENT_STATUSES,
  DATA_CATEGORY_LIST,
  DECISION_METHODS,
  EMPLOYER_RECIPIENTS,
  SHARING_CATEGORIES,
  SHARING_PURPOSES,
  WITHHELD_GROUNDS,
} from '../consent/consent-types.js';
import type { DeliveryStatus } from '../fhir/delivery/delivery-repository.js';
import { PARTNER_AUTH_KINDS, PARTNER_MODES, PARTNER_SERVICE_TYPES } from '../fhir/directory/partner-types.js';
import { REPORT_STATUSES } from '../fhir/partner-api/lab-results.js';
import {
  BBV_TESTS,
  BODY_FLUIDS,
  EXPOSURE_TYPES,
  HBV_VACCINATIONS,
  PEP_DECISIONS,
  RESULT_VALUES,
  TIMEPOINTS,
  TIMEPOINT_STATUSES,
} from '../bbv/bbv-types.js';
import { PROGRESS_STATUSES } from '../fhir/partner-api/task-progress.js';
import { CLOSE_OUTCOMES, DEFINITION_CODES, PERFORMER_ROLES, SERVICE_TYPES } from '../pathways/definition-format.js';
import { PATHWAY_STATUSES, STEP_STATUSES } from '../pathways/engine.js';
import { GAD7_BANDS, INSTRUMENT_FACTS, PHQ9_BANDS, STARTBACK_RISKS } from '../pathways/instruments.js';
import {
  ENROLMENT_SOURCES,
  EVENT_KINDS,
  FITNESS,
  OH_REFERRAL_SOURCES,
  type OhReferral,
  type PathwayReferral,
} from '../pathways/pathway-types.js';
import { SELF_REFERRAL_CONCERNS } from '../pathways/referral-schemas.js';
import { WORKFORCE_ROLES } from '../people/people-schemas.js';
import { POLICY_KINDS, type PolicyKind } from '../policies/policy-kinds.js';
import { HSE_BANDS, HSE_DOMAINS, RESPONSE_RATE_BANDS } from '../needs-assessment/scoring.js';
import {
  ACTION_STATUSES,
  BREAKDOWNS,
  CAMPAIGN_STATUSES,
  POPULATION_KINDS,
  REVIEW_OUTCOMES,
  SURVEY_MODES,
} from '../needs-assessment/survey-types.js';
import type { Translate } from './i18n.js';

/**
 * A list of every member of a union type that is not declared as an array where it is defined:
 * leaving one out is a type error, so the list cannot fall behind the type.
 */
const every =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : never)): L =>
    list;

/** Every task a worklist shows: attendance milestones, the interview, reviews, triage and consent work. */
const TASK_CODES = [
  ...MILESTONE_CODES,
  'return-to-work-interview',
  TRIGGER_REVIEW,
  ...every<SickPayTaskCode>()(['sick-pay-half-pay-warning', 'sick-pay-no-pay-warning', 'sick-pay-review']),
  ...every<DutiesTaskCode>()(['duties-review', 'recuperative-pay-review', 'recuperative-limit-review']),
  'oh-referral-triage',
  'consent-apply',
  'consent-write-report',
  'consent-answer-correction',
  'consent-release-report',
  'protected-identity-lifted',
  'survey-action',
] as const;

const REFERRAL_KINDS = every<PathwayReferral['kind']>()(['step', 'handover']);
const REFERRAL_STATUSES = every<PathwayReferral['status']>()(['awaiting-consent', 'ready', 'sent', 'cancelled']);
const DELIVERY_STATUSES = every<DeliveryStatus>()(['queued', 'sent', 'failed', 'cancelled']);
const OH_REFERRAL_STATUSES = every<OhReferral['status']>()(['awaiting-triage', 'accepted', 'declined']);

/** What a consent's history records (consent-rules.ts names each event as it applies it). */
const CONSENT_EVENTS = [
  'requested',
  'given',
  'refused',
  'applied',
  'access-requested',
  'access-arranged',
  'report-received',
  'seen',
  'read',
  'correction-requested',
  'correction-amended',
  'correction-declined',
  'statement-attached',
  'supply-agreed',
  'supply-refused',
  'supplied',
  'withdrawn',
  'copy-requested',
] as const;

/**
 * THE register of every enum whose values reach a page: each with its values (imported from where the enum
 * is defined) and the locale object that holds one label per value, in English and Welsh. Pages show the
 * label, never the value (`{{enumLabel "consentKind" kind}}`; `enumLabel(req.t, 'consentKind', kind)`);
 * the API keeps the values. Labels added for this register live under `enums.<name>`; older sections keep
 * their place. enum-labels.test.ts fails when a value has no label in either language.
 */
export const ENUM_LABELS = {
  role: { values: ROLES, key: 'roles' },
  workforceRole: { values: WORKFORCE_ROLES, key: 'workforceRoles' },
  absenceReason: { values: REASON_CATEGORIES, key: 'reasons' },
  certification: { values: CERTIFICATION, key: 'attendance.certification' },
  taskCode: { values: TASK_CODES, key: 'milestones' },
  trigger: { values: TRIGGER_CODES, key: 'reports.triggerShort' },
  workplaceFactor: { values: WORKPLACE_FACTORS, key: 'rtw.factors' },
  recurrence: { values: RECURRENCE, key: 'rtw.recurrence' },
  dutiesStrategy: { values: STRATEGIES, key: 'rtw.strategies' },
  procedureOutcome: { values: ALL_OUTCOMES, key: 'procedure.outcomes' },
  appealOutcome: { values: APPEAL_OUTCOMES, key: 'procedure.appealOutcomes' },
  policyKind: { values: Object.keys(POLICY_KINDS) as PolicyKind[], key: 'policyForm.kinds' },
  consentKind: { values: CONSENT_KINDS, key: 'consents.kinds' },
  consentStatus: { values: CONSENT_STATUSES, key: 'consents.statuses' },
  /** Staff pages speak about the person ("Waiting for their decision"); the person's own say "your" (`consentStatus`). */
  consentStatusStaff: { values: CONSENT_STATUSES, key: 'enums.consentStatusStaff' },
  consentEvent: { values: CONSENT_EVENTS, key: 'enums.consentEvent' },
  /** The person's own pages say "your line manager"; staff pages name the role (`role`). */
  consentRecipient: { values: EMPLOYER_RECIPIENTS, key: 'consents.recipients' },
  /** The person's own pages speak to them ("Your name, date of birth and NHS number"). */
  sharingCategoryForPerson: { values: SHARING_CATEGORIES, key: 'consents.categories' },
  /** Staff pages speak about the person ("Name, date of birth and NHS number"). */
  dataCategory: { values: DATA_CATEGORY_LIST, key: 'enums.dataCategory' },
  sharingPurpose: { values: SHARING_PURPOSES, key: 'enums.sharingPurpose' },
  decisionMethod: { values: DECISION_METHODS, key: 'enums.decisionMethod' },
  /** What a doctor withheld: in the person's words on their pages, about the person on OH's. */
  withheldGroundForPerson: { values: WITHHELD_GROUNDS, key: 'consents.withheld' },
  withheldGround: { values: WITHHELD_GROUNDS, key: 'enums.withheldGround' },
  definitionCode: { values: DEFINITION_CODES, key: 'enums.definitionCode' },
  pathwayStatus: { values: PATHWAY_STATUSES, key: 'pathways.common.pathwayStatuses' },
  stepStatus: { values: STEP_STATUSES, key: 'pathways.common.statuses' },
  enrolmentSource: { values: ENROLMENT_SOURCES, key: 'pathways.sources' },
  closeOutcome: { values: CLOSE_OUTCOMES, key: 'pathways.outcomes' },
  serviceType: { values: SERVICE_TYPES, key: 'pathways.services' },
  pathwayEvent: { values: EVENT_KINDS, key: 'pathways.events' },
  performer: { values: PERFORMER_ROLES, key: 'pathways.performers' },
  fitness: { values: FITNESS, key: 'pathways.advice.fitness' },
  priority: { values: ['routine', 'urgent'], key: 'pathways.manage.priorities' },
  referralKind: { values: REFERRAL_KINDS, key: 'pathways.referrals.kinds' },
  referralStatus: { values: REFERRAL_STATUSES, key: 'pathways.referrals.statuses' },
  deliveryKind: { values: ['referral', 'cancellation'], key: 'pathways.referrals.deliveryKinds' },
  deliveryStatus: { values: DELIVERY_STATUSES, key: 'pathways.referrals.deliveryStatuses' },
  progressStatus: { values: PROGRESS_STATUSES, key: 'pathways.referrals.progressStatuses' },
  labReportStatus: { values: REPORT_STATUSES, key: 'enums.labReportStatus' },
  instrumentScore: { values: INSTRUMENT_FACTS, key: 'enums.instrumentScore' },
  startBackRisk: { values: STARTBACK_RISKS, key: 'enums.startBackRisk' },
  phq9Band: { values: PHQ9_BANDS, key: 'enums.phq9Band' },
  gad7Band: { values: GAD7_BANDS, key: 'enums.gad7Band' },
  yesNo: { values: ['true', 'false'], key: 'enums.yesNo' },
  ohReferralSource: { values: OH_REFERRAL_SOURCES, key: 'referrals.sources' },
  ohReferralStatus: { values: OH_REFERRAL_STATUSES, key: 'referrals.statuses' },
  selfReferralConcern: { values: SELF_REFERRAL_CONCERNS, key: 'referrals.concerns' },
  partnerServiceType: { values: PARTNER_SERVICE_TYPES, key: 'partners.serviceTypes' },
  partnerMode: { values: PARTNER_MODES, key: 'partners.modes' },
  partnerAuthKind: { values: PARTNER_AUTH_KINDS, key: 'partners.auth' },
  auditAction: { values: AUDIT_ACTIONS, key: 'enums.auditAction' },
  auditOutcome: { values: AUDIT_OUTCOMES, key: 'enums.auditOutcome' },
  auditEntity: { values: AUDIT_ENTITY_TYPES, key: 'enums.auditEntity' },
  exposureType: { values: EXPOSURE_TYPES, key: 'bbv.exposureTypes' },
  bodyFluid: { values: BODY_FLUIDS, key: 'bbv.bodyFluids' },
  bbvTimepoint: { values: TIMEPOINTS, key: 'bbv.timepoints' },
  bbvTest: { values: BBV_TESTS, key: 'bbv.tests' },
  bbvResult: { values: RESULT_VALUES, key: 'bbv.results' },
  timepointStatus: { values: TIMEPOINT_STATUSES, key: 'bbv.timepointStatuses' },
  pepDecision: { values: PEP_DECISIONS, key: 'bbv.pepDecisions' },
  hbvVaccination: { values: HBV_VACCINATIONS, key: 'bbv.hbvVaccinations' },
  notSicknessKind: { values: NOT_SICKNESS_KINDS, key: 'attendance.notSicknessKinds' },
  surveyMode: { values: SURVEY_MODES, key: 'enums.surveyMode' },
  populationKind: { values: POPULATION_KINDS, key: 'enums.populationKind' },
  breakdown: { values: BREAKDOWNS, key: 'enums.breakdown' },
  campaignStatus: { values: CAMPAIGN_STATUSES, key: 'enums.campaignStatus' },
  reviewOutcome: { values: REVIEW_OUTCOMES, key: 'enums.reviewOutcome' },
  surveyActionStatus: { values: ACTION_STATUSES, key: 'enums.surveyActionStatus' },
  responseRateBand: { values: RESPONSE_RATE_BANDS, key: 'enums.responseRateBand' },
  hseBand: { values: HSE_BANDS, key: 'enums.hseBand' },
  hseDomain: { values: HSE_DOMAINS, key: 'enums.hseDomain' },
} as const satisfies Record<string, { values: readonly string[]; key: string }>;

export type EnumName = keyof typeof ENUM_LABELS;
export type EnumValue<N extends EnumName> = (typeof ENUM_LABELS)[N]['values'][number];

/** True when `name` is a registered enum (templates pass it as a string). */
export function isEnumName(name: unknown): name is EnumName {
  return typeof name === 'string' && Object.hasOwn(ENUM_LABELS, name);
}

/** The locale key of one value's label. */
export function enumLabelKey(name: EnumName, value: string | boolean): string {
  return `${ENUM_LABELS[name].key}.${String(value)}`;
}

/** One value's label in the page's language. */
export function enumLabel<N extends EnumName>(t: Translate, name: N, value: EnumValue<N>): string {
  return t(enumLabelKey(name, value));
}

/** Radio or checkbox items for an enum's values (all of them, or those given), each shown by its label. */
export function enumItems<N extends EnumName>(
  t: Translate,
  name: N,
  values: readonly EnumValue<N>[] = ENUM_LABELS[name].values as readonly EnumValue<N>[],
): Array<{ value: EnumValue<N>; text: string }> {
  return values.map((value) => ({ value, text: enumLabel(t, name, value) }));
}

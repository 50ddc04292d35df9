/** The identifiers a pathway definition uses (see README.md, "Definition format"). */
export const BASE = 'https://bluelightpathways.org.uk/fhir';
export const UCUM = 'http://unitsofmeasure.org';

export const SYSTEMS = {
  stepKind: `${BASE}/CodeSystem/step-kind`,
  role: `${BASE}/CodeSystem/role`,
  serviceType: `${BASE}/CodeSystem/service-type`,
  planDefinitionType: 'http://terminology.hl7.org/CodeSystem/plan-definition-type',
} as const;

export const EXTENSIONS = {
  escalation: `${BASE}/StructureDefinition/escalation-period`,
  anchor: `${BASE}/StructureDefinition/anchor-fact`,
  service: `${BASE}/StructureDefinition/service-type`,
  closes: `${BASE}/StructureDefinition/closes-pathway`,
  sensitivity: `${BASE}/StructureDefinition/sensitivity`,
  scoring: `${BASE}/StructureDefinition/scoring`,
  /** The fact holding the last UK day of a step's window (with an anchor fact): the window closes when that day ends. */
  windowEnd: `${BASE}/StructureDefinition/window-end-fact`,
  /** A step its own capability completes (valueCode, e.g. `bbv-incident`): the generic step form refuses it. */
  completedBy: `${BASE}/StructureDefinition/completed-by`,
} as const;

/** Capabilities that complete pathway steps through their own forms (the completed-by extension). */
export const STEP_OWNERS = ['bbv-incident'] as const;
export type StepOwner = (typeof STEP_OWNERS)[number];

/** HL7's translation extension on a primitive (`_title`, `_description` …): `lang` and `content` (issue 15 §8). */
export const TRANSLATION_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/translation';
/** The languages the pages speak; English is the resource's own text, Welsh comes by translation. */
export const WELSH = 'cy';

export const STEP_KINDS = ['form', 'referral', 'decision', 'task'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Who performs a step: an OH role, the person's line manager, HR, or the person themselves. */
export const PERFORMER_ROLES = ['oh-clinician', 'oh-administrator', 'line-manager', 'hr-manager', 'staff'] as const;
export type PerformerRole = (typeof PERFORMER_ROLES)[number];

/** Services a referral step can go to: the OH unit's own providers or an NHS partner's. */
export const SERVICE_TYPES = [
  'in-house-physiotherapy',
  'external-physiotherapy',
  'nhs-msk-physiotherapy',
  'nhs-talking-therapies',
  'counselling',
  'dental',
  'gp',
  'sexual-health',
  'specialist',
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** Services run by the NHS (a referral there is a disclosure that needs consent to share, §5c). */
export const NHS_SERVICES: ReadonlySet<ServiceType> = new Set<ServiceType>([
  'nhs-msk-physiotherapy',
  'nhs-talking-therapies',
  'dental',
  'gp',
  'sexual-health',
  'specialist',
]);

export const DURATION_UNITS = ['h', 'd', 'wk', 'mo', 'a'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** The codes pathway definitions are known by in the API (the BBV pathway is its own issue). */
export const DEFINITION_CODES = ['msk', 'mental-health', 'dental', 'retirement', 'bbv'] as const;
export type DefinitionCode = (typeof DEFINITION_CODES)[number];

/** How a pathway ended. */
export const CLOSE_OUTCOMES = [
  'discharged',
  'onward-referral',
  'transferred-to-nhs',
  'declined',
  'left-organisation',
  'not-needed',
  'entered-in-error',
] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

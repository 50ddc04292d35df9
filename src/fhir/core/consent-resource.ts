import type {
  Coding,
  CodeableConcept,
  Consent as FhirConsent,
  ConsentProvision,
  ConsentProvisionActor,
} from '@medplum/fhirtypes';
import {
  SENSITIVE_CATEGORIES,
  type Consent,
  type ConsentKind,
  type ConsentRecipient,
  type ConsentStatus,
  type DisclosurePurpose,
  type SharingCategory,
} from '../../consent/index.js';

/** The platform's own systems for what no published code system covers. */
export const CONSENT_SYSTEMS = {
  identifier: 'https://bluelightpathways.org.uk/Id/consent',
  dataCategory: 'https://bluelightpathways.org.uk/CodeSystem/data-category',
  disclosurePurpose: 'https://bluelightpathways.org.uk/CodeSystem/disclosure-purpose',
} as const;

const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const LOINC = 'http://loinc.org';
const RELEASE_OF_INFORMATION = '64292-6';
const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const CONSENT_ACTION = 'http://terminology.hl7.org/CodeSystem/consentaction';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** FHIR-9: the library does not check required bindings, so the R4 code set is spelt out here and checked below. */
const R4_CONSENT_STATUSES: ReadonlySet<string> = new Set([
  'draft',
  'proposed',
  'active',
  'rejected',
  'inactive',
  'entered-in-error',
]);
const R4_PROVISION_TYPES: ReadonlySet<string> = new Set(['permit', 'deny']);

/**
 * R4 has no status for a consent that ran its course, so every stage after a decision to give
 * is `active`; an ended sharing period shows in `provision.period`, not in the status (FHIR-5).
 * A withdrawal or a withheld supply is `inactive` (it was in force once); a refusal is `rejected`.
 */
const STATUS_CODES: Record<ConsentStatus, NonNullable<FhirConsent['status']>> = {
  requested: 'proposed',
  given: 'active',
  applied: 'active',
  'report-received': 'active',
  supplied: 'active',
  refused: 'rejected',
  withheld: 'inactive',
  withdrawn: 'inactive',
};

const DENYING_STATUSES: ReadonlySet<ConsentStatus> = new Set(['refused', 'withheld', 'withdrawn']);

/**
 * The law or guidance each kind rests on; R4 requires `policy` or `policyRule` (ppc-1, FHIR-5).
 * AMRA 1988 for reports from a treating doctor (§5a), the Faculty of Occupational Medicine's
 * ethics guidance for OH report release (§5b), and DPA 2018 Schedule 1 for sharing health data
 * with an NHS partner (§5c).
 */
const POLICY_URIS: Record<ConsentKind, string> = {
  'amra-report': 'https://www.legislation.gov.uk/ukpga/1988/28',
  'oh-report-release': 'https://www.fom.ac.uk/',
  'nhs-sharing': 'https://www.legislation.gov.uk/ukpga/2018/12/schedule/1',
};

/**
 * R4 binds `provision.purpose` to PurposeOfUse (v3-ActReason). Employment has no honest code
 * there, so it is written in the platform's own system rather than forced onto a near miss.
 */
const PURPOSE_CODINGS: Record<DisclosurePurpose, Coding> = {
  treatment: { system: ACT_REASON, code: 'TREAT', display: 'treatment' },
  'continuity-of-care': { system: ACT_REASON, code: 'COC', display: 'coordination of care' },
  'results-to-oh': { system: ACT_REASON, code: 'TREAT', display: 'treatment' },
  employment: { system: CONSENT_SYSTEMS.disclosurePurpose, code: 'employment', display: 'employment' },
};

/** FHIR-6: the v3-ActCode sensitivity labels each sensitive category carries. */
const SENSITIVE_LABELS: Partial<Record<SharingCategory, Coding[]>> = {
  'mental-health': [
    { system: ACT_CODE, code: 'PSY', display: 'psychiatry disorder information sensitivity' },
    { system: ACT_CODE, code: 'MH', display: 'mental health information sensitivity' },
  ],
  'sexual-health': [
    { system: ACT_CODE, code: 'HIV', display: 'HIV/AIDS information sensitivity' },
    { system: ACT_CODE, code: 'STD', display: 'sexually transmitted disease information sensitivity' },
  ],
};

const EMPLOYER_DISPLAY = { 'line-manager': 'Line manager', 'hr-manager': 'HR manager' } as const;

export interface ConsentToFhirOptions {
  /** How a partner organisation is referenced on the receiving server; defaults to `Organization/{id}`. */
  organisationReference?: (organisationId: string) => string;
  /** FHIR-6, CONF-3: the person's identity is protected, so the resource is labelled restricted. */
  restricted?: boolean;
}

function recipientReference(
  recipient: ConsentRecipient,
  options: ConsentToFhirOptions | undefined,
): ConsentProvisionActor['reference'] {
  if (recipient.type === 'employer') return { display: EMPLOYER_DISPLAY[recipient.role] };
  return {
    reference: options?.organisationReference?.(recipient.organisationId) ?? `Organization/${recipient.organisationId}`,
    display: recipient.name,
    ...(recipient.odsCode ? { identifier: { system: ODS, value: recipient.odsCode } } : {}),
  };
}

/**
 * §5c and FHIR-5/FHIR-6: a sensitive category is never implied by a broader one, so each one the
 * sharing consent does not name is denied explicitly by its security labels. Report consents carry
 * one report, not categories, so they get no such provision.
 */
function sensitiveDenial(consent: Consent): ConsentProvision[] {
  if (consent.kind !== 'nhs-sharing') return [];
  const named = new Set<string>(consent.dataCategories);
  const labels = [...SENSITIVE_CATEGORIES]
    .filter((category) => !named.has(category))
    .flatMap((category) => {
      const forCategory = SENSITIVE_LABELS[category];
      // A sensitive category with no labels would be shared by default: refuse to map rather than leak.
      if (!forCategory) throw new Error(`No FHIR-6 security labels for sensitive category ${category}`);
      return forCategory;
    });
  return labels.length > 0 ? [{ type: 'deny', securityLabel: labels }] : [];
}

function provision(consent: Consent, options: ConsentToFhirOptions | undefined): ConsentProvision {
  const period = {
    ...(consent.periodStart ? { start: consent.periodStart } : {}),
    ...(consent.periodEnd ? { end: consent.periodEnd } : {}),
  };
  const codes: CodeableConcept[] = consent.dataCategories.map((category) => ({
    coding: [{ system: CONSENT_SYSTEMS.dataCategory, code: category }],
  }));
  const nested = sensitiveDenial(consent);
  return {
    type: DENYING_STATUSES.has(consent.status) ? 'deny' : 'permit',
    ...(period.start || period.end ? { period } : {}),
    actor: [
      {
        role: { coding: [{ system: PARTICIPATION_TYPE, code: 'IRCP', display: 'information recipient' }] },
        reference: recipientReference(consent.recipient, options),
      },
    ],
    action: [{ coding: [{ system: CONSENT_ACTION, code: 'disclose', display: 'Disclose' }] }],
    purpose: [PURPOSE_CODINGS[consent.purpose]],
    ...(codes.length > 0 ? { code: codes } : {}),
    ...(nested.length > 0 ? { provision: nested } : {}),
  };
}

/**
 * FHIR-6: the resource's own sensitivity. Restricted for a protected-identity officer (CONF-3) and
 * whenever the consent names a sensitive category, which then also carries that category's labels
 * (a consent to share mental health information says something about mental health).
 */
function securityLabels(consent: Consent, protectedIdentity: boolean): Coding[] {
  const named = consent.dataCategories.filter((d): d is SharingCategory =>
    SENSITIVE_CATEGORIES.has(d as SharingCategory),
  );
  const labels = named.flatMap((d) => SENSITIVE_LABELS[d] ?? []);
  return protectedIdentity || labels.length > 0
    ? [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', display: 'restricted' },
        ...labels,
      ]
    : [];
}

/** Maps one consent to a FHIR R4 Consent resource for an NHS partner or an employer record (FHIR-5). */
export function consentToFhir(
  consent: Consent,
  patient: { reference: string; display?: string },
  options?: ConsentToFhirOptions,
): FhirConsent {
  const patientReference = { reference: patient.reference, ...(patient.display ? { display: patient.display } : {}) };
  const security = securityLabels(consent, options?.restricted === true);
  const decision = consent.decision;
  return {
    resourceType: 'Consent',
    id: consent.id,
    ...(security.length > 0 ? { meta: { security } } : {}),
    identifier: [{ system: CONSENT_SYSTEMS.identifier, value: consent.id }],
    status: STATUS_CODES[consent.status],
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [
      { coding: [{ system: LOINC, code: RELEASE_OF_INFORMATION, display: 'Release of information consent' }] },
    ],
    patient: patientReference,
    dateTime: decision?.at ?? consent.createdAt,
    // The person is the grantor of their own decision, given or refused.
    ...(decision ? { performer: [patientReference] } : {}),
    // AMRA-1: a paper decision points at its scanned form.
    ...(decision?.method === 'paper' && decision.documentReference
      ? { sourceAttachment: { title: decision.documentReference } }
      : {}),
    policy: [{ uri: POLICY_URIS[consent.kind] }],
    provision: provision(consent, options),
  };
}

function hasCoding(concept: CodeableConcept | undefined, system: string, code: string): boolean {
  return concept?.coding?.some((c) => c.system === system && c.code === code) ?? false;
}

function provisionProblems(p: ConsentProvision, path: string): string[] {
  const own = R4_PROVISION_TYPES.has(p.type ?? '')
    ? []
    : [`${path}.type must be permit or deny (found ${p.type ?? 'none'})`];
  return [...own, ...(p.provision ?? []).flatMap((child, i) => provisionProblems(child, `${path}.provision[${i}]`))];
}

/**
 * The checks `validateFhirResource` cannot make (FHIR-9: required code bindings are not checked
 * by the library) on the codes FHIR-5 depends on. Returns the problems in plain words; empty means fine.
 */
export function checkConsentResource(resource: FhirConsent): string[] {
  const problems: string[] = [];
  if (!R4_CONSENT_STATUSES.has(resource.status ?? ''))
    problems.push(`status must be one of ${[...R4_CONSENT_STATUSES].join(', ')} (found ${resource.status ?? 'none'})`);
  if (!hasCoding(resource.scope, CONSENT_SCOPE, 'patient-privacy'))
    problems.push('scope must be consentscope patient-privacy');
  if (!resource.category?.some((c) => hasCoding(c, LOINC, RELEASE_OF_INFORMATION)))
    problems.push(`category must include LOINC ${RELEASE_OF_INFORMATION} (release of information consent)`);
  if (!resource.policy?.length && !resource.policyRule) problems.push('policy or policyRule is required (R4 ppc-1)');
  if (!resource.provision) problems.push('provision is missing');
  else problems.push(...provisionProblems(resource.provision, 'provision'));
  return problems;
}

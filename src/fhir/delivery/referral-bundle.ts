import type {
  Bundle,
  BundleEntry,
  Coding,
  Consent as FhirConsent,
  MessageHeader,
  Patient,
  PractitionerRole,
  QuestionnaireResponse,
  Reference,
  Resource,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import { SENSITIVE_CATEGORIES, type SharingCategory } from '../../consent/index.js';
import { isValidNhsNumber } from '../../shared/nhs-number.js';
import { IDENTIFIER_SYSTEMS } from '../core/audit-event.js';
import { validateFhirResource } from '../core/fhir-validation.js';

export const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';
export const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const REFERRAL_SYSTEM = 'https://bluelightpathways.org.uk/Id/referral';
const BARS_EVENTS = 'https://fhir.nhs.uk/CodeSystem/message-events-bars';
const BARS_REASONS = 'https://fhir.nhs.uk/CodeSystem/message-reason-bars';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const SNOMED = 'http://snomed.info/sct';

/** Everything one outbound referral needs, already decided: what the consent covers is in `categories`. */
export interface OutboundReferral {
  referral: {
    id: string;
    serviceType: string;
    kind: 'step' | 'handover';
    priority: 'routine' | 'urgent';
    reason: string | null;
    /** CONF-4 */
    venuePreference: string | null;
    confidentialityPreference: string | null;
    /** What the clinician chose to share from the pathway's forms (questionnaire answers), by question. */
    answers: Record<string, string | number | boolean>;
    /** A handover's history: the steps done. */
    history: string[];
    createdAt: string;
    pathwayCode: string;
  };
  /** What the consent allows to go (§5c): nothing outside these is sent. */
  categories: readonly SharingCategory[];
  person: {
    id: string;
    givenName: string;
    familyName: string;
    dateOfBirth: string | null;
    nhsNumber: string | null;
    protectedIdentity: boolean;
    email: string | null;
  };
  consent: FhirConsent;
  requester: { userId: string; name: string; organisationName: string; organisationOds: string | null };
  partner: { organisationName: string; odsCode: string | null; baseUrl: string };
  /** Our own `$process-message` endpoint, where the partner's responses go (FHIR-2). */
  senderEndpoint: string;
}

const urn = (id: string) => `urn:uuid:${id}`;

/** FHIR-6: the labels this referral carries: restricted for protected identity and sensitive information, and the category labels. */
export function securityLabels(input: Pick<OutboundReferral, 'categories' | 'person'>): Coding[] {
  const labels: Coding[] = [];
  const mental = input.categories.includes('mental-health');
  const sexual = input.categories.includes('sexual-health');
  if (input.person.protectedIdentity || mental || sexual)
    labels.push({ system: CONFIDENTIALITY, code: 'R', display: 'restricted' });
  if (mental) labels.push({ system: ACT_CODE, code: 'PSY' }, { system: ACT_CODE, code: 'MH' });
  if (sexual) labels.push({ system: ACT_CODE, code: 'HIV' }, { system: ACT_CODE, code: 'STD' });
  return labels;
}

function withSecurity<T extends Resource>(resource: T, labels: Coding[]): T {
  return labels.length ? { ...resource, meta: { ...(resource.meta ?? {}), security: labels } } : resource;
}

/**
 * The person as the partner may see them (CONF-3, §5c): identity only when demographics are
 * covered; a protected-identity officer has no address or telecom sent — contact is through the
 * OH unit — and the record is labelled restricted.
 */
function patientOf(input: OutboundReferral, patientId: string): Patient {
  const p = input.person;
  const demographics = input.categories.includes('demographics');
  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId,
    ...(demographics && p.nhsNumber
      ? { identifier: [{ system: NHS_NUMBER, value: p.nhsNumber }] }
      : { identifier: [{ system: IDENTIFIER_SYSTEMS.person, value: p.id }] }),
    ...(demographics ? { name: [{ given: [p.givenName], family: p.familyName }] } : {}),
    ...(demographics && p.dateOfBirth ? { birthDate: p.dateOfBirth } : {}),
    ...(demographics && !p.protectedIdentity && p.email
      ? { telecom: [{ system: 'email', value: p.email, use: 'home' }] }
      : {}),
    // CONF-3: the way to reach them is the OH unit.
    ...(p.protectedIdentity
      ? {
          contact: [
            {
              relationship: [{ text: 'Contact through the referring occupational health unit only' }],
              organization: { display: `${input.requester.organisationName} occupational health` },
            },
          ],
        }
      : {}),
  };
  return withSecurity(patient, securityLabels(input));
}

function requesterOf(input: OutboundReferral, id: string): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id,
    identifier: [{ system: IDENTIFIER_SYSTEMS.user, value: input.requester.userId }],
    practitioner: {
      identifier: { system: IDENTIFIER_SYSTEMS.user, value: input.requester.userId },
      display: input.requester.name,
    },
    organization: {
      ...(input.requester.organisationOds
        ? { identifier: { system: ODS, value: input.requester.organisationOds } }
        : {}),
      display: `${input.requester.organisationName} occupational health`,
    },
    code: [{ text: 'Occupational health clinician' }],
  };
}

/** What the clinician chose to share from the pathway's forms (only where the consent covers questionnaire answers or history). */
function summaryOf(input: OutboundReferral, id: string, patient: Reference): QuestionnaireResponse | null {
  const labels = securityLabels(input);
  const answers = input.categories.includes('questionnaire-answers') ? Object.entries(input.referral.answers) : [];
  const history = input.categories.includes('clinical-history') ? input.referral.history : [];
  if (!answers.length && !history.length) return null;
  return withSecurity<QuestionnaireResponse>(
    {
      resourceType: 'QuestionnaireResponse',
      id,
      identifier: { system: `${REFERRAL_SYSTEM}-summary`, value: input.referral.id },
      status: 'completed',
      subject: patient,
      authored: input.referral.createdAt,
      item: [
        ...answers.map(([linkId, value]) => ({
          linkId,
          answer: [
            typeof value === 'boolean'
              ? { valueBoolean: value }
              : typeof value === 'number'
                ? { valueDecimal: value }
                : { valueString: value },
          ],
        })),
        ...(history.length
          ? [
              {
                linkId: 'pathway-history',
                text: 'Steps done on the occupational health pathway',
                answer: history.map((h) => ({ valueString: h })),
              },
            ]
          : []),
      ],
    },
    labels,
  );
}

function serviceRequestOf(input: OutboundReferral, ids: Ids, status: 'active' | 'revoked'): ServiceRequest {
  const r = input.referral;
  const details = input.categories.includes('referral-details');
  const notes = [
    ...(r.venuePreference ? [{ text: `Venue preference (CONF-4): ${r.venuePreference}` }] : []),
    ...(r.confidentialityPreference
      ? [{ text: `Confidentiality preference (CONF-4): ${r.confidentialityPreference}` }]
      : []),
    ...(input.person.protectedIdentity
      ? [
          {
            text: 'Protected identity: do not record a home or work address; contact only through the referring occupational health unit (CONF-3).',
          },
        ]
      : []),
  ];
  const sr: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: ids.serviceRequest,
    identifier: [{ system: REFERRAL_SYSTEM, value: r.id }],
    status,
    intent: 'plan',
    category: [{ coding: [{ system: SNOMED, code: '3457005', display: 'Patient referral' }] }],
    priority: r.priority,
    code: { text: r.serviceType },
    subject: { reference: urn(ids.patient) },
    authoredOn: r.createdAt,
    requester: { reference: urn(ids.requester) },
    performer: [
      {
        ...(input.partner.odsCode ? { identifier: { system: ODS, value: input.partner.odsCode } } : {}),
        display: input.partner.organisationName,
      },
    ],
    ...(details && r.reason ? { reasonCode: [{ text: r.reason }] } : {}),
    supportingInfo: [
      { reference: urn(ids.consent), display: 'The consent that allows this referral' },
      ...(ids.summary ? [{ reference: urn(ids.summary), display: 'Summary shared by the referring clinician' }] : []),
    ],
    ...(notes.length ? { note: notes } : {}),
  };
  return withSecurity(sr, securityLabels(input));
}

interface Ids {
  bundle: string;
  header: string;
  serviceRequest: string;
  patient: string;
  requester: string;
  consent: string;
  summary: string | null;
}

const derive = (from: string, n: number) => `${from.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;

/** Stable ids from the referral: a retry builds the same Bundle (FHIR-2: the same Bundle id; FHIR-3: the same identifier). */
function idsFor(referralId: string, messageId: string, hasSummary: boolean): Ids {
  // The header is the message's own (a cancellation is a new message); the rest are the referral's.
  return {
    bundle: messageId,
    header: derive(messageId, 1),
    serviceRequest: derive(referralId, 2),
    patient: derive(referralId, 3),
    requester: derive(referralId, 4),
    consent: derive(referralId, 5),
    summary: hasSummary ? derive(referralId, 6) : null,
  };
}

/** The Consent inside the Bundle: its patient is the Bundle's Patient, its recipient the partner by ODS code (references that resolve at the partner). */
function consentInBundle(input: OutboundReferral, ids: Ids): FhirConsent {
  const provision = input.consent.provision;
  return {
    ...input.consent,
    id: ids.consent,
    patient: { reference: urn(ids.patient) },
    ...(provision
      ? {
          provision: {
            ...provision,
            actor: provision.actor?.map((a) => ({
              ...a,
              reference: input.partner.odsCode
                ? { identifier: { system: ODS, value: input.partner.odsCode }, display: input.partner.organisationName }
                : { display: input.partner.organisationName },
            })),
          },
        }
      : {}),
  };
}

/**
 * The referral as FHIR, for the partner's mode (issue 6 §2): BaRS `message` Bundle with its
 * MessageHeader first (FHIR-2), or a REST `transaction` Bundle whose ServiceRequest is a
 * conditional create on its business identifier (FHIR-3). `messageId` is the outbox row's: the
 * same on every retry. `status: 'revoked'` builds the cancellation.
 */
export function buildReferralBundle(
  full: OutboundReferral,
  mode: 'bars' | 'rest',
  messageId: string,
  now: string,
  status: 'active' | 'revoked' = 'active',
): Bundle {
  // A cancellation tells the partner to stop what it holds: the referral by its identifier, nothing more (§5c).
  const revoking = status === 'revoked';
  const input: OutboundReferral = revoking
    ? {
        ...full,
        categories: [],
        referral: {
          ...full.referral,
          reason: null,
          venuePreference: null,
          confidentialityPreference: null,
          answers: {},
          history: [],
        },
      }
    : full;
  const patientRef = (ids: Ids) => ({ reference: urn(ids.patient) });
  const probe = idsFor(input.referral.id, messageId, true);
  const summary = summaryOf(input, probe.summary!, patientRef(probe));
  const ids = idsFor(input.referral.id, messageId, summary !== null);
  const serviceRequest = serviceRequestOf(input, ids, status);
  const resources: Resource[] = revoking
    ? [
        { ...serviceRequest, supportingInfo: undefined, note: undefined, requester: undefined } as ServiceRequest,
        patientOf(input, ids.patient),
      ]
    : [
        serviceRequest,
        patientOf(input, ids.patient),
        requesterOf(input, ids.requester),
        consentInBundle(input, ids),
        ...(summary ? [summary] : []),
      ];
  if (mode === 'bars') {
    const header: MessageHeader = {
      resourceType: 'MessageHeader',
      id: ids.header,
      eventCoding: { system: BARS_EVENTS, code: 'servicerequest-request' },
      reason: { coding: [{ system: BARS_REASONS, code: status === 'revoked' ? 'update' : 'new' }] },
      source: { endpoint: input.senderEndpoint, name: 'Blue Light Pathways' },
      destination: [
        {
          endpoint: `${input.partner.baseUrl.replace(/\/+$/, '')}/$process-message`,
          ...(input.partner.odsCode
            ? {
                receiver: {
                  identifier: { system: ODS, value: input.partner.odsCode },
                  display: input.partner.organisationName,
                },
              }
            : {}),
        },
      ],
      focus: [{ reference: urn(ids.serviceRequest) }],
    };
    return {
      resourceType: 'Bundle',
      id: ids.bundle,
      identifier: { system: 'urn:ietf:rfc:3986', value: urn(ids.bundle) },
      type: 'message',
      timestamp: now,
      ...(securityLabels(input).length ? { meta: { security: securityLabels(input) } } : {}),
      entry: [header, ...resources].map((resource) => ({ fullUrl: urn(resource.id!), resource })),
    };
  }
  const entries: BundleEntry[] = resources.map((resource) => {
    const base = { fullUrl: urn(resource.id!), resource: { ...resource, id: undefined } as Resource };
    if (resource.resourceType === 'ServiceRequest') {
      return status === 'revoked'
        ? {
            ...base,
            request: {
              method: 'PUT' as const,
              url: `ServiceRequest?identifier=${REFERRAL_SYSTEM}|${input.referral.id}`,
            },
          }
        : {
            ...base,
            request: {
              method: 'POST' as const,
              url: 'ServiceRequest',
              ifNoneExist: `identifier=${REFERRAL_SYSTEM}|${input.referral.id}`,
            },
          };
    }
    // Every entry is a conditional create on its identifier, so a retry after a crash creates nothing twice.
    const identifier = 'identifier' in resource ? [resource.identifier].flat()[0] : undefined;
    const condition =
      identifier && typeof identifier === 'object' && 'system' in identifier && identifier.system && identifier.value
        ? { ifNoneExist: `identifier=${identifier.system}|${identifier.value}` }
        : {};
    return { ...base, request: { method: 'POST' as const, url: resource.resourceType, ...condition } };
  });
  return { resourceType: 'Bundle', id: ids.bundle, type: 'transaction', timestamp: now, entry: entries };
}

/**
 * Our own checks before sending (FHIR-9: the library does not check required code bindings):
 * the structure of every entry under @medplum/core, the codes we depend on, the NHS number
 * (FHIR-1: modulus 11), the ODS identifiers' system, and that nothing the consent does not cover is present.
 */
export function referralProblems(
  bundle: Bundle,
  categories: readonly SharingCategory[],
  person: { protectedIdentity: boolean } = { protectedIdentity: false },
): string[] {
  const problems: string[] = [];
  for (const issue of validateFhirResource(bundle))
    problems.push(
      `Bundle: ${issue.details?.text ?? issue.diagnostics ?? 'invalid'} (${issue.expression?.join(', ') ?? ''})`,
    );
  const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => r !== undefined);
  if (bundle.type === 'message' && resources[0]?.resourceType !== 'MessageHeader')
    problems.push('A BaRS message must start with its MessageHeader (FHIR-2).');
  const sr = resources.find((r): r is ServiceRequest => r.resourceType === 'ServiceRequest');
  if (!sr) problems.push('No ServiceRequest.');
  else {
    if (!['active', 'revoked'].includes(sr.status))
      problems.push(`ServiceRequest.status ${sr.status} is not one we send.`);
    if (sr.intent !== 'plan') problems.push('ServiceRequest.intent must be plan (FHIR-2).');
    if (!['routine', 'urgent'].includes(sr.priority ?? ''))
      problems.push('ServiceRequest.priority must be routine or urgent.');
    if (!sr.identifier?.some((i) => i.system === REFERRAL_SYSTEM && i.value))
      problems.push('ServiceRequest needs its business identifier.');
    if (sr.status !== 'revoked' && !sr.supportingInfo?.some((s) => s.display?.startsWith('The consent')))
      problems.push('ServiceRequest must carry the Consent that allows it.');
    if (sr.reasonCode && !categories.includes('referral-details'))
      problems.push('The reason is sent but the consent does not cover referral details.');
  }
  for (const r of resources) {
    for (const id of ('identifier' in r && Array.isArray(r.identifier) ? r.identifier : []) as Array<{
      system?: string;
      value?: string;
    }>) {
      if (id.system === NHS_NUMBER && !isValidNhsNumber(id.value ?? ''))
        problems.push('The NHS number fails its modulus 11 check (FHIR-1).');
    }
    if (r.resourceType === 'Patient') {
      const restricted = r.meta?.security?.some((s) => s.system === CONFIDENTIALITY && s.code === 'R');
      if (person.protectedIdentity && (r.address?.length || r.telecom?.length))
        problems.push('A protected-identity officer’s address or telecom is being sent (CONF-3).');
      if (person.protectedIdentity && !restricted)
        problems.push('A protected-identity officer’s record must be labelled restricted (CONF-3, FHIR-6).');
      if ((r.name?.length || r.birthDate) && !categories.includes('demographics'))
        problems.push('Demographics are sent but the consent does not cover them.');
    }
    if (
      r.resourceType === 'QuestionnaireResponse' &&
      !categories.includes('questionnaire-answers') &&
      !categories.includes('clinical-history')
    )
      problems.push('A summary is sent but the consent covers neither answers nor history.');
  }
  const labels = new Set((bundle.meta?.security ?? sr?.meta?.security ?? []).map((s) => s.code));
  for (const c of categories)
    if (SENSITIVE_CATEGORIES.has(c) && !(c === 'mental-health' ? labels.has('PSY') : labels.has('HIV')))
      problems.push(`Sensitive information (${c}) is sent without its security labels (FHIR-6).`);
  return problems;
}

/** The business identifier system of the Task we keep for each referral at a partner. */
export const REFERRAL_TASK_SYSTEM = 'https://bluelightpathways.org.uk/Id/referral-task';

/** Types of the resources a partner may read back from us (the PractitionerRole travels only in the Bundle). */
const ADDRESSED: ReadonlySet<string> = new Set(['ServiceRequest', 'Patient', 'Consent', 'QuestionnaireResponse']);

/**
 * What a partner may read back of a referral it was sent (issue 6 §4): the Bundle's resources with
 * their ids (from each entry's urn:uuid, the same in both modes) and references rewritten from
 * urn:uuid to Type/id, so they resolve on our partner-facing API.
 */
export function addressedResources(bundle: Bundle): Resource[] {
  const entries = (bundle.entry ?? []).filter((e) => e.resource && e.fullUrl?.startsWith('urn:uuid:'));
  let text = JSON.stringify(entries.map((e) => ({ ...e.resource!, id: e.fullUrl!.slice('urn:uuid:'.length) })));
  for (const e of entries)
    text = text.split(`"${e.fullUrl}"`).join(`"${e.resource!.resourceType}/${e.fullUrl!.slice('urn:uuid:'.length)}"`);
  return (JSON.parse(text) as Resource[]).filter((r) => ADDRESSED.has(r.resourceType));
}

/**
 * The Task that follows a referral at the partner (FHIR-4): requested of the partner, about the
 * ServiceRequest, owned by the partner, which moves it on (accepted, booked, completed …).
 */
export function referralTask(referralId: string, serviceRequest: ServiceRequest, authoredOn: string): Task {
  const owner = serviceRequest.performer?.[0];
  return {
    resourceType: 'Task',
    id: derive(referralId, 7),
    identifier: [{ system: REFERRAL_TASK_SYSTEM, value: referralId }],
    status: 'requested',
    intent: 'order',
    priority: serviceRequest.priority,
    code: { text: 'Fulfil the referral' },
    focus: { reference: `ServiceRequest/${serviceRequest.id}` },
    ...(serviceRequest.subject ? { for: serviceRequest.subject } : {}),
    authoredOn,
    ...(serviceRequest.requester ? { requester: serviceRequest.requester } : {}),
    ...(owner ? { owner } : {}),
    ...(serviceRequest.meta?.security ? { meta: { security: serviceRequest.meta.security } } : {}),
  };
}

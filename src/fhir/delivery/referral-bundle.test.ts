import type { Bundle, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { newConsent } from '../../consent/consent-rules.js';
import { consentToFhir } from '../core/consent-resource.js';
import { validateFhirResource } from '../core/fhir-validation.js';
import {
  buildReferralBundle,
  NHS_NUMBER,
  REFERRAL_SYSTEM,
  referralProblems,
  type OutboundReferral,
} from './referral-bundle.js';

const REFERRAL_ID = '6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab';
const consent = consentToFhir(
  {
    ...newConsent(
      {
        id: '11111111-1111-4111-8111-111111111111',
        organisationId: 'o',
        personId: 'p',
        kind: 'nhs-sharing',
        recipient: { type: 'nhs-partner', organisationId: 'nhs', name: 'Westshire Health Board', odsCode: '7A9' },
        purpose: 'treatment',
        description: 'Physiotherapy',
        dataCategories: ['demographics', 'referral-details'],
        periodStart: '2026-12-01',
        periodEnd: null,
        doctor: null,
        noticeBy: 'letter',
        createdByUserId: null,
      },
      { today: '2026-12-01', now: '2026-12-01T09:00:00.000Z' },
    ),
    status: 'given',
  },
  { reference: 'Patient/p' },
);

function outbound(
  overrides: Partial<OutboundReferral> = {},
  person: Partial<OutboundReferral['person']> = {},
): OutboundReferral {
  return {
    referral: {
      id: REFERRAL_ID,
      serviceType: 'nhs-msk-physiotherapy',
      kind: 'step',
      priority: 'urgent',
      reason: 'Low back pain, not improving after 6 weeks',
      venuePreference: 'Not the Westshire General outpatients',
      confidentialityPreference: 'Do not leave voicemails',
      answers: { startBackScore: 6, onDuty: true },
      history: ['Triage', 'STarT Back screening'],
      createdAt: '2026-12-01T10:00:00.000Z',
      pathwayCode: 'msk',
    },
    categories: ['demographics', 'referral-details'],
    person: {
      id: 'p',
      givenName: 'Riley',
      familyName: 'Report',
      dateOfBirth: '1988-04-01',
      nhsNumber: '9434765919',
      protectedIdentity: false,
      email: 'riley@home.example',
      ...person,
    },
    consent,
    requester: { userId: 'u1', name: 'Sam Okafor', organisationName: 'Westshire Police', organisationOds: null },
    partner: { organisationName: 'Westshire Health Board', odsCode: '7A9', baseUrl: 'http://127.0.0.1:1/fhir' },
    senderEndpoint: 'http://localhost:3000/fhir/R4/$process-message',
    ...overrides,
  };
}

const resources = (b: Bundle) => (b.entry ?? []).map((e) => e.resource!);
const find = <T>(b: Bundle, type: string) => resources(b).find((r) => r.resourceType === type) as T | undefined;

describe('outbound referral bundles (issue 6 §2)', () => {
  it('when built as a BaRS message, then the MessageHeader comes first, the ServiceRequest carries every element, and it validates with no problems (FHIR-2)', () => {
    const bundle = buildReferralBundle(outbound(), 'bars', REFERRAL_ID, '2026-12-01T10:05:00.000Z');
    expect(validateFhirResource(bundle)).toEqual([]);
    expect(referralProblems(bundle, outbound().categories)).toEqual([]);
    expect(bundle).toMatchObject({ type: 'message', id: REFERRAL_ID });
    expect(resources(bundle)[0]).toMatchObject({
      resourceType: 'MessageHeader',
      eventCoding: { code: 'servicerequest-request' },
      reason: { coding: [{ code: 'new' }] },
      focus: [{ reference: expect.stringMatching(/^urn:uuid:/) }],
    });
    const sr = find<ServiceRequest>(bundle, 'ServiceRequest')!;
    expect(sr).toMatchObject({
      status: 'active',
      intent: 'plan',
      priority: 'urgent',
      identifier: [{ system: REFERRAL_SYSTEM, value: REFERRAL_ID }],
      reasonCode: [{ text: 'Low back pain, not improving after 6 weeks' }],
      performer: [{ identifier: { value: '7A9' } }],
    });
    expect(sr.note?.map((n) => n.text)).toEqual([
      'Venue preference (CONF-4): Not the Westshire General outpatients',
      'Confidentiality preference (CONF-4): Do not leave voicemails',
    ]);
    expect(sr.supportingInfo?.[0]?.display).toBe('The consent that allows this referral');
    expect(find<Patient>(bundle, 'Patient')).toMatchObject({
      identifier: [{ system: NHS_NUMBER, value: '9434765919' }],
      telecom: [{ value: 'riley@home.example' }],
    });
    // Answers and history are not covered: no summary goes.
    expect(find(bundle, 'QuestionnaireResponse')).toBeUndefined();
    // The same referral and message id build the same Bundle (a retry is recognisable as one).
    expect(buildReferralBundle(outbound(), 'bars', REFERRAL_ID, '2026-12-01T10:05:00.000Z')).toEqual(bundle);
  });

  it('when the officer’s identity is protected, then no telecom or address is sent, contact is through OH, and the records are restricted (CONF-3, FHIR-6)', () => {
    const bundle = buildReferralBundle(
      outbound({}, { protectedIdentity: true }),
      'bars',
      REFERRAL_ID,
      '2026-12-01T10:05:00.000Z',
    );
    const patient = find<Patient>(bundle, 'Patient')!;
    expect(patient.telecom).toBeUndefined();
    expect(patient.address).toBeUndefined();
    expect(patient.meta?.security).toEqual([expect.objectContaining({ code: 'R' })]);
    expect(
      find<ServiceRequest>(bundle, 'ServiceRequest')!.note?.some((n) => n.text?.includes('Protected identity')),
    ).toBe(true);
    expect(patient.contact?.[0]?.organization?.display).toBe('Westshire Police occupational health');
    expect(validateFhirResource(bundle)).toEqual([]);
    expect(referralProblems(bundle, outbound().categories, { protectedIdentity: true })).toEqual([]);
    // Had the mapping sent their email, the check would stop it.
    const leaky = buildReferralBundle(
      outbound({}, { protectedIdentity: false }),
      'bars',
      REFERRAL_ID,
      '2026-12-01T10:05:00.000Z',
    );
    expect(referralProblems(leaky, outbound().categories, { protectedIdentity: true })).toEqual(
      expect.arrayContaining(['A protected-identity officer’s address or telecom is being sent (CONF-3).']),
    );
  });

  it('when the consent covers less, then less is sent: no reason without referral details, no identity without demographics, a summary only with answers or history', () => {
    const minimal = buildReferralBundle(outbound({ categories: [] }), 'bars', REFERRAL_ID, '2026-12-01T10:05:00.000Z');
    expect(find<ServiceRequest>(minimal, 'ServiceRequest')!.reasonCode).toBeUndefined();
    expect(find<Patient>(minimal, 'Patient')).not.toHaveProperty('name');
    expect(find<Patient>(minimal, 'Patient')!.identifier?.[0]?.system).not.toBe(NHS_NUMBER);
    const withAnswers = buildReferralBundle(
      outbound({ categories: ['demographics', 'referral-details', 'questionnaire-answers', 'clinical-history'] }),
      'bars',
      REFERRAL_ID,
      '2026-12-01T10:05:00.000Z',
    );
    expect(find(withAnswers, 'QuestionnaireResponse')).toMatchObject({
      item: [{ linkId: 'startBackScore' }, { linkId: 'onDuty' }, { linkId: 'pathway-history' }],
    });
    expect(validateFhirResource(withAnswers)).toEqual([]);
    // Answers about mental health carry its labels too (FHIR-6).
    const sensitive = buildReferralBundle(
      outbound({ categories: ['demographics', 'questionnaire-answers', 'mental-health'] }),
      'bars',
      REFERRAL_ID,
      '2026-12-01T10:05:00.000Z',
    );
    expect(
      find<{ meta?: { security?: Array<{ code: string }> } }>(sensitive, 'QuestionnaireResponse')!.meta?.security?.map(
        (c) => c.code,
      ),
    ).toEqual(['R', 'PSY', 'MH']);
  });

  it('when mental health information is covered, then the bundle carries the restricted, PSY and MH labels (FHIR-6)', () => {
    const bundle = buildReferralBundle(
      outbound({ categories: ['demographics', 'referral-details', 'mental-health'] }),
      'bars',
      REFERRAL_ID,
      '2026-12-01T10:05:00.000Z',
    );
    expect(bundle.meta?.security?.map((s) => s.code)).toEqual(['R', 'PSY', 'MH']);
    expect(referralProblems(bundle, ['demographics', 'referral-details', 'mental-health'])).toEqual([]);
  });

  it('when built for a REST partner, then every entry is a conditional create on its identifier (FHIR-3), and the cancellation revokes the ServiceRequest', () => {
    const bundle = buildReferralBundle(outbound(), 'rest', REFERRAL_ID, '2026-12-01T10:05:00.000Z');
    expect(bundle.type).toBe('transaction');
    expect(validateFhirResource(bundle)).toEqual([]);
    expect(bundle.entry?.map((e) => e.request?.ifNoneExist)).toEqual([
      `identifier=${REFERRAL_SYSTEM}|${REFERRAL_ID}`,
      `identifier=${NHS_NUMBER}|9434765919`,
      'identifier=https://bluelightpathways.org.uk/Id/user|u1',
      'identifier=https://bluelightpathways.org.uk/Id/consent|11111111-1111-4111-8111-111111111111',
    ]);
    const cancel = buildReferralBundle(outbound(), 'rest', REFERRAL_ID, '2026-12-02T10:05:00.000Z', 'revoked');
    expect(cancel.entry?.[0]).toMatchObject({
      request: { method: 'PUT', url: `ServiceRequest?identifier=${REFERRAL_SYSTEM}|${REFERRAL_ID}` },
      resource: { status: 'revoked' },
    });
    const barsCancel = buildReferralBundle(
      outbound(),
      'bars',
      '99999999-1111-4111-8111-111111111111',
      '2026-12-02T10:05:00.000Z',
      'revoked',
    );
    expect(resources(barsCancel)[0]).toMatchObject({ reason: { coding: [{ code: 'update' }] } });
  });

  it('when something is wrong, then the checks name it: a bad NHS number, sensitive information without labels, content the consent does not cover', () => {
    const badNumber = buildReferralBundle(
      outbound({}, { nhsNumber: '9434765918' }),
      'bars',
      REFERRAL_ID,
      '2026-12-01T10:05:00.000Z',
    );
    expect(referralProblems(badNumber, outbound().categories)).toContain(
      'The NHS number fails its modulus 11 check (FHIR-1).',
    );
    const unlabelled = buildReferralBundle(outbound(), 'bars', REFERRAL_ID, '2026-12-01T10:05:00.000Z');
    expect(referralProblems(unlabelled, ['demographics', 'referral-details', 'sexual-health'])).toContain(
      'Sensitive information (sexual-health) is sent without its security labels (FHIR-6).',
    );
    expect(referralProblems(unlabelled, ['demographics'])).toContain(
      'The reason is sent but the consent does not cover referral details.',
    );
  });

  it('when a cancellation is built, then it carries only the referral’s identifier and the revoked status, under its own message header', () => {
    const original = buildReferralBundle(
      outbound({ categories: ['demographics', 'referral-details', 'questionnaire-answers'] }),
      'bars',
      REFERRAL_ID,
      '2026-12-01T10:05:00.000Z',
    );
    const cancel = buildReferralBundle(
      outbound({ categories: ['demographics', 'referral-details', 'questionnaire-answers'] }),
      'bars',
      '99999999-1111-4111-8111-111111111111',
      '2026-12-02T10:05:00.000Z',
      'revoked',
    );
    expect(resources(cancel).map((r) => r.resourceType)).toEqual(['MessageHeader', 'ServiceRequest', 'Patient']);
    const sr = find<ServiceRequest>(cancel, 'ServiceRequest')!;
    expect(sr).toMatchObject({ status: 'revoked', identifier: [{ value: REFERRAL_ID }] });
    expect(sr.reasonCode).toBeUndefined();
    expect(find<Patient>(cancel, 'Patient')).not.toHaveProperty('name');
    expect(resources(cancel)[0]!.id).not.toBe(resources(original)[0]!.id);
    expect(validateFhirResource(cancel)).toEqual([]);
    expect(referralProblems(cancel, [])).toEqual([]);
  });

  it('when the Consent travels in the bundle, then its patient is the bundle’s Patient and its recipient the partner by ODS code', () => {
    const bundle = buildReferralBundle(outbound(), 'bars', REFERRAL_ID, '2026-12-01T10:05:00.000Z');
    const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!;
    const consentEntry = find<{
      patient: { reference: string };
      provision: { actor: Array<{ reference: { identifier?: { value: string }; reference?: string } }> };
    }>(bundle, 'Consent')!;
    expect(consentEntry.patient.reference).toBe(patient.fullUrl);
    expect(consentEntry.provision.actor[0]!.reference).toEqual({
      identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: '7A9' },
      display: 'Westshire Health Board',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { newConsent } from '../../consent/consent-rules.js';
import type { Consent } from '../../consent/consent-types.js';
import { checkConsentResource, consentToFhir } from './consent-resource.js';
import { validateFhirResource } from './fhir-validation.js';

const PATIENT = { reference: 'Patient/22222222-2222-4222-8222-222222222222', display: 'Alex Example' };
const PARTNER_ID = '33333333-3333-4333-8333-333333333333';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

function buildConsent(overrides: Partial<Consent> = {}): Consent {
  const requested = newConsent(
    {
      id: '11111111-1111-4111-8111-111111111111',
      organisationId: '44444444-4444-4444-8444-444444444444',
      personId: '22222222-2222-4222-8222-222222222222',
      kind: 'nhs-sharing',
      recipient: { type: 'nhs-partner', organisationId: PARTNER_ID, name: 'Westshire Health Board', odsCode: '7A9' },
      purpose: 'treatment',
      description: 'Physiotherapy referral',
      dataCategories: ['demographics', 'referral-details'],
      periodStart: '2026-12-01',
      periodEnd: '2027-06-01',
      doctor: null,
      noticeBy: 'email',
      createdByUserId: null,
    },
    { today: '2026-11-30', now: '2026-11-30T09:00:00.000Z' },
  );
  const decision = {
    decision: 'given' as const,
    method: 'platform' as const,
    witness: null,
    documentReference: null,
    on: '2026-12-01' as const,
    at: '2026-12-01T10:00:00.000Z',
  };
  return { ...requested, status: 'given', decision, updatedAt: '2026-12-01T10:00:00.000Z', version: 2, ...overrides };
}

function amraConsent(overrides: Partial<Consent> = {}): Consent {
  return buildConsent({
    kind: 'amra-report',
    recipient: { type: 'employer', role: 'line-manager' },
    purpose: 'employment',
    description: 'Fitness for firearms duties',
    dataCategories: ['medical-report'],
    periodStart: null,
    periodEnd: null,
    doctor: { name: 'Dr Jane Smith', practice: 'Riverside Surgery' },
    noticeBy: 'letter',
    wishesToSeeReport: true,
    ...overrides,
  });
}

function deniedLabels(resource: ReturnType<typeof consentToFhir>): (string | undefined)[] {
  return (resource.provision?.provision ?? [])
    .filter((p) => p.type === 'deny')
    .flatMap((p) => (p.securityLabel ?? []).map((l) => l.code));
}

describe('consent as a FHIR R4 Consent (FHIR-5)', () => {
  it('when a sharing consent names a partner with an ODS code, then it is a valid Consent that permits disclosure to it and denies the unnamed sensitive categories', () => {
    const resource = consentToFhir(buildConsent(), PATIENT);
    expect(validateFhirResource(resource)).toEqual([]);
    expect(checkConsentResource(resource)).toEqual([]);
    expect(resource.status).toBe('active');
    expect(resource.patient).toEqual(PATIENT);
    expect(resource.dateTime).toBe('2026-12-01T10:00:00.000Z');
    expect(resource.identifier).toEqual([
      { system: 'https://bluelightpathways.org.uk/Id/consent', value: '11111111-1111-4111-8111-111111111111' },
    ]);
    const provision = resource.provision!;
    expect(provision.type).toBe('permit');
    expect(provision.period).toEqual({ start: '2026-12-01', end: '2027-06-01' });
    const actor = provision.actor![0]!;
    expect(actor.role.coding?.[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
      code: 'IRCP',
    });
    expect(actor.reference).toEqual({
      reference: `Organization/${PARTNER_ID}`,
      display: 'Westshire Health Board',
      identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: '7A9' },
    });
    expect(provision.action?.[0]?.coding?.[0]?.code).toBe('disclose');
    expect(provision.purpose).toEqual([
      expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }),
    ]);
    expect(provision.code?.map((c) => c.coding?.[0]?.code)).toEqual(['demographics', 'referral-details']);
    expect(provision.provision?.[0]?.securityLabel?.every((l) => l.system === ACT_CODE)).toBe(true);
    expect(deniedLabels(resource).sort()).toEqual(['HIV', 'MH', 'PSY', 'STD']);
  });

  it('when the sharing consent names mental health, then only the sexual-health labels are denied (FHIR-6)', () => {
    const resource = consentToFhir(
      buildConsent({ dataCategories: ['demographics', 'referral-details', 'mental-health'] }),
      PATIENT,
    );
    expect(validateFhirResource(resource)).toEqual([]);
    expect(deniedLabels(resource).sort()).toEqual(['HIV', 'STD']);
  });

  it('when the sharing consent names every sensitive category, then there is no nested deny provision', () => {
    const resource = consentToFhir(
      buildConsent({ dataCategories: ['demographics', 'mental-health', 'sexual-health'] }),
      PATIENT,
    );
    expect(validateFhirResource(resource)).toEqual([]);
    expect(resource.provision?.provision).toBeUndefined();
  });

  it('when the caller says how partners are referenced, then the actor uses that reference', () => {
    const resource = consentToFhir(buildConsent(), PATIENT, {
      organisationReference: (id) => `https://partner.example/fhir/Organization/${id}`,
    });
    expect(resource.provision?.actor?.[0]?.reference.reference).toBe(
      `https://partner.example/fhir/Organization/${PARTNER_ID}`,
    );
  });

  it('when an AMRA consent is given for a line manager, then its policy is the AMRA legislation and it is valid', () => {
    const resource = consentToFhir(amraConsent(), PATIENT);
    expect(validateFhirResource(resource)).toEqual([]);
    expect(checkConsentResource(resource)).toEqual([]);
    expect(resource.status).toBe('active');
    expect(resource.policy).toEqual([{ uri: 'https://www.legislation.gov.uk/ukpga/1988/28' }]);
    expect(resource.provision?.actor?.[0]?.reference).toEqual({ display: 'Line manager' });
    expect(resource.provision?.purpose?.[0]).toMatchObject({
      system: 'https://bluelightpathways.org.uk/CodeSystem/disclosure-purpose',
      code: 'employment',
    });
    expect(resource.provision?.period).toBeUndefined();
    expect(resource.provision?.provision).toBeUndefined();
  });

  it('when a decision was made on paper, then the scanned form is the source attachment', () => {
    const decision = {
      decision: 'given' as const,
      method: 'paper' as const,
      witness: null,
      documentReference: 'scan-2026-0042',
      on: '2026-12-01' as const,
      at: '2026-12-01T10:00:00.000Z',
    };
    const resource = consentToFhir(amraConsent({ decision }), PATIENT);
    expect(validateFhirResource(resource)).toEqual([]);
    expect(resource.sourceAttachment).toEqual({ title: 'scan-2026-0042' });
  });

  it('when an OH report release consent is mapped, then its policy is the FOM guidance', () => {
    const resource = consentToFhir(
      amraConsent({
        kind: 'oh-report-release',
        recipient: { type: 'employer', role: 'hr-manager' },
        dataCategories: ['oh-report'],
        doctor: null,
      }),
      PATIENT,
    );
    expect(validateFhirResource(resource)).toEqual([]);
    expect(resource.policy).toEqual([{ uri: 'https://www.fom.ac.uk/' }]);
    expect(resource.provision?.actor?.[0]?.reference).toEqual({ display: 'HR manager' });
  });

  it('when a consent is withdrawn, requested or refused, then the status and provision type say so and each is valid', () => {
    const withdrawn = consentToFhir(buildConsent({ status: 'withdrawn' }), PATIENT);
    expect(withdrawn.status).toBe('inactive');
    expect(withdrawn.provision?.type).toBe('deny');

    const requested = consentToFhir(buildConsent({ status: 'requested', decision: null }), PATIENT);
    expect(requested.status).toBe('proposed');
    expect(requested.provision?.type).toBe('permit');
    expect(requested.dateTime).toBe('2026-11-30T09:00:00.000Z');
    expect(requested.performer).toBeUndefined();

    const refusal = {
      decision: 'refused' as const,
      method: 'platform' as const,
      witness: null,
      documentReference: null,
      on: '2026-12-01' as const,
      at: '2026-12-01T11:00:00.000Z',
    };
    const refused = consentToFhir(buildConsent({ status: 'refused', decision: refusal }), PATIENT);
    expect(refused.status).toBe('rejected');
    expect(refused.provision?.type).toBe('deny');
    expect(refused.performer).toEqual([PATIENT]);

    for (const resource of [withdrawn, requested, refused]) {
      expect(validateFhirResource(resource)).toEqual([]);
      expect(checkConsentResource(resource)).toEqual([]);
    }
  });
});

describe('our own checks on a Consent resource (FHIR-9)', () => {
  it('when the category is wrong and there is no policy, then both are reported', () => {
    const resource = {
      ...consentToFhir(buildConsent(), PATIENT),
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      policy: undefined,
    };
    const problems = checkConsentResource(resource);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/category must include LOINC 64292-6/);
    expect(problems[1]).toMatch(/policy or policyRule/);
  });

  it('when the status, scope or a nested provision type is outside the R4 codes, then each is reported', () => {
    const good = consentToFhir(buildConsent(), PATIENT);
    const resource = {
      ...good,
      status: 'expired',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] },
      provision: { ...good.provision, provision: [{ type: 'forbid' }] },
    } as unknown as ReturnType<typeof consentToFhir>;
    const problems = checkConsentResource(resource);
    expect(problems).toEqual([
      expect.stringMatching(/^status must be one of/),
      'scope must be consentscope patient-privacy',
      expect.stringMatching(/^provision\.provision\[0\]\.type must be permit or deny/),
    ]);
  });
});

describe('consent resource sensitivity (FHIR-6)', () => {
  it('when a sharing consent names mental health, then the resource is labelled restricted with PSY and MH, and still validates', () => {
    const resource = consentToFhir(buildConsent({ dataCategories: ['demographics', 'mental-health'] }), PATIENT);
    expect(resource.meta?.security?.map((c) => c.code)).toEqual(['R', 'PSY', 'MH']);
    expect(validateFhirResource(resource)).toEqual([]);
  });

  it('when nothing sensitive is named and the identity is not protected, then there is no security label', () => {
    expect(consentToFhir(buildConsent(), PATIENT).meta).toBeUndefined();
    expect(consentToFhir(buildConsent(), PATIENT, { restricted: true }).meta?.security?.map((c) => c.code)).toEqual([
      'R',
    ]);
  });
});

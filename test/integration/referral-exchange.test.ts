import { Client } from 'fhir-kit-client';
import type { Bundle, ServiceRequest } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newConsent } from '../../src/consent/consent-rules.js';
import { consentToFhir } from '../../src/fhir/core/consent-resource.js';
import {
  buildReferralBundle,
  REFERRAL_SYSTEM,
  referralProblems,
  type OutboundReferral,
} from '../../src/fhir/delivery/referral-bundle.js';
import { newId } from '../../src/shared/ids.js';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';

/**
 * Issue 6 §2–3 groundwork: referral bundles as the mapping layer builds them, sent with
 * fhir-kit-client to a real partner server (@medplum/fhir-router in its own process): they are
 * accepted, and sending the same one again never makes a second ServiceRequest.
 */
describe('referral bundles at a real partner', () => {
  let partner: PartnerProcess;
  let client: InstanceType<typeof Client>;

  const outbound = (referralId: string): OutboundReferral => ({
    referral: {
      id: referralId,
      serviceType: 'nhs-msk-physiotherapy',
      kind: 'step',
      priority: 'routine',
      reason: 'Knee pain on stairs',
      venuePreference: null,
      confidentialityPreference: null,
      answers: {},
      history: [],
      createdAt: '2026-12-01T10:00:00.000Z',
      pathwayCode: 'msk',
    },
    categories: ['demographics', 'referral-details'],
    person: {
      id: newId(),
      givenName: 'Riley',
      familyName: 'Report',
      dateOfBirth: '1988-04-01',
      nhsNumber: '9434765919',
      protectedIdentity: false,
      email: null,
    },
    consent: consentToFhir(
      {
        ...newConsent(
          {
            id: newId(),
            organisationId: 'o',
            personId: 'p',
            kind: 'nhs-sharing',
            recipient: { type: 'nhs-partner', organisationId: 'n', name: 'Westshire Health Board', odsCode: '7A9' },
            purpose: 'treatment',
            description: 'x',
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
    ),
    requester: { userId: 'u1', name: 'Sam Okafor', organisationName: 'Westshire Police', organisationOds: null },
    partner: { organisationName: 'Westshire Health Board', odsCode: '7A9', baseUrl: partner.url },
    senderEndpoint: 'http://localhost:3000/fhir/R4/$process-message',
  });
  const serviceRequestsFor = async (referralId: string) =>
    (
      (await client.search({
        resourceType: 'ServiceRequest',
        searchParams: { identifier: `${REFERRAL_SYSTEM}|${referralId}` },
      })) as unknown as Bundle<ServiceRequest>
    ).entry ?? [];

  beforeAll(async () => {
    partner = await startPartnerProcess();
    client = new Client({ baseUrl: partner.url });
  });
  afterAll(async () => partner?.stop());

  it('when a REST transaction is sent twice, then the partner holds exactly one ServiceRequest (FHIR-3)', async () => {
    const referralId = newId();
    const bundle = buildReferralBundle(outbound(referralId), 'rest', newId(), '2026-12-01T10:05:00.000Z');
    expect(referralProblems(bundle, outbound(referralId).categories)).toEqual([]);
    await client.transaction({ body: bundle as never });
    await client.transaction({ body: bundle as never });
    const found = await serviceRequestsFor(referralId);
    expect(found).toHaveLength(1);
    expect(found[0]!.resource).toMatchObject({
      status: 'active',
      intent: 'plan',
      reasonCode: [{ text: 'Knee pain on stairs' }],
    });
  });

  it('when a BaRS message is sent twice, then the second is answered 409 duplicate and the partner holds one ServiceRequest (FHIR-2)', async () => {
    const referralId = newId();
    const bundle = buildReferralBundle(outbound(referralId), 'bars', referralId, '2026-12-01T10:05:00.000Z');
    const reply = (await client.operation({ name: '$process-message', input: bundle as never })) as unknown as Bundle;
    expect(reply.entry?.[0]?.resource).toMatchObject({
      resourceType: 'MessageHeader',
      response: { identifier: referralId, code: 'ok' },
    });
    const again = await client.operation({ name: '$process-message', input: bundle as never }).then(
      () => null,
      (error: { response?: { status?: number; data?: { issue?: Array<{ code?: string }> } } }) => error.response,
    );
    expect(again?.status).toBe(409);
    expect(again?.data?.issue?.[0]?.code).toBe('duplicate');
    expect(await serviceRequestsFor(referralId)).toHaveLength(1);
  });
});

import { Client } from 'fhir-kit-client';
import type { Bundle } from '@medplum/fhirtypes';
import request from 'supertest';
import { expect } from 'vitest';
import { REFERRAL_SYSTEM } from '../../../src/fhir/delivery/referral-bundle.js';
import type { TestPlatform, World } from '../../support/test-platform.js';

/** Test helpers for referral delivery: a partner service in the directory, referrals shared under consent, what the partner holds. */
export function deliveryWorld(t: TestPlatform, w: World) {
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  let n = 0;
  /** A pathway transferred to NHS physiotherapy: its handover referral, waiting to be shared. */
  const handoverReferral = async () => {
    const pathway = (
      await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: w.report.id, definition: 'msk', startedAt: '2027-01-04' })
    ).body;
    const referral = (
      await request(t.app)
        .post(`/api/v1/pathways/${pathway.id}/transfer`)
        .set(as('clinician'))
        .send({ service: 'nhs-msk-physiotherapy', reason: `Knee pain ${++n}`, priority: 'routine' })
    ).body.referral;
    return referral.id as string;
  };
  return {
    as,
    /** The health board's only enabled physiotherapy service, at `baseUrl`. */
    async partnerService(baseUrl: string, mode: 'bars' | 'rest') {
      await t.database.db('partner_services').update({ enabled: false });
      const service = await request(t.app)
        .post('/api/v1/partner-services')
        .set(as('ohAdmin'))
        .send({
          organisationId: w.healthBoard.id,
          name: `Physio ${++n}`,
          serviceType: 'nhs-msk-physiotherapy',
          baseUrl,
          mode,
          auth: { kind: 'none' },
          pathways: ['msk'],
        });
      expect(service.status).toBe(201);
    },
    /** A sharing consent the person has given to the health board. */
    async consent() {
      const consent = (
        await request(t.app)
          .post(`/api/v1/people/${w.report.id}/consents`)
          .set(as('clinician'))
          .send({
            kind: 'nhs-sharing',
            partnerOrganisationId: w.healthBoard.id,
            purpose: 'continuity-of-care',
            dataCategories: ['demographics', 'referral-details'],
            periodStart: '2027-01-04',
            description: `Physiotherapy ${++n}`,
            noticeBy: 'letter',
          })
      ).body;
      await request(t.app)
        .post(`/api/v1/consents/${consent.id}/decision`)
        .set(as('staff'))
        .send({ decision: 'given', method: 'platform' });
      return consent.id as string;
    },
    handoverReferral,
    /** A handover referral shared with the health board (and so queued for delivery). */
    async sharedReferral() {
      const referralId = await handoverReferral();
      const shared = await request(t.app)
        .post(`/api/v1/pathway-referrals/${referralId}/share`)
        .set(as('clinician'))
        .send({ partnerOrganisationId: w.healthBoard.id });
      expect(shared.body.status).toBe('ready');
      return referralId;
    },
    delivery: (referralId: string) =>
      t.database.db('referral_deliveries').where({ pathway_referral_id: referralId }).first(),
    /** How many ServiceRequests the partner holds for a referral. */
    atPartner: async (baseUrl: string, referralId: string) =>
      (
        (
          (await new Client({ baseUrl }).search({
            resourceType: 'ServiceRequest',
            searchParams: { identifier: `${REFERRAL_SYSTEM}|${referralId}` },
          })) as unknown as Bundle
        ).entry ?? []
      ).length,
  };
}

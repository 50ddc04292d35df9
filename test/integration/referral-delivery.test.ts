import request from 'supertest';
import { freePort } from '../support/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'fhir-kit-client';
import type { Bundle, ServiceRequest } from '@medplum/fhirtypes';
import { REFERRAL_SYSTEM } from '../../src/fhir/delivery/referral-bundle.js';
import { deliveryWorld } from './support/delivery-world.js';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import { buildWorld, createTestPlatform, signIn, type TestPlatform, type World } from '../support/test-platform.js';
import { PathwayReferralService } from '../../src/pathways/pathway-referral-service.js';
import { PathwayRepository } from '../../src/pathways/pathway-repository.js';
import type { RequestContext } from '../../src/shared/request-context.js';

/**
 * Reliable delivery (issue 6 §3) to real partner servers in their own processes: shared referrals
 * are delivered exactly once through 500s and outages, a 400 fails with the partner's words and is
 * not retried, and a withdrawal before sending stops it.
 */
describe('referral delivery', () => {
  let t: TestPlatform;
  let w: World;
  const partners: PartnerProcess[] = [];
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2027-01-04T09:00:00Z');
    w = await buildWorld(t);
    d = deliveryWorld(t, w);
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.stop()));
    await t?.destroy();
  });

  let d: ReturnType<typeof deliveryWorld>;
  /** A partner service for the health board at `baseUrl`, and a referral shared under a fresh consent, queued for delivery. */
  async function sharedReferral(baseUrl: string, mode: 'bars' | 'rest') {
    await d.partnerService(baseUrl, mode);
    const consentId = await d.consent();
    return { referralId: await d.sharedReferral(), consentId };
  }
  const delivery = (referralId: string) => d.delivery(referralId);
  const atPartner = (baseUrl: string, referralId: string) => d.atPartner(baseUrl, referralId);
  /** Runs due jobs, moving the clock on an hour first (past any backoff). */
  const later = async () => {
    t.clock.advance(3_600_000);
    return t.platform.jobs.runner.runDue();
  };

  it('when a shared referral is delivered as a BaRS message, then the partner holds it once and the referral is sent', async () => {
    const partner = await startPartnerProcess();
    partners.push(partner);
    const { referralId } = await sharedReferral(partner.url, 'bars');
    expect(await delivery(referralId)).toMatchObject({ status: 'queued', attempts: 0 });
    await t.platform.jobs.runner.runDue();
    expect(await delivery(referralId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await atPartner(partner.url, referralId)).toBe(1);
    const row = await t.database.db('pathway_referrals').where({ id: referralId }).first();
    expect(row.status).toBe('sent');
    // The officer sees it in plain English on their own pathway page.
    const own = await (await signIn(t, w.users.staff.email)).get(`/pathways/${row.pathway_id}`);
    expect(own.text).toMatch(/NHS MSK physiotherapy<\/strong>: <span[^>]*>sent to the NHS service on 4 January 2027\./);
  });

  it('when the partner answers 500 twice and then recovers, then it is delivered exactly once', async () => {
    const partner = await startPartnerProcess({ failFirst: 2 });
    partners.push(partner);
    const { referralId } = await sharedReferral(partner.url, 'rest');
    await t.platform.jobs.runner.runDue();
    expect(await delivery(referralId)).toMatchObject({
      status: 'queued',
      attempts: 1,
      outcome: expect.stringContaining('HTTP 500'),
    });
    await later();
    await later();
    expect(await delivery(referralId)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(await atPartner(partner.url, referralId)).toBe(1);
  });

  it('when the partner is down for the whole run, then the referral stays queued, and is delivered when the partner returns', async () => {
    const port = await freePort();
    const { referralId } = await sharedReferral(`http://127.0.0.1:${port}/fhir`, 'bars');
    await t.platform.jobs.runner.runDue();
    await later();
    expect(await delivery(referralId)).toMatchObject({
      status: 'queued',
      outcome: expect.stringContaining('Could not reach'),
    });
    const partner = await startPartnerProcess({ port });
    partners.push(partner);
    await later();
    expect(await delivery(referralId)).toMatchObject({ status: 'sent' });
    expect(await atPartner(partner.url, referralId)).toBe(1);
  });

  it('when the partner refuses with 400, then the delivery fails with the partner’s words and is not retried', async () => {
    const partner = await startPartnerProcess({ reject: 'Unknown service code for this clinic' });
    partners.push(partner);
    const { referralId } = await sharedReferral(partner.url, 'bars');
    await t.platform.jobs.runner.runDue();
    expect(await delivery(referralId)).toMatchObject({
      status: 'failed',
      attempts: 1,
      outcome: 'The partner refused the referral (HTTP 400): Unknown service code for this clinic',
    });
    // Not retried: an hour on, still one attempt, and the partner never got it.
    await later();
    expect(await delivery(referralId)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await atPartner(partner.url, referralId)).toBe(0);
    // The partner's words are not in the job's error, which the logs and operators see.
    const job = await t.database
      .db('jobs')
      .where({ kind: 'fhir.referral.deliver', status: 'failed' })
      .orderBy('created_at', 'desc')
      .first();
    expect(job.last_error).toBe('PermanentJobError:partner-400');
    // The clinician sees the journey with the partner's words on the pathway page; an administrator, only that it failed.
    const pathwayId = (await t.database.db('pathway_referrals').where({ id: referralId }).first()).pathway_id;
    const clinicianPage = await (await signIn(t, w.users.clinician.email)).get(`/pathways/${pathwayId}`);
    expect(clinicianPage.text).toContain('Failed');
    expect(clinicianPage.text).toContain('Unknown service code for this clinic');
    const adminPage = await (await signIn(t, w.users.ohAdmin.email)).get(`/pathways/${pathwayId}`);
    expect(adminPage.text).toContain('Failed');
    expect(adminPage.text).not.toContain('Unknown service code');
  });

  it('when a sent referral is cancelled, then the partner is told: its ServiceRequest is revoked, still exactly one (BaRS and REST)', async () => {
    for (const mode of ['bars', 'rest'] as const) {
      const partner = await startPartnerProcess();
      partners.push(partner);
      const { referralId } = await sharedReferral(partner.url, mode);
      await t.platform.jobs.runner.runDue();
      expect(await delivery(referralId)).toMatchObject({ status: 'sent' });
      const cancelled = await request(t.app)
        .post(`/api/v1/pathway-referrals/${referralId}/cancel`)
        .set(as('clinician'))
        .send({ reason: 'Recovered; no longer needed' });
      expect(cancelled.body.status).toBe('cancelled');
      await t.platform.jobs.runner.runDue();
      const rows = await t.database
        .db('referral_deliveries')
        .where({ pathway_referral_id: referralId })
        .orderBy('created_at');
      expect(rows.map((r: { kind: string; status: string }) => `${r.kind}:${r.status}`).sort()).toEqual([
        'cancellation:sent',
        'referral:sent',
      ]);
      const held =
        (
          (await new Client({ baseUrl: partner.url }).search({
            resourceType: 'ServiceRequest',
            searchParams: { identifier: `${REFERRAL_SYSTEM}|${referralId}` },
          })) as unknown as Bundle<ServiceRequest>
        ).entry ?? [];
      expect(
        held.map((e) => e.resource?.status),
        mode,
      ).toEqual(['revoked']);
      expect(
        (
          await request(t.app)
            .post(`/api/v1/pathway-referrals/${referralId}/cancel`)
            .set(as('clinician'))
            .send({ reason: 'again' })
        ).body.error.code,
      ).toBe('referral-already-cancelled');
    }
  });

  it('when a referral is cancelled while it is on its way, then once it has arrived the partner is told to stop', async () => {
    const partner = await startPartnerProcess({ delayMs: 1500 });
    partners.push(partner);
    const { referralId } = await sharedReferral(partner.url, 'bars');
    const sending = t.platform.jobs.runner.runDue();
    // Cancelled once the partner has it, before its answer comes back.
    while ((await atPartner(partner.url, referralId)) === 0) await new Promise((r) => setTimeout(r, 50));
    const cancelled = await request(t.app)
      .post(`/api/v1/pathway-referrals/${referralId}/cancel`)
      .set(as('clinician'))
      .send({ reason: 'Not needed after all' });
    expect(cancelled.body.status).toBe('cancelled');
    await sending;
    await t.platform.jobs.runner.runDue();
    const rows = await t.database.db('referral_deliveries').where({ pathway_referral_id: referralId });
    expect(rows.map((r: { kind: string; status: string }) => `${r.kind}:${r.status}`).sort()).toEqual([
      'cancellation:sent',
      'referral:sent',
    ]);
    const held =
      (
        (await new Client({ baseUrl: partner.url }).search({
          resourceType: 'ServiceRequest',
          searchParams: { identifier: `${REFERRAL_SYSTEM}|${referralId}` },
        })) as unknown as Bundle<ServiceRequest>
      ).entry ?? [];
    expect(held.map((e) => e.resource?.status)).toEqual(['revoked']);
  });

  it('when the last allowed attempt fails, then the delivery is failed for good and says so, not left queued', async () => {
    const port = await freePort();
    const { referralId } = await sharedReferral(`http://127.0.0.1:${port}/fhir`, 'rest');
    const row = await delivery(referralId);
    await expect(t.platform.services.deliveries.deliver(row.id, { lastAttempt: true })).rejects.toThrow();
    expect(await delivery(referralId)).toMatchObject({
      status: 'failed',
      outcome: expect.stringContaining('Gave up after 1 attempts'),
    });
  });

  it('when consent is withdrawn before the referral is sent, then it is not sent and the person sees what had already gone', async () => {
    // A person of their own, so only this test's consents cover their referrals.
    const own = await buildWorld(t);
    const od = deliveryWorld(t, own);
    const partner = await startPartnerProcess();
    partners.push(partner);
    await od.partnerService(partner.url, 'bars');
    // A referral delivered under a first consent: on withdrawing it, the person is told it had gone.
    const firstConsent = await od.consent();
    const sentId = await od.sharedReferral();
    await t.platform.jobs.runner.runDue();
    expect(await od.delivery(sentId)).toMatchObject({ status: 'sent' });
    const first = await request(t.app).post(`/api/v1/consents/${firstConsent}/withdraw`).set(od.as('staff'));
    expect(first.status).toBe(200);
    expect(first.body.withdrawal.alreadySent.map((x: { description: string }) => x.description)).toEqual([
      'Referral to NHS physiotherapy',
    ]);
    // A second consent, withdrawn while its referral waits to go: it is stopped and never sent.
    const consentId = await od.consent();
    const referralId = await od.sharedReferral();
    const withdrawn = await request(t.app).post(`/api/v1/consents/${consentId}/withdraw`).set(od.as('staff'));
    expect(withdrawn.body.withdrawal.cancelled.map((x: { id: string }) => x.id)).toContain(referralId);
    await t.platform.jobs.runner.runDue();
    expect(await od.delivery(referralId)).toMatchObject({ status: 'cancelled' });
    expect(await od.atPartner(partner.url, referralId)).toBe(0);
  });

  it('when the delivery cannot be queued, then the referral is not shared either: the outbox is part of the share (issue 14 §15)', async () => {
    const partner = await startPartnerProcess();
    partners.push(partner);
    await d.partnerService(partner.url, 'bars');
    await d.consent();
    const referralId = await d.handoverReferral();
    const clinician = w.users.clinician;
    const ctx: RequestContext = {
      actor: {
        userId: clinician.id,
        displayName: clinician.displayName,
        email: clinician.email,
        organisationId: w.host.id,
        personId: null,
        roles: ['oh-clinician'],
        role: 'oh-clinician',
        via: 'token',
        locale: 'en',
      },
      requestId: 'outbox-down',
      ip: null,
    };
    const { consent, people, audit } = t.platform.services;
    const failing = new PathwayReferralService(new PathwayRepository(t.database.db), consent, people, audit, t.clock, {
      enqueue: async () => {
        throw new Error('the delivery queue is unavailable');
      },
    });
    await expect(
      failing.share(ctx, referralId, {
        partnerOrganisationId: w.healthBoard.id,
        dataCategories: ['demographics', 'referral-details'],
      }),
    ).rejects.toThrow('the delivery queue is unavailable');
    expect((await t.database.db('pathway_referrals').where({ id: referralId }).first()).status).toBe(
      'awaiting-consent',
    );
    expect(await t.database.db('referral_deliveries').where({ pathway_referral_id: referralId })).toEqual([]);
    // The person was read (and that is audited); no share and no gate decision was kept.
    expect(
      (await t.database.db('audit_events').where({ request_id: 'outbox-down' })).map(
        (e: { action: string; entity_type: string }) => `${e.action} ${e.entity_type}`,
      ),
    ).toEqual(['read person']);
    // Through the platform's own outbox the same share is queued with it.
    const shared = await request(t.app)
      .post(`/api/v1/pathway-referrals/${referralId}/share`)
      .set(as('clinician'))
      .send({ partnerOrganisationId: w.healthBoard.id });
    expect(shared.body.status).toBe('ready');
    expect(await delivery(referralId)).toMatchObject({ status: 'queued', kind: 'referral' });
  });
});

import type { Server } from 'node:http';
import request from 'supertest';
import { freePort } from '../support/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import { registerPartnerClient, type TestPartnerClient } from '../support/partner-client.js';
import { buildWorld, createTestPlatform, signIn, type TestPlatform, type World } from '../support/test-platform.js';
import { deliveryWorld } from './support/delivery-world.js';

/**
 * Issue 6 acceptance, end to end over HTTP: referrals delivered to a real partner process
 * (@medplum/fhir-router) whose simulated staff report back to the platform's partner-facing API
 * with SMART Backend Services tokens: a BaRS response and Task updates move the referral's journey
 * on (received, accepted, booked), and a sexual health clinic's blood-borne virus results arrive
 * stored against the right person and pathway.
 */
describe('progress reported back by a partner process', () => {
  let t: TestPlatform;
  let w: World;
  let d: ReturnType<typeof deliveryWorld>;
  let server: Server;
  let partner: PartnerProcess;
  let client: TestPartnerClient;
  const journey = async (referralId: string) =>
    (await t.database.db('referral_progress').where({ pathway_referral_id: referralId }).orderBy('id')).map(
      (r: { status: string }) => r.status,
    );

  /** Waits (the partner works on its own clock) until the referral's journey reaches `last`, keeping our fixed clock in step with the partner's. */
  async function until(referralId: string, last: string): Promise<string[]> {
    const started = Date.now();
    const fixedAt = t.clock.now().getTime();
    for (;;) {
      t.clock.set(new Date(fixedAt + (Date.now() - started)));
      const steps = await journey(referralId);
      if (steps.at(-1) === last || Date.now() - started > 25_000) return steps;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    const port = await freePort();
    t = await createTestPlatform({ PUBLIC_URL: `http://127.0.0.1:${port}` });
    t.clock.set('2027-01-04T09:00:00Z');
    w = await buildWorld(t);
    d = deliveryWorld(t, w);
    server = t.app.listen(port, '127.0.0.1');
    client = await registerPartnerClient(t, w, w.healthBoard.id);
    partner = await startPartnerProcess({
      simulate: {
        platformBase: `http://127.0.0.1:${port}/fhir/R4`,
        clientId: client.clientId,
        privateKeyJwk: client.privateJwk as Record<string, unknown>,
        delayMs: 150,
        clockOffsetMs: t.clock.now().getTime() - Date.now(),
      },
    });
  });
  afterAll(async () => {
    await partner?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await t?.destroy();
  });

  it('when a BaRS referral reaches the partner, then its response and Task updates show the journey: received, accepted, booked', async () => {
    await d.partnerService(partner.url, 'bars');
    await d.consent();
    const referralId = await d.sharedReferral();
    await t.platform.jobs.runner.runDue();
    expect(await d.delivery(referralId)).toMatchObject({ status: 'sent' });
    expect(await until(referralId, 'booked')).toEqual(['received', 'accepted', 'booked']);
    const messages = await t.database.db('inbound_messages').where({ pathway_referral_id: referralId });
    expect(messages).toHaveLength(1);
    const pathwayId = (await t.database.db('pathway_referrals').where({ id: referralId }).first()).pathway_id;
    const page = await (await signIn(t, w.users.clinician.email)).get(`/pathways/${pathwayId}`);
    expect(page.text).toContain('Appointment booked');
    // Where: the simulated staff book into a clinic and send it as a contained Location (issue 15 §8).
    const place = 'Physiotherapy, Outpatients Department, Westshire General Hospital';
    const booked = await t.database
      .db('referral_progress')
      .where({ pathway_referral_id: referralId, status: 'booked' })
      .first();
    expect(booked).toMatchObject({ appointment_place: place });
    expect(page.text).toContain(`where: ${place}`);
    // The officer reads it with the time wherever the appointment is shown, though the pathway was
    // closed when it was handed over to the NHS: the appointment is where their care went on.
    const me = await signIn(t, w.users.staff.email);
    for (const path of ['/', '/me/referrals', `/pathways/${pathwayId}`])
      expect((await me.get(path)).text, path).toMatch(
        /11 January 2027 at 10:00am.{0,200}Where: Physiotherapy, Outpatients Department, Westshire General Hospital/s,
      );
  });

  it('when a REST referral reaches the partner, then its Task updates alone show the journey', async () => {
    await d.partnerService(partner.url, 'rest');
    const referralId = await d.sharedReferral();
    await t.platform.jobs.runner.runDue();
    expect(await until(referralId, 'booked')).toEqual(['received', 'accepted', 'booked']);
    expect(await t.database.db('inbound_messages').where({ pathway_referral_id: referralId })).toHaveLength(0);
  });

  it('when a sexual health clinic has the referral, then its blood-borne virus results are stored against the person and pathway and the care completes', async () => {
    await t.database.db('partner_services').update({ enabled: false });
    expect(
      (
        await request(t.app)
          .post('/api/v1/partner-services')
          .set(d.as('ohAdmin'))
          .send({
            organisationId: w.healthBoard.id,
            name: 'Sexual health and BBV clinic',
            serviceType: 'sexual-health',
            baseUrl: partner.url,
            mode: 'bars',
            auth: { kind: 'none' },
            pathways: ['msk'],
          })
      ).status,
    ).toBe(201);
    for (const [purpose, dataCategories] of [
      ['continuity-of-care', ['demographics', 'referral-details', 'sexual-health']],
      ['results-to-oh', ['test-results', 'sexual-health']],
    ] as const) {
      const consent = (
        await request(t.app)
          .post(`/api/v1/people/${w.report.id}/consents`)
          .set(d.as('clinician'))
          .send({
            kind: 'nhs-sharing',
            partnerOrganisationId: w.healthBoard.id,
            purpose,
            dataCategories,
            periodStart: '2027-01-04',
            description: `BBV ${purpose}`,
            noticeBy: 'letter',
          })
      ).body;
      await request(t.app)
        .post(`/api/v1/consents/${consent.id}/decision`)
        .set(d.as('staff'))
        .send({ decision: 'given', method: 'platform' });
    }
    const pathway = (
      await request(t.app)
        .post('/api/v1/pathways')
        .set(d.as('clinician'))
        .send({ personId: w.report.id, definition: 'msk', startedAt: '2027-01-04' })
    ).body;
    const step = (
      await request(t.app)
        .post(`/api/v1/pathways/${pathway.id}/transfer`)
        .set(d.as('clinician'))
        .send({ service: 'sexual-health', reason: 'Needle-stick injury during arrest', priority: 'urgent' })
    ).body.referral;
    const shared = await request(t.app)
      .post(`/api/v1/pathway-referrals/${step.id}/share`)
      .set(d.as('clinician'))
      .send({ partnerOrganisationId: w.healthBoard.id });
    expect(shared.body.status, JSON.stringify(shared.body)).toBe('ready');
    await t.platform.jobs.runner.runDue();
    expect(await until(step.id, 'completed')).toEqual(['received', 'accepted', 'booked', 'completed']);
    const results = await t.database
      .db('fhir_resources')
      .whereIn('resource_type', ['DiagnosticReport', 'Observation'])
      .where({ pathway_referral_id: step.id });
    // The clinic sends every test of the BBV schedule (four Observations) and their report.
    expect(results).toHaveLength(5);
    for (const r of results) expect(r).toMatchObject({ person_id: w.report.id, pathway_id: pathway.id });
    const api = await request(t.app).get(`/api/v1/pathways/${pathway.id}/results`).set(d.as('clinician'));
    expect(api.body.items).toHaveLength(1);
    expect(api.body.items[0].observations.map((o: { value: string }) => o.value)).toEqual([
      'Not detected',
      'Not detected',
      'Not detected',
      'Not detected',
    ]);
  });
});

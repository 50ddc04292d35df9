import http from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERRAL_SYSTEM } from '../../src/fhir/delivery/referral-bundle.js';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import { partnerKeys } from '../support/partner-client.js';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';
import { deliveryWorld } from './support/delivery-world.js';

/**
 * Our sign-in to partners that use SMART Backend Services (FHIR-8): a token is fetched once and
 * reused while it lasts, not once per referral; a partner that refuses the token it gave (401)
 * gets a fresh one, once, and the referral is still delivered exactly once.
 */
describe('signing in to SMART partners', () => {
  let t: TestPlatform;
  let w: World;
  let d: ReturnType<typeof deliveryWorld>;
  let partner: PartnerProcess;
  let tokenServer: http.Server;
  let tokenUrl: string;
  let issued = 0;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2027-01-04T09:00:00Z');
    w = await buildWorld(t);
    d = deliveryWorld(t, w);
    // The partner's token endpoint hands out tok-1, tok-2, …; its FHIR server takes only tok-2.
    tokenServer = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        issued += 1;
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ access_token: `tok-${issued}`, token_type: 'bearer', expires_in: 300 }));
      });
    });
    await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}/token`;
    partner = await startPartnerProcess({ bearerToken: 'tok-2' });
    await t.database.db('partner_services').update({ enabled: false });
    const keys = await partnerKeys();
    const made = await request(t.app)
      .post('/api/v1/partner-services')
      .set(d.as('ohAdmin'))
      .send({
        organisationId: w.healthBoard.id,
        name: 'SMART physio',
        serviceType: 'nhs-msk-physiotherapy',
        baseUrl: partner.url,
        mode: 'bars',
        auth: {
          kind: 'smart-backend',
          clientId: 'blue-light-pathways',
          tokenUrl,
          scope: 'system/ServiceRequest.c',
          privateKeyJwk: keys.privateJwk,
        },
        pathways: ['msk'],
      });
    expect(made.status).toBe(201);
    await d.consent();
  });
  afterAll(async () => {
    await partner?.stop();
    await new Promise<void>((r) => tokenServer.close(() => r()));
    await t?.destroy();
  });

  it('when the partner refuses the first token, then we sign in again once and deliver; the next referral reuses the token', async () => {
    const first = await d.sharedReferral();
    await t.platform.jobs.runner.runDue();
    expect(await d.delivery(first)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(issued).toBe(2);
    const held = await fetch(
      `${partner.url}/ServiceRequest?identifier=${encodeURIComponent(`${REFERRAL_SYSTEM}|${first}`)}`,
      { headers: { Authorization: 'Bearer tok-2' } },
    );
    expect(((await held.json()) as { entry?: unknown[] }).entry).toHaveLength(1);
    const second = await d.sharedReferral();
    await t.platform.jobs.runner.runDue();
    expect(await d.delivery(second)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(issued).toBe(2);
  });

  it('when the token has (nearly) run out, then a new one is fetched', async () => {
    t.clock.advance(280_000);
    const third = await d.sharedReferral();
    await t.platform.jobs.runner.runDue();
    // tok-3 is refused, and so is the one fresh sign-in after it (tok-4): a 401 the partner keeps giving is a refusal, with its words.
    expect(issued).toBe(4);
    expect(await d.delivery(third)).toMatchObject({ status: 'failed', outcome: expect.stringContaining('HTTP 401') });
  });
});

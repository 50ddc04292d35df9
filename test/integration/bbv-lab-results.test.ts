import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo-data.js';
import { REFERRAL_SYSTEM } from '../../src/fhir/delivery/referral-bundle.js';
import { sandboxSimulation } from '../../src/server.js';
import { newId } from '../../src/shared/ids.js';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import { freePort } from '../support/ports.js';
import { registerPartnerClient, type TestPartnerClient } from '../support/partner-client.js';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';

const FHIR_JSON = 'application/fhir+json';
const LOINC = 'http://loinc.org';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const HBSAG = '5196-1';
const HCV_RNA = '11259-9';
const HIV = '56888-1';

type Reading = { code: string; detected: boolean };

/**
 * Issue 16 §4: a partner laboratory's results reach the BBV schedule over the partner-facing FHIR API
 * (/fhir/R4), under the person's consent for results back to OH. The testing referral goes to the
 * sexual health clinic through the consent gate and the exchange (delivered to a real partner
 * process); the clinic's transaction Bundle of a DiagnosticReport and its Observations completes the
 * timepoint whose window holds the sample date, and a positive result goes at once to the OH
 * clinicians with an urgent specialist referral (BBV-9). Fixed clock.
 */
describe('BBV results from a partner laboratory (issue 16 §4)', () => {
  let t: TestPlatform;
  let w: World;
  let partner: PartnerProcess;
  let lab: TestPartnerClient;
  let labToken: string;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  /** The bundle a sexual health clinic sends for a referral: one report, one Observation per reading, each conditional. */
  function bundle(referralId: string, label: string, effective: string, readings: readonly Reading[]) {
    const basedOn = [{ identifier: { system: REFERRAL_SYSTEM, value: referralId } }];
    const urns = readings.map(() => `urn:uuid:${newId()}`);
    return {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        ...readings.map((r, i) => ({
          fullUrl: urns[i],
          resource: {
            resourceType: 'Observation',
            identifier: [{ system: 'https://clinic.example/observation', value: `${label}-${r.code}` }],
            status: 'final',
            code: { coding: [{ system: LOINC, code: r.code }] },
            effectiveDateTime: effective,
            valueCodeableConcept: { text: r.detected ? 'Detected' : 'Not detected' },
            interpretation: [{ coding: [{ system: INTERPRETATION, code: r.detected ? 'POS' : 'NEG' }] }],
          },
          request: {
            method: 'POST',
            url: 'Observation',
            ifNoneExist: `identifier=https://clinic.example/observation|${label}-${r.code}`,
          },
        })),
        {
          fullUrl: `urn:uuid:${newId()}`,
          resource: {
            resourceType: 'DiagnosticReport',
            identifier: [{ system: 'https://clinic.example/report', value: label }],
            status: 'final',
            code: { text: 'Blood-borne virus screen' },
            basedOn,
            effectiveDateTime: effective,
            result: urns.map((reference) => ({ reference })),
          },
          request: {
            method: 'POST',
            url: 'DiagnosticReport',
            ifNoneExist: `identifier=https://clinic.example/report|${label}`,
          },
        },
      ],
    };
  }
  const negatives: Reading[] = [HBSAG, HCV_RNA, HIV].map((code) => ({ code, detected: false }));
  const post = (body: object) =>
    request(t.app)
      .post('/fhir/R4')
      .set({ Authorization: `Bearer ${labToken}`, Accept: FHIR_JSON })
      .set('Content-Type', FHIR_JSON)
      .send(body);
  const incident = async (id: string) => {
    const res = await request(t.app).get(`/api/v1/bbv-incidents/${id}`).set(as('clinician'));
    expect(res.status).toBe(200);
    return res.body as {
      pathwayId: string;
      schedule: Array<{ timepoint: string; status: string; results: Array<{ test: string; result: string }> }>;
      clinical: { results: Array<{ timepoint: string; test: string; result: string; source: string }> };
    };
  };
  const timepoint = async (id: string, tp: string) => (await incident(id)).schedule.find((s) => s.timepoint === tp)!;
  const steps = async (pathwayId: string) =>
    Object.fromEntries(
      (
        (await request(t.app).get(`/api/v1/pathways/${pathwayId}`).set(as('clinician'))).body.steps as Array<{
          code: string;
          status: string;
          escalationLevel?: number;
        }>
      ).map((s) => [s.code, s]),
    );
  const labRows = (pathwayId: string) =>
    t.database.db('fhir_resources').whereIn('resource_type', ['DiagnosticReport', 'Observation']).where({
      pathway_id: pathwayId,
    });
  async function consent(purpose: string, dataCategories: string[]) {
    const made = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/consents`)
      .set(as('clinician'))
      .send({
        kind: 'nhs-sharing',
        partnerOrganisationId: w.healthBoard.id,
        purpose,
        dataCategories,
        periodStart: t.clock.today(),
        description: `Blood tests after an exposure (${purpose})`,
        noticeBy: 'letter',
      });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const decided = await request(t.app)
      .post(`/api/v1/consents/${made.body.id}/decision`)
      .set(as('staff'))
      .send({ decision: 'given', method: 'platform' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  }

  /** An exposure recorded by OH with follow-up, its testing referral made and sent to the sexual health clinic. */
  async function exposureReferred(occurredAt: string): Promise<{ id: string; pathwayId: string; referralId: string }> {
    const made = await request(t.app).post('/api/v1/bbv-incidents').set(as('clinician')).send({
      personId: w.report.id,
      occurredAt,
      exposureType: 'needlestick',
      sourceKnown: false,
      highRiskHcv: false,
      followUpIndicated: true,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const { id, pathwayId } = made.body as { id: string; pathwayId: string };
    const done = await request(t.app)
      .post(`/api/v1/pathways/${pathwayId}/steps/testing-referral/complete`)
      .set(as('clinician'))
      .send({ note: 'Referred to the sexual health clinic for the follow-up blood tests.' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const referral = (
      (await request(t.app).get(`/api/v1/pathways/${pathwayId}/referrals`).set(as('clinician'))).body.items as Array<{
        id: string;
        serviceType: string;
        status: string;
      }>
    ).find((r) => r.serviceType === 'sexual-health')!;
    expect(referral.status).toBe('awaiting-consent');
    const shared = await request(t.app)
      .post(`/api/v1/pathway-referrals/${referral.id}/share`)
      .set(as('clinician'))
      .send({ partnerOrganisationId: w.healthBoard.id });
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    expect(shared.body.dataCategories).toContain('sexual-health');
    await t.platform.jobs.runner.runDue();
    expect(
      await t.database.db('referral_deliveries').where({ pathway_referral_id: referral.id }).first(),
    ).toMatchObject({ status: 'sent' });
    return { id, pathwayId, referralId: referral.id };
  }

  let first: { id: string; pathwayId: string; referralId: string };
  let second: { id: string; pathwayId: string; referralId: string };

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2027-01-04T09:00:00Z');
    w = await buildWorld(t);
    partner = await startPartnerProcess();
    await t.database.db('partner_services').update({ enabled: false });
    const service = await request(t.app)
      .post('/api/v1/partner-services')
      .set(as('ohAdmin'))
      .send({
        organisationId: w.healthBoard.id,
        name: 'Westshire sexual health clinic',
        serviceType: 'sexual-health',
        baseUrl: partner.url,
        mode: 'bars',
        auth: { kind: 'none' },
        pathways: ['bbv'],
      });
    expect(service.status, JSON.stringify(service.body)).toBe(201);
    lab = await registerPartnerClient(t, w, w.healthBoard.id);
    // The person agrees to their referral going to the clinic for treatment (sexual health is sensitive, FHIR-6).
    await consent('treatment', ['demographics', 'referral-details', 'sexual-health']);
    first = await exposureReferred('2027-01-04T08:00:00Z');
  });
  afterAll(async () => {
    await partner?.stop();
    await t?.destroy();
  });

  it('when the person has not consented to results coming back to OH, then the results are refused 403 and the schedule does not move', async () => {
    t.clock.set('2027-02-03T12:00:00Z');
    labToken = await lab.token();
    const res = await post(bundle(first.referralId, 'A-4-6', '2027-02-02T10:00:00Z', negatives));
    expect(res.status).toBe(403);
    expect(res.body.issue[0].details.coding[0].code).toBe('consent-not-given');
    expect(await labRows(first.pathwayId)).toHaveLength(0);
    const due = await timepoint(first.id, '4-6-weeks');
    expect(due).toMatchObject({ status: 'due', results: [] });
    expect((await steps(first.pathwayId))['test-4-6-weeks']!.status).toBe('open');
  });

  it('when three negative results in the 4–6 week window arrive under consent, then that timepoint is complete and its step done; sent again, nothing is recorded twice', async () => {
    await consent('results-to-oh', ['test-results', 'sexual-health']);
    const sent = bundle(first.referralId, 'A-4-6', '2027-02-02T10:00:00Z', negatives);
    const res = await post(sent);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '201 Created',
      '201 Created',
      '201 Created',
      '201 Created',
    ]);
    const done = await timepoint(first.id, '4-6-weeks');
    expect(done.status).toBe('complete');
    expect(done.results).toEqual(
      expect.arrayContaining([
        { test: 'HBsAg', result: 'negative' },
        { test: 'HCV-Ag-PCR', result: 'negative' },
        { test: 'HIV-Ag-Ab', result: 'negative' },
      ]),
    );
    expect(done.results).toHaveLength(3);
    const record = await incident(first.id);
    expect(record.clinical.results.map((r) => [r.timepoint, r.source])).toEqual([
      ['4-6-weeks', 'laboratory'],
      ['4-6-weeks', 'laboratory'],
      ['4-6-weeks', 'laboratory'],
    ]);
    expect((await steps(first.pathwayId))['test-4-6-weeks']!.status).toBe('completed');
    expect((await timepoint(first.id, '3-months')).status).toBe('upcoming');

    // A retry of the same Bundle (conditional creates): the server answers with what it holds, and records nothing.
    const again = await post(sent);
    expect(again.status).toBe(200);
    expect(again.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '200 OK',
      '200 OK',
      '200 OK',
      '200 OK',
    ]);
    expect(await labRows(first.pathwayId)).toHaveLength(4);
    expect((await incident(first.id)).clinical.results).toHaveLength(3);
    expect(await t.database.db('bbv_results').where({ incident_id: first.id })).toHaveLength(3);
  });

  it('when a sample was taken before the first window (a baseline), then it is stored but completes no timepoint', async () => {
    second = await exposureReferred('2027-02-03T08:00:00Z');
    t.clock.set('2027-02-05T12:00:00Z');
    labToken = await lab.token();
    const res = await post(bundle(second.referralId, 'B-baseline', '2027-02-03T11:00:00Z', negatives));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await labRows(second.pathwayId)).toHaveLength(4);
    const record = await incident(second.id);
    expect(record.clinical.results).toEqual([]);
    expect(record.schedule.map((s) => s.status)).toEqual(['upcoming', 'upcoming', 'upcoming']);
    expect((await steps(second.pathwayId))['test-4-6-weeks']!.status).not.toBe('completed');
  });

  it('when a positive HIV result arrives in the window, then the timepoint needs review, the review step goes to the OH clinicians at once and an urgent specialist referral is made (BBV-9)', async () => {
    t.clock.set('2027-03-10T12:00:00Z');
    labToken = await lab.token();
    const positive = await post(
      bundle(second.referralId, 'B-4-6', '2027-03-09T10:00:00Z', [
        { code: HBSAG, detected: false },
        { code: HCV_RNA, detected: false },
        { code: HIV, detected: true },
      ]),
    );
    expect(positive.status, JSON.stringify(positive.body)).toBe(200);
    const tp = await timepoint(second.id, '4-6-weeks');
    expect(tp.status).toBe('needs-review');
    expect(tp.results).toContainEqual({ test: 'HIV-Ag-Ab', result: 'positive' });
    const s = await steps(second.pathwayId);
    expect(s['result-review']!.status).toBe('open');
    expect(s['result-review']!.escalationLevel).toBeGreaterThanOrEqual(1);
    const review = await t.database
      .db('pathway_steps')
      .where({ pathway_id: second.pathwayId, step_code: 'result-review' })
      .first();
    expect(review).toMatchObject({ assignee_role: 'oh-clinician', assignee_user_id: null });
    const referrals = (await request(t.app).get(`/api/v1/pathways/${second.pathwayId}/referrals`).set(as('clinician')))
      .body.items as Array<{ serviceType: string; priority: string; status: string }>;
    expect(referrals.filter((r) => r.serviceType === 'specialist')).toEqual([
      expect.objectContaining({ serviceType: 'specialist', priority: 'urgent', status: 'awaiting-consent' }),
    ]);
    // The first exposure's schedule is untouched by the second's results.
    expect((await incident(first.id)).clinical.results).toHaveLength(3);
  });
});

/**
 * The demo (src/demo/README.md): the officer's exposure about 100 days ago has its 3-month window open,
 * and its testing referral is shared with the sandbox sexual health clinic. With the sandbox partner
 * running (as `npm start` runs it), the clinic's simulated staff book the officer in and send the
 * results, and the 3-month timepoint completes: the schedule moves on its own.
 */
describe('the demo’s exposure at the sandbox sexual health clinic', () => {
  let t: TestPlatform;
  let server: Server;
  let partner: PartnerProcess;

  beforeAll(async () => {
    const port = await freePort();
    let sandboxPort = await freePort();
    while (sandboxPort === port) sandboxPort = await freePort();
    t = await createTestPlatform({ PUBLIC_URL: `http://127.0.0.1:${port}`, SANDBOX_PARTNER_PORT: String(sandboxPort) });
    await seedDemo(t.platform, { people: 40, seed: 1988, years: 1 });
    server = t.app.listen(port, '127.0.0.1');
    const simulate = await sandboxSimulation(t.platform, 150);
    expect(simulate).not.toBeNull();
    partner = await startPartnerProcess({
      port: sandboxPort,
      simulate: { ...simulate!, clockOffsetMs: t.clock.now().getTime() - Date.now() },
    });
  });
  afterAll(async () => {
    await partner?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await t?.destroy();
  });

  it('when the sandbox clinic has the referral, then its results complete the 3-month timepoint, keeping only the tests it needs', async () => {
    const db = t.database.db;
    const officer = await db('users')
      .where({ email: DEMO_ACCOUNTS.find((a) => a.role === 'staff')!.email })
      .first();
    const row = await db('bbv_incidents').where({ person_id: officer.person_id }).first();
    const clinicianUser = await db('users')
      .where({ email: DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!.email })
      .first();
    const actor = await t.platform.services.auth.actorFor(
      (await t.platform.repositories.users.findById(clinicianUser.id))!,
      undefined,
      'session',
    );
    const ctx = { actor: actor!, requestId: 'test', ip: null };
    const before = await t.platform.services.bbv.get(ctx, row.id);
    expect(before.schedule.map((s) => s.status)).toEqual(['complete', 'due', 'upcoming']);
    expect(before.results.map((r) => [r.timepoint, r.source])).toEqual([
      ['4-6-weeks', 'oh'],
      ['4-6-weeks', 'oh'],
      ['4-6-weeks', 'oh'],
    ]);
    await t.platform.jobs.runner.runDue();
    // The partner works on its own clock: keep our fixed clock in step with it while waiting.
    const started = Date.now();
    const fixedAt = t.clock.now().getTime();
    let after = before;
    while (after.schedule[1]!.status !== 'complete' && Date.now() - started < 25_000) {
      await new Promise((r) => setTimeout(r, 150));
      t.clock.set(new Date(fixedAt + (Date.now() - started)));
      after = await t.platform.services.bbv.get(ctx, row.id);
    }
    expect(after.schedule.map((s) => s.status)).toEqual(['complete', 'complete', 'upcoming']);
    const threeMonths = after.results.filter((r) => r.timepoint === '3-months');
    expect(threeMonths.map((r) => [r.test, r.result, r.source]).sort()).toEqual([
      ['HBsAg', 'negative', 'laboratory'],
      ['HCV-Ab', 'negative', 'laboratory'],
      ['HIV-Ag-Ab', 'negative', 'laboratory'],
    ]);
    const step = await db('pathway_steps').where({ pathway_id: row.pathway_id, step_code: 'test-3-months' }).first();
    expect(step.status).toBe('completed');
  });
});

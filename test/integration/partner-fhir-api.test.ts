import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Bundle,
  CapabilityStatement,
  DiagnosticReport,
  Observation,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import { validateFhirResource } from '../../src/fhir/core/fhir-validation.js';
import { REFERRAL_SYSTEM, REFERRAL_TASK_SYSTEM } from '../../src/fhir/delivery/referral-bundle.js';
import { BUSINESS_STATUS_SYSTEM } from '../../src/fhir/partner-api/task-progress.js';
import { PARTNER_SCOPES, scopesAllow } from '../../src/fhir/partner-api/smart/smart-scopes.js';
import { newId } from '../../src/shared/ids.js';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import {
  clientAssertion,
  partnerKeys,
  registerPartnerClient,
  type TestPartnerClient,
} from '../support/partner-client.js';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';
import { deliveryWorld } from './support/delivery-world.js';

const FHIR_JSON = 'application/fhir+json';

/**
 * The partner-facing FHIR API (issue 6 §4) as NHS partner systems use it over HTTP: SMART Backend
 * Services tokens (FHIR-8), read and search of what was sent to them and nothing else, Task updates
 * (FHIR-4) and BaRS responses (FHIR-2) that move the referral's journey on, and laboratory results
 * stored against the person and pathway for OH clinicians only.
 */
describe('partner-facing FHIR API', () => {
  let t: TestPlatform;
  let w: World;
  let d: ReturnType<typeof deliveryWorld>;
  let partner: PartnerProcess;
  let board: TestPartnerClient;
  let other: TestPartnerClient;
  let otherOrgId: string;
  let referralId: string;
  let pathwayId: string;
  let boardToken: string;
  const fhir = (token: string) => ({ Authorization: `Bearer ${token}`, Accept: FHIR_JSON });

  /** The Task of the referral, as the board's system finds it by the referral's identifier. */
  async function taskOf(id: string, token = boardToken): Promise<Task> {
    const found = await request(t.app)
      .get(`/fhir/R4/Task?identifier=${encodeURIComponent(`${REFERRAL_TASK_SYSTEM}|${id}`)}`)
      .set(fhir(token));
    expect(found.status).toBe(200);
    return (found.body as Bundle<Task>).entry![0]!.resource!;
  }

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2027-01-04T09:00:00Z');
    w = await buildWorld(t);
    d = deliveryWorld(t, w);
    partner = await startPartnerProcess();
    await d.partnerService(partner.url, 'bars');
    await d.consent();
    referralId = await d.sharedReferral();
    pathwayId = (await t.database.db('pathway_referrals').where({ id: referralId }).first()).pathway_id;
    await t.platform.jobs.runner.runDue();
    expect(await d.delivery(referralId)).toMatchObject({ status: 'sent' });
    board = await registerPartnerClient(t, w, w.healthBoard.id);
    otherOrgId = newId();
    await t.platform.repositories.people.insertOrganisation(
      { id: otherOrgId, name: 'Another Trust', kind: 'nhs-partner', odsCode: 'RX1', hostOrganisationId: null },
      t.clock.now(),
    );
    other = await registerPartnerClient(t, w, otherOrgId);
    boardToken = await board.token();
  });
  afterAll(async () => {
    await partner?.stop();
    await t?.destroy();
  });

  it('when the CapabilityStatement is read, then it validates and lists exactly the routes the server mounts', async () => {
    const res = await request(t.app).get('/fhir/R4/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain(FHIR_JSON);
    const statement = res.body as CapabilityStatement;
    expect(validateFhirResource(statement)).toEqual([]);
    const listed = statement
      .rest![0]!.resource!.flatMap((r) => r.interaction!.map((i) => `${i.code} ${r.type}`))
      .sort();
    const mounted = t.platform.app.registry
      .list()
      .filter(
        (r) =>
          r.kind === 'fhir' &&
          r.fhir?.resourceType &&
          ['read', 'search-type', 'update', 'create'].includes(r.fhir.interaction),
      )
      .map((r) => `${r.fhir!.interaction} ${r.fhir!.resourceType}`)
      .sort();
    expect(listed).toEqual(mounted);
    expect(statement.rest![0]!.operation?.map((o) => o.name)).toEqual(['process-message']);
    // The scopes a partner system is offered open every route that needs one.
    const needed = t.platform.app.registry
      .list()
      .flatMap((r) => (r.kind === 'fhir' && r.fhir?.scope ? [r.fhir.scope] : []));
    expect(needed.filter((n) => !scopesAllow([...PARTNER_SCOPES], n.resourceType, n.access))).toEqual([]);
    const smart = await request(t.app).get('/fhir/R4/.well-known/smart-configuration');
    expect(smart.body).toMatchObject({
      token_endpoint: t.platform.services.partnerAuth.tokenUrl,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    });
  });

  it('when every search parameter the CapabilityStatement lists is used, then the server takes it; one it does not list is refused 400', async () => {
    const statement = (await request(t.app).get('/fhir/R4/metadata')).body as CapabilityStatement;
    const sample: Record<string, string> = {
      _id: newId(),
      _lastUpdated: 'ge2026-01-01',
      identifier: `${REFERRAL_SYSTEM}|${referralId}`,
      status: 'active',
      subject: `Patient/${newId()}`,
      patient: `Patient/${newId()}`,
      focus: `ServiceRequest/${newId()}`,
      _count: '5',
      _offset: '0',
    };
    for (const resource of statement.rest![0]!.resource!.filter((r) => r.searchParam)) {
      for (const p of resource.searchParam!) {
        const res = await request(t.app)
          .get(`/fhir/R4/${resource.type}`)
          .query({ [p.name]: sample[p.name]! })
          .set(fhir(boardToken));
        expect(res.status, `${resource.type}?${p.name}`).toBe(200);
      }
      const unknown = await request(t.app).get(`/fhir/R4/${resource.type}?name=Riley`).set(fhir(boardToken));
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-supported' }] });
    }
  });

  describe('SMART Backend Services tokens (FHIR-8)', () => {
    const form = (assertion: string, scope = 'system/Task.rs') => ({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    });
    const token = (body: Record<string, string>) => request(t.app).post('/fhir/R4/token').type('form').send(body);
    const aud = () => t.platform.services.partnerAuth.tokenUrl;

    it('when a good assertion is sent, then a short-lived token with the scopes asked for (within the registration) comes back', async () => {
      const res = await token(
        form(
          await clientAssertion(board.privateJwk, { clientId: board.clientId, aud: aud(), now: t.clock.now() }),
          'system/Task.rus system/Practitioner.r',
        ),
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 300, scope: 'system/Task.rus' });
    });

    it('when the assertion has expired, then it is refused invalid_client', async () => {
      const assertion = await clientAssertion(board.privateJwk, {
        clientId: board.clientId,
        aud: aud(),
        now: new Date(t.clock.now().getTime() - 600_000),
      });
      const res = await token(form(assertion));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        error: 'invalid_client',
        error_description: expect.stringContaining('expired'),
      });
    });

    it('when the same assertion (the same jti) is sent again, then the replay is refused', async () => {
      const assertion = await clientAssertion(board.privateJwk, {
        clientId: board.clientId,
        aud: aud(),
        now: t.clock.now(),
      });
      expect((await token(form(assertion))).status).toBe(200);
      const replay = await token(form(assertion));
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({
        error: 'invalid_client',
        error_description: expect.stringContaining('used before'),
      });
      const entry = await t.database
        .db('audit_events')
        .where({ entity_type: 'partner-client', outcome: 'denied', reason: 'assertion-replayed' })
        .first();
      expect(entry).toBeDefined();
    });

    it('when the assertion is signed by a key that is not registered for the client, then it is refused', async () => {
      const stranger = await partnerKeys();
      const res = await token(
        form(
          await clientAssertion(
            { ...stranger.privateJwk, kid: board.privateJwk.kid },
            { clientId: board.clientId, aud: aud(), now: t.clock.now() },
          ),
        ),
      );
      expect(res.status).toBe(401);
      expect(res.body.error_description).toContain('not signed');
    });

    it('when the assertion names another audience, lives longer than 5 minutes, or another client signs as this one, then it is refused', async () => {
      expect(
        (
          await token(
            form(
              await clientAssertion(board.privateJwk, {
                clientId: board.clientId,
                aud: 'https://elsewhere.example/token',
                now: t.clock.now(),
              }),
            ),
          )
        ).body.error_description,
      ).toContain('aud');
      expect(
        (
          await token(
            form(
              await clientAssertion(board.privateJwk, {
                clientId: board.clientId,
                aud: aud(),
                now: t.clock.now(),
                expiresInS: 3600,
              }),
            ),
          )
        ).body.error_description,
      ).toContain('5 minutes');
      expect(
        (
          await token(
            form(await clientAssertion(other.privateJwk, { clientId: board.clientId, aud: aud(), now: t.clock.now() })),
          )
        ).status,
      ).toBe(401);
    });

    it('when the grant, assertion type or scope is wrong, then OAuth errors say which', async () => {
      const assertion = await clientAssertion(board.privateJwk, {
        clientId: board.clientId,
        aud: aud(),
        now: t.clock.now(),
      });
      expect((await token({ ...form(assertion), grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
      expect((await token({ ...form(assertion), client_assertion_type: 'x' })).body.error).toBe('invalid_request');
      const scope = await token(
        form(
          await clientAssertion(board.privateJwk, { clientId: board.clientId, aud: aud(), now: t.clock.now() }),
          'system/Practitioner.r',
        ),
      );
      expect(scope.status).toBe(400);
      expect(scope.body.error).toBe('invalid_scope');
      expect(
        (await request(t.app).post('/fhir/R4/token').set('Content-Type', 'application/json').send('{}')).status,
      ).toBe(415);
    });

    it('when a request has no token, a made-up token or a token past its 5 minutes, then 401 OperationOutcome', async () => {
      const missing = await request(t.app).get('/fhir/R4/ServiceRequest');
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
      expect((await request(t.app).get('/fhir/R4/ServiceRequest').set(fhir('blpp_made_up'))).status).toBe(401);
      const soon = await board.token();
      t.clock.advance(301_000);
      expect((await request(t.app).get('/fhir/R4/ServiceRequest').set(fhir(soon))).status).toBe(401);
      boardToken = await board.token();
    });
  });

  describe('what a partner reads: only what is addressed to it', () => {
    it('when the board searches for the referral by its identifier, then it finds the ServiceRequest as it was sent, and its Patient, Consent and Task', async () => {
      const res = await request(t.app)
        .get(`/fhir/R4/ServiceRequest?identifier=${encodeURIComponent(`${REFERRAL_SYSTEM}|${referralId}`)}`)
        .set(fhir(boardToken));
      expect(res.status).toBe(200);
      const bundle = res.body as Bundle<ServiceRequest>;
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      expect(bundle.entry).toHaveLength(1);
      const sr = bundle.entry![0]!.resource!;
      expect(sr).toMatchObject({
        status: 'active',
        intent: 'plan',
        identifier: [{ system: REFERRAL_SYSTEM, value: referralId }],
        meta: { versionId: '1' },
      });
      const patient = await request(t.app).get(`/fhir/R4/${sr.subject!.reference}`).set(fhir(boardToken));
      expect(patient.status).toBe(200);
      expect(patient.body).toMatchObject({ resourceType: 'Patient', name: [{ family: 'Report' }] });
      expect(patient.headers.etag).toBe('W/"1"');
      const consentRef = sr.supportingInfo!.find((s) => s.reference?.startsWith('Consent/'))!.reference!;
      expect((await request(t.app).get(`/fhir/R4/${consentRef}`).set(fhir(boardToken))).body).toMatchObject({
        resourceType: 'Consent',
        status: 'active',
      });
      const task = await taskOf(referralId);
      expect(task).toMatchObject({
        status: 'requested',
        intent: 'order',
        focus: { reference: `ServiceRequest/${sr.id}` },
        for: sr.subject,
      });
      // The reads were audited as the partner system.
      const audited = await t.database.db('audit_events').where({
        actor_role: 'partner-system',
        actor_user_id: board.id,
        action: 'read',
        subject_person_id: w.report.id,
      });
      expect(audited.length).toBeGreaterThanOrEqual(2);
    });

    it('when another partner asks for the board’s ServiceRequest, then 404 exactly as for one that does not exist, and its searches find nothing', async () => {
      const otherToken = await other.token();
      const sr = (
        await request(t.app)
          .get(`/fhir/R4/ServiceRequest?identifier=${encodeURIComponent(`${REFERRAL_SYSTEM}|${referralId}`)}`)
          .set(fhir(boardToken))
      ).body.entry[0].resource as ServiceRequest;
      const theirs = await request(t.app).get(`/fhir/R4/ServiceRequest/${sr.id}`).set(fhir(otherToken));
      const missing = await request(t.app).get(`/fhir/R4/ServiceRequest/${newId()}`).set(fhir(otherToken));
      expect(theirs.status).toBe(404);
      expect(theirs.body.issue[0].code).toBe('not-found');
      expect(theirs.body).toEqual(missing.body);
      for (const type of ['ServiceRequest', 'Task', 'Patient', 'Consent', 'QuestionnaireResponse']) {
        const found = await request(t.app).get(`/fhir/R4/${type}`).set(fhir(otherToken));
        expect(found.status).toBe(200);
        expect(found.body.entry ?? []).toEqual([]);
      }
      expect(
        (
          await request(t.app)
            .put(`/fhir/R4/Task/${(await taskOf(referralId)).id}`)
            .set(fhir(otherToken))
            .send({ ...(await taskOf(referralId)), status: 'accepted' })
        ).status,
      ).toBe(404);
    });

    it('when a token lacks the scope a route needs, then 403 OperationOutcome naming it, audited', async () => {
      const readOnly = await board.token(['system/Task.rs']);
      const task = await taskOf(referralId, readOnly);
      const res = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(readOnly))
        .send({ ...task, status: 'accepted' });
      expect(res.status).toBe(403);
      expect(res.body.issue[0]).toMatchObject({
        code: 'forbidden',
        details: { text: expect.stringContaining('system/Task.u') },
      });
      expect((await request(t.app).get('/fhir/R4/ServiceRequest').set(fhir(readOnly))).status).toBe(403);
      expect(
        await t.database
          .db('audit_events')
          .where({ actor_user_id: board.id, outcome: 'denied', reason: 'scope-not-granted' })
          .first(),
      ).toBeDefined();
      expect((await taskOf(referralId)).status).toBe('requested');
    });

    it('when a user’s API token is used on the FHIR API, then 401: only partner systems use it', async () => {
      expect(
        (await request(t.app).get('/fhir/R4/Task').set('Authorization', `Bearer ${w.tokens.clinician}`)).status,
      ).toBe(401);
    });
  });

  describe('progress from the partner (FHIR-4, FHIR-2)', () => {
    it('when the partner answers with a BaRS response (ok), then the referral is received; the same message again is refused as a duplicate', async () => {
      const deliveryId = (await d.delivery(referralId)).id as string;
      const message = {
        resourceType: 'Bundle',
        id: newId(),
        type: 'message',
        timestamp: '2027-01-04T10:00:00Z',
        entry: [
          {
            fullUrl: `urn:uuid:${newId()}`,
            resource: {
              resourceType: 'MessageHeader',
              eventCoding: {
                system: 'https://fhir.nhs.uk/CodeSystem/message-events-bars',
                code: 'servicerequest-response',
              },
              source: { endpoint: 'https://board.example/fhir' },
              response: { identifier: deliveryId, code: 'ok' },
            },
          },
        ],
      };
      const res = await request(t.app)
        .post('/fhir/R4/$process-message')
        .set(fhir(boardToken))
        .set('Content-Type', FHIR_JSON)
        .send(message);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.entry[0].resource.response).toMatchObject({ identifier: message.id, code: 'ok' });
      expect((await taskOf(referralId)).status).toBe('received');
      const again = await request(t.app)
        .post('/fhir/R4/$process-message')
        .set(fhir(boardToken))
        .set('Content-Type', FHIR_JSON)
        .send(message);
      expect(again.status).toBe(409);
      expect(again.body.issue[0].code).toBe('duplicate');
      const unknown = await request(t.app)
        .post('/fhir/R4/$process-message')
        .set(fhir(boardToken))
        .set('Content-Type', FHIR_JSON)
        .send({
          ...message,
          id: newId(),
          entry: [
            {
              ...message.entry[0],
              resource: { ...message.entry[0]!.resource, response: { identifier: newId(), code: 'ok' } },
            },
          ],
        });
      expect(unknown.status).toBe(422);
    });

    it('when the partner accepts and books the referral by updating its Task, then the clinician sees the journey; the officer sees it in plain English; the manager sees nothing of it', async () => {
      let task = await taskOf(referralId);
      const accepted = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .set('If-Match', `W/"${task.meta!.versionId}"`)
        .send({ ...task, status: 'accepted' });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      task = accepted.body as Task;
      const booked = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .send({
          ...task,
          status: 'in-progress',
          businessStatus: { coding: [{ system: BUSINESS_STATUS_SYSTEM, code: 'booked' }] },
          executionPeriod: { start: '2027-01-12T10:30:00Z' },
          // Where (issue 15 §8): the clinic in words, and a Location contained in the Task.
          contained: [
            {
              resourceType: 'Location',
              id: 'opd',
              name: 'Outpatients Department',
              address: { line: ['Westshire General Hospital'], postalCode: 'WS1 2AB' },
            },
          ],
          location: { reference: '#opd', display: 'Physiotherapy' },
        });
      expect(booked.status, JSON.stringify(booked.body)).toBe(200);
      expect(booked.body).toMatchObject({ location: { reference: '#opd' }, contained: [{ id: 'opd' }] });
      const place = 'Physiotherapy, Outpatients Department, Westshire General Hospital, WS1 2AB';
      expect(
        await t.database.db('referral_progress').where({ pathway_referral_id: referralId, status: 'booked' }).first(),
      ).toMatchObject({ appointment_place: place });
      const journey = (
        await t.database.db('referral_progress').where({ pathway_referral_id: referralId }).orderBy('id')
      ).map((r: { status: string }) => r.status);
      expect(journey).toEqual(['received', 'accepted', 'booked']);
      const clinician = await (await signIn(t, w.users.clinician.email)).get(`/pathways/${pathwayId}`);
      expect(clinician.text).toContain('Appointment booked');
      expect(clinician.text).toContain(`where: ${place}`);
      const officer = await signIn(t, w.users.staff.email);
      const own = await officer.get(`/pathways/${pathwayId}`);
      expect(own.text).toContain(`you have an appointment on 12 January 2027 at 10:30am. Where: ${place}.`);
      // Cymraeg: the time as the Welsh read it (and back to English after).
      const language = (lang: string) =>
        officer
          .post('/language')
          .type('form')
          .send({ _csrf: csrfFrom(own.text), lang, returnTo: '/' })
          .expect(303);
      await language('cy');
      expect((await officer.get(`/pathways/${pathwayId}`)).text).toContain(
        `mae gennych apwyntiad ar 12 Ionawr 2027 am 10:30. Ble: ${place}.`,
      );
      await language('en');
      const journeyJson = await officer.get(`/pathways/${pathwayId}/journey.json`);
      expect(JSON.stringify(journeyJson.body)).toContain(`at 10:30am. Where: ${place}.`);
      for (const path of ['/', '/me/referrals'])
        expect((await officer.get(path)).text, path).toMatch(
          new RegExp(`12 January 2027 at 10:30am[^]{0,200}Where: ${place}`),
        );
      const manager = await (await signIn(t, w.users.lineManager.email)).get(`/pathways/${pathwayId}`);
      expect(manager.text).not.toContain('booked');
      expect(manager.text).not.toContain('physiotherapy');
      expect(manager.text).not.toContain('Westshire General Hospital');
    });

    it('when a Task update is stale, illegal or changes what the partner may not, then it is refused and nothing changes', async () => {
      const task = await taskOf(referralId);
      const stale = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .set('If-Match', 'W/"1"')
        .send({ ...task, status: 'completed' });
      expect(stale.status).toBe(412);
      const backwards = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .send({ ...task, status: 'requested' });
      expect(backwards.status).toBe(422);
      expect(backwards.body.issue[0]).toMatchObject({
        code: 'business-rule',
        details: { coding: [{ code: 'illegal-transition' }] },
      });
      const moved = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .send({ ...task, for: { reference: `Patient/${newId()}` } });
      expect(moved.status).toBe(422);
      expect(moved.body.issue[0].details.coding[0].code).toBe('immutable-field');
      // A place we cannot read, or longer than we take, is refused (issue 15 §8).
      const nowhere = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .send({ ...task, location: { reference: '#missing' } });
      expect(nowhere.status).toBe(422);
      expect(nowhere.body.issue[0].details.coding[0].code).toBe('invalid-location');
      const tooLong = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .send({ ...task, location: { display: 'x'.repeat(201) } });
      expect(tooLong.status).toBe(400);
      const smuggled = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .send({ ...task, contained: [{ resourceType: 'Patient', id: 'p' }] });
      expect(smuggled.status).toBe(400);
      const noReason = await request(t.app)
        .put(`/fhir/R4/Task/${task.id}`)
        .set(fhir(boardToken))
        .send({ ...task, status: 'on-hold', statusReason: undefined });
      expect(noReason.status).toBe(200);
      expect((await taskOf(referralId)).meta!.versionId).toBe(String(Number(task.meta!.versionId) + 1));
    });
  });

  describe('laboratory results (issue 6 §4)', () => {
    const report = (obsUrn: string): DiagnosticReport => ({
      resourceType: 'DiagnosticReport',
      identifier: [{ system: 'https://lab.example/report', value: `R-${referralId}` }],
      status: 'final',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '395124008', display: 'Blood-borne virus screen' }] },
      basedOn: [{ identifier: { system: REFERRAL_SYSTEM, value: referralId } }],
      result: [{ reference: obsUrn }],
      conclusion: 'No blood-borne virus detected',
    });
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '56888-1', display: 'HIV 1+2 Ab+HIV1 p24 Ag' }] },
      valueCodeableConcept: { text: 'Not detected' },
    };
    const transaction = () => {
      const obsUrn = `urn:uuid:${newId()}`;
      return {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: obsUrn, resource: observation, request: { method: 'POST', url: 'Observation' } },
          {
            fullUrl: `urn:uuid:${newId()}`,
            resource: report(obsUrn),
            request: {
              method: 'POST',
              url: 'DiagnosticReport',
              ifNoneExist: `identifier=https://lab.example/report|R-${referralId}`,
            },
          },
        ],
      };
    };

    it('when the person has not consented to results coming back to OH, then the results are refused 403 and nothing is stored', async () => {
      const res = await request(t.app)
        .post('/fhir/R4')
        .set(fhir(boardToken))
        .set('Content-Type', FHIR_JSON)
        .send(transaction());
      expect(res.status).toBe(403);
      expect(res.body.issue[0].details.coding[0].code).toBe('consent-not-given');
      expect(await t.database.db('fhir_resources').where({ resource_type: 'DiagnosticReport' })).toHaveLength(0);
    });

    it('when a DiagnosticReport and its Observation arrive in a transaction, then they are stored against the right person and pathway, and shown to OH clinicians only', async () => {
      const consent = (
        await request(t.app)
          .post(`/api/v1/people/${w.report.id}/consents`)
          .set(d.as('clinician'))
          .send({
            kind: 'nhs-sharing',
            partnerOrganisationId: w.healthBoard.id,
            purpose: 'results-to-oh',
            dataCategories: ['test-results'],
            periodStart: '2027-01-04',
            description: 'Results back to OH',
            noticeBy: 'letter',
          })
      ).body;
      await request(t.app)
        .post(`/api/v1/consents/${consent.id}/decision`)
        .set(d.as('staff'))
        .send({ decision: 'given', method: 'platform' });
      const res = await request(t.app)
        .post('/fhir/R4')
        .set(fhir(boardToken))
        .set('Content-Type', FHIR_JSON)
        .send(transaction());
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
        '201 Created',
        '201 Created',
      ]);
      const rows = await t.database.db('fhir_resources').whereIn('resource_type', ['DiagnosticReport', 'Observation']);
      expect(rows).toHaveLength(2);
      for (const row of rows)
        expect(row).toMatchObject({
          person_id: w.report.id,
          pathway_id: pathwayId,
          pathway_referral_id: referralId,
          partner_organisation_id: w.healthBoard.id,
        });
      const stored = JSON.parse(
        rows.find((r: { resource_type: string }) => r.resource_type === 'DiagnosticReport').content,
      ) as DiagnosticReport;
      expect(stored.result![0]!.reference).toBe(
        `Observation/${rows.find((r: { resource_type: string }) => r.resource_type === 'Observation').id}`,
      );
      // Sent again (a retry), the conditional create finds the report: nothing new.
      const again = await request(t.app)
        .post('/fhir/R4')
        .set(fhir(boardToken))
        .set('Content-Type', FHIR_JSON)
        .send(transaction());
      expect(again.status).toBe(200);
      expect(await t.database.db('fhir_resources').where({ resource_type: 'DiagnosticReport' })).toHaveLength(1);
      const clinician = await (await signIn(t, w.users.clinician.email)).get(`/pathways/${pathwayId}`);
      expect(clinician.text).toContain('Blood-borne virus screen');
      expect(clinician.text).toContain('Not detected');
      for (const u of ['ohAdmin', 'lineManager', 'staff'] as const) {
        const page = await (await signIn(t, w.users[u].email)).get(`/pathways/${pathwayId}`);
        expect(page.text, u).not.toContain('Not detected');
        expect(page.text, u).not.toContain('Blood-borne virus screen');
      }
      const api = await request(t.app).get(`/api/v1/pathways/${pathwayId}/results`).set(d.as('clinician'));
      expect(api.status).toBe(200);
      expect(api.body.items[0]).toMatchObject({
        status: 'final',
        conclusion: 'No blood-borne virus detected',
        observations: [{ value: 'Not detected' }],
      });
      expect((await request(t.app).get(`/api/v1/pathways/${pathwayId}/results`).set(d.as('ohAdmin'))).status).toBe(403);
      expect(
        await t.database
          .db('audit_events')
          .where({ entity_type: 'lab-result', actor_user_id: w.users.clinician.id })
          .first(),
      ).toBeDefined();
    });

    it('when a result names a referral sent to someone else, then it is refused and nothing is stored', async () => {
      const res = await request(t.app)
        .post('/fhir/R4/Observation')
        .set(fhir(await other.token()))
        .set('Content-Type', FHIR_JSON)
        .send({ ...observation, basedOn: [{ identifier: { system: REFERRAL_SYSTEM, value: referralId } }] });
      expect(res.status).toBe(422);
      expect(res.body.issue[0].details.coding[0].code).toBe('unknown-referral');
    });
  });

  describe('withdrawal (§5c)', () => {
    it('when the person withdraws the consent the referral went under, then the partner can no longer read their details, but still sees the Task and the Consent as inactive', async () => {
      const sr = (
        await request(t.app)
          .get(`/fhir/R4/ServiceRequest?identifier=${encodeURIComponent(`${REFERRAL_SYSTEM}|${referralId}`)}`)
          .set(fhir(boardToken))
      ).body.entry[0].resource as ServiceRequest;
      const consentRef = sr.supportingInfo!.find((s) => s.reference?.startsWith('Consent/'))!.reference!;
      const given = (
        await request(t.app).get(`/api/v1/people/${w.report.id}/consents`).set(d.as('staff'))
      ).body.items.filter(
        (c: { status: string; purpose: string }) => c.status === 'given' && c.purpose !== 'results-to-oh',
      );
      for (const c of given)
        expect((await request(t.app).post(`/api/v1/consents/${c.id}/withdraw`).set(d.as('staff'))).status).toBe(200);
      expect((await request(t.app).get(`/fhir/R4/ServiceRequest/${sr.id}`).set(fhir(boardToken))).status).toBe(404);
      expect((await request(t.app).get(`/fhir/R4/${sr.subject!.reference}`).set(fhir(boardToken))).status).toBe(404);
      expect((await request(t.app).get(`/fhir/R4/${consentRef}`).set(fhir(boardToken))).body.status).toBe('inactive');
      expect((await taskOf(referralId)).status).toBe('on-hold');
    });
  });
});

import http from 'node:http';
import { exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';
import { clientAssertion, partnerKeys } from '../support/partner-client.js';

/** The partner directory (issue 6 §1) against real partner FHIR servers (@medplum/fhir-router) in their own processes. */
describe('partner directory', () => {
  let t: TestPlatform;
  let w: World;
  let open: PartnerProcess;
  let guarded: PartnerProcess;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const service = (overrides: Record<string, unknown> = {}) => ({
    organisationId: w.healthBoard.id,
    name: 'Westshire MSK physiotherapy',
    serviceType: 'nhs-msk-physiotherapy',
    baseUrl: open.url,
    mode: 'bars',
    auth: { kind: 'none' },
    pathways: ['msk'],
    ...overrides,
  });

  beforeAll(async () => {
    [t, open, guarded] = await Promise.all([
      createTestPlatform(),
      startPartnerProcess(),
      startPartnerProcess({ bearerToken: 'partner-token-123' }),
    ]);
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), guarded?.stop(), t?.destroy()]);
  });

  it('when an OH administrator adds a service and checks it, then the check reads the partner’s CapabilityStatement and is kept', async () => {
    const made = await request(t.app).post('/api/v1/partner-services').set(as('ohAdmin')).send(service());
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ organisationName: w.healthBoard.name, auth: { kind: 'none' }, lastCheck: null });
    const check = await request(t.app).post(`/api/v1/partner-services/${made.body.id}/check`).set(as('ohAdmin'));
    expect(check.body).toMatchObject({ ok: true, message: expect.stringContaining('FHIR 4.0.1') });
    expect(
      (await request(t.app).get(`/api/v1/partner-services/${made.body.id}`).set(as('clinician'))).body.lastCheck,
    ).toMatchObject({ ok: true });
    // Clinicians read the directory; only administrators change it.
    expect((await request(t.app).post('/api/v1/partner-services').set(as('clinician')).send(service())).status).toBe(
      403,
    );
  });

  it('when a partner wants a bearer token, then the check fails without it and succeeds with it; the token is never shown', async () => {
    const made = (
      await request(t.app)
        .post('/api/v1/partner-services')
        .set(as('ohAdmin'))
        .send(service({ name: 'Guarded', baseUrl: guarded.url, auth: { kind: 'bearer', token: 'wrong-token-000' } }))
    ).body;
    expect(made.auth).toEqual({ kind: 'bearer', tokenSet: true });
    expect(JSON.stringify(made)).not.toContain('wrong-token');
    // Sealed at rest: the database row does not hold the token either.
    const stored = await t.database.db('partner_services').where({ id: made.id }).first();
    expect(stored.auth_config).toMatch(/^v1:/);
    expect(stored.auth_config).not.toContain('wrong-token');
    expect(
      (await request(t.app).post(`/api/v1/partner-services/${made.id}/check`).set(as('ohAdmin'))).body,
    ).toMatchObject({ ok: false, message: expect.stringContaining('refused our credentials') });
    const changed = await request(t.app)
      .put(`/api/v1/partner-services/${made.id}`)
      .set(as('ohAdmin'))
      .send(service({ name: 'Guarded', baseUrl: guarded.url, auth: { kind: 'bearer', token: 'partner-token-123' } }));
    expect(changed.status).toBe(200);
    expect((await request(t.app).post(`/api/v1/partner-services/${made.id}/check`).set(as('ohAdmin'))).body.ok).toBe(
      true,
    );
    // A change without the token keeps the one stored.
    await request(t.app)
      .put(`/api/v1/partner-services/${made.id}`)
      .set(as('ohAdmin'))
      .send(service({ name: 'Guarded (renamed)', baseUrl: guarded.url, auth: { kind: 'bearer' } }));
    expect((await request(t.app).post(`/api/v1/partner-services/${made.id}/check`).set(as('ohAdmin'))).body.ok).toBe(
      true,
    );
    // Moving it to another address needs the token again: stored credentials never follow it elsewhere.
    const moved = await request(t.app)
      .put(`/api/v1/partner-services/${made.id}`)
      .set(as('ohAdmin'))
      .send(service({ name: 'Guarded', baseUrl: 'http://127.0.0.2:1/fhir', auth: { kind: 'bearer' } }));
    expect(moved.status).toBe(422);
    expect(moved.body.error.fields).toHaveProperty(['auth.token']);
  });

  it('when the partner authenticates with SMART Backend Services, then we sign a client assertion with our key and use the token it gives (FHIR-8)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
    const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'blp-1', alg: 'ES384' };
    const seen: Array<{ iss: unknown; sub: unknown; aud: unknown; scope: string | null }> = [];
    // The partner's token endpoint: a real HTTP server that checks the assertion with our public key.
    const tokenServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        try {
          // Judged at the test's clock, which signed it.
          const { payload } = await jwtVerify(form.get('client_assertion') ?? '', publicKey, {
            audience: tokenUrl,
            currentDate: t.clock.now(),
            maxTokenAge: '5m',
          });
          seen.push({ iss: payload.iss, sub: payload.sub, aud: payload.aud, scope: form.get('scope') });
          res
            .writeHead(200, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ access_token: 'partner-token-123', token_type: 'bearer', expires_in: 300 }));
        } catch {
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
        }
      });
    });
    await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
    const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}/token`;
    try {
      const made = (
        await request(t.app)
          .post('/api/v1/partner-services')
          .set(as('ohAdmin'))
          .send(
            service({
              name: 'SMART',
              baseUrl: guarded.url,
              auth: {
                kind: 'smart-backend',
                clientId: 'blue-light-pathways',
                tokenUrl,
                scope: 'system/ServiceRequest.c',
                privateKeyJwk: jwk,
              },
            }),
          )
      ).body;
      expect(made.auth).toEqual({
        kind: 'smart-backend',
        clientId: 'blue-light-pathways',
        tokenUrl,
        scope: 'system/ServiceRequest.c',
        keySet: true,
        keyId: 'blp-1',
      });
      expect(JSON.stringify(made)).not.toContain(String(jwk.d));
      const first = (await request(t.app).post(`/api/v1/partner-services/${made.id}/check`).set(as('ohAdmin'))).body;
      expect(first.message).toContain('Connected');
      expect(first.ok).toBe(true);
      expect(seen).toEqual([
        { iss: 'blue-light-pathways', sub: 'blue-light-pathways', aud: tokenUrl, scope: 'system/ServiceRequest.c' },
      ]);
      // A key the partner does not know is refused at its token endpoint, and the check says so.
      const { privateKey: other } = await generateKeyPair('ES384', { extractable: true });
      await request(t.app)
        .put(`/api/v1/partner-services/${made.id}`)
        .set(as('ohAdmin'))
        .send(
          service({
            name: 'SMART',
            baseUrl: guarded.url,
            auth: {
              kind: 'smart-backend',
              clientId: 'blue-light-pathways',
              tokenUrl,
              scope: 'system/ServiceRequest.c',
              privateKeyJwk: { ...(await exportJWK(other)), alg: 'ES384' },
            },
          }),
        );
      expect(
        (await request(t.app).post(`/api/v1/partner-services/${made.id}/check`).set(as('ohAdmin'))).body,
      ).toMatchObject({ ok: false, message: expect.stringContaining('token endpoint refused us') });
    } finally {
      await new Promise<void>((r) => tokenServer.close(() => r()));
    }
  });

  it('when the partner is down or the input is wrong, then the check fails with a plain reason and bad input is a 422', async () => {
    const down = (
      await request(t.app)
        .post('/api/v1/partner-services')
        .set(as('ohAdmin'))
        .send(service({ name: 'Down', baseUrl: 'http://127.0.0.1:9/fhir' }))
    ).body;
    expect(
      (await request(t.app).post(`/api/v1/partner-services/${down.id}/check`).set(as('ohAdmin'))).body,
    ).toMatchObject({ ok: false, message: expect.stringContaining('Could not connect') });
    const bad = await request(t.app)
      .post('/api/v1/partner-services')
      .set(as('ohAdmin'))
      .send(
        service({
          baseUrl: 'ftp://x',
          auth: {
            kind: 'smart-backend',
            clientId: 'x',
            tokenUrl: 'http://x/token',
            scope: 's',
            privateKeyJwk: { kty: 'RSA' },
          },
        }),
      );
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['baseUrl']));
    expect(
      (
        await request(t.app)
          .post('/api/v1/partner-services')
          .set(as('ohAdmin'))
          .send(service({ organisationId: w.host.id }))
      ).status,
    ).toBe(422);
  });

  it('when an administrator uses the pages, then a bad form comes back with 422 and the check button shows the outcome on the list', async () => {
    const admin = await signIn(t, w.users.ohAdmin.email);
    const form = await admin.get('/admin/partners/new');
    const csrf = csrfFrom(form.text);
    const bad = await admin.post('/admin/partners/new').type('form').send({
      _csrf: csrf,
      organisationId: w.healthBoard.id,
      name: 'Lab',
      serviceType: 'laboratory',
      baseUrl: 'not a url',
      mode: 'rest',
      authKind: 'none',
      enabled: 'yes',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="baseUrl-error"');
    const saved = await admin.post('/admin/partners/new').type('form').send({
      _csrf: csrf,
      organisationId: w.healthBoard.id,
      name: 'Westshire laboratory',
      serviceType: 'laboratory',
      baseUrl: open.url,
      mode: 'rest',
      authKind: 'none',
      enabled: 'yes',
    });
    expect(saved.status).toBe(303);
    const id = (await request(t.app).get('/api/v1/partner-services').set(as('ohAdmin'))).body.items.find(
      (s: { name: string }) => s.name === 'Westshire laboratory',
    ).id;
    const list = await admin.get('/admin/partners');
    expect(
      (
        await admin
          .post(`/admin/partners/${id}/check`)
          .type('form')
          .send({ _csrf: csrfFrom(list.text) })
      ).status,
    ).toBe(303);
    expect((await admin.get(`/admin/partners?checked=${id}`)).text).toMatch(
      /Connected: Blue Light Pathways sandbox partner, FHIR 4\.0\.1/,
    );
  });

  it('when an administrator registers a partner system on the pages, then bad keys come back with 422 beside the field, and the saved system can get a token and is listed', async () => {
    const admin = await signIn(t, w.users.ohAdmin.email);
    const form = await admin.get('/admin/partner-clients/new');
    const csrf = csrfFrom(form.text);
    const keys = await partnerKeys();
    const base = {
      _csrf: csrf,
      organisationId: w.healthBoard.id,
      name: 'Board referrals system',
      clientId: 'board-referrals',
      scopes: ['system/Task.rus', 'system/ServiceRequest.rs'],
      enabled: 'yes',
    };
    const notJson = await admin
      .post('/admin/partner-clients/new')
      .type('form')
      .send({ ...base, jwks: '{ not json' });
    expect(notJson.status).toBe(422);
    expect(notJson.text).toContain('id="jwks-error"');
    const privateKey = await admin
      .post('/admin/partner-clients/new')
      .type('form')
      .send({ ...base, jwks: JSON.stringify(keys.privateJwk) });
    expect(privateKey.status).toBe(422);
    expect(privateKey.text).toContain('private part');
    expect(
      (
        await admin
          .post('/admin/partner-clients/new')
          .type('form')
          .send({ ...base, jwks: JSON.stringify(keys.publicJwk) })
      ).status,
    ).toBe(303);
    const again = await admin
      .post('/admin/partner-clients/new')
      .type('form')
      .send({ ...base, jwks: JSON.stringify(keys.publicJwk) });
    expect(again.status).toBe(422);
    expect(again.text).toContain('id="clientId-error"');
    const list = await admin.get('/admin/partners');
    expect(list.text).toContain('board-referrals');
    const token = await request(t.app)
      .post('/fhir/R4/token')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await clientAssertion(keys.privateJwk, {
          clientId: 'board-referrals',
          aud: t.platform.services.partnerAuth.tokenUrl,
          now: t.clock.now(),
        }),
        scope: 'system/Task.rs',
      });
    expect(token.status).toBe(200);
    // Disabled on its page: its token stops working at once.
    const id = (await request(t.app).get('/api/v1/partner-clients').set(as('ohAdmin'))).body.items.find(
      (c: { clientId: string }) => c.clientId === 'board-referrals',
    ).id;
    const edit = await admin.get(`/admin/partner-clients/${id}`);
    expect(edit.text).toContain('board-referrals');
    expect(
      (
        await admin
          .post(`/admin/partner-clients/${id}`)
          .type('form')
          .send({
            ...base,
            _csrf: csrfFrom(edit.text),
            jwks: JSON.stringify({ keys: [keys.publicJwk] }),
            enabled: 'no',
          })
      ).status,
    ).toBe(303);
    expect(
      (await request(t.app).get('/fhir/R4/Task').set('Authorization', `Bearer ${token.body.access_token}`)).status,
    ).toBe(401);
  });
});

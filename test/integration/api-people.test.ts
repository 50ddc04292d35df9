import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

describe('people API', () => {
  let t: TestPlatform;
  let w: World;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  const valid = () => ({
    staffNumber: `NEW${Math.floor(Math.random() * 1e9)}`,
    collarNumber: '4321',
    givenName: 'Catrin',
    familyName: 'Evans',
    dateOfBirth: '1990-02-03',
    nhsNumber: '943 476 5919',
    role: 'officer',
    unitId: w.unit.id,
    lineManagerId: w.manager.id,
    serviceStartDate: '2015-09-01',
    protectedIdentity: true,
  });

  it('when HR creates a person, then 201 returns the person with an id, normalised NHS number and default working pattern', async () => {
    const body = valid();
    const res = await request(t.app).post('/api/v1/people').set(as(w.tokens.hr)).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      staffNumber: body.staffNumber,
      givenName: 'Catrin',
      organisationId: w.host.id,
      protectedIdentity: true,
      workingPattern: { kind: 'weekly', days: [1, 2, 3, 4, 5] },
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.location).toBe(`/api/v1/people/${res.body.id}`);
    const row = await t.database.db('people').where({ id: res.body.id }).first();
    expect(row.nhs_number).toBe('9434765919');
    // HR may not see NHS numbers (minimum necessary): the response omits it.
    expect(res.body).not.toHaveProperty('nhsNumber');
  });

  it('when the staff number is already used in the organisation, then 409 with the error shape', async () => {
    const body = valid();
    expect((await request(t.app).post('/api/v1/people').set(as(w.tokens.ohAdmin)).send(body)).status).toBe(201);
    const res = await request(t.app).post('/api/v1/people').set(as(w.tokens.ohAdmin)).send(body);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'duplicate-staff-number',
      fields: { staffNumber: expect.any(String) },
    });
  });

  it('when the NHS number fails its check digit, then 422 names the field', async () => {
    const res = await request(t.app)
      .post('/api/v1/people')
      .set(as(w.tokens.hr))
      .send({ ...valid(), nhsNumber: '9434765918' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation-failed');
    expect(res.body.error.fields.nhsNumber).toMatch(/NHS number/);
  });

  it('when fields have the wrong types or are unknown, then 422 lists each one', async () => {
    const res = await request(t.app)
      .post('/api/v1/people')
      .set(as(w.tokens.hr))
      .send({ ...valid(), givenName: 42, role: 'sheriff', serviceStartDate: '2015-02-30', favouriteColour: 'blue' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields).sort()).toEqual([
      'favouriteColour',
      'givenName',
      'role',
      'serviceStartDate',
    ]);
  });

  it('when the body is malformed JSON, then 400 malformed-json', async () => {
    const res = await request(t.app)
      .post('/api/v1/people')
      .set(as(w.tokens.hr))
      .set('Content-Type', 'application/json')
      .send('{"staffNumber": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed-json');
  });

  it('when the body is too large, then 413 payload-too-large', async () => {
    const res = await request(t.app)
      .post('/api/v1/people')
      .set(as(w.tokens.hr))
      .send({ ...valid(), givenName: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload-too-large');
  });

  it('when the body is not JSON, then 415', async () => {
    const res = await request(t.app)
      .post('/api/v1/people')
      .set(as(w.tokens.hr))
      .set('Content-Type', 'text/plain')
      .send('staffNumber=1');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported-media-type');
  });

  it('when a query parameter is invalid, then 422 rather than 500', async () => {
    const res = await request(t.app).get('/api/v1/people?limit=lots&colour=red').set(as(w.tokens.hr));
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toHaveProperty('limit');
    expect(res.body.error.fields).toHaveProperty('colour');
  });

  it('when the id in the path is not a UUID, then 422', async () => {
    const res = await request(t.app).get('/api/v1/people/not-an-id').set(as(w.tokens.hr));
    expect(res.status).toBe(422);
  });

  it('when the unit belongs to another organisation, then 422 without saying whose', async () => {
    const res = await request(t.app)
      .post('/api/v1/people')
      .set(as(w.tokens.hr))
      .send({ ...valid(), unitId: w.partnerUnit.id });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.unitId).toBe('No such unit in this organisation');
  });

  it('when a change would make line management circular, then 422', async () => {
    const res = await request(t.app)
      .patch(`/api/v1/people/${w.manager.id}`)
      .set(as(w.tokens.hr))
      .send({ lineManagerId: w.indirectReport.id });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.lineManagerId).toMatch(/circle/);
  });

  it('when HR changes a name, then the record and search reflect it', async () => {
    const res = await request(t.app)
      .patch(`/api/v1/people/${w.outsider.id}`)
      .set(as(w.tokens.hr))
      .send({ familyName: 'Outram' });
    expect(res.status).toBe(200);
    expect(res.body.familyName).toBe('Outram');
    const search = await request(t.app).get('/api/v1/people?q=outram').set(as(w.tokens.hr));
    expect(search.body.items.map((p: { id: string }) => p.id)).toEqual([w.outsider.id]);
  });

  it('when searching by unit and name, then results are ordered by family name and paged', async () => {
    const res = await request(t.app).get(`/api/v1/people?unitId=${w.unit.id}&limit=2`).set(as(w.tokens.clinician));
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.total).toBeGreaterThanOrEqual(4);
    const names = res.body.items.map((p: { familyName: string }) => p.familyName);
    expect([...names].sort((a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase()))).toEqual(names);
  });

  it('when a clinician reads a person, then the read is in the audit trail with who, role, our request id and the caller’s beside it', async () => {
    const res = await request(t.app)
      .get(`/api/v1/people/${w.report.id}`)
      .set(as(w.tokens.clinician))
      .set('X-Request-Id', 'req-audit-0001');
    expect(res.status).toBe(200);
    expect(res.body.nhsNumber).toBe('9434765919');
    // Issue 14 §11: the id is ours, echoed back; the caller's is kept apart, never taken as ours.
    const ours = res.headers['x-request-id'];
    expect(ours).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await t.database.db('audit_events').where({ request_id: 'req-audit-0001' })).toEqual([]);
    const entry = await t.database.db('audit_events').where({ request_id: ours }).first();
    expect(entry).toMatchObject({
      caller_request_id: 'req-audit-0001',
      actor_user_id: w.users.clinician.id,
      actor_role: 'oh-clinician',
      action: 'read',
      entity_type: 'person',
      entity_id: w.report.id,
      outcome: 'success',
    });
  });

  it('when the OpenAPI document is fetched, then it is 3.1 and describes the people endpoints', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/api/v1/people'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['staffNumber', 'givenName', 'familyName', 'role', 'serviceStartDate']),
    );
    expect(res.body.paths['/api/v1/people/{id}'].get.responses['404']).toBeDefined();
  });

  it('when an editor changes a field they cannot see, then 422 field-not-visible and nothing is written (issue 14 defect 7, CONF-3)', async () => {
    const officer = buildPerson(w.host.id, {
      nhsNumber: '9434765919',
      protectedIdentity: true,
      workEmail: 'kept.work@force.example',
    });
    await t.platform.repositories.people.insertPeople([officer], t.clock.now());
    const hr = await request(t.app)
      .patch(`/api/v1/people/${officer.id}`)
      .set(as(w.tokens.hr))
      .send({ givenName: 'Changed', nhsNumber: null });
    expect(hr.status).toBe(422);
    expect(hr.body.error).toMatchObject({ code: 'field-not-visible', fields: { nhsNumber: expect.any(String) } });
    const admin = await request(t.app)
      .patch(`/api/v1/people/${officer.id}`)
      .set(as(w.tokens.sysadmin))
      .send({ workEmail: null, personalEmail: 'new@mail.example' });
    expect(admin.status).toBe(422);
    expect(Object.keys(admin.body.error.fields).sort()).toEqual(['personalEmail', 'workEmail']);
    const row = await t.database.db('people').where({ id: officer.id }).first();
    expect(row).toMatchObject({
      given_name: officer.givenName,
      nhs_number: '9434765919',
      work_email: 'kept.work@force.example',
      personal_email: null,
    });
    // OH may see them, so may change them.
    const oh = await request(t.app)
      .patch(`/api/v1/people/${officer.id}`)
      .set(as(w.tokens.ohAdmin))
      .send({ personalEmail: 'new@mail.example' });
    expect(oh.status).toBe(200);
    expect(oh.body.personalEmail).toBe('new@mail.example');
  });

  it('when HR or a system administrator tries to lift a protected identity, then 403 and the contact details stay hidden (issue 14 defect 6, CONF-3)', async () => {
    const officer = buildPerson(w.host.id, { protectedIdentity: true, workEmail: 'hidden@force.example' });
    await t.platform.repositories.people.insertPeople([officer], t.clock.now());
    for (const token of [w.tokens.hr, w.tokens.sysadmin]) {
      const res = await request(t.app)
        .patch(`/api/v1/people/${officer.id}`)
        .set(as(token))
        .send({ protectedIdentity: false, protectedIdentityReason: 'Asked to' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('protected-identity-oh-only');
    }
    const hr = await request(t.app)
      .put(`/api/v1/people/${officer.id}/protected-identity`)
      .set(as(w.tokens.hr))
      .send({ protectedIdentity: false, reason: 'Asked to' });
    expect(hr.status).toBe(403);
    const read = await request(t.app).get(`/api/v1/people/${officer.id}`).set(as(w.tokens.hr));
    expect(read.body.protectedIdentity).toBe(true);
    expect(read.body).not.toHaveProperty('workEmail');
    // Saving the flag as it is changes nothing, so needs neither OH nor a reason.
    const same = await request(t.app)
      .patch(`/api/v1/people/${officer.id}`)
      .set(as(w.tokens.hr))
      .send({ protectedIdentity: true, givenName: 'Same' });
    expect(same.status).toBe(200);
  });

  it('when OH changes the protected-identity flag, then a reason is required, the change is audited with it, and a lift goes to the OH clinicians’ queue (issue 14 defect 6, CONF-3)', async () => {
    const officer = buildPerson(w.host.id, { protectedIdentity: true });
    await t.platform.repositories.people.insertPeople([officer], t.clock.now());
    const bare = await request(t.app)
      .patch(`/api/v1/people/${officer.id}`)
      .set(as(w.tokens.ohAdmin))
      .send({ protectedIdentity: false });
    expect(bare.status).toBe(422);
    expect(bare.body.error).toMatchObject({
      code: 'protected-identity-reason-required',
      fields: { protectedIdentityReason: expect.any(String) },
    });
    const bareClinician = await request(t.app)
      .put(`/api/v1/people/${officer.id}/protected-identity`)
      .set(as(w.tokens.clinician))
      .send({ protectedIdentity: false });
    expect(bareClinician.status).toBe(422);
    expect(bareClinician.body.error.code).toBe('protected-identity-reason-required');
    expect((await t.database.db('people').where({ id: officer.id }).first()).protected_identity).toBeTruthy();

    const lifted = await request(t.app)
      .patch(`/api/v1/people/${officer.id}`)
      .set(as(w.tokens.ohAdmin))
      .send({ protectedIdentity: false, protectedIdentityReason: 'Risk assessment closed' });
    expect(lifted.status).toBe(200);
    expect(lifted.body.protectedIdentity).toBe(false);
    const audit = await t.database
      .db('audit_events')
      .where({ entity_id: officer.id, purpose: 'protected-identity' })
      .select('details');
    expect(audit).toHaveLength(1);
    const details: unknown = audit[0].details;
    expect(typeof details === 'string' ? JSON.parse(details) : details).toMatchObject({
      protectedIdentity: { from: true, to: false },
      reason: 'Risk assessment closed',
    });
    const tasks = await t.database.db('tasks').where({ subject_person_id: officer.id, status: 'open' });
    expect(tasks).toEqual([
      expect.objectContaining({ code: 'protected-identity-lifted', assignee_role: 'oh-clinician' }),
    ]);
    // Protected again by an OH clinician, with a reason: audited, and no task.
    const again = await request(t.app)
      .put(`/api/v1/people/${officer.id}/protected-identity`)
      .set(as(w.tokens.clinician))
      .send({ protectedIdentity: true, reason: 'New threat reported' });
    expect(again.status).toBe(200);
    expect(again.body.protectedIdentity).toBe(true);
    expect(await t.database.db('tasks').where({ subject_person_id: officer.id })).toHaveLength(1);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';

describe('versioned organisation policies', () => {
  let t: TestPlatform;
  let w: World;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when no version has been published, then the shipped default applies as version 0', async () => {
    const res = await request(t.app).get('/api/v1/policies/disclosure').set(as(w.tokens.hr));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 0, effectiveFrom: null, content: { minimumCellSize: 10 } });
  });

  it('when a threshold below the floor is published, then 422 says the floor and nothing is stored (CONF-5)', async () => {
    const res = await request(t.app)
      .post('/api/v1/policies/disclosure/versions')
      .set(as(w.tokens.hr))
      .send({ effectiveFrom: '2026-12-01', content: { minimumCellSize: 3 } });
    expect(res.status).toBe(422);
    expect(res.body.error.fields['content.minimumCellSize']).toBe('Never below 5');
    expect(await t.database.db('policies').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('when HR publishes a version effective next month, then it applies from that date only, is numbered and audited', async () => {
    const res = await request(t.app)
      .post('/api/v1/policies/disclosure/versions')
      .set(as(w.tokens.hr))
      .send({ effectiveFrom: '2026-12-01', content: { minimumCellSize: 12 }, note: 'Board decision' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 1, effectiveFrom: '2026-12-01' });
    const before = await request(t.app).get('/api/v1/policies/disclosure?asOf=2026-11-30').set(as(w.tokens.hr));
    expect(before.body).toMatchObject({ version: 0, content: { minimumCellSize: 10 } });
    const after = await request(t.app).get('/api/v1/policies/disclosure?asOf=2026-12-01').set(as(w.tokens.hr));
    expect(after.body).toMatchObject({ version: 1, content: { minimumCellSize: 12 } });
    const second = await request(t.app)
      .post('/api/v1/policies/disclosure/versions')
      .set(as(w.tokens.ohAdmin))
      .send({ effectiveFrom: '2027-01-01', content: { minimumCellSize: 15 } });
    expect(second.body.version).toBe(2);
    const audit = await t.database.db('audit_events').where({ entity_type: 'policy', action: 'create' });
    expect(audit).toHaveLength(2);
  });

  it("when a partner agency's HR asks for or changes the host force's policy, then 404", async () => {
    const read = await request(t.app)
      .get(`/api/v1/policies/disclosure?organisationId=${w.host.id}`)
      .set(as(w.tokens.partnerHr));
    expect(read.status).toBe(404);
    const write = await request(t.app)
      .post('/api/v1/policies/disclosure/versions')
      .set(as(w.tokens.partnerHr))
      .send({ organisationId: w.host.id, effectiveFrom: '2027-01-01', content: { minimumCellSize: 20 } });
    expect(write.status).toBe(404);
  });

  it('when the policy kind is unknown, then 422', async () => {
    expect((await request(t.app).get('/api/v1/policies/parking').set(as(w.tokens.hr))).status).toBe(422);
  });
});

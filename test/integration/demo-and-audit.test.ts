import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo-data.js';
import { validateFhirResource } from '../../src/fhir/fhir-validation.js';
import { isValidNhsNumber } from '../../src/shared/nhs-number.js';
import { buildWorld, createTestPlatform, signIn, type TestPlatform } from '../support/test-platform.js';

describe('demo organisation', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestPlatform(), createTestPlatform()]);
    await seedDemo(a.platform, { people: 120, seed: 7, years: 2 });
    await seedDemo(b.platform, { people: 120, seed: 7, years: 2 });
  });
  afterAll(async () => Promise.all([a.destroy(), b.destroy()]));

  const snapshot = async (t: TestPlatform) =>
    t.database.db('people').select('id', 'staff_number', 'given_name', 'family_name', 'line_manager_id', 'nhs_number', 'leaving_date').orderBy('staff_number');

  it('when seeded twice with the same seed and date, then the same people come out', async () => {
    const [x, y] = await Promise.all([snapshot(a), snapshot(b)]);
    expect(x.length).toBe(120);
    expect(x).toEqual(y);
  });

  it('when seeded, then every NHS number is valid, every manager is in the same organisation, and a few people are new starters', async () => {
    const rows = await a.database.db('people').select('*');
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const r of rows) {
      if (r.nhs_number) expect(isValidNhsNumber(r.nhs_number), r.nhs_number).toBe(true);
      if (r.line_manager_id) expect(byId.get(r.line_manager_id)?.organisation_id).toBe(r.organisation_id);
    }
    const tops = rows.filter((r) => !r.line_manager_id);
    expect(tops).toHaveLength(3);
    expect(rows.some((r) => r.service_start_date > '2025-11-22')).toBe(true);
  });

  it('when the demo line manager signs in, then their team is not empty and excludes other teams', async () => {
    const manager = DEMO_ACCOUNTS.find((d) => d.role === 'line-manager')!;
    const agent = await signIn(a, manager.email, { password: 'Blue-Light-Demo-2026' });
    const page = await agent.get('/people');
    expect(page.status).toBe(200);
    const shown = Number(/of (\d+)/.exec(page.text)?.[1]);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(40);
  });
});

describe('a very small demo organisation', () => {
  it('when only ten people are asked for, then every demo account still gets its own person', async () => {
    const t = await createTestPlatform();
    try {
      await seedDemo(t.platform, { people: 10, seed: 3, years: 1 });
      const linked = await t.database.db('users').whereNotNull('person_id').pluck('person_id');
      expect(linked).toHaveLength(4);
      expect(new Set(linked).size).toBe(4);
    } finally {
      await t.destroy();
    }
  });
});

describe('audit trail search and export', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await createTestPlatform();
  });
  afterAll(async () => t.destroy());

  it('when an OH administrator searches the trail for a person, then reads of their record are listed, and the export is a valid FHIR Bundle', async () => {
    const w = await buildWorld(t);
    await request(t.app).get(`/api/v1/people/${w.report.id}`).set('Authorization', `Bearer ${w.tokens.clinician}`);
    const res = await request(t.app).get(`/api/v1/audit-events?subjectPersonId=${w.report.id}`).set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ action: 'read', actorUserId: w.users.clinician.id, actorRole: 'oh-clinician', subjectPersonId: w.report.id });
    const fhir = await request(t.app).get(`/api/v1/audit-events?subjectPersonId=${w.report.id}&format=fhir`).set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
    expect(fhir.headers['content-type']).toMatch(/application\/fhir\+json/);
    const bundle = JSON.parse(fhir.text);
    expect(bundle.resourceType).toBe('Bundle');
    expect(validateFhirResource(bundle)).toEqual([]);
    expect(bundle.entry[0].resource.resourceType).toBe('AuditEvent');
  });

  it('when the trail is searched, then the search itself is audited', async () => {
    const before = Number((await t.database.db('audit_events').where({ entity_type: 'audit-trail' }).count({ n: '*' }).first())?.n);
    const w = await buildWorld(t);
    await request(t.app).get('/api/v1/audit-events').set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
    const after = Number((await t.database.db('audit_events').where({ entity_type: 'audit-trail' }).count({ n: '*' }).first())?.n);
    expect(after).toBe(before + 1);
  });

  it('when the audit page is opened by an OH administrator, then entries show and the export downloads', async () => {
    const w = await buildWorld(t);
    const agent = await signIn(t, w.users.ohAdmin.email);
    const page = await agent.get(`/audit?entityType=person`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Download as FHIR AuditEvent');
    const bad = await agent.get('/audit?from=yesterday');
    expect(bad.status).toBe(422);
    const exported = await agent.get('/audit/export?entityType=person');
    expect(exported.headers['content-disposition']).toMatch(/attachment/);
    expect(JSON.parse(exported.text).resourceType).toBe('Bundle');
  });
});

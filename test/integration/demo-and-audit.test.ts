import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSaved, type AbsenceSpell } from '../../src/attendance/attendance-types.js';
import type { Role } from '../../src/auth/roles.js';
import { generateAbsenceHistory, storySpell } from '../../src/demo/absence-history.js';
import { DEMO_ACCOUNTS, seedDemo, type DemoSummary } from '../../src/demo/demo-data.js';
import { insertSpellsInBulk } from '../../src/demo/spell-rows.js';
import { validateFhirResource } from '../../src/fhir/core/fhir-validation.js';
import { addDays } from '../../src/shared/dates.js';
import { isValidNhsNumber } from '../../src/shared/nhs-number.js';
import type { RequestContext } from '../../src/shared/request-context.js';
import { buildPerson, buildWorld, createTestPlatform, signIn, type TestPlatform } from '../support/test-platform.js';

/** The test clock's date (test/support/test-platform.ts). */
const TODAY = '2026-11-22';

describe('demo organisation', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let summary: DemoSummary;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestPlatform(), createTestPlatform()]);
    summary = await seedDemo(a.platform, { people: 120, seed: 7, years: 2 });
    await seedDemo(b.platform, { people: 120, seed: 7, years: 2 });
  });
  afterAll(async () => Promise.all([a.destroy(), b.destroy()]));

  const snapshot = async (t: TestPlatform) =>
    t.database
      .db('people')
      .select('id', 'staff_number', 'given_name', 'family_name', 'line_manager_id', 'nhs_number', 'leaving_date')
      .orderBy('staff_number');

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

  it('when seeded twice with the same seed and date, then the same absence history comes out, and the summary counts it', async () => {
    const spells = (t: TestPlatform) => t.database.db('absence_spells').select('*').orderBy('id');
    const [x, y] = await Promise.all([spells(a), spells(b)]);
    expect(x.length).toBe(summary.absenceSpells);
    expect(x.length).toBeGreaterThan(200);
    expect(x).toEqual(y);
  });

  it('when seeded, then nobody’s spells overlap, none starts before their service or after today, and only current spells are open', async () => {
    const db = a.database.db;
    const overlaps = await db('absence_spells as s')
      .join('absence_spells as t', (j) => j.on('s.person_id', 't.person_id').andOn('s.id', '<', 't.id'))
      .where('s.start_date', '<=', db.raw('coalesce(t.end_date, ?)', ['9999-12-31']))
      .andWhere('t.start_date', '<=', db.raw('coalesce(s.end_date, ?)', ['9999-12-31']))
      .select('s.id');
    expect(overlaps).toEqual([]);
    const outside = await db('absence_spells as s')
      .join('people as p', 'p.id', 's.person_id')
      .where((w) => w.where('s.start_date', '<', db.ref('p.service_start_date')).orWhere('s.start_date', '>', TODAY))
      .select('s.id');
    expect(outside).toEqual([]);
    const open = await db('absence_spells').whereNull('end_date').select('start_date');
    expect(open.length).toBeGreaterThan(0);
    for (const o of open) expect(o.start_date >= addDays(TODAY, -60)).toBe(true);
  });

  it('when seeded, then in the demo line manager’s team one member is absent since 10 days ago, one came back 3 days ago, the staff member has 2–3 spells in the year but none lately, and nobody else has any spell in the last 45 days', async () => {
    const { manager, staff, team, spellsOf } = await demoTeam(a);
    expect(team.length).toBeGreaterThanOrEqual(4);
    expect(team.map((p) => p.id)).toContain(staff.person_id);
    const quietFrom = addDays(TODAY, -45);
    const recent = new Map(
      team.map((p) => [p.id, spellsOf.get(p.id)!.filter((s) => (s.endDate ?? TODAY) >= quietFrom)]),
    );
    const absent = team.filter((p) => recent.get(p.id)!.some((s) => s.endDate === null));
    const returned = team.filter((p) => recent.get(p.id)!.some((s) => s.endDate !== null));
    expect(absent).toHaveLength(1);
    expect(returned).toHaveLength(1);
    expect(recent.get(absent[0]!.id)).toMatchObject([
      { startDate: addDays(TODAY, -10), endDate: null, reasonCategory: 'musculoskeletal-back' },
    ]);
    expect(recent.get(returned[0]!.id)).toMatchObject([{ startDate: addDays(TODAY, -6), endDate: addDays(TODAY, -3) }]);
    expect([absent[0]!.id, returned[0]!.id]).not.toContain(staff.person_id);
    for (const p of team)
      if (p.id !== absent[0]!.id && p.id !== returned[0]!.id) expect(recent.get(p.id), p.id).toEqual([]);
    const staffYear = spellsOf.get(staff.person_id!)!.filter((s) => (s.endDate ?? TODAY) >= addDays(TODAY, -364));
    expect(staffYear.length).toBeGreaterThanOrEqual(2);
    expect(staffYear.length).toBeLessThanOrEqual(3);
    expect(staffYear.every((s) => s.endDate !== null)).toBe(true);
    expect(manager.person_id).not.toBe(staff.person_id);
  });

  it('when seeded, then the line manager’s worklist has the milestones of the absent member and the return-to-work interview of the returned one', async () => {
    const { manager, team, spellsOf } = await demoTeam(a);
    const ctx = contextOf(manager, 'line-manager');
    const tasks = await a.platform.services.worklist.mine(ctx);
    const current = team.flatMap((p) => spellsOf.get(p.id)!).find((s) => s.endDate === null)!;
    const back = team.flatMap((p) => spellsOf.get(p.id)!).find((s) => s.endDate === addDays(TODAY, -3))!;
    const milestones = tasks.filter((t) => t.sourceId === current.id).map((t) => t.code);
    expect(milestones).toEqual(
      expect.arrayContaining([
        'manager-contact',
        'fourth-day-call',
        'medical-certificate',
        'liaison-officer',
        'weekly-contact',
      ]),
    );
    expect(tasks.filter((t) => t.sourceId === back.id)).toMatchObject([
      { code: 'return-to-work-interview', subjectPersonId: back.personId, status: 'open' },
    ]);
    // Nobody else in the team has an absence that needs the manager now.
    const fromAbsences = tasks.filter((t) => t.sourceType === 'absence-spell');
    expect(new Set(fromAbsences.map((t) => t.subjectPersonId))).toEqual(new Set([current.personId, back.personId]));
  });

  it('when seeded, then the tasks of everyone absent today exist (the daily sweep ran)', async () => {
    const db = a.database.db;
    const open = await db('absence_spells').whereNull('end_date').where('counts_as_sickness', true).pluck('id');
    const withTasks = await db('tasks').whereIn('source_id', open).distinct('source_id').pluck('source_id');
    expect(new Set(withTasks)).toEqual(new Set(open));
  });
});

/** The demo line manager's and staff member's accounts, the manager's direct reports, and each report's spells read through the attendance repository. */
async function demoTeam(t: TestPlatform) {
  const users = t.database.db('users');
  const manager = await users
    .clone()
    .where({ email: DEMO_ACCOUNTS.find((d) => d.role === 'line-manager')!.email })
    .first();
  const staff = await users
    .clone()
    .where({ email: DEMO_ACCOUNTS.find((d) => d.role === 'staff')!.email })
    .first();
  const team: Array<{ id: string }> = await t.database
    .db('people')
    .where({ line_manager_id: manager.person_id })
    .select('id');
  const spellsOf = new Map<string, AbsenceSpell[]>();
  for (const p of team) spellsOf.set(p.id, await t.platform.repositories.attendance.forPerson(p.id));
  return {
    manager: manager as {
      id: string;
      person_id: string | null;
      email: string;
      organisation_id: string;
      display_name: string;
    },
    staff: staff as { person_id: string | null },
    team,
    spellsOf,
  };
}

/** A request context for a user row, acting as `role` (as authentication would build it). */
function contextOf(
  user: { id: string; person_id: string | null; email: string; organisation_id: string; display_name: string },
  role: Role,
): RequestContext {
  return {
    actor: {
      userId: user.id,
      displayName: user.display_name,
      email: user.email,
      organisationId: user.organisation_id,
      personId: user.person_id,
      roles: [role],
      role,
      via: 'session',
      locale: 'en',
    },
    requestId: 'demo-test',
    ip: null,
  };
}

describe('demo absence history in the database', () => {
  it('when spells are inserted in bulk, then the attendance repository reads every field back as generated', async () => {
    const t = await createTestPlatform();
    try {
      const w = await buildWorld(t);
      const now = t.clock.now();
      // Fixed ids: the generated history depends on them, and this test needs every kind of spell.
      const people = Array.from({ length: 60 }, (_, n) =>
        buildPerson(w.host.id, {
          id: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`,
          serviceStartDate: '2015-01-05',
        }),
      );
      const absentNow = buildPerson(w.host.id, {
        id: '00000000-0000-4000-8000-000000000199',
        serviceStartDate: '2015-01-05',
      });
      await t.platform.repositories.people.insertPeople([...people, absentNow], now);
      const spells = [
        ...generateAbsenceHistory({ people, asOf: TODAY, years: 3, seed: 11, spellsPerPersonYear: 6 }),
        storySpell(
          absentNow,
          {
            id: '00000000-0000-4000-8000-000000000299',
            startDate: addDays(TODAY, -12),
            endDate: null,
            reasonCategory: 'assault-on-duty',
          },
          TODAY,
        ),
      ];
      expect(
        spells.some((s) => s.injuryOnDuty && s.certification === 'medical' && s.endDate !== null),
        'an injury on duty with a certificate',
      ).toBe(true);
      expect(
        spells.some((s) => s.notSicknessKind !== null),
        'time off that is not sickness',
      ).toBe(true);
      expect(
        spells.some((s) => s.disabilityRelated),
        'disability-related absence',
      ).toBe(true);
      await t.platform.repositories.attendance.transaction((trx) => insertSpellsInBulk(trx, spells, now));
      const read = (
        await Promise.all([...people, absentNow].map((p) => t.platform.repositories.attendance.forPerson(p.id)))
      ).flat();
      const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : 1);
      // Read back as stored: the contact fields the generator leaves out take their defaults (ATT-1, ATT-11).
      expect(read.sort(byId)).toEqual(spells.map((s) => asSaved(s, now, now)).sort(byId));
    } finally {
      await t.destroy();
    }
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
    const res = await request(t.app)
      .get(`/api/v1/audit-events?subjectPersonId=${w.report.id}`)
      .set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({
      action: 'read',
      actorUserId: w.users.clinician.id,
      actorRole: 'oh-clinician',
      subjectPersonId: w.report.id,
    });
    const fhir = await request(t.app)
      .get(`/api/v1/audit-events?subjectPersonId=${w.report.id}&format=fhir`)
      .set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
    expect(fhir.headers['content-type']).toMatch(/application\/fhir\+json/);
    const bundle = JSON.parse(fhir.text);
    expect(bundle.resourceType).toBe('Bundle');
    expect(validateFhirResource(bundle)).toEqual([]);
    expect(bundle.entry[0].resource.resourceType).toBe('AuditEvent');
  });

  it('when a caller sent its own X-Request-Id, then the trail shows our request id with the caller’s beside it (issue 14 §11)', async () => {
    const w = await buildWorld(t);
    const read = await request(t.app)
      .get(`/api/v1/people/${w.report.id}`)
      .set('Authorization', `Bearer ${w.tokens.clinician}`)
      .set('X-Request-Id', 'forged\u00e9-id\t1');
    expect(read.status).toBe(200);
    const res = await request(t.app)
      .get(`/api/v1/audit-events?subjectPersonId=${w.report.id}`)
      .set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
    expect(res.body.items[0]).toMatchObject({
      action: 'read',
      requestId: read.headers['x-request-id'],
      callerRequestId: 'forged-id1',
    });
    // The search itself came without one: ours only.
    const search = await t.database.db('audit_events').where({ request_id: res.headers['x-request-id'] }).first();
    expect(search).toMatchObject({ entity_type: 'audit-trail', caller_request_id: null });
  });

  it('when the trail is searched, then the search itself is audited', async () => {
    const before = Number(
      (await t.database.db('audit_events').where({ entity_type: 'audit-trail' }).count({ n: '*' }).first())?.n,
    );
    const w = await buildWorld(t);
    await request(t.app).get('/api/v1/audit-events').set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
    const after = Number(
      (await t.database.db('audit_events').where({ entity_type: 'audit-trail' }).count({ n: '*' }).first())?.n,
    );
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

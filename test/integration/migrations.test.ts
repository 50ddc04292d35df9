import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, rollbackAll } from '../../src/db/knex.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => t.destroy());

  it('when applied, rolled all the way back and applied again, then the schema is complete each time', async () => {
    const first = await migrateToLatest(t.db);
    expect(first.length).toBeGreaterThanOrEqual(2);
    for (const table of [
      'organisations',
      'units',
      'people',
      'users',
      'roles',
      'user_roles',
      'sessions',
      'api_tokens',
      'audit_events',
      'policies',
      'jobs',
    ]) {
      expect(await t.db.schema.hasTable(table), table).toBe(true);
    }
    await rollbackAll(t.db);
    expect(await t.db.schema.hasTable('people')).toBe(false);
    expect(await t.db.schema.hasTable('audit_events')).toBe(false);
    const again = await migrateToLatest(t.db);
    expect(again).toEqual(first);
    const roles = await t.db('roles').orderBy('slug').pluck('slug');
    expect(roles).toContain('oh-clinician');
    expect(roles).toHaveLength(7);
  });

  it('when something tries to change or delete an audit entry, then the database refuses', async () => {
    await t
      .db('audit_events')
      .insert({ occurred_at: new Date().toISOString(), action: 'read', entity_type: 'person', outcome: 'success' });
    await expect(t.db('audit_events').update({ outcome: 'denied' })).rejects.toThrow(/append-only/);
    await expect(t.db('audit_events').delete()).rejects.toThrow(/append-only/);
    expect(await t.db('audit_events').count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  it('when a person names a line manager who does not exist, then the foreign key refuses it', async () => {
    const now = new Date().toISOString();
    await t.db('organisations').insert({
      id: '00000000-0000-4000-8000-000000000001',
      name: 'Force',
      kind: 'host-force',
      created_at: now,
      updated_at: now,
    });
    await expect(
      t.db('people').insert({
        id: '00000000-0000-4000-8000-000000000002',
        organisation_id: '00000000-0000-4000-8000-000000000001',
        staff_number: 'A1',
        given_name: 'A',
        family_name: 'B',
        search_name: 'b a',
        workforce_role: 'officer',
        line_manager_id: '00000000-0000-4000-8000-00000000dead',
        service_start_date: '2020-01-01',
        working_pattern: '{"kind":"weekly","days":[1,2,3,4,5]}',
        created_at: now,
        updated_at: now,
      }),
    ).rejects.toThrow();
  });

  it('when the caller’s request id column is rolled back and applied again, then the audit trail stays append-only (issue 14 §11)', async () => {
    const own = await createTestDatabase({ migrate: false });
    try {
      const name = '20261207000400_audit_caller_request_id';
      const entry = {
        occurred_at: new Date().toISOString(),
        action: 'read',
        entity_type: 'person',
        outcome: 'success',
      };
      const refusesChange = async () => {
        await expect(own.db('audit_events').update({ outcome: 'denied' })).rejects.toThrow(/append-only/);
        await expect(own.db('audit_events').delete()).rejects.toThrow(/append-only/);
      };
      await migrateToLatest(own.db);
      expect(await own.db.schema.hasColumn('audit_events', 'caller_request_id')).toBe(true);
      await own.db('audit_events').insert({ ...entry, request_id: 'ours', caller_request_id: 'theirs' });
      await refusesChange();
      await own.db.migrate.down({ name });
      expect(await own.db.schema.hasColumn('audit_events', 'caller_request_id')).toBe(false);
      expect(await own.db('audit_events').pluck('request_id')).toEqual(['ours']);
      await refusesChange();
      await own.db.migrate.up({ name });
      expect(await own.db.schema.hasColumn('audit_events', 'caller_request_id')).toBe(true);
      await refusesChange();
      expect(await own.db('audit_events').count({ n: '*' }).first()).toMatchObject({ n: 1 });
    } finally {
      await own.destroy();
    }
  });
  it('when the appointment place column is rolled back and applied again, then the journey keeps its steps (issue 15 §8)', async () => {
    const own = await createTestDatabase({ migrate: false });
    try {
      const name = '20261207000500_appointment_place';
      await migrateToLatest(own.db);
      expect(await own.db.schema.hasColumn('referral_progress', 'appointment_place')).toBe(true);
      await own.db.migrate.down({ name });
      expect(await own.db.schema.hasColumn('referral_progress', 'appointment_place')).toBe(false);
      expect(await own.db.schema.hasColumn('referral_progress', 'appointment_at')).toBe(true);
      await own.db.migrate.up({ name });
      expect(await own.db.schema.hasColumn('referral_progress', 'appointment_place')).toBe(true);
    } finally {
      await own.destroy();
    }
  });
});

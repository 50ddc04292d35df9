import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository } from '../../src/audit/audit-repository.js';
import type { NewAuditEntry } from '../../src/audit/audit-types.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 14 §19: read audits from concurrent requests share a write (group commit), and each caller is
 * answered only once its own entries are stored.
 */
describe('audit entries by group commit', () => {
  let database: TestDatabase;
  let repository: AuditRepository;
  let inserts = 0;
  const entry = (requestId: string, overrides: Partial<NewAuditEntry> = {}) => ({
    occurredAt: new Date('2026-11-22T09:00:00Z'),
    requestId,
    callerRequestId: null,
    actorUserId: null,
    actorRole: 'oh-clinician',
    actorOrganisationId: null,
    action: 'read' as const,
    entityType: 'person',
    entityId: null,
    subjectPersonId: null,
    purpose: 'workforce-record',
    outcome: 'success' as const,
    reason: null,
    details: null,
    ip: null,
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    repository = new AuditRepository(database.db);
    database.db.on('query', (q: { sql: string }) => {
      if (/^insert into [`"]audit_events/i.test(q.sql)) inserts += 1;
    });
  });
  afterAll(async () => database.destroy());

  it('when 60 callers append at once, then far fewer writes are made, every entry is stored once, and each caller waits for its own', async () => {
    inserts = 0;
    const stored: string[] = [];
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await repository.append([entry(`r-${i}`)]);
        // By the time a caller is answered, its entry is in the table.
        const row = await database
          .db('audit_events')
          .where({ request_id: `r-${i}` })
          .first();
        if (row) stored.push(row.request_id);
      }),
    );
    expect(stored.sort()).toEqual(Array.from({ length: 60 }, (_, i) => `r-${i}`).sort());
    expect(await database.db('audit_events').where('request_id', 'like', 'r-%').count({ n: '*' })).toEqual([{ n: 60 }]);
    expect(inserts).toBeGreaterThan(0);
    expect(inserts).toBeLessThan(30);
  });

  it('when one caller’s entry cannot be stored, then only that caller fails; the others sharing its write are kept', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        repository.append([entry(`b-${i}`, i === 4 ? { entityType: null as unknown as string } : {})]),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
    );
    const kept = (await database.db('audit_events').where('request_id', 'like', 'b-%').select('request_id')).map(
      (r: { request_id: string }) => r.request_id,
    );
    expect(kept.sort()).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-5', 'b-6', 'b-7', 'b-8', 'b-9']);
  });
});

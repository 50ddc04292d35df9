import type { Knex } from 'knex';
import { addDays, startOfLondonDay } from '../shared/dates.js';
import { jsonObject, readJson, readTimestamp } from '../db/knex.js';
import type { AuditEntry, AuditSearch, NewAuditEntry } from './audit-types.js';

/** At most this many entries in one group commit (well inside either database's limit on parameters). */
const GROUP_COMMIT_MAX_ROWS = 400;

type AuditRow = ReturnType<typeof toRow>;

function toRow(e: NewAuditEntry & { occurredAt: Date }) {
  return {
    occurred_at: e.occurredAt.toISOString(),
    request_id: e.requestId,
    caller_request_id: e.callerRequestId,
    actor_user_id: e.actorUserId,
    actor_role: e.actorRole,
    actor_organisation_id: e.actorOrganisationId,
    action: e.action,
    entity_type: e.entityType,
    entity_id: e.entityId,
    subject_person_id: e.subjectPersonId,
    purpose: e.purpose,
    outcome: e.outcome,
    reason: e.reason,
    details: e.details ? JSON.stringify(e.details) : null,
    ip: e.ip,
  };
}

/** Takes waiting callers off the front of the queue, in order, up to about `maxRows` entries (always at least one caller). */
function takeBatch<T extends { rows: unknown[] }>(queue: T[], maxRows: number): T[] {
  let rows = 0;
  let n = 0;
  while (n < queue.length && (n === 0 || rows + queue[n]!.rows.length <= maxRows)) rows += queue[n++]!.rows.length;
  return queue.splice(0, n);
}

/** Append-only storage of audit entries. There is deliberately no update or delete. */
export class AuditRepository {
  constructor(private readonly db: Knex) {}

  /** Entries waiting for the next group commit, each with the caller waiting for it. */
  private pending: Array<{ rows: AuditRow[]; done: (error?: unknown) => void }> = [];
  private flushing = false;

  /**
   * Appends entries. In the caller's transaction when there is one: they commit with the change they
   * describe. Otherwise by group commit: entries that arrive while a write of entries is under way go
   * together in the next one, and each caller's promise settles only once its own entries are stored —
   * so every answer still waits for its audit entry, but concurrent requests (each read is audited) share
   * one write instead of queueing a write each for the database's one writer (issue 14 §19).
   */
  async append(entries: ReadonlyArray<NewAuditEntry & { occurredAt: Date }>, trx?: Knex.Transaction): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map(toRow);
    if (trx) return void (await trx('audit_events').insert(rows));
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = takeBatch(this.pending, GROUP_COMMIT_MAX_ROWS);
        try {
          await this.db('audit_events').insert(batch.flatMap((b) => b.rows));
          for (const b of batch) b.done();
        } catch {
          // One caller's entries must not fail another's: each is written alone and answered for alone.
          for (const b of batch)
            await this.db('audit_events')
              .insert(b.rows)
              .then(() => b.done(), b.done);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Newest first, filtered; `beforeId` pages backwards. */
  async search(filter: AuditSearch): Promise<AuditEntry[]> {
    const q = this.db('audit_events').select('*').orderBy('id', 'desc').limit(filter.limit);
    if (filter.actorUserId) q.where('actor_user_id', filter.actorUserId);
    if (filter.subjectPersonId) q.where('subject_person_id', filter.subjectPersonId);
    if (filter.entityType) q.where('entity_type', filter.entityType);
    if (filter.entityId) q.where('entity_id', filter.entityId);
    if (filter.action) q.where('action', filter.action);
    if (filter.outcome) q.where('outcome', filter.outcome);
    // From and to are UK days: from the UK midnight that starts `from` to the one that ends `to` (issue 14 defect 2).
    if (filter.from) q.where('occurred_at', '>=', startOfLondonDay(filter.from).toISOString());
    if (filter.to) q.where('occurred_at', '<', startOfLondonDay(addDays(filter.to, 1)).toISOString());
    if (filter.beforeId) q.where('id', '<', filter.beforeId);
    const rows = await q;
    return rows.map(toEntry);
  }
}

function toEntry(row: Record<string, unknown>): AuditEntry {
  return {
    id: Number(row.id),
    occurredAt: readTimestamp(row.occurred_at),
    requestId: (row.request_id as string | null) ?? null,
    callerRequestId: (row.caller_request_id as string | null) ?? null,
    actorUserId: (row.actor_user_id as string | null) ?? null,
    actorRole: (row.actor_role as string | null) ?? null,
    actorOrganisationId: (row.actor_organisation_id as string | null) ?? null,
    action: row.action as AuditEntry['action'],
    entityType: row.entity_type as string,
    entityId: (row.entity_id as string | null) ?? null,
    subjectPersonId: (row.subject_person_id as string | null) ?? null,
    purpose: (row.purpose as string | null) ?? null,
    outcome: row.outcome as AuditEntry['outcome'],
    reason: (row.reason as string | null) ?? null,
    details: readJson(row.details, jsonObject.nullable(), 'audit_events.details'),
    ip: (row.ip as string | null) ?? null,
  };
}

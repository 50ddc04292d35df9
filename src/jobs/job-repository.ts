import type { Knex } from 'knex';
import { z } from 'zod';
import { isPostgres, readJson, readTimestamp } from '../db/knex.js';
import { newId } from '../shared/ids.js';
import { JOB_STATUSES, type ClaimRequest, type Job, type JobCounts, type NewJob } from './job-types.js';

const DEFAULT_MAX_ATTEMPTS = 5;
const LAST_ERROR_MAX = 500;

const newJobSchema = z.object({
  kind: z.string().min(1).max(60),
  runAt: z.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date'),
  maxAttempts: z.number().int().min(1).max(1000).optional(),
  dedupeKey: z.string().min(1).max(200).optional(),
  now: z
    .date()
    .refine((d) => !Number.isNaN(d.getTime()), 'invalid date')
    .optional(),
});

const claimSchema = z.object({
  workerId: z.string().min(1).max(100),
  now: z.date(),
  leaseMs: z.number().int().positive(),
  limit: z.number().int().positive().max(1000),
});

// Timestamps come back as Date from pg and as the ISO string we wrote from SQLite.
const timestamp = z
  .union([z.date(), z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? new Date(v) : readTimestamp(v)));

/** A `jobs` row, validated on the way in (rows are input too). */
const jobRowSchema = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.string(),
  status: z.enum(JOB_STATUSES),
  run_at: timestamp,
  attempts: z.coerce.number().int(),
  max_attempts: z.coerce.number().int(),
  locked_by: z.string().nullable(),
  locked_until: timestamp.nullable(),
  last_error: z.string().nullable(),
  dedupe_key: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  finished_at: timestamp.nullable(),
});

function toJob(raw: unknown): Job {
  const row = jobRowSchema.parse(raw);
  return {
    id: row.id,
    kind: row.kind,
    // Each kind's payload is parsed by the schema it registered with (JobRunner.register).
    payload: readJson(row.payload, z.unknown(), 'jobs.payload'),
    status: row.status,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    dedupeKey: row.dedupe_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Durable storage of background jobs. Every state change is one guarded statement, so
 * several processes (each with its own connection pool) can share the table: on
 * PostgreSQL claims use `FOR UPDATE SKIP LOCKED`; SQLite serialises writers itself.
 */
export class JobRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Writes a queued job and returns its id. Pass `trx` so the job commits (or rolls back)
   * with the domain write that caused it. With a `dedupeKey` already present, writes
   * nothing and returns the existing job's id.
   */
  async enqueue(job: NewJob, trx?: Knex.Transaction): Promise<string> {
    const input = newJobSchema.parse(job);
    const executor = trx ?? this.db;
    const id = newId();
    const now = (input.now ?? input.runAt).toISOString();
    const row = {
      id,
      kind: input.kind,
      payload: job.payload === undefined ? 'null' : JSON.stringify(job.payload),
      status: 'queued',
      run_at: input.runAt.toISOString(),
      attempts: 0,
      max_attempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      locked_by: null,
      locked_until: null,
      last_error: null,
      dedupe_key: input.dedupeKey ?? null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    if (input.dedupeKey === undefined) {
      await executor('jobs').insert(row);
      return id;
    }
    // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a
    // failed statement would abort the caller's whole transaction.
    await executor('jobs').insert(row).onConflict('dedupe_key').ignore();
    const existing = (await executor('jobs').where('dedupe_key', input.dedupeKey).first('id')) as
      { id: string } | undefined;
    if (!existing) throw new Error('job-dedupe-race');
    return existing.id;
  }

  /**
   * Atomically takes up to `limit` due jobs — queued with `run_at <= now`, or running with
   * an expired lease (the worker crashed) — marking them running, locked by `workerId`
   * until `now + leaseMs`, with one more attempt counted. Oldest first.
   */
  async claim(request: ClaimRequest): Promise<Job[]> {
    const { workerId, now, leaseMs, limit } = claimSchema.parse(request);
    const kinds = request.kinds;
    if (kinds && kinds.length === 0) return [];
    const nowIso = now.toISOString();
    const lockedUntil = new Date(now.getTime() + leaseMs).toISOString();

    if (isPostgres(this.db)) {
      // The CTE is materialised so the locking SELECT runs exactly once; SKIP LOCKED lets
      // concurrent claimers pass over rows another transaction is taking, and the row
      // re-check after the lock excludes rows that stopped being due meanwhile.
      const result = (await this.db.raw(
        `WITH next AS MATERIALIZED (
           SELECT id FROM jobs
            WHERE ((status = 'queued' AND run_at <= ?) OR (status = 'running' AND locked_until < ?))
              ${kinds ? 'AND kind = ANY(?)' : ''}
            ORDER BY run_at, id
            LIMIT ?
            FOR UPDATE SKIP LOCKED
         )
         UPDATE jobs
            SET status = 'running', attempts = jobs.attempts + 1, locked_by = ?, locked_until = ?, updated_at = ?
           FROM next
          WHERE jobs.id = next.id
         RETURNING jobs.*`,
        [nowIso, nowIso, ...(kinds ? [[...kinds]] : []), limit, workerId, lockedUntil, nowIso],
      )) as { rows: unknown[] };
      return sortByRunAt(result.rows.map(toJob));
    }

    // SQLite: one UPDATE … RETURNING is one write transaction, taken under the database's
    // write lock (busy_timeout waits for it), so two claimers never see the same row due.
    const due = this.db('jobs')
      .select('id')
      .where((w) =>
        w
          .where((q) => q.where('status', 'queued').where('run_at', '<=', nowIso))
          .orWhere((q) => q.where('status', 'running').where('locked_until', '<', nowIso)),
      )
      .orderBy([{ column: 'run_at' }, { column: 'id' }])
      .limit(limit);
    if (kinds) due.whereIn('kind', [...kinds]);
    const rows = (await this.db('jobs')
      .whereIn('id', due)
      .update({
        status: 'running',
        attempts: this.db.raw('attempts + 1'),
        locked_by: workerId,
        locked_until: lockedUntil,
        updated_at: nowIso,
      })
      .returning('*')) as unknown[];
    return sortByRunAt(rows.map(toJob));
  }

  /**
   * Marks a running job succeeded. With `lockedBy`, only if that worker still holds it
   * (a worker whose lease expired and was taken over must not overwrite). True when applied.
   */
  async complete(id: string, now: Date, lockedBy?: string): Promise<boolean> {
    const q = this.db('jobs').where({ id, status: 'running' });
    if (lockedBy !== undefined) q.where('locked_by', lockedBy);
    const n = await q.update({
      status: 'succeeded',
      locked_by: null,
      locked_until: null,
      finished_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
    return n > 0;
  }

  /** Records several running jobs as succeeded in one statement; returns the ids it applied to (those still running under this worker). */
  async completeMany(ids: readonly string[], now: Date, lockedBy: string): Promise<string[]> {
    const applied: string[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const q = this.db('jobs').whereIn('id', chunk).where({ status: 'running', locked_by: lockedBy });
      const rows = (await q.update(
        {
          status: 'succeeded',
          locked_by: null,
          locked_until: null,
          finished_at: now.toISOString(),
          updated_at: now.toISOString(),
        },
        ['id'],
      )) as Array<{ id: string }>;
      applied.push(...rows.map((r) => r.id));
    }
    return applied;
  }

  /**
   * Records a failed attempt of a running job: back to queued for `retryAt`, or — with
   * `retryAt` null — failed for good. `errorSummary` must be safe to store (no personal
   * or health data). True when applied (see `complete` for `lockedBy`).
   */
  async fail(id: string, now: Date, errorSummary: string, retryAt: Date | null, lockedBy?: string): Promise<boolean> {
    const q = this.db('jobs').where({ id, status: 'running' });
    if (lockedBy !== undefined) q.where('locked_by', lockedBy);
    const common = {
      locked_by: null,
      locked_until: null,
      last_error: errorSummary.slice(0, LAST_ERROR_MAX),
      updated_at: now.toISOString(),
    };
    const n = await q.update(
      retryAt
        ? { ...common, status: 'queued', run_at: retryAt.toISOString() }
        : { ...common, status: 'failed', finished_at: now.toISOString() },
    );
    return n > 0;
  }

  /** Cancels a queued job (a running one is left to finish). True when it was queued. */
  async cancel(id: string, now: Date, trx?: Knex.Transaction): Promise<boolean> {
    const n = await (trx ?? this.db)('jobs')
      .where({ id, status: 'queued' })
      .update({ status: 'cancelled', finished_at: now.toISOString(), updated_at: now.toISOString() });
    return n > 0;
  }

  /**
   * Cancels the queued jobs of `kind` whose payload satisfies `where` (all of them when
   * omitted), e.g. every queued delivery for a referral whose consent was withdrawn.
   * Pass `trx` to commit with the change that makes them moot. Returns how many.
   */
  async cancelQueued(
    filter: { kind: string; where?: (payload: unknown) => boolean },
    now: Date,
    trx?: Knex.Transaction,
  ): Promise<number> {
    const executor = trx ?? this.db;
    const rows = (await executor('jobs')
      .where({ kind: filter.kind, status: 'queued' })
      .select('id', 'payload')) as Array<{ id: string; payload: string }>;
    const ids = rows
      .filter((r) => !filter.where || filter.where(readJson(r.payload, z.unknown(), 'jobs.payload')))
      .map((r) => r.id);
    let cancelled = 0;
    // Chunked to stay under SQLite's bound-parameter limit; the status guard skips any
    // job a worker claimed since the read.
    for (let i = 0; i < ids.length; i += 500) {
      cancelled += await executor('jobs')
        .whereIn('id', ids.slice(i, i + 500))
        .where('status', 'queued')
        .update({ status: 'cancelled', finished_at: now.toISOString(), updated_at: now.toISOString() });
    }
    return cancelled;
  }

  /** Puts a failed or cancelled job back in the queue with a fresh set of attempts (operator retry). True when applied. */
  async requeue(id: string, now: Date): Promise<boolean> {
    const n = await this.db('jobs').where('id', id).whereIn('status', ['failed', 'cancelled']).update({
      status: 'queued',
      run_at: now.toISOString(),
      attempts: 0,
      finished_at: null,
      updated_at: now.toISOString(),
    });
    return n > 0;
  }

  /** Deletes succeeded and cancelled jobs finished before `before` (their payloads may hold personal data); frees their dedupe keys. */
  async purgeFinished(before: Date): Promise<number> {
    return this.db('jobs')
      .whereIn('status', ['succeeded', 'cancelled'])
      .where('finished_at', '<', before.toISOString())
      .delete();
  }

  /** One job, or null. */
  async get(id: string): Promise<Job | null> {
    const row: unknown = await this.db('jobs').where('id', id).first();
    return row ? toJob(row) : null;
  }

  /** How many jobs are in each status (of `kind`, when given). */
  async countByStatus(kind?: string): Promise<JobCounts> {
    const q = this.db('jobs').select('status').count({ n: '*' }).groupBy('status');
    if (kind !== undefined) q.where('kind', kind);
    const rows = (await q) as Array<{ status: string; n: number | string }>;
    const counts: JobCounts = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of rows) {
      if ((JOB_STATUSES as readonly string[]).includes(row.status))
        counts[row.status as keyof JobCounts] = Number(row.n);
    }
    return counts;
  }
}

function sortByRunAt(jobs: Job[]): Job[] {
  return jobs.sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

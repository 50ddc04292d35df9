import type { z } from 'zod';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { retryDelayMs, type BackoffPolicy } from './backoff.js';
import { PermanentJobError, RetryLaterError, summariseError } from './job-errors.js';
import type { JobRepository } from './job-repository.js';
import type { Job } from './job-types.js';

/** What a handler learns about the job it is running. */
export interface JobContext {
  id: string;
  kind: string;
  /** 1 on the first try. */
  attempts: number;
  maxAttempts: number;
}

/** Does the work of one job. Throwing means "try again later" (or never, with PermanentJobError). */
export type JobHandler<P = unknown> = (payload: P, job: JobContext) => Promise<void>;

/**
 * Does the work of several jobs of one kind at once (so their reads and writes are shared), and
 * says for each, in order, how it went: null when done, or the error a single handler would have
 * thrown (a RetryLaterError, a PermanentJobError …).
 */
export type JobBatchHandler<P = unknown> = (
  items: ReadonlyArray<{ payload: P; job: JobContext }>,
) => Promise<ReadonlyArray<Error | null>>;

/** The part of the repository a runner needs. */
export type JobStore = Pick<JobRepository, 'claim' | 'complete' | 'completeMany' | 'fail'>;

export interface JobRunnerOptions {
  repository: JobStore;
  clock: Clock;
  logger: Logger;
  /** Unique per runner instance (e.g. host, pid and a random suffix); recorded as `locked_by`. */
  workerId: string;
  /** Pause between polls once the queue is drained (start() only). */
  pollMs: number;
  /** How long a claim holds; every handler must finish well within it. Default 5 minutes. */
  leaseMs?: number;
  /** Jobs claimed and run in parallel per batch, in each lane (lanes × concurrency in all). Default 4. */
  concurrency?: number;
  /**
   * Claim-and-run loops a pass keeps going at once. Default 1. With 2, one batch's reads, writes
   * and network waits overlap the next batch's work, as two workers would, in one process; each
   * lane claims as `<workerId>#<n>`. Keep lanes × concurrency within the database pool.
   */
  lanes?: number;
  /** Default retry delays (a kind may override). Default 30 s doubling to 1 h, equal jitter. */
  backoff?: BackoffPolicy;
  /** Random source for jitter (tests pass a constant). */
  random?: () => number;
  /**
   * `all` (default): claim every kind, so a job nobody handles fails visibly as
   * `unknown-kind` instead of waiting for ever. `registered`: claim only kinds registered
   * here, for a process that deliberately runs a subset.
   */
  claimKinds?: 'all' | 'registered';
}

/** The outcome of one runDue() pass. */
export interface RunSummary {
  claimed: number;
  succeeded: number;
  retrying: number;
  failed: number;
}

interface Registration {
  handler: JobHandler<unknown>;
  schema: z.ZodType | undefined;
  backoff: BackoffPolicy | undefined;
  /** A kind whose jobs run together, up to `size` at a time. */
  batch?: { handler: JobBatchHandler<unknown>; size: number };
}

type Outcome =
  { kind: 'succeeded' } | { kind: 'retrying'; summary: string; retryAt: Date } | { kind: 'failed'; summary: string };

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 60 * 60_000, jitter: 'equal' };

/**
 * Runs background jobs from the database: claims due jobs under a lease, runs their
 * handlers, and records success, a retry with backoff, or permanent failure. Delivery is
 * at least once: a worker that dies mid-job loses its lease and another worker retakes
 * the job, so handlers must tolerate running twice.
 */
export class JobRunner {
  private readonly handlers = new Map<string, Registration>();
  private readonly inFlight = new Set<Promise<RunSummary>>();
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly lanes: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopping = false;
  /** Bumped by start() and stop(), so a poll from before a restart does not schedule a second loop. */
  private generation = 0;

  constructor(private readonly options: JobRunnerOptions) {
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 4;
    this.lanes = options.lanes ?? 1;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    if (!(options.pollMs > 0)) throw new RangeError('pollMs must be positive');
    if (!(this.leaseMs > 0)) throw new RangeError('leaseMs must be positive');
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new RangeError('concurrency must be a positive integer');
    if (!Number.isInteger(this.lanes) || this.lanes < 1) throw new RangeError('lanes must be a positive integer');
  }

  /** Registers the handler for `kind`; with a zod `schema`, a payload that does not match fails the job as `invalid-payload`. */
  register<S extends z.ZodType>(
    kind: string,
    handler: JobHandler<z.output<S>>,
    options: { schema: S; backoff?: BackoffPolicy },
  ): this;
  register(kind: string, handler: JobHandler<unknown>, options?: { backoff?: BackoffPolicy }): this;
  register(
    kind: string,
    handler: JobHandler<never>,
    options: { schema?: z.ZodType; backoff?: BackoffPolicy } = {},
  ): this {
    if (this.handlers.has(kind)) throw new Error(`A handler for job kind "${kind}" is already registered`);
    this.handlers.set(kind, {
      handler: handler as JobHandler<unknown>,
      schema: options.schema,
      backoff: options.backoff,
    });
    return this;
  }

  /**
   * Registers a kind whose jobs are run together: whenever one is claimed, more of the same kind
   * that are due are claimed with it, up to `size`, and handed to `handler` at once. Each job
   * still succeeds, retries or fails on its own.
   */
  registerBatch(
    kind: string,
    handler: JobBatchHandler<unknown>,
    options: { size: number; backoff?: BackoffPolicy },
  ): this {
    if (this.handlers.has(kind)) throw new Error(`A handler for job kind "${kind}" is already registered`);
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('size must be a positive integer');
    const single: JobHandler<unknown> = async (payload, job) => {
      const [error] = await handler([{ payload, job }]);
      if (error) throw error;
    };
    this.handlers.set(kind, {
      handler: single,
      schema: undefined,
      backoff: options.backoff,
      batch: { handler, size: options.size },
    });
    return this;
  }

  /** The kinds with a registered handler. */
  kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /** Starts polling (a timer that does not keep the process alive). */
  start(): void {
    if (this.polling) return;
    this.polling = true;
    this.stopping = false;
    this.generation += 1;
    this.schedule(0, this.generation);
  }

  /** Stops polling and claiming new batches, then waits for jobs already running to finish. */
  async stop(): Promise<void> {
    this.polling = false;
    this.stopping = true;
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
    // Passes in flight have finished; a runDue() called from now on runs normally.
    this.stopping = false;
  }

  /**
   * Claims and runs everything due now, batch by batch (in each lane), until nothing due is left;
   * resolves when every lane is done. If a lane fails (the database unreachable, say), the pass
   * still waits for the others before it rejects, so stop() never leaves one running.
   */
  runDue(): Promise<RunSummary> {
    const pass = Promise.allSettled(
      Array.from({ length: this.lanes }, (_, lane) =>
        this.drain(this.lanes > 1 ? `${this.options.workerId}#${lane + 1}` : this.options.workerId),
      ),
    ).then((settled) => {
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      return settled
        .map((s) => (s as PromiseFulfilledResult<RunSummary>).value)
        .reduce((sum, s) => ({
          claimed: sum.claimed + s.claimed,
          succeeded: sum.succeeded + s.succeeded,
          retrying: sum.retrying + s.retrying,
          failed: sum.failed + s.failed,
        }));
    });
    this.inFlight.add(pass);
    const forget = () => this.inFlight.delete(pass);
    pass.then(forget, forget);
    return pass;
  }

  private schedule(delayMs: number, generation: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll(generation);
    }, delayMs);
    this.timer.unref();
  }

  private async poll(generation: number): Promise<void> {
    try {
      await this.runDue();
    } catch (error) {
      this.options.logger.error({ workerId: this.options.workerId, error: summariseError(error) }, 'job poll failed');
    }
    if (this.polling && generation === this.generation) this.schedule(this.options.pollMs, generation);
  }

  /**
   * One lane: claims and runs until nothing is due. Each lane claims and records under its own
   * worker id, so a job one lane still holds past its lease and another retakes cannot have its
   * outcome written by the first.
   */
  private async drain(workerId: string): Promise<RunSummary> {
    const summary: RunSummary = { claimed: 0, succeeded: 0, retrying: 0, failed: 0 };
    while (!this.stopping) {
      const jobs = await this.options.repository.claim({
        workerId,
        ...(this.options.claimKinds === 'registered' ? { kinds: this.kinds() } : {}),
        now: this.options.clock.now(),
        leaseMs: this.leaseMs,
        limit: this.concurrency,
      });
      if (jobs.length === 0) break;
      // Jobs of a batch kind run together, with more of that kind claimed to fill the batch.
      const batches = new Map<string, Job[]>();
      const single: Job[] = [];
      for (const job of jobs) {
        if (this.handlers.get(job.kind)?.batch) batches.set(job.kind, [...(batches.get(job.kind) ?? []), job]);
        else single.push(job);
      }
      // Each batch kind's jobs in batches of at most its size (the first claim may hold more than that).
      const groups: Array<[string, Job[]]> = [];
      for (const [kind, group] of batches) {
        const size = this.handlers.get(kind)!.batch!.size;
        if (group.length < size)
          group.push(
            ...(await this.options.repository.claim({
              workerId,
              kinds: [kind],
              now: this.options.clock.now(),
              leaseMs: this.leaseMs,
              limit: size - group.length,
            })),
          );
        for (let i = 0; i < group.length; i += size) groups.push([kind, group.slice(i, i + size)]);
      }
      summary.claimed += single.length + groups.reduce((n, [, g]) => n + g.length, 0);
      const outcomes = (
        await Promise.all([
          ...single.map(async (job) => [await this.execute(job, workerId)]),
          ...groups.map(([kind, group]) => this.executeBatch(kind, group, workerId)),
        ])
      ).flat();
      for (const outcome of outcomes) if (outcome) summary[outcome.kind] += 1;
    }
    return summary;
  }

  /** Runs claimed jobs of one batch kind together; each outcome is recorded (successes in one write). */
  private async executeBatch(kind: string, jobs: Job[], workerId: string): Promise<Array<Outcome | undefined>> {
    const registration = this.handlers.get(kind)!;
    // Reclaimed after crashes on its last allowed attempt: stop (as attempt() does).
    const runnable = jobs.filter((job) => job.attempts <= job.maxAttempts);
    let errors: ReadonlyArray<Error | null>;
    try {
      errors = await registration.batch!.handler(
        runnable.map((job) => ({
          payload: job.payload,
          job: { id: job.id, kind: job.kind, attempts: job.attempts, maxAttempts: job.maxAttempts },
        })),
      );
    } catch (error) {
      errors = runnable.map(() => error as Error);
    }
    const outcomes = new Map<string, Outcome>(
      jobs.map((job) => [job.id, { kind: 'failed', summary: 'attempts-exhausted' }]),
    );
    runnable.forEach((job, i) =>
      outcomes.set(job.id, errors[i] ? this.outcomeOf(errors[i]!, job, registration) : { kind: 'succeeded' }),
    );
    const done = jobs.filter((job) => outcomes.get(job.id)!.kind === 'succeeded');
    const now = this.options.clock.now();
    let recorded = new Set<string>();
    try {
      recorded = new Set(
        await this.options.repository.completeMany(
          done.map((job) => job.id),
          now,
          workerId,
        ),
      );
    } catch (error) {
      this.options.logger.error({ kind, error: summariseError(error) }, 'job outcomes could not be recorded');
    }
    const results: Array<Outcome | undefined> = done.map((job) =>
      recorded.has(job.id) ? outcomes.get(job.id) : undefined,
    );
    for (const job of jobs.filter((j) => outcomes.get(j.id)!.kind !== 'succeeded'))
      results.push(await this.record(job, outcomes.get(job.id)!, workerId));
    return results;
  }

  /** Runs one claimed job and records the outcome; undefined when the outcome could not be recorded. */
  private async execute(job: Job, workerId: string): Promise<Outcome | undefined> {
    return this.record(job, await this.attempt(job), workerId);
  }

  /** Records one job's outcome; undefined when it could not be recorded. */
  private async record(job: Job, outcome: Outcome, workerId: string): Promise<Outcome | undefined> {
    const { logger, repository } = this.options;
    const log = { jobId: job.id, kind: job.kind, attempts: job.attempts };
    const now = this.options.clock.now();
    try {
      const recorded =
        outcome.kind === 'succeeded'
          ? await repository.complete(job.id, now, workerId)
          : await repository.fail(
              job.id,
              now,
              outcome.summary,
              outcome.kind === 'retrying' ? outcome.retryAt : null,
              workerId,
            );
      if (!recorded) {
        logger.warn(log, 'job lease lost before its outcome was recorded; another worker has it');
        return undefined;
      }
    } catch (error) {
      // The database is unreachable: the lease will expire and a later pass retakes the job.
      logger.error({ ...log, error: summariseError(error) }, 'job outcome could not be recorded');
      return undefined;
    }
    if (outcome.kind === 'retrying')
      logger.warn({ ...log, error: outcome.summary, retryAt: outcome.retryAt.toISOString() }, 'job failed; will retry');
    else if (outcome.kind === 'failed') logger.error({ ...log, error: outcome.summary }, 'job failed permanently');
    else logger.debug(log, 'job succeeded');
    return outcome;
  }

  private async attempt(job: Job): Promise<Outcome> {
    const registration = this.handlers.get(job.kind);
    if (!registration) return { kind: 'failed', summary: 'unknown-kind' };
    // Reclaimed after crashes on its last allowed attempt: stop, or a job that kills its
    // worker would be retaken for ever.
    if (job.attempts > job.maxAttempts) return { kind: 'failed', summary: 'attempts-exhausted' };
    let payload = job.payload;
    if (registration.schema) {
      const parsed = registration.schema.safeParse(payload);
      if (!parsed.success) return { kind: 'failed', summary: 'invalid-payload' };
      payload = parsed.data;
    }
    try {
      await registration.handler(payload, {
        id: job.id,
        kind: job.kind,
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
      });
      return { kind: 'succeeded' };
    } catch (error) {
      return this.outcomeOf(error, job, registration);
    }
  }

  /** What a handler's error means: failed for good, or a retry after the backoff (and at least as long as the other side asked). */
  private outcomeOf(error: unknown, job: Job, registration: Registration): Outcome {
    const summary = summariseError(error);
    if (error instanceof PermanentJobError || job.attempts >= job.maxAttempts) return { kind: 'failed', summary };
    const backoff = retryDelayMs(job.attempts, registration.backoff ?? this.backoff, this.random);
    const delay = error instanceof RetryLaterError ? Math.max(backoff, error.afterMs) : backoff;
    return { kind: 'retrying', summary, retryAt: new Date(this.options.clock.now().getTime() + delay) };
  }
}

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

/** The part of the repository a runner needs. */
export type JobStore = Pick<JobRepository, 'claim' | 'complete' | 'fail'>;

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
  /** Jobs run in parallel per batch. Default 4. */
  concurrency?: number;
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
}

type Outcome = { kind: 'succeeded' } | { kind: 'retrying'; summary: string; retryAt: Date } | { kind: 'failed'; summary: string };

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
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    if (!(options.pollMs > 0)) throw new RangeError('pollMs must be positive');
    if (!(this.leaseMs > 0)) throw new RangeError('leaseMs must be positive');
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  /** Registers the handler for `kind`; with a zod `schema`, a payload that does not match fails the job as `invalid-payload`. */
  register<S extends z.ZodType>(kind: string, handler: JobHandler<z.output<S>>, options: { schema: S; backoff?: BackoffPolicy }): this;
  register(kind: string, handler: JobHandler<unknown>, options?: { backoff?: BackoffPolicy }): this;
  register(kind: string, handler: JobHandler<never>, options: { schema?: z.ZodType; backoff?: BackoffPolicy } = {}): this {
    if (this.handlers.has(kind)) throw new Error(`A handler for job kind "${kind}" is already registered`);
    this.handlers.set(kind, { handler: handler as JobHandler<unknown>, schema: options.schema, backoff: options.backoff });
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

  /** Claims and runs everything due now, batch by batch, until nothing due is left; resolves when done. */
  runDue(): Promise<RunSummary> {
    const pass = this.drain();
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

  private async drain(): Promise<RunSummary> {
    const summary: RunSummary = { claimed: 0, succeeded: 0, retrying: 0, failed: 0 };
    while (!this.stopping) {
      const jobs = await this.options.repository.claim({
        workerId: this.options.workerId,
        ...(this.options.claimKinds === 'registered' ? { kinds: this.kinds() } : {}),
        now: this.options.clock.now(),
        leaseMs: this.leaseMs,
        limit: this.concurrency,
      });
      if (jobs.length === 0) break;
      summary.claimed += jobs.length;
      const outcomes = await Promise.all(jobs.map((job) => this.execute(job)));
      for (const outcome of outcomes) if (outcome) summary[outcome.kind] += 1;
    }
    return summary;
  }

  /** Runs one claimed job and records the outcome; undefined when the outcome could not be recorded. */
  private async execute(job: Job): Promise<Outcome | undefined> {
    const { logger, repository, workerId } = this.options;
    const log = { jobId: job.id, kind: job.kind, attempts: job.attempts };
    const outcome = await this.attempt(job);
    const now = this.options.clock.now();
    try {
      const recorded =
        outcome.kind === 'succeeded'
          ? await repository.complete(job.id, now, workerId)
          : await repository.fail(job.id, now, outcome.summary, outcome.kind === 'retrying' ? outcome.retryAt : null, workerId);
      if (!recorded) {
        logger.warn(log, 'job lease lost before its outcome was recorded; another worker has it');
        return undefined;
      }
    } catch (error) {
      // The database is unreachable: the lease will expire and a later pass retakes the job.
      logger.error({ ...log, error: summariseError(error) }, 'job outcome could not be recorded');
      return undefined;
    }
    if (outcome.kind === 'retrying') logger.warn({ ...log, error: outcome.summary, retryAt: outcome.retryAt.toISOString() }, 'job failed; will retry');
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
      await registration.handler(payload, { id: job.id, kind: job.kind, attempts: job.attempts, maxAttempts: job.maxAttempts });
      return { kind: 'succeeded' };
    } catch (error) {
      const summary = summariseError(error);
      if (error instanceof PermanentJobError || job.attempts >= job.maxAttempts) return { kind: 'failed', summary };
      const backoff = retryDelayMs(job.attempts, registration.backoff ?? this.backoff, this.random);
      const delay = error instanceof RetryLaterError ? Math.max(backoff, error.afterMs) : backoff;
      return { kind: 'retrying', summary, retryAt: new Date(this.options.clock.now().getTime() + delay) };
    }
  }
}

/** Where a job is in its life. */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A background job as stored. `payload` is whatever was enqueued, read back from JSON. */
export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  /** A safe summary (`ErrorClass:code`, `unknown-kind`, …); never an error message. */
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** What a caller asks to be run later. */
export interface NewJob {
  kind: string;
  /** Anything JSON can hold. Stored in the database until the job is purged. */
  payload: unknown;
  /** Not before this moment. */
  runAt: Date;
  /** Tries before the job fails for good (default 5). */
  maxAttempts?: number;
  /** A second enqueue with the same key, ever (until purged), is a no-op returning the first job's id. */
  dedupeKey?: string;
  /** When the job is written (`created_at`); defaults to `runAt`. */
  now?: Date;
}

/** A worker's request for due jobs. */
export interface ClaimRequest {
  workerId: string;
  /** Only these kinds; omit for every kind. */
  kinds?: readonly string[];
  now: Date;
  /** How long the claim holds before another worker may take the job over. */
  leaseMs: number;
  limit: number;
}

/** Jobs in each status. */
export type JobCounts = Record<JobStatus, number>;

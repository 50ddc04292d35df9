export { JobRepository } from './job-repository.js';
export {
  JobRunner,
  type JobBatchHandler,
  type JobContext,
  type JobHandler,
  type JobRunnerOptions,
  type JobStore,
  type RunSummary,
} from './job-runner.js';
export { PermanentJobError, RetryLaterError, summariseError } from './job-errors.js';
export { retryDelayMs, type BackoffPolicy } from './backoff.js';
export { JOB_STATUSES, type ClaimRequest, type Job, type JobCounts, type JobStatus, type NewJob } from './job-types.js';

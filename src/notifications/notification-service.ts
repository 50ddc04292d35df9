import type { Knex } from 'knex';
import { PermanentJobError, type JobRepository, type JobRunner } from '../jobs/index.js';
import type { Clock } from '../shared/clock.js';
import { ValidationError, isAppError, type FieldErrors } from '../shared/errors.js';
import type { Mailer } from './mailer.js';
import { emailMessageSchema, type EmailMessageInput, type ValidEmailMessage } from './notification-schemas.js';

/** The job kind that delivers one email. */
export const EMAIL_SEND = 'email.send';

/** With the default backoff (30 s doubling to 1 h, equal jitter), 12 attempts span about 2½ to 5 hours of outage. */
const EMAIL_MAX_ATTEMPTS = 12;

export interface NotificationServiceDeps {
  jobs: Pick<JobRepository, 'enqueue'>;
  mailer: Mailer;
  /** The sender, e.g. `Blue Light Pathways <no-reply@example.org>`. */
  from: string;
  clock: Clock;
}

/**
 * Email notifications through the job queue: enqueueing writes an `email.send` job (in
 * the caller's transaction, when given), and a worker delivers it, retrying through
 * outages, so a notification is never lost with its cause committed.
 */
export class NotificationService {
  private readonly messageIdDomain: string;

  constructor(private readonly deps: NotificationServiceDeps) {
    this.messageIdDomain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(deps.from)?.[1] ?? 'blue-light-pathways.invalid';
  }

  /**
   * Queues an email and returns the job id. Pass `trx` so it commits with the write that
   * caused it; pass a `dedupeKey` so the same notification is never queued twice.
   * Throws ValidationError (`validation-failed`) for an unusable message.
   */
  async enqueueEmail(
    message: EmailMessageInput,
    trx?: Knex.Transaction,
    options: { dedupeKey?: string } = {},
  ): Promise<string> {
    const parsed = emailMessageSchema.safeParse(message);
    if (!parsed.success) {
      const fields: FieldErrors = {};
      for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'message'] ??= issue.message;
      throw new ValidationError(fields, 'The email is not valid.');
    }
    const now = this.deps.clock.now();
    return this.deps.jobs.enqueue(
      {
        kind: EMAIL_SEND,
        payload: parsed.data,
        runAt: now,
        now,
        maxAttempts: EMAIL_MAX_ATTEMPTS,
        ...(options.dedupeKey !== undefined ? { dedupeKey: options.dedupeKey } : {}),
      },
      trx,
    );
  }

  /** Registers the `email.send` handler on `runner`. */
  registerHandlers(runner: Pick<JobRunner, 'register'>): void {
    runner.register(EMAIL_SEND, (payload, job) => this.deliver(payload, job.id), { schema: emailMessageSchema });
  }

  /** Sends one queued email; the Message-ID derives from the job so a retried duplicate is recognisable. */
  private async deliver(message: ValidEmailMessage, jobId: string): Promise<void> {
    try {
      await this.deps.mailer.send({
        ...message,
        from: this.deps.from,
        messageId: `<${jobId}@${this.messageIdDomain}>`,
      });
    } catch (error) {
      // A refused recipient will be refused again; anything else (smtp-unavailable,
      // outbox-unavailable) propagates and the runner retries it.
      if (isAppError(error) && error.code === 'smtp-rejected')
        throw new PermanentJobError('smtp-rejected', { cause: error });
      throw error;
    }
  }
}

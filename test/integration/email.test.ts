import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { JobRepository, JobRunner, retryDelayMs } from '../../src/jobs/index.js';
import { createMailTransport, NotificationService, type Mailer } from '../../src/notifications/index.js';
import { fixedClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { startSmtpServer } from '../support/smtp-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const FROM = 'Blue Light Pathways <no-reply@pathways.example.org>';
const BACKOFF = { baseMs: 30_000, maxMs: 3_600_000 };
const logger = createLogger({ level: 'silent' });

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function buildMail(overrides: Partial<Config['mail']> = {}): Config['mail'] {
  return { smtpUrl: undefined, from: FROM, outboxDir: path.join(os.tmpdir(), 'blp-unused-outbox'), ...overrides };
}

describe('email notifications', () => {
  let t: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let outboxRoot: string;
  let repository: JobRepository;
  let clock: ReturnType<typeof fixedClock>;
  const mailers: Mailer[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    smtp = await startSmtpServer();
    outboxRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-outbox-'));
  });
  afterAll(async () => {
    for (const mailer of mailers) mailer.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    fs.rmSync(outboxRoot, { recursive: true, force: true });
    await t.destroy();
  });
  beforeEach(async () => {
    await t.db('jobs').delete();
    smtp.received.length = 0;
    repository = new JobRepository(t.db);
    clock = fixedClock('2026-03-02T09:00:00.000Z');
  });

  function buildService(mail: Config['mail']): { service: NotificationService; runner: JobRunner } {
    const mailer = createMailTransport(mail, { clock });
    mailers.push(mailer);
    const service = new NotificationService({ jobs: repository, mailer, from: FROM, clock });
    const runner = new JobRunner({
      repository,
      clock,
      logger,
      workerId: 'mail-worker',
      pollMs: 1_000,
      backoff: BACKOFF,
      random: () => 0.5,
    });
    service.registerHandlers(runner);
    return { service, runner };
  }

  it('when an email is enqueued and the runner runs, then the SMTP server receives exactly one message for the recipient', async () => {
    const { service, runner } = buildService(buildMail({ smtpUrl: smtp.url }));
    const id = await service.enqueueEmail({
      to: 'officer@force.example.org',
      subject: 'Your occupational health appointment',
      text: 'Please sign in to see the details.',
    });

    expect(smtp.received).toHaveLength(0);
    await runner.runDue();
    await runner.runDue();

    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message?.to).toEqual(['officer@force.example.org']);
    expect(message?.from).toBe('no-reply@pathways.example.org');
    expect(message?.raw).toContain('Subject: Your occupational health appointment');
    expect(message?.raw).toContain(`Message-ID: <${id}@pathways.example.org>`);
    expect(await repository.get(id)).toMatchObject({ kind: 'email.send', status: 'succeeded', attempts: 1 });
  });

  it('when no SMTP server is configured, then the email is written to the outbox as an .eml file', async () => {
    const outboxDir = path.join(outboxRoot, 'outbox');
    const { service, runner } = buildService(buildMail({ outboxDir }));
    const id = await service.enqueueEmail({
      to: 'manager@force.example.org',
      subject: 'A return-to-work interview is due',
      text: 'Sign in to arrange it.',
      html: '<p>Sign in to arrange it.</p>',
    });

    await runner.runDue();

    const files = fs.readdirSync(outboxDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2026-03-02T09-00-00-000Z-[0-9a-f]+\.eml$/);
    const eml = fs.readFileSync(path.join(outboxDir, files[0] ?? ''), 'utf8');
    expect(eml).toContain('Subject: A return-to-work interview is due');
    expect(eml).toContain('To: manager@force.example.org');
    expect(await repository.get(id)).toMatchObject({ status: 'succeeded' });
  });

  it('when the SMTP server is not listening, then the job goes back to the queue with the email kept, and is delivered once the server is back', async () => {
    const down = buildService(buildMail({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}` }));
    const message = { to: 'officer@force.example.org', subject: 'Referral received', text: 'Sign in for details.' };
    const id = await down.service.enqueueEmail(message);

    await down.runner.runDue();

    const job = await repository.get(id);
    expect(job).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: 'AppError:smtp-unavailable',
      payload: message,
    });
    expect(smtp.received).toHaveLength(0);

    // The mail server comes back (another process, same database) after the backoff.
    const up = buildService(buildMail({ smtpUrl: smtp.url }));
    clock.advance(retryDelayMs(1, BACKOFF, () => 0.5));
    await up.runner.runDue();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.raw).toContain('Subject: Referral received');
    expect(await repository.get(id)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('when the SMTP server refuses the recipient for good, then the job fails at once without retrying', async () => {
    const { service, runner } = buildService(buildMail({ smtpUrl: smtp.url }));
    const id = await service.enqueueEmail({ to: 'nobody@refused.example.org', subject: 'Hello', text: 'Hello.' });

    await runner.runDue();

    expect(await repository.get(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'PermanentJobError:smtp-rejected',
    });
    expect(smtp.received).toHaveLength(0);
  });

  it('when the email is not valid, then enqueueing refuses with validation-failed and writes no job', async () => {
    const { service } = buildService(buildMail({ smtpUrl: smtp.url }));
    await expect(
      service.enqueueEmail({ to: 'not-an-address', subject: 'Line one\nBcc: someone@example.org', text: 'x' }),
    ).rejects.toMatchObject({
      code: 'validation-failed',
      fields: { to: expect.any(String), subject: expect.any(String) },
    });
    expect(await repository.countByStatus('email.send')).toMatchObject({ queued: 0 });
  });

  it('when an email is enqueued in a transaction that rolls back, then nothing is sent', async () => {
    const { service, runner } = buildService(buildMail({ smtpUrl: smtp.url }));
    await expect(
      t.db.transaction(async (trx) => {
        await service.enqueueEmail(
          { to: 'officer@force.example.org', subject: 'Referral received', text: 'Sign in.' },
          trx,
        );
        throw new Error('referral write failed');
      }),
    ).rejects.toThrow('referral write failed');
    await runner.runDue();
    expect(smtp.received).toHaveLength(0);
  });

  it('when the same notification is enqueued twice with a dedupe key, then it is sent once', async () => {
    const { service, runner } = buildService(buildMail({ smtpUrl: smtp.url }));
    const message = { to: 'officer@force.example.org', subject: 'Milestone reached', text: 'Sign in.' };
    const first = await service.enqueueEmail(message, undefined, { dedupeKey: 'milestone:m-1:email' });
    const second = await service.enqueueEmail(message, undefined, { dedupeKey: 'milestone:m-1:email' });
    expect(second).toBe(first);
    await runner.runDue();
    expect(smtp.received).toHaveLength(1);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDatabase, type Database } from '../../src/db/knex.js';
import {
  JobRepository,
  JobRunner,
  PermanentJobError,
  RetryLaterError,
  retryDelayMs,
  type JobHandler,
  type JobRunnerOptions,
} from '../../src/jobs/index.js';
import { fixedClock } from '../../src/shared/clock.js';
import { AppError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const START = '2026-03-02T09:00:00.000Z';
const BACKOFF = { baseMs: 60_000, maxMs: 3_600_000 };
const logger = createLogger({ level: 'silent' });

describe('background jobs', () => {
  let t: TestDatabase;
  let repository: JobRepository;
  let clock: ReturnType<typeof fixedClock>;

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.destroy());
  beforeEach(async () => {
    await t.db('jobs').delete();
    repository = new JobRepository(t.db);
    clock = fixedClock(START);
  });

  function buildRunner(overrides: Partial<JobRunnerOptions> = {}): JobRunner {
    return new JobRunner({
      repository,
      clock,
      logger,
      workerId: 'worker-a',
      pollMs: 1_000,
      backoff: BACKOFF,
      random: () => 0.5,
      ...overrides,
    });
  }

  function enqueue(kind: string, payload: unknown = {}, extra: { maxAttempts?: number; dedupeKey?: string } = {}) {
    return repository.enqueue({ kind, payload, runAt: clock.now(), ...extra });
  }

  it('when a batch kind has jobs due, then they run together (more claimed to fill the batch), each succeeding, retrying or failing on its own', async () => {
    const batches: number[][] = [];
    const runner = buildRunner({ concurrency: 2 }).registerBatch(
      'test.batch',
      async (items) => {
        batches.push(items.map((i) => (i.payload as { n: number }).n));
        return items.map((i) => {
          const n = (i.payload as { n: number }).n;
          return n === 3 ? new RetryLaterError('busy', 120_000) : n === 4 ? new PermanentJobError('refused') : null;
        });
      },
      { size: 5 },
    );
    for (let n = 1; n <= 7; n += 1) await enqueue('test.batch', { n });
    const summary = await runner.runDue();
    expect(summary).toEqual({ claimed: 7, succeeded: 5, retrying: 1, failed: 1 });
    expect(batches.map((b) => b.length)).toEqual([5, 2]);
    const rows = await t.db('jobs').where({ kind: 'test.batch' });
    const by = (n: number) => rows.find((r: { payload: string }) => JSON.parse(r.payload).n === n);
    expect(by(3)).toMatchObject({ status: 'queued', last_error: 'RetryLaterError:busy' });
    expect(new Date(by(3).run_at).getTime() - new Date(START).getTime()).toBeGreaterThanOrEqual(120_000);
    expect(by(4)).toMatchObject({ status: 'failed', last_error: 'PermanentJobError:refused' });
    expect(rows.filter((r: { status: string }) => r.status === 'succeeded')).toHaveLength(5);
  });

  it('when the runner has two lanes, then two batches are worked at once, each lane claiming under its own worker id, and every job still runs exactly once', async () => {
    let running = 0;
    let mostAtOnce = 0;
    let bothRunning!: () => void;
    const together = new Promise<void>((r) => (bothRunning = r));
    const seen: number[] = [];
    const claimedBy = new Set<string>();
    const store = {
      claim: async (o: Parameters<JobRepository['claim']>[0]) => {
        const jobs = await repository.claim(o);
        if (jobs.length) claimedBy.add(o.workerId);
        return jobs;
      },
      complete: repository.complete.bind(repository),
      completeMany: repository.completeMany.bind(repository),
      fail: repository.fail.bind(repository),
    };
    // One job claimed at a time, topped up to batches of 3: within a lane batches never overlap, so two at once means two lanes.
    const runner = buildRunner({ lanes: 2, concurrency: 1, repository: store }).registerBatch(
      'test.lanes',
      async (items) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        if (running === 2) bothRunning();
        // The first batch waits for a second to start beside it (with one lane it never would; the bound keeps a failure finite).
        await Promise.race([together, new Promise((r) => setTimeout(r, 5_000))]);
        seen.push(...items.map((i) => (i.payload as { n: number }).n));
        running -= 1;
        return items.map(() => null);
      },
      { size: 3 },
    );
    for (let n = 1; n <= 12; n += 1) await enqueue('test.lanes', { n });
    const summary = await runner.runDue();
    expect(summary).toEqual({ claimed: 12, succeeded: 12, retrying: 0, failed: 0 });
    expect(mostAtOnce).toBe(2);
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const rows = (await t.db('jobs').where({ kind: 'test.lanes' })) as Array<{ status: string }>;
    expect(rows.map((r) => r.status)).toEqual(Array(12).fill('succeeded'));
    // Outcomes are recorded under the claiming lane's id (complete checks locked_by), so each lane claimed and recorded as itself.
    expect(claimedBy).toEqual(new Set(['worker-a#1', 'worker-a#2']));
    expect(() => buildRunner({ lanes: 0 })).toThrow(RangeError);
  });

  it('when one lane cannot claim (the database fails), then the pass rejects only after the other lane has finished its work', async () => {
    let finish!: () => void;
    const held = new Promise<void>((r) => (finish = r));
    let started!: () => void;
    const working = new Promise<void>((r) => (started = r));
    const store = {
      claim: (o: Parameters<JobRepository['claim']>[0]) =>
        o.workerId.endsWith('#2')
          ? working.then(() => Promise.reject(new Error('database unreachable')))
          : repository.claim(o),
      complete: repository.complete.bind(repository),
      completeMany: repository.completeMany.bind(repository),
      fail: repository.fail.bind(repository),
    };
    const runner = buildRunner({ lanes: 2, repository: store }).register('test.slow', async () => {
      started();
      await held;
    });
    await enqueue('test.slow');
    let settled = false;
    const pass = runner.runDue();
    pass.then(
      () => (settled = true),
      () => (settled = true),
    );
    await working;
    // Lane 2 has failed by now; lane 1 is still working its job.
    for (let i = 0; i < 20; i += 1) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    finish();
    await expect(pass).rejects.toThrow('database unreachable');
    expect(await t.db('jobs').where({ kind: 'test.slow' }).first()).toMatchObject({ status: 'succeeded' });
  });

  it('when the first claim holds more of a batch kind than its size, then the handler still gets batches of at most that size', async () => {
    const sizes: number[] = [];
    const runner = buildRunner({ concurrency: 4 }).registerBatch(
      'test.small',
      async (items) => {
        sizes.push(items.length);
        return items.map(() => null);
      },
      { size: 3 },
    );
    for (let n = 1; n <= 4; n += 1) await enqueue('test.small', { n });
    expect(await runner.runDue()).toEqual({ claimed: 4, succeeded: 4, retrying: 0, failed: 0 });
    expect(sizes.every((n) => n <= 3)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('when a job is enqueued and the runner runs what is due, then the handler runs once with the payload and the job succeeds', async () => {
    const seen: Array<{ payload: unknown; attempts: number }> = [];
    const runner = buildRunner().register('test.echo', async (payload, job) => {
      seen.push({ payload, attempts: job.attempts });
    });
    const id = await enqueue('test.echo', { referralId: 'r-1' });

    const summary = await runner.runDue();
    await runner.runDue();

    expect(summary).toEqual({ claimed: 1, succeeded: 1, retrying: 0, failed: 0 });
    expect(seen).toEqual([{ payload: { referralId: 'r-1' }, attempts: 1 }]);
    const job = await repository.get(id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, lockedBy: null, lockedUntil: null, lastError: null });
    expect(job?.finishedAt?.toISOString()).toBe(START);
  });

  it('when a job is scheduled for later, then it does not run until the clock reaches its time', async () => {
    let runs = 0;
    const runner = buildRunner().register('test.later', async () => {
      runs += 1;
    });
    await repository.enqueue({
      kind: 'test.later',
      payload: null,
      runAt: new Date(Date.parse(START) + 60_000),
      now: clock.now(),
    });

    await runner.runDue();
    expect(runs).toBe(0);
    clock.advance(60_000);
    await runner.runDue();
    expect(runs).toBe(1);
  });

  it('when the application restarts, then a queued job is picked up by the new process', async () => {
    const before = createDatabase(t.config);
    const id = await new JobRepository(before).enqueue({ kind: 'test.durable', payload: { n: 1 }, runAt: clock.now() });
    await before.destroy();

    const after = createDatabase(t.config);
    try {
      const ran: string[] = [];
      const runner = new JobRunner({
        repository: new JobRepository(after),
        clock,
        logger,
        workerId: 'worker-restarted',
        pollMs: 1_000,
      });
      runner.register('test.durable', async (_payload, job) => {
        ran.push(job.id);
      });
      await runner.runDue();
      expect(ran).toEqual([id]);
      expect((await repository.get(id))?.status).toBe('succeeded');
    } finally {
      await after.destroy();
    }
  });

  it('when a handler keeps failing, then it is retried after the backoff and fails for good after maxAttempts, recording no message text', async () => {
    const secret = 'Jane Example has PTSD, jane@example.org';
    let runs = 0;
    const runner = buildRunner().register('test.flaky', async () => {
      runs += 1;
      throw new AppError({ code: 'smtp-unavailable', status: 503, publicMessage: secret });
    });
    const id = await enqueue('test.flaky', {}, { maxAttempts: 3 });

    await runner.runDue();
    let job = await repository.get(id);
    const firstDelay = retryDelayMs(1, BACKOFF, () => 0.5);
    expect(job).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: 'AppError:smtp-unavailable',
      lockedBy: null,
    });
    expect(job?.runAt.toISOString()).toBe(new Date(Date.parse(START) + firstDelay).toISOString());

    // Not yet due: nothing happens however often the runner looks.
    clock.advance(firstDelay - 1);
    await runner.runDue();
    expect(runs).toBe(1);

    clock.advance(1);
    await runner.runDue();
    job = await repository.get(id);
    expect(runs).toBe(2);
    expect(job).toMatchObject({ status: 'queued', attempts: 2 });

    clock.advance(retryDelayMs(2, BACKOFF, () => 0.5));
    await runner.runDue();
    job = await repository.get(id);
    expect(runs).toBe(3);
    expect(job).toMatchObject({ status: 'failed', attempts: 3, lastError: 'AppError:smtp-unavailable' });
    expect(job?.finishedAt).not.toBeNull();

    clock.advance(BACKOFF.maxMs * 10);
    await runner.runDue();
    expect(runs).toBe(3);
    const stored = JSON.stringify(await t.db('jobs').where('id', id).first());
    expect(stored).not.toContain('PTSD');
    expect(stored).not.toContain('jane@example.org');
  });

  it('when a handler throws something that is not an Error, then only "NonError" is recorded', async () => {
    const runner = buildRunner().register('test.throws-string', async () => {
      throw 'Jane Example, sickness absence' as unknown as Error;
    });
    const id = await enqueue('test.throws-string');
    await runner.runDue();
    expect((await repository.get(id))?.lastError).toBe('NonError');
  });

  it('when a handler throws PermanentJobError, then the job fails at once without retrying', async () => {
    const runner = buildRunner().register('test.hopeless', async () => {
      throw new PermanentJobError('recipient-unknown');
    });
    const id = await enqueue('test.hopeless');
    expect(await runner.runDue()).toMatchObject({ failed: 1, retrying: 0 });
    expect(await repository.get(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'PermanentJobError:recipient-unknown',
    });
  });

  it('when a handler asks to be retried later, then the retry waits at least that long even when the backoff is shorter', async () => {
    const runner = buildRunner().register('test.busy', async () => {
      throw new RetryLaterError('partner-429', 2 * 3_600_000);
    });
    const id = await enqueue('test.busy');
    expect(await runner.runDue()).toMatchObject({ retrying: 1 });
    const job = (await repository.get(id))!;
    expect(job.lastError).toBe('RetryLaterError:partner-429');
    expect(job.runAt.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(2 * 3_600_000);
  });

  it('when no handler is registered for the kind, then the job fails permanently as unknown-kind', async () => {
    const runner = buildRunner().register('test.known', async () => undefined);
    const id = await enqueue('test.nobody-handles-this');
    await runner.runDue();
    expect(await repository.get(id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'unknown-kind' });
  });

  it('when the runner claims only registered kinds, then other kinds stay queued for another process', async () => {
    const runner = buildRunner({ claimKinds: 'registered' }).register('test.mine', async () => undefined);
    const mine = await enqueue('test.mine');
    const theirs = await enqueue('test.theirs');
    await runner.runDue();
    expect((await repository.get(mine))?.status).toBe('succeeded');
    expect(await repository.get(theirs)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('when the payload does not match the handler schema, then the job fails permanently as invalid-payload without running', async () => {
    let runs = 0;
    const runner = buildRunner().register(
      'test.typed',
      async (payload) => {
        runs += payload.count;
      },
      { schema: z.object({ count: z.number().int() }) },
    );
    const good = await enqueue('test.typed', { count: 2 });
    const bad = await enqueue('test.typed', { count: 'two' });
    await runner.runDue();
    expect(runs).toBe(2);
    expect((await repository.get(good))?.status).toBe('succeeded');
    expect(await repository.get(bad)).toMatchObject({ status: 'failed', lastError: 'invalid-payload' });
  });

  it('when the same dedupe key is enqueued twice, then there is one job and both calls return its id', async () => {
    const first = await enqueue('test.dedupe', { n: 1 }, { dedupeKey: 'referral:r-1:sent' });
    const second = await enqueue('test.dedupe', { n: 2 }, { dedupeKey: 'referral:r-1:sent' });
    expect(second).toBe(first);
    expect(await t.db('jobs').where('kind', 'test.dedupe').count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect((await repository.get(first))?.payload).toEqual({ n: 1 });
  });

  it('when a duplicate is enqueued inside a transaction, then the transaction carries on and commits its other writes', async () => {
    const existing = await enqueue('test.dedupe', {}, { dedupeKey: 'k-in-trx' });
    let other = '';
    await t.db.transaction(async (trx) => {
      expect(
        await repository.enqueue({ kind: 'test.dedupe', payload: {}, runAt: clock.now(), dedupeKey: 'k-in-trx' }, trx),
      ).toBe(existing);
      other = await repository.enqueue({ kind: 'test.other', payload: {}, runAt: clock.now() }, trx);
    });
    expect((await repository.get(other))?.status).toBe('queued');
    expect(await repository.countByStatus('test.dedupe')).toMatchObject({ queued: 1 });
  });

  it('when a job is enqueued inside a transaction that rolls back, then no job exists', async () => {
    let id = '';
    await expect(
      t.db.transaction(async (trx) => {
        id = await repository.enqueue({ kind: 'test.rolled-back', payload: {}, runAt: clock.now() }, trx);
        throw new Error('domain write failed');
      }),
    ).rejects.toThrow('domain write failed');
    expect(id).not.toBe('');
    expect(await repository.get(id)).toBeNull();
    expect(await repository.countByStatus()).toEqual({ queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 });
  });

  it('when a job is enqueued inside a transaction that commits, then the job exists', async () => {
    const id = await t.db.transaction((trx) =>
      repository.enqueue({ kind: 'test.committed', payload: {}, runAt: clock.now() }, trx),
    );
    expect((await repository.get(id))?.status).toBe('queued');
  });

  it('when a worker crashes holding a job, then the job is retaken only after the lease expires and the late worker cannot overwrite it', async () => {
    const id = await enqueue('test.crash');
    const [taken] = await repository.claim({
      workerId: 'worker-crashed',
      now: clock.now(),
      leaseMs: 60_000,
      limit: 10,
    });
    expect(taken).toMatchObject({ id, status: 'running', attempts: 1, lockedBy: 'worker-crashed' });

    const ran: number[] = [];
    const runner = buildRunner({ workerId: 'worker-b' }).register('test.crash', async (_p, job) => {
      ran.push(job.attempts);
    });
    await runner.runDue();
    expect(ran).toEqual([]);

    clock.advance(60_001);
    await runner.runDue();
    expect(ran).toEqual([2]);
    expect(await repository.get(id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(await repository.complete(id, clock.now(), 'worker-crashed')).toBe(false);
    expect(await repository.fail(id, clock.now(), 'Error', null, 'worker-crashed')).toBe(false);
  });

  it('when a job has crashed its worker on every allowed attempt, then it fails as attempts-exhausted instead of running again', async () => {
    const id = await enqueue('test.poison', {}, { maxAttempts: 1 });
    await repository.claim({ workerId: 'worker-crashed', now: clock.now(), leaseMs: 1_000, limit: 10 });
    clock.advance(1_001);
    let runs = 0;
    const runner = buildRunner().register('test.poison', async () => {
      runs += 1;
    });
    await runner.runDue();
    expect(runs).toBe(0);
    expect(await repository.get(id)).toMatchObject({ status: 'failed', attempts: 2, lastError: 'attempts-exhausted' });
  });

  it('when queued jobs are cancelled, then they never run and running ones are left alone', async () => {
    const keep = await enqueue('test.deliver', { referralId: 'r-keep' });
    const drop1 = await enqueue('test.deliver', { referralId: 'r-drop' });
    const drop2 = await enqueue('test.deliver', { referralId: 'r-drop' });
    const single = await enqueue('test.single');
    const cancelled = await t.db.transaction((trx) =>
      repository.cancelQueued(
        { kind: 'test.deliver', where: (p) => (p as { referralId: string }).referralId === 'r-drop' },
        clock.now(),
        trx,
      ),
    );
    expect(cancelled).toBe(2);
    expect(await repository.cancel(single, clock.now())).toBe(true);
    expect(await repository.cancel(single, clock.now())).toBe(false);

    const ran: string[] = [];
    const runner = buildRunner()
      .register('test.deliver', async (_p, job) => {
        ran.push(job.id);
      })
      .register('test.single', async (_p, job) => {
        ran.push(job.id);
      });
    await runner.runDue();
    expect(ran).toEqual([keep]);
    for (const id of [drop1, drop2, single]) expect((await repository.get(id))?.status).toBe('cancelled');
    expect(await repository.cancel(keep, clock.now())).toBe(false);
  });

  it('when an operator requeues a failed job, then it runs again with fresh attempts', async () => {
    let fail = true;
    const runner = buildRunner().register('test.requeue', async () => {
      if (fail) throw new PermanentJobError('not-yet');
    });
    const id = await enqueue('test.requeue');
    await runner.runDue();
    expect((await repository.get(id))?.status).toBe('failed');
    fail = false;
    expect(await repository.requeue(id, clock.now())).toBe(true);
    await runner.runDue();
    expect(await repository.get(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('when finished jobs are purged, then succeeded and cancelled ones before the date go and the rest stay', async () => {
    const runner = buildRunner().register('test.purge', async () => undefined);
    const done = await enqueue('test.purge');
    await runner.runDue();
    const waiting = await enqueue('test.purge-later');
    clock.advance(1_000);
    expect(await repository.purgeFinished(clock.now())).toBe(1);
    expect(await repository.get(done)).toBeNull();
    expect(await repository.get(waiting)).not.toBeNull();
  });

  it('when the runner is stopped while a job runs, then stop waits for that job and nothing more is claimed', async () => {
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const hasStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const runs: string[] = [];
    let block = true;
    const runner = buildRunner({ concurrency: 1 }).register('test.slow', async (_p, job) => {
      runs.push(job.id);
      if (!block) return;
      started();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const first = await enqueue('test.slow');
    const second = await enqueue('test.slow');

    runner.start();
    await hasStarted;
    let stopped = false;
    const stopping = runner.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect(runs).toHaveLength(1);
    const statuses = [(await repository.get(first))?.status, (await repository.get(second))?.status].sort();
    expect(statuses).toEqual(['queued', 'succeeded']);

    // Stopped is not broken: an explicit pass afterwards (the CLI) runs the rest.
    block = false;
    await runner.runDue();
    expect(runs).toHaveLength(2);
    expect(await repository.countByStatus('test.slow')).toMatchObject({ succeeded: 2, queued: 0 });
  });

  it('when several runners, each with its own connection pool, run concurrently over 200 jobs, then every job runs exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) ids.push(await enqueue('test.concurrent', { i }));

    const executions = new Map<string, number>();
    const handler: JobHandler = async (_payload, job) => {
      executions.set(job.id, (executions.get(job.id) ?? 0) + 1);
      // Yield so the runners really interleave.
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    const pools: Database[] = [0, 1, 2, 3].map(() => createDatabase(t.config));
    try {
      const runners = pools.map((db, n) =>
        new JobRunner({
          repository: new JobRepository(db),
          clock,
          logger,
          workerId: `worker-${n}`,
          pollMs: 1_000,
          concurrency: 5,
        }).register('test.concurrent', handler),
      );
      const summaries = await Promise.all(runners.map((r) => r.runDue()));

      expect(summaries.reduce((sum, s) => sum + s.claimed, 0)).toBe(200);
      expect(executions.size).toBe(200);
      expect([...executions.values()].every((n) => n === 1)).toBe(true);
      expect(ids.every((id) => executions.get(id) === 1)).toBe(true);
      expect(await repository.countByStatus('test.concurrent')).toMatchObject({
        succeeded: 200,
        queued: 0,
        running: 0,
      });
      const lockedBy = await t.db('jobs').where('kind', 'test.concurrent').distinct('locked_by');
      expect(lockedBy).toEqual([{ locked_by: null }]);
    } finally {
      await Promise.all(pools.map((db) => db.destroy()));
    }
  });
});

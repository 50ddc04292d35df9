import { describe, expect, it } from 'vitest';
import { fixedClock } from '../shared/clock.js';
import type { JobRepository } from './job-repository.js';
import type { JobRunner } from './job-runner.js';
import { registerDaily } from './maintenance.js';

/** The daily work runs at 06:00 UK time, for the UK day (issue 14 defect 2). */
describe('registerDaily', () => {
  const scheduled = async (at: string) => {
    const clock = fixedClock(at);
    const queued: Array<{ runAt: Date; dedupeKey?: string }> = [];
    const jobs = { enqueue: async (job: { runAt: Date; dedupeKey?: string }) => void queued.push(job) };
    const runner = { register: () => runner };
    await registerDaily({
      runner: runner as unknown as JobRunner,
      jobs: jobs as unknown as JobRepository,
      clock,
      kind: 'test.daily',
      work: async () => undefined,
    }).scheduleNext();
    return { runAt: queued[0]!.runAt.toISOString(), key: queued[0]!.dedupeKey };
  };

  it('when it is summer, then the next run is 06:00 BST (05:00 UTC), keyed by the UK day', async () => {
    expect(await scheduled('2026-07-15T12:00:00Z')).toEqual({
      runAt: '2026-07-16T05:00:00.000Z',
      key: 'test.daily:2026-07-16',
    });
    // At 23:30 UTC it is already the 16th in the UK, and 06:00 that day is still to come.
    expect(await scheduled('2026-07-15T23:30:00Z')).toEqual({
      runAt: '2026-07-16T05:00:00.000Z',
      key: 'test.daily:2026-07-16',
    });
  });

  it('when it is winter, then 06:00 GMT; across a clock change, 06:00 on the new time', async () => {
    expect(await scheduled('2026-01-15T07:00:00Z')).toEqual({
      runAt: '2026-01-16T06:00:00.000Z',
      key: 'test.daily:2026-01-16',
    });
    expect(await scheduled('2026-03-28T12:00:00Z')).toEqual({
      runAt: '2026-03-29T05:00:00.000Z',
      key: 'test.daily:2026-03-29',
    });
    expect(await scheduled('2026-10-24T12:00:00Z')).toEqual({
      runAt: '2026-10-25T06:00:00.000Z',
      key: 'test.daily:2026-10-25',
    });
  });
});

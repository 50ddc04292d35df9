import { TZDate } from '@date-fns/tz';
import type { Clock } from '../shared/clock.js';
import { addDays, londonDay, type IsoDate } from '../shared/dates.js';
import type { JobRepository } from './job-repository.js';
import type { JobRunner } from './job-runner.js';

export const MAINTENANCE = 'maintenance.hourly';
const HOUR = 3_600_000;
const KEEP_FINISHED_JOBS_DAYS = 30;

/**
 * Hourly housekeeping as a durable job that schedules its own next run: expired sessions
 * are deleted and finished jobs (whose payloads may hold message bodies) are purged after
 * 30 days. The dedupe key makes sure only one run per hour exists however many processes start.
 */
export function registerMaintenance(deps: {
  runner: JobRunner;
  jobs: JobRepository;
  clock: Clock;
  deleteExpiredSessions: (now: Date) => Promise<number>;
}): { scheduleNext(): Promise<void> } {
  return registerEvery({
    ...deps,
    kind: MAINTENANCE,
    everyMs: HOUR,
    work: async (now) => {
      await deps.deleteExpiredSessions(now);
      await deps.jobs.purgeFinished(new Date(now.getTime() - KEEP_FINISHED_JOBS_DAYS * 24 * HOUR));
    },
  });
}

/**
 * A daily piece of work as a durable, self-scheduling job (e.g. attendance milestones that
 * become due as days pass). It is scheduled for 06:00 UK time (GMT or BST), once per UK day however
 * many processes run (the dedupe key is that day), retried if it fails, and always works for the UK
 * day it actually runs on, so a run delayed by an outage catches up rather than replaying a stale day.
 */
export function registerDaily(deps: {
  runner: JobRunner;
  jobs: JobRepository;
  clock: Clock;
  kind: string;
  work: (asOf: IsoDate) => Promise<void>;
}): { scheduleNext(): Promise<void> } {
  const scheduleNext = async () => {
    const now = deps.clock.now();
    const today = deps.clock.today();
    const sixOn = (day: IsoDate) => {
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      return new Date(new TZDate(y, m - 1, d, 6, 0, 'Europe/London').getTime());
    };
    const todayAtSix = sixOn(today);
    const next = todayAtSix > now ? todayAtSix : sixOn(addDays(today, 1));
    await deps.jobs.enqueue({
      kind: deps.kind,
      payload: { scheduledFor: next.toISOString() },
      runAt: next,
      dedupeKey: `${deps.kind}:${londonDay(next)}`,
      now,
    });
  };
  deps.runner.register(deps.kind, async () => {
    // The next run is booked whatever happens to this one (retries of this run book the same one).
    try {
      await deps.work(deps.clock.today());
    } finally {
      await scheduleNext();
    }
  });
  return { scheduleNext };
}

/**
 * Work repeated every `everyMs` (e.g. the pathway timer sweep) as a durable, self-scheduling
 * job: one run per period however many processes start (the dedupe key is the period's
 * start), retried if it fails, and always working for the moment it actually runs.
 */
export function registerEvery(deps: {
  runner: JobRunner;
  jobs: JobRepository;
  clock: Clock;
  kind: string;
  everyMs: number;
  work: (now: Date) => Promise<void>;
}): { scheduleNext(): Promise<void> } {
  const scheduleNext = async () => {
    const now = deps.clock.now();
    const next = new Date(Math.floor(now.getTime() / deps.everyMs) * deps.everyMs + deps.everyMs);
    await deps.jobs.enqueue({
      kind: deps.kind,
      payload: {},
      runAt: next,
      dedupeKey: `${deps.kind}:${next.toISOString()}`,
      now,
    });
  };
  deps.runner.register(deps.kind, async () => {
    // The next run is booked whatever happens to this one, so one failure never stops the timers.
    try {
      await deps.work(deps.clock.now());
    } finally {
      await scheduleNext();
    }
  });
  return { scheduleNext };
}

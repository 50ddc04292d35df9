import { scheduleFor } from './bbv-views.js';
import type { ScheduleItem } from './schedule.js';

/**
 * The person's own schedule (issue 16 §8): the dates and tests, never a result or that one needs a
 * clinician (bbv-views.ts `scheduleFor('own')`: a timepoint with its results is simply done).
 */
export function ownSchedule(schedule: readonly ScheduleItem[]) {
  return scheduleFor('own', schedule);
}
export type OwnScheduleItem = ReturnType<typeof ownSchedule>[number];

/** The next test the person has to go to: one open now (or with some results in), else the next to come. */
export function nextTestOf(schedule: readonly ScheduleItem[]): OwnScheduleItem | null {
  const own = ownSchedule(schedule);
  return (
    own.find((s) => s.status === 'due' || s.status === 'partial') ?? own.find((s) => s.status === 'upcoming') ?? null
  );
}

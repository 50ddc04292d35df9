import { londonDay, type IsoDate } from './dates.js';

/**
 * Time is a dependency. Services receive a Clock; rules receive the date they calculate
 * for. Only the composition root constructs the system clock.
 *
 * "Today" is the UK calendar day (Europe/London, GMT or BST) of the clock's instant — the day
 * a person in the force means — never the UTC date, which is yesterday between midnight and
 * 01:00 in summer (issue 14 defect 2). Every use of today reads `clock.today()`.
 */
export interface Clock {
  now(): Date;
  /** The UK calendar day of `now()`. */
  today(): IsoDate;
}

/** The real clock: used only in server.ts and the CLI. */
export const systemClock: Clock = { now: () => new Date(), today: () => londonDay(new Date()) };

/** A clock fixed at `at` (tests, reproducing a calculation for a given day). */
export function fixedClock(at: Date | string): Clock & { set(next: Date | string): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    today: () => londonDay(current),
    set(next) {
      current = new Date(next);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

/**
 * Time is a dependency. Services receive a Clock; rules receive the date they calculate
 * for. Only the composition root constructs the system clock.
 */
export interface Clock {
  now(): Date;
}

/** The real clock: used only in server.ts and the CLI. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock fixed at `at` (tests, reproducing a calculation for a given day). */
export function fixedClock(at: Date | string): Clock & { set(next: Date | string): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set(next) {
      current = new Date(next);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

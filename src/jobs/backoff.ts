/**
 * Retry delays for failed background jobs: exponential growth capped at `maxMs`, with
 * jitter so that jobs which failed together (an SMTP outage) do not all retry together.
 * Pure: the random source is a parameter.
 */
export interface BackoffPolicy {
  /** Delay ceiling before the first retry, in milliseconds. */
  baseMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
  /**
   * `full`: anywhere in [0, ceiling). `equal` (default): in [ceiling/2, ceiling), so a
   * retry is never immediate.
   */
  jitter?: 'full' | 'equal';
}

/** The delay before retrying after failed attempt number `attempt` (1 = the first try); always at least 1 ms. */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const { baseMs, maxMs } = policy;
  if (!Number.isFinite(baseMs) || baseMs <= 0) throw new RangeError('baseMs must be a positive number');
  if (!Number.isFinite(maxMs) || maxMs < baseMs) throw new RangeError('maxMs must be at least baseMs');
  const exponent = Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : 1) - 1);
  // 2 ** 1100 is Infinity; Math.min caps it, so no overflow concerns for large attempts.
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  const r = clampUnit(random());
  const delay = (policy.jitter ?? 'equal') === 'full' ? r * ceiling : ceiling / 2 + (r * ceiling) / 2;
  // At least 1 ms: a retry due "now" would run again within the same runDue() pass.
  return Math.max(1, Math.floor(delay));
}

/** Keeps a misbehaving random source inside [0, 1). */
function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}

import { ValidationError } from './errors.js';

/**
 * Small-number disclosure control (CONF-5), shared by the needs-assessment results and the benefits dashboards.
 * Pure. Any figure computed from fewer than the threshold of people (default 10, never below 5) is suppressed,
 * and so is anything that would let a suppressed figure be worked out by subtraction:
 *
 * - on one page, a breakdown's total minus the parts it shows (`suppressBreakdown`);
 * - across two queries, the difference between two nested populations (`differenceIsolatesFew`,
 *   `queryableGroups`).
 *
 * Every function that takes a threshold wants an effective one (`effectiveThreshold`): a whole number, at least 5.
 */

export const DEFAULT_THRESHOLD = 10;
export const MINIMUM_THRESHOLD = 5;

/** CONF-5: the configured threshold, or 10 when none is; never below 5. A threshold is a whole number of people. */
export function effectiveThreshold(configured?: number | null): number {
  if (configured === undefined || configured === null) return DEFAULT_THRESHOLD;
  if (!Number.isInteger(configured))
    throw new ValidationError(
      { threshold: 'The threshold is a whole number of people' },
      undefined,
      'disclosure-threshold-invalid',
    );
  return Math.max(MINIMUM_THRESHOLD, configured);
}

function checkThreshold(threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < MINIMUM_THRESHOLD)
    throw new ValidationError(
      { threshold: `The threshold is a whole number of at least ${MINIMUM_THRESHOLD}` },
      undefined,
      'disclosure-threshold-invalid',
    );
}

function checkCount(n: number, field: string): void {
  if (!Number.isInteger(n) || n < 0)
    throw new ValidationError(
      { [field]: 'A count of people is a whole number' },
      undefined,
      'disclosure-count-invalid',
    );
}

/** True when a count of people is too small to show on its own: 0 < n < threshold (CONF-5). Nobody is not small. */
export function isSmall(n: number, threshold: number): boolean {
  checkThreshold(threshold);
  checkCount(n, 'n');
  return n > 0 && n < threshold;
}

/**
 * A figure as the results and the API give it: the value (null when suppressed, or when there is none), the number
 * of people it is computed from, and whether it was suppressed. A suppressed figure keeps `n` for the code that
 * decides what to show; a page or export says "fewer than {threshold}", never `n`.
 */
export interface Figure<T = number> {
  value: T | null;
  n: number;
  suppressed: boolean;
}

/** CONF-5: a figure computed from `n` people; suppressed (value withheld) when 0 < n < threshold. */
export function figure<T>(value: T | null, n: number, threshold: number): Figure<T> {
  const suppressed = isSmall(n, threshold);
  return { value: suppressed ? null : value, n, suppressed };
}

export interface Breakdown {
  /** Everyone the breakdown is of. */
  total: number;
  /** The groups shown. They need not cover the total: the rest (in no group) is an unshown remainder. */
  parts: ReadonlyArray<{ key: string; n: number }>;
}

export interface BreakdownSuppression {
  /** True when the total itself is below the threshold: then every part is hidden too. */
  totalSuppressed: boolean;
  /** Each part, in the order given, and whether it is hidden. */
  parts: Array<{ key: string; n: number; suppressed: boolean }>;
}

/**
 * CONF-5 for a breakdown (a total and its parts), including differencing within the page.
 *
 * - If 0 < total < threshold, everything is hidden, the total included.
 * - Primary suppression: every part with 0 < n < threshold is hidden.
 * - The remainder (total − Σ parts: people in no group) is never shown, but whoever sees the total and every part
 *   can work it out, so it counts as a part: small, it needs protecting like a hidden part; large, it protects.
 * - Complementary suppression: what a reader can work out is total − Σ shown parts = Σ hidden parts + remainder.
 *   That must be 0 or at least the threshold; until it is, the smallest non-empty shown part is hidden too
 *   (earliest first on a tie). With a small cell hidden and the sum ≥ threshold, the sum is made of at least two
 *   non-empty cells, so no single hidden cell is exactly revealed.
 *
 * Throws when the parts add up to more than the total, or a key repeats.
 */
export function suppressBreakdown(breakdown: Breakdown, threshold: number): BreakdownSuppression {
  checkThreshold(threshold);
  const { total, parts } = breakdown;
  checkCount(total, 'total');
  parts.forEach((p, i) => checkCount(p.n, `parts.${i}`));
  const assigned = parts.reduce((a, p) => a + p.n, 0);
  if (assigned > total || new Set(parts.map((p) => p.key)).size !== parts.length)
    throw new ValidationError(
      { parts: 'The groups must be distinct and add up to no more than the total' },
      undefined,
      'disclosure-breakdown-invalid',
    );

  if (total > 0 && total < threshold)
    return { totalSuppressed: true, parts: parts.map(({ key, n }) => ({ key, n, suppressed: true })) };

  const hidden = parts.map((p) => p.n > 0 && p.n < threshold);
  // What the reader can work out: the hidden parts and the remainder together.
  let unknown = total - assigned + parts.reduce((a, p, i) => a + (hidden[i] ? p.n : 0), 0);
  while (unknown > 0 && unknown < threshold) {
    let next = -1;
    parts.forEach((p, i) => {
      if (!hidden[i] && p.n > 0 && (next < 0 || p.n < parts[next]!.n)) next = i;
    });
    if (next < 0)
      // Cannot happen when total ≥ threshold (hiding every part leaves unknown = total); kept as the safe answer.
      return { totalSuppressed: true, parts: parts.map(({ key, n }) => ({ key, n, suppressed: true })) };
    hidden[next] = true;
    unknown += parts[next]!.n;
  }
  return { totalSuppressed: false, parts: parts.map(({ key, n }, i) => ({ key, n, suppressed: hidden[i]! })) };
}

/**
 * CONF-5 across two queries: true when the sizes of two nested populations (say "the whole unit" and "the unit
 * without night shift") differ by 0 < d < threshold, so that comparing their results would describe those few
 * people. Such a pair must not both be answered.
 */
export function differenceIsolatesFew(a: number, b: number, threshold: number): boolean {
  checkCount(a, 'a');
  checkCount(b, 'b');
  return isSmall(Math.abs(a - b), threshold);
}

/**
 * CONF-5: the keys of the groups (of a campaign's population) whose results may be asked for on their own, in the
 * order given. A group is refused when it is small (n < threshold, an empty one included: it has no results), or
 * when its complement in the total is small (0 < total − n < threshold), because the whole's results minus the
 * group's would describe those few. Groups nested in each other need `differenceIsolatesFew` on each pair as well.
 */
export function queryableGroups(
  total: number,
  parts: ReadonlyArray<{ key: string; n: number }>,
  threshold: number,
): string[] {
  checkThreshold(threshold);
  checkCount(total, 'total');
  return parts
    .filter((p) => {
      checkCount(p.n, p.key);
      if (p.n > total)
        throw new ValidationError({ [p.key]: 'A group is no larger than the total' }, undefined, 'disclosure-invalid');
      return p.n >= threshold && !isSmall(total - p.n, threshold);
    })
    .map((p) => p.key);
}

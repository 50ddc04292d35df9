/** Bad command-line arguments (the runner prints the benchmark's usage and exits 2). */
export class UsageError extends Error {}

/** A command-line option that must be a whole number of at least `min`; anything else is a UsageError naming it. */
export function wholeOption(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not ${value}`);
  return n;
}

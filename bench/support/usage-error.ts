/** Bad command-line arguments (the runner prints the benchmark's usage and exits 2). */
export class UsageError extends Error {}

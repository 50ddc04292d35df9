import type { Server } from 'node:http';
import type { Express } from 'express';

/** Set by the benchmark runner on the servers it starts: they stop when the runner goes away. */
export const PARENT_WATCH_ENV = 'BENCH_STOP_WITH_PARENT';

/** Listens on a free port (0) of `host`; resolves once listening. */
export function listen(app: Express, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, host, () => resolve(server));
    server.once('error', reject);
  });
}

/** The one line on stdout the runner waits for. Nothing else may write to stdout. */
export function writeReady(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

/**
 * Runs `cleanUp` once on SIGTERM, SIGINT, or (when started by the runner) when the runner's
 * end of stdin closes, so a killed runner does not leave servers or databases behind.
 * Returns `stop(exitCode)` for the server's own failure path.
 */
export function onShutdown(cleanUp: () => Promise<void>): (exitCode: number) => void {
  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write('bench server: clean-up took too long; exiting\n');
      process.exit(exitCode || 1);
    }, 15_000);
    force.unref();
    cleanUp()
      .catch((error: unknown) => {
        process.stderr.write(`bench server: clean-up failed: ${(error as Error)?.message ?? String(error)}\n`);
        exitCode ||= 1;
      })
      .finally(() => process.exit(exitCode));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  if (process.env[PARENT_WATCH_ENV] === '1') {
    process.stdin.on('end', () => stop(0));
    process.stdin.on('error', () => stop(0));
    process.stdin.resume();
  }
  return stop;
}

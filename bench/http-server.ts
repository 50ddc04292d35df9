import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { buildPlatform, type Platform } from '../src/server.js';
import {
  createBenchDatabase,
  DATABASE_NAME_ENV,
  dropBenchDatabase,
  type BenchDatabase,
} from './support/bench-database.js';
import { listen, onShutdown, writeReady } from './support/child-process.js';

/**
 * The platform as `npm start` runs it, for the HTTP benchmark: config from the environment
 * (a temporary DATA_DIR with SQLite unless DATABASE_URL is set, in which case a throwaway
 * `blp_bench_<random>` database is made on that server and dropped again), the demo
 * organisation seeded by bench/seed-demo.ts in a process of its own (so faker and the
 * seeding's memory are not measured), one API token for the demo OH clinician, listening
 * on 127.0.0.1 on a free port. Prints `{"port":N,"token":"…",…}` on stdout when ready.
 *
 * Run on its own with `npx tsx bench/http-server.ts`; stop it with Ctrl-C.
 */
const BENCH_USER = 'clinician@westshire.police.test';

const env: Record<string, string | undefined> = {
  NODE_ENV: 'production',
  // Production needs its secrets key from outside the database; any 32 bytes serve a benchmark.
  SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
  LOG_LEVEL: 'silent',
  DEMO_PEOPLE: '500',
  ...process.env,
};
const ownDataDir = env.DATA_DIR ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'blp-bench-'));
if (ownDataDir) env.DATA_DIR = ownDataDir;
const serverUrl = env.DATABASE_URL;

// Compiled (dist/bench/http-server.js) the seeding runs compiled too; under tsx, with tsx.
const compiled = import.meta.url.endsWith('.js');
const seedScript = path.join(path.dirname(fileURLToPath(import.meta.url)), compiled ? 'seed-demo.js' : 'seed-demo.ts');

let stopping = false;
let seeding: ChildProcess | null = null;
let database: BenchDatabase | null = null;
let platform: Platform | null = null;
let server: Server | null = null;

/**
 * Requests whose client has gone (the load generator stops mid-flight) still finish their
 * queries; waits for the pool to fall idle so closing it does not abort them.
 */
async function databaseIdle(timeoutMs: number): Promise<void> {
  const pool = (platform?.db.client as { pool?: { numUsed(): number; numPendingAcquires(): number } } | undefined)
    ?.pool;
  const deadline = Date.now() + timeoutMs;
  while (pool && pool.numUsed() + pool.numPendingAcquires() > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs bench/seed-demo.ts against the same database and waits for it to finish. */
function seedInOwnProcess(): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdout is the ready line's alone: anything the seeder prints goes to stderr.
    const child = spawn(process.execPath, compiled ? [seedScript] : ['--import', 'tsx', seedScript], {
      env,
      stdio: ['ignore', process.stderr, 'inherit'],
    });
    seeding = child;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      seeding = null;
      // A stop during seeding ends the seeder too; start() then returns without serving.
      if (code === 0 || stopping) resolve();
      else reject(new Error(`seeding the demo organisation failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** Each step of start-up checks `stopping`, so a stop during start-up waits for one step, never a half-made database. */
async function start(): Promise<void> {
  if (serverUrl) {
    database = await createBenchDatabase(serverUrl, env[DATABASE_NAME_ENV]);
    env.DATABASE_URL = database.url;
  }
  if (stopping) return;
  await seedInOwnProcess();
  if (stopping) return;
  const config = loadConfig(env);
  platform = await buildPlatform(config);
  const user = await platform.repositories.users.findByEmail(BENCH_USER);
  if (!user) throw new Error(`the demo user ${BENCH_USER} was not seeded`);
  const { token } = await platform.services.auth.createToken(
    { actor: null, requestId: 'bench-setup', ip: null },
    user,
    {
      name: 'http benchmark',
      role: 'oh-clinician',
    },
  );
  if (stopping) return;
  await platform.jobs.start();
  server = await listen(platform.app.app, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  writeReady({
    port,
    token,
    client: config.database.client,
    database: database?.name ?? null,
    people: config.demo.people,
  });
}

const started = start();

const stop = onShutdown(async () => {
  stopping = true;
  seeding?.kill('SIGTERM');
  await started.catch(() => undefined);
  if (server) {
    const s = server;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeIdleConnections();
    await databaseIdle(5_000);
    s.closeAllConnections();
    await closed;
  }
  await platform?.close();
  if (serverUrl && database) await dropBenchDatabase(serverUrl, database.name);
  if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
});

started.catch((error: unknown) => {
  process.stderr.write(`bench http-server failed: ${(error as Error)?.stack ?? String(error)}\n`);
  stop(1);
});

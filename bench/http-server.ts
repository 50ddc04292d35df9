import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { seedDemo } from '../src/demo/demo-data.js';
import { buildPlatform, type Platform } from '../src/server.js';
import { createBenchDatabase, dropBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { listen, onShutdown, writeReady } from './support/child-process.js';

/**
 * The platform as `npm start` runs it, for the HTTP benchmark: config from the environment
 * (a temporary DATA_DIR with SQLite unless DATABASE_URL is set, in which case a throwaway
 * `blp_bench_<random>` database is made on that server and dropped again), the demo
 * organisation seeded, one API token for the demo OH clinician, listening on 127.0.0.1 on
 * a free port. Prints `{"port":N,"token":"…",…}` on stdout when ready.
 *
 * Run on its own with `npx tsx bench/http-server.ts`; stop it with Ctrl-C.
 */
const BENCH_USER = 'clinician@westshire.police.test';

const env: Record<string, string | undefined> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  DEMO_PEOPLE: '500',
  ...process.env,
};
const ownDataDir = env.DATA_DIR ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'blp-bench-'));
if (ownDataDir) env.DATA_DIR = ownDataDir;
const serverUrl = env.DATABASE_URL;

let database: BenchDatabase | null = null;
let platform: Platform | null = null;
let server: Server | null = null;

const stop = onShutdown(async () => {
  if (server) {
    const s = server;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await platform?.close();
  if (serverUrl && database) await dropBenchDatabase(serverUrl, database.name);
  if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
});

async function start(): Promise<void> {
  if (serverUrl) {
    database = await createBenchDatabase(serverUrl);
    env.DATABASE_URL = database.url;
  }
  const config = loadConfig(env);
  platform = await buildPlatform(config);
  // The seed and history prepareFirstStart uses, called directly so that NODE_ENV=production works.
  await seedDemo(platform, { people: config.demo.people, seed: 1988, years: 3 });
  const user = await platform.repositories.users.findByEmail(BENCH_USER);
  if (!user) throw new Error(`the demo user ${BENCH_USER} was not seeded`);
  const { token } = await platform.services.auth.createToken({ actor: null, requestId: 'bench-setup', ip: null }, user, {
    name: 'http benchmark',
    role: 'oh-clinician',
  });
  await platform.jobs.start();

  server = await listen(platform.app.app, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  writeReady({ port, token, client: config.database.client, database: database?.name ?? null, people: config.demo.people });
}

start().catch((error: unknown) => {
  process.stderr.write(`bench http-server failed: ${(error as Error)?.stack ?? String(error)}\n`);
  stop(1);
});

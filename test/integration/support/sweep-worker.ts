/**
 * One app process running the pathway timer sweep, for the restart test: it connects to the
 * test's database, sweeps at SWEEP_NOW in small batches and says after each committed batch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { createDatabase } from '../../../src/db/knex.js';
import { buildPlatform } from '../../../src/server.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';

const database = JSON.parse(process.env.SWEEP_DB!) as Parameters<typeof createDatabase>[0];
const now = new Date(process.env.SWEEP_NOW!);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-sweep-'));
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO_DATA: 'false', DATA_DIR: dataDir });
const db = createDatabase(database);
const platform = await buildPlatform(config, { clock: fixedClock(now), db, logger: createLogger({ level: 'silent' }) });
const pauseMs = Number(process.env.SWEEP_PAUSE_MS ?? 0);
const fired = await platform.services.pathways.sweep(now, {
  batchSize: Number(process.env.SWEEP_BATCH ?? 500),
  afterBatch: async (kind, n) => {
    process.stdout.write(`batch ${kind} ${n}\n`);
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
  },
});
process.stdout.write(`done ${JSON.stringify(fired)}\n`);
await platform.close();
await db.destroy();
fs.rmSync(dataDir, { recursive: true, force: true });

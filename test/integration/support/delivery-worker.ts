/**
 * One app process delivering referrals, for the crash and concurrency tests: it connects to the
 * test's database, runs the due jobs at DELIVERY_NOW and says when it is done.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { createDatabase } from '../../../src/db/knex.js';
import { buildPlatform } from '../../../src/server.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';

const database = JSON.parse(process.env.DELIVERY_DB!) as Parameters<typeof createDatabase>[0];
const now = new Date(process.env.DELIVERY_NOW!);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-delivery-'));
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO_DATA: 'false', DATA_DIR: dataDir });
const db = createDatabase(database);
const platform = await buildPlatform(config, { clock: fixedClock(now), db, logger: createLogger({ level: 'silent' }) });
process.stdout.write('ready\n');
const summary = await platform.jobs.runner.runDue();
process.stdout.write(`done ${JSON.stringify(summary)}\n`);
await platform.close();
await db.destroy();
fs.rmSync(dataDir, { recursive: true, force: true });

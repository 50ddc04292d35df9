import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { buildPlatform, prepareFirstStart, type Platform } from '../../../src/server.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/** The demo platform, listening on a free local port, as a browser sees it. */
export interface DemoServer {
  baseUrl: string;
  platform: Platform;
  stop(): Promise<void>;
}

/**
 * Builds the real platform in-process on a fresh database (SQLite, or PostgreSQL when
 * DATABASE_URL is set), seeds the demo organisation and listens on 127.0.0.1. The system
 * clock is used on purpose: the browser types TOTP codes computed from real time.
 */
export async function startDemoServer(): Promise<DemoServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-e2e-'));
  let database: TestDatabase | undefined;
  let platform: Platform | undefined;
  let server: Server | undefined;
  const stop = async () => {
    if (server) {
      const s = server;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await platform?.close();
    await database?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO_DATA: 'true', DEMO_PEOPLE: '60', DATA_DIR: dataDir });
    database = await createTestDatabase();
    platform = await buildPlatform(config, { db: database.db, logger: createLogger({ level: 'silent' }) });
    const first = await prepareFirstStart(platform);
    if (!first.demo) throw new Error('the demo organisation was not seeded');
    const app = platform.app.app;
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    return { baseUrl: `http://127.0.0.1:${port}`, platform, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

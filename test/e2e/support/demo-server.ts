import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/config.js';
import { buildPlatform, prepareFirstStart, sandboxSimulation, type Platform } from '../../../src/server.js';
import { createLogger } from '../../../src/shared/logger.js';
import { startPartnerProcess, type PartnerProcess } from '../../support/fhir-partner.js';
import { freePort } from '../../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/** The demo platform, listening on a free local port, as a browser sees it. */
export interface DemoServer {
  baseUrl: string;
  platform: Platform;
  /** The sandbox NHS partner process, when started with `{ sandbox: true }`. */
  partner?: PartnerProcess;
  stop(): Promise<void>;
}

export interface DemoServerOptions {
  /**
   * Runs the demo as `npm start` does with its sandbox NHS partner (issue 6 §6): the partner
   * (`@medplum/fhir-router`) in its own process, at the port the demo's partner services point
   * to, with its simulated staff reporting progress back to this server as the registered
   * sandbox partner system; and the job runner polling, so shared referrals are delivered.
   */
  sandbox?: boolean;
}

/** Between the sandbox's steps, and how often the job runner looks for due work: short, so a browser test sees the journey in seconds. */
const SANDBOX_STEP_MS = 1_000;
const SANDBOX_JOB_POLL_MS = 200;

/**
 * Builds the real platform in-process on a fresh database (SQLite, or PostgreSQL when
 * DATABASE_URL is set), seeds the demo organisation and listens on 127.0.0.1. The system
 * clock is used on purpose: the browser types TOTP codes computed from real time.
 * Without options there is no partner process and no job runner.
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-e2e-'));
  let database: TestDatabase | undefined;
  let platform: Platform | undefined;
  let server: Server | undefined;
  let partner: PartnerProcess | undefined;
  const stop = async () => {
    // Every step is taken whatever the one before did; the first failure is reported at the end.
    const failures: unknown[] = [];
    const step = async (work: () => Promise<unknown> | unknown) => {
      try {
        await work();
      } catch (error) {
        failures.push(error);
      }
    };
    // The runner first (no delivery starts while the partner goes), then the partner (its simulator stops between steps).
    await step(() => platform?.jobs.runner.stop());
    await step(() => partner?.stop());
    await step(async () => {
      if (!server) return;
      const s = server;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    });
    await step(() => platform?.close());
    await step(() => database?.destroy());
    await step(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    if (failures.length) throw failures[0];
  };
  try {
    // With a sandbox the ports are chosen first: the demo's partner services point at the partner's, and the
    // partner's SMART client assertions name this server's token endpoint as their audience (PUBLIC_URL).
    const ports = options.sandbox ? { server: await freePort(), partner: await freePort() } : null;
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DEMO_DATA: 'true',
      DEMO_PEOPLE: '60',
      DATA_DIR: dataDir,
      ...(ports
        ? {
            PUBLIC_URL: `http://127.0.0.1:${ports.server}`,
            SANDBOX_PARTNER_PORT: String(ports.partner),
            JOB_POLL_MS: String(SANDBOX_JOB_POLL_MS),
          }
        : {}),
    });
    database = await createTestDatabase();
    platform = await buildPlatform(config, { db: database.db, logger: createLogger({ level: 'silent' }) });
    const first = await prepareFirstStart(platform);
    if (!first.demo) throw new Error('the demo organisation was not seeded');
    const app = platform.app.app;
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(ports?.server ?? 0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    if (ports) {
      // As `npm start` does, with a short step and the real clock (the demo server's).
      const simulate = await sandboxSimulation(platform, SANDBOX_STEP_MS);
      if (!simulate) throw new Error('the demo did not register the sandbox partner system');
      partner = await startPartnerProcess({ port: ports.partner, simulate: { ...simulate, clockOffsetMs: 0 } });
      if (partner.url !== config.sandboxPartner?.url)
        throw new Error(
          `the sandbox partner is at ${partner.url}, not where the demo's partner services point (${config.sandboxPartner?.url})`,
        );
      await platform.jobs.start();
    }
    return { baseUrl, platform, ...(partner ? { partner } : {}), stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { buildPlatform, type Platform } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);

describe('command line', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let pg: TestDatabase | undefined;

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/cli.ts', ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-cli-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'development' };
    if (process.env.DATABASE_URL) {
      pg = await createTestDatabase({ migrate: false });
      env.DATABASE_URL = pg.config.client === 'postgres' ? pg.config.url : '';
    }
  });
  afterAll(async () => {
    await pg?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when migrate runs on an empty database, then it applies the migrations, and a second run has nothing to do', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied: .*foundation_schema/);
    expect((await cli('migrate')).stdout).toMatch(/Already up to date/);
  });

  it('when create-user comes before any organisation exists, then it says what to do first', async () => {
    const res = await cli('create-user', '--email', 'early@force.example', '--role', 'hr-manager');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no organisations yet/);
  });

  it('when the demo is seeded, then the organisation and people are there, and a second seed is refused', async () => {
    const res = await cli('seed-demo', '--people', '80', '--years', '2');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Seeded 4 organisations, \d+ units, 8\d people and 8 demo users/);
    expect((await cli('seed-demo')).code).toBe(2);
  });

  it('when an unknown role is given, then it is refused with the list of roles', async () => {
    const res = await cli('create-user', '--email', 'x@force.example', '--role', 'sheriff');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Unknown role sheriff/);
    expect(res.stderr).toMatch(/oh-clinician/);
  });

  it('when create-user and create-token run, then the token authenticates GET /api/v1/people with Bearer', async () => {
    const created = await cli('create-user', '--email', 'api.hr@force.example', '--role', 'hr-manager', '--password', 'a-long-cli-password', '--name', 'API HR');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created user api\.hr@force\.example \(hr-manager\)/);
    const tokenRun = await cli('create-token', '--email', 'api.hr@force.example', '--name', 'integration');
    expect(tokenRun.code).toBe(0);
    const token = tokenRun.stdout.trim().split('\n').pop()!;
    expect(token).toMatch(/^blp_/);

    let platform: Platform | undefined;
    try {
      platform = await buildPlatform(loadConfig({ ...env, DEMO_DATA: 'false' }), { logger: createLogger({ level: 'silent' }) });
      const res = await request(platform.app.app).get('/api/v1/people?limit=5').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(5);
      expect(res.body.total).toBeGreaterThan(50);
      const denied = await request(platform.app.app).get('/api/v1/people').set('Authorization', 'Bearer blp_not-a-real-token');
      expect(denied.status).toBe(401);
    } finally {
      await platform?.close();
    }
  });

  it('when a user is created without a password, then a one-time set-password link is printed', async () => {
    const res = await cli('create-user', '--email', 'nurse@force.example', '--role', 'oh-clinician');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/set-password\/[A-Za-z0-9_-]{20,}/);
    expect(res.stdout).toMatch(/multi-factor/);
  });
});

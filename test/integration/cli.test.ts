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
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/cli.ts', ...args], {
        env: { ...process.env, ...env },
        timeout: 60_000,
      });
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
    expect(first.code, first.stderr).toBe(0);
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
    expect(res.code, res.stderr).toBe(0);
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
    const created = await cli(
      'create-user',
      '--email',
      'api.hr@force.example',
      '--role',
      'hr-manager',
      '--password',
      'a-long-cli-password',
      '--name',
      'API HR',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Created user api\.hr@force\.example \(hr-manager\)/);
    const tokenRun = await cli('create-token', '--email', 'api.hr@force.example', '--name', 'integration');
    expect(tokenRun.code).toBe(0);
    const token = tokenRun.stdout.trim().split('\n').pop()!;
    expect(token).toMatch(/^blp_/);

    let platform: Platform | undefined;
    try {
      platform = await buildPlatform(loadConfig({ ...env, DEMO_DATA: 'false' }), {
        logger: createLogger({ level: 'silent' }),
      });
      const res = await request(platform.app.app).get('/api/v1/people?limit=5').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(5);
      expect(res.body.total).toBeGreaterThan(50);
      const denied = await request(platform.app.app)
        .get('/api/v1/people')
        .set('Authorization', 'Bearer blp_not-a-real-token');
      expect(denied.status).toBe(401);
    } finally {
      await platform?.close();
    }
  });

  it('when a user is created without a password, then a one-time set-password link is printed', async () => {
    const res = await cli('create-user', '--email', 'nurse@force.example', '--role', 'oh-clinician');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/set-password\/[A-Za-z0-9_-]{20,}/);
    expect(res.stdout).toMatch(/multi-factor/);
  });

  it('when absences are imported from CSV, then valid rows are saved, bad rows go to a rejects file with reasons, and a second import adds nothing', async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const file = path.join(dataDir, 'absences.csv');
    fs.writeFileSync(
      file,
      [
        'staff_number,start_date,end_date,reason_category,certification,pregnancy_related',
        `WP10002,${day(5)},${day(4)},cold-flu,self,no`,
        `wp10003,${day(5)},,musculoskeletal-back,none,`,
        `NOPE1,${day(5)},${day(4)},cold-flu,self,no`,
        `WP10002,${day(4)},${day(3)},cold-flu,self,no`,
        `WP10004,2026-02-30,,cold-flu,self,no`,
        `WP10005,${day(5)},${day(4)},cold-flu,self,maybe`,
      ].join('\n'),
    );
    const first = await cli('import-absences', file);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('Imported 2 absence(s); 0 already imported and skipped.');
    expect(first.stdout).toContain('Rejected 4 row(s)');
    const rejects = fs.readFileSync(path.join(dataDir, 'absences.rejects.csv'), 'utf8').trim().split('\n');
    expect(rejects[0]).toBe('line,reason');
    expect(rejects.slice(1).map((l) => l.split(',')[0])).toEqual(['4', '5', '6', '7']);
    expect(rejects[1]).toContain('no person NOPE1');
    expect(rejects[2]).toContain('overlaps');
    expect(rejects[3]).toContain('start_date');
    expect(rejects[4]).toContain('pregnancy_related');
    const again = await cli('import-absences', file);
    expect(again.stdout).toContain('Imported 0 absence(s); 2 already imported and skipped.');
  });

  it('when --all-or-nothing is given and any row is bad, then nothing is imported', async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const file = path.join(dataDir, 'strict.csv');
    fs.writeFileSync(
      file,
      [
        'staff_number,start_date,end_date,reason_category',
        `WP10006,${day(6)},${day(6)},cold-flu`,
        `WP10007,not-a-date,,cold-flu`,
      ].join('\n'),
    );
    const res = await cli('import-absences', file, '--all-or-nothing');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('Nothing was imported (--all-or-nothing).');
    // Without the flag the good row goes in, and was not already there: the strict run saved nothing.
    const lenient = await cli('import-absences', file);
    expect(lenient.stdout).toContain('Imported 1 absence(s); 0 already imported and skipped.');
  });

  it('when the header has an unknown column, then the file is refused before any row is read', async () => {
    const file = path.join(dataDir, 'bad-header.csv');
    fs.writeFileSync(file, 'staff_number,start_date,reason_category,diagnosis\nWP10008,2026-01-05,cold-flu,flu\n');
    const res = await cli('import-absences', file);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Unknown column(s): diagnosis');
  });
});

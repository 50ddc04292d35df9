import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * Production runs what was compiled (issue 14 §19): `npm run build` makes dist/, and the platform starts from it with
 * plain node — no TypeScript loader — finding its views, locales, pathway definitions and bank holidays.
 */
describe('the compiled build', () => {
  // Inside the project (ignored by git), as dist/ is: the compiled code finds views/ and public/ above it.
  const outDir = path.join(root, '.tmp', `build-${process.pid}-${randomBytes(3).toString('hex')}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-compiled-'));
  let database: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  let output = '';
  let url = '';

  beforeAll(async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--out-dir', outDir], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    const extra: Record<string, string> = {};
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase({ migrate: false });
      if (database.config.client === 'postgres') extra.DATABASE_URL = database.config.url;
    }
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.join(outDir, 'src', 'server.js')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        ...extra,
        NODE_ENV: 'production',
        SECRETS_KEY: randomBytes(32).toString('base64'),
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: url,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    const deadline = Date.now() + 60_000;
    while (!output.includes('is running at')) {
      if (child.exitCode !== null) throw new Error(`the compiled server exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the compiled server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await database?.destroy();
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when built and started in production with plain node, then it serves pages in English and Welsh', async () => {
    expect(fs.existsSync(path.join(outDir, 'src', 'i18n', 'locales', 'cy.json'))).toBe(true);
    expect(output).toContain('Create the first administrator');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const login = await fetch(`${url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Sign in');
    const welsh = await fetch(`${url}/login`, { headers: { cookie: 'lang=cy' } });
    expect(await welsh.text()).toContain('Mewngofnodi');
    expect((await fetch(`${url}/assets/app.css`)).status).toBe(200);
  });

  it('when the compiled server gets SIGTERM, then it stops cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

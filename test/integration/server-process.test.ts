import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { freePort } from '../support/ports.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** `npm start` as a real process: first start, serving, and a graceful stop on SIGTERM. */
describe('the server process', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  /** Debian's libfaketime (package faketime, which .ci/run installs). */
  function libfaketime(): string {
    for (const dir of fs.readdirSync('/usr/lib')) {
      const lib = path.join('/usr/lib', dir, 'faketime', 'libfaketimeMT.so.1');
      if (fs.existsSync(lib)) return lib;
    }
    throw new Error('libfaketime is missing: apt-get install faketime');
  }

  async function start(
    env: Record<string, string>,
    tries = 3,
    /** Run the whole process with its clock starting at this UTC instant (Debian's faketime). */
    faketimeAt?: string,
  ): Promise<{ child: ChildProcess; output: () => string; url: string }> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-proc-'));
    let database: TestDatabase | undefined;
    const extra: Record<string, string> = {};
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase({ migrate: false });
      if (database.config.client === 'postgres') extra.DATABASE_URL = database.config.url;
    }
    const port = String(await freePort());
    const sandboxPort = String(await freePort());
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        ...extra,
        // libfaketime preloaded into node itself (so signals reach it): the wall clock starts at that
        // instant and runs on; timers keep real time.
        ...(faketimeAt
          ? { LD_PRELOAD: libfaketime(), FAKETIME: `@${faketimeAt}`, FAKETIME_DONT_FAKE_MONOTONIC: '1', TZ: 'UTC' }
          : {}),
        DATA_DIR: dataDir,
        PORT: port,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ...(env.NODE_ENV === 'production' ? {} : { SANDBOX_PARTNER_PORT: sandboxPort }),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await database?.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    const deadline = Date.now() + 60_000;
    while (!out.includes('is running at')) {
      // Another process took the port between our probe and the server's listen: try another.
      if (child.exitCode !== null && out.includes('Could not listen') && tries > 1)
        return start(env, tries - 1, faketimeAt);
      if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
      if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, output: () => out, url: `http://127.0.0.1:${port}` };
  }

  it('when started in development, then it seeds the demo, serves the sign-in page and stops cleanly on SIGTERM', async () => {
    const { child, output, url } = await start({ NODE_ENV: 'development', DEMO_PEOPLE: '40' });
    expect(output()).toContain('Demo organisation ready');
    const login = await fetch(`${url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Sign in');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // The sandbox NHS partner runs beside it on loopback (issue 6 §6).
    const sandboxUrl = /Sandbox NHS partner \(FHIR\) at (\S+)/.exec(output())?.[1];
    expect(sandboxUrl).toBeDefined();
    expect(await (await fetch(`${sandboxUrl}/metadata`)).json()).toMatchObject({
      resourceType: 'CapabilityStatement',
      fhirVersion: '4.0.1',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('when first started at 23:30 UTC on a summer night (00:30 BST), then it seeds the demo on the UK day and serves (issue 14 defect 2)', async () => {
    // The whole process, its demo seeding and its sandbox partner, run with the wall clock at that instant.
    const { child, output, url } = await start(
      { NODE_ENV: 'development', DEMO_PEOPLE: '40' },
      3,
      '2026-07-15 23:30:00',
    );
    expect(output()).toContain('Demo organisation ready');
    expect(output()).not.toMatch(/before the consent|Error/);
    const login = await fetch(`${url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Sign in');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('when started in production with no users, then no demo data is loaded and a one-time set-up link is printed', async () => {
    const { output, url } = await start({
      NODE_ENV: 'production',
      SECURE_COOKIES: 'false',
      SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
    expect(output()).not.toContain('Demo organisation');
    expect(output()).not.toContain('Sandbox NHS partner');
    const link = /(http:\/\/\S+\/setup\/[A-Za-z0-9_-]+)/.exec(output())?.[1];
    expect(link).toBeDefined();
    const setup = await fetch(`${url}${new URL(link!).pathname}`);
    expect(setup.status).toBe(200);
    expect(await setup.text()).toContain('Set up Blue Light Pathways');
  });

  it('when the configuration is wrong, then it refuses to start and lists every problem', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: 'mysql://nope', LOG_LEVEL: 'loud' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(err).toMatch(/PORT/);
    expect(err).toMatch(/DATABASE_URL/);
    expect(err).toMatch(/LOG_LEVEL/);
  });

  it('when its port is taken, then it says so and exits 1 instead of claiming to run', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-proc-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: '',
          DATA_DIR: dataDir,
          DEMO_DATA: 'false',
          PORT: String((taken.address() as { port: number }).port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          SANDBOX_PARTNER_PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (out += String(d)));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(out).toContain('Could not listen');
      expect(out).toContain('EADDRINUSE');
      expect(out).not.toContain('is running at');
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when nothing is set, then it runs on SQLite under ./data with demo data on', () => {
    const config = loadConfig({});
    expect(config.database.client).toBe('sqlite');
    expect(config.database.client === 'sqlite' && config.database.filename).toMatch(
      /data[/\\]blue-light-pathways\.sqlite$/,
    );
    expect(config.port).toBe(3000);
    expect(config.demo.enabled).toBe(true);
    expect(config.session.secureCookies).toBe(false);
  });

  it('when DATABASE_URL is a postgres URL, then PostgreSQL is used', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(config.database).toMatchObject({ client: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test' });
  });

  it('when in production, then demo data is off and cookies are secure', () => {
    const config = loadConfig({ NODE_ENV: 'production', SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(config.demo.enabled).toBe(false);
    expect(config.session.secureCookies).toBe(true);
  });

  it('when several values are wrong, then every problem is listed at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/DATABASE_URL/);
    expect(problems).toMatch(/SESSION_SECRET/);
    expect(problems).toMatch(/LOG_LEVEL/);
  });

  it('when demo data is asked for in production, then start-up refuses', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO_DATA: 'true' })).toThrow(/DEMO_DATA/);
  });

  it('when a secrets key is given, then it must be 32 bytes; the sandbox partner never runs in production', () => {
    expect(loadConfig({ SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }).secretsKey?.length).toBe(32);
    expect(() => loadConfig({ SECRETS_KEY: 'c2hvcnQ=' })).toThrow(/SECRETS_KEY/);
    expect(loadConfig({}).sandboxPartner).toEqual({ port: 3090, url: 'http://127.0.0.1:3090/fhir' });
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ NODE_ENV: 'production', SECRETS_KEY: key }).sandboxPartner).toBeNull();
    expect(() => loadConfig({ NODE_ENV: 'production', SECRETS_KEY: key, SANDBOX_PARTNER_PORT: '3090' })).toThrow(
      /SANDBOX_PARTNER_PORT/,
    );
    // In production the key must come from outside the database.
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRETS_KEY: required in production/);
  });
});

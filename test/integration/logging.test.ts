import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { buildPlatform, type Platform } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { fixedClock } from '../../src/shared/clock.js';
import { buildWorld, type TestPlatform } from '../support/test-platform.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('logs', () => {
  const lines: string[] = [];
  let platform: Platform;
  let database: TestDatabase;
  let t: TestPlatform;

  beforeAll(async () => {
    database = await createTestDatabase();
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const clock = fixedClock('2026-11-22T09:00:00Z');
    platform = await buildPlatform(loadConfig({ NODE_ENV: 'test', DEMO_DATA: 'false' }), {
      db: database.db,
      clock,
      logger: createLogger({ level: 'info', destination: sink }),
    });
    t = { platform, database, clock, app: platform.app.app, dataDir: '', destroy: async () => undefined };
  });
  afterAll(async () => database.destroy());

  it('when people are read, searched and created, then no name, NHS number, query or one-time secret reaches the log', async () => {
    const w = await buildWorld(t);
    const auth = { Authorization: `Bearer ${w.tokens.ohAdmin}` };
    await request(t.app).get(`/api/v1/people/${w.report.id}`).set(auth);
    await request(t.app).get('/api/v1/people?q=Report').set(auth);
    await request(t.app).post('/api/v1/people').set(auth).send({
      staffNumber: 'LOG1',
      givenName: 'Bethan',
      familyName: 'Secretname',
      role: 'officer',
      serviceStartDate: '2020-01-01',
      nhsNumber: '9434765919',
    });
    await request(t.app).get('/set-password/very-secret-one-time-token');
    const log = lines.join('');
    expect(log).toContain('"route":"/api/v1/people/:id"');
    for (const secret of [
      'Riley',
      'Report',
      'Secretname',
      'Bethan',
      '9434765919',
      'q=',
      'very-secret-one-time-token',
      w.tokens.ohAdmin,
    ]) {
      expect(log, secret).not.toContain(secret);
    }
  });

  it('when a handler fails unexpectedly, then the response shows only a reference and the log has no message text', async () => {
    const w = await buildWorld(t);
    // Break the database under the app: the error message would quote SQL and values.
    await database.db.schema.renameTable('units', 'units_gone');
    try {
      const res = await request(t.app)
        .get('/api/v1/units')
        .set({ Authorization: `Bearer ${w.tokens.ohAdmin}` })
        .set('X-Request-Id', 'req-broken-0001');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: { code: 'internal-error', message: expect.stringContaining('req-broken-0001') },
      });
      const errorLine = lines.find((l) => l.includes('unhandled error') && l.includes('req-broken-0001'));
      expect(errorLine).toBeDefined();
      expect(errorLine).not.toMatch(/select |no such table|does not exist/i);
    } finally {
      await database.db.schema.renameTable('units_gone', 'units');
    }
  });
});

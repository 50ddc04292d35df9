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
      // The reference quoted is our id (issue 14 §11), the one the log line carries.
      const ours = res.headers['x-request-id'] as string;
      expect(ours).not.toBe('req-broken-0001');
      expect(res.body).toEqual({
        error: { code: 'internal-error', message: expect.stringContaining(ours) },
      });
      const errorLine = lines.find((l) => l.includes('unhandled error') && l.includes(ours));
      expect(errorLine).toBeDefined();
      expect(JSON.parse(errorLine!)).toMatchObject({ requestId: ours, callerRequestId: 'req-broken-0001' });
      expect(errorLine).not.toMatch(/select |no such table|does not exist/i);
    } finally {
      await database.db.schema.renameTable('units_gone', 'units');
    }
  });

  it('when a caller sends its own X-Request-Id, then we answer with our own id and log both, the caller’s sanitised and apart (issue 14 §11)', async () => {
    const w = await buildWorld(t);
    const sent = [
      ['their-trace-0001', 'their-trace-0001'],
      // Another request's id, or one shaped like ours, is still only the caller's.
      ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001'],
      ['a\tb\u00e9c', 'abc'],
      ['x'.repeat(300), 'x'.repeat(128)],
    ] as const;
    const seen = new Set<string>();
    for (const [header, kept] of sent) {
      const res = await request(t.app)
        .get('/api/v1/units')
        .set({ Authorization: `Bearer ${w.tokens.ohAdmin}` })
        .set('X-Request-Id', header);
      expect(res.status).toBe(200);
      const ours = res.headers['x-request-id'] as string;
      expect(ours).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(ours).not.toBe(header);
      expect(seen.has(ours)).toBe(false);
      seen.add(ours);
      const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.requestId === ours);
      expect(line).toMatchObject({ requestId: ours, callerRequestId: kept, route: '/api/v1/units' });
    }
    const plain = await request(t.app).get('/healthz');
    const line = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'request' && l.requestId === plain.headers['x-request-id']);
    expect(line).toBeDefined();
    expect(line).not.toHaveProperty('callerRequestId');
  });

  it('when a stored row no longer matches its schema, then a 500 with a reference, and the log names the column and path but no value (issue 14 §14)', async () => {
    const w = await buildWorld(t);
    const auth = { Authorization: `Bearer ${w.tokens.clinician}` };
    const created = await request(t.app).post(`/api/v1/people/${w.report.id}/consents`).set(auth).send({
      kind: 'oh-report-release',
      recipientRole: 'line-manager',
      description: 'Fitness after Sertraline review',
      noticeBy: 'letter',
    });
    expect(created.status).toBe(201);
    // The stored aggregate is changed behind the platform's back: a status no rule knows.
    const row = await t.database.db('consents').where({ id: created.body.id }).first();
    const state = JSON.parse(row.state);
    await t.database
      .db('consents')
      .where({ id: created.body.id })
      .update({ state: JSON.stringify({ ...state, status: 'approved-by-Sertraline' }) });
    const res = await request(t.app).get(`/api/v1/consents/${created.body.id}`).set(auth);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal-error');
    expect(JSON.stringify(res.body)).not.toContain('Sertraline');
    const errorLine = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'unhandled error' && l.requestId === res.headers['x-request-id']);
    expect(errorLine).toMatchObject({
      errorClass: 'StoredDataError',
      errorCode: 'stored-data-invalid',
      details: { column: 'consents.state', paths: ['status'] },
    });
    expect(lines.join('')).not.toContain('Sertraline');
  });
});

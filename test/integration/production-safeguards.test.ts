import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { buildPlatform } from '../../src/server.js';
import { fixedClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase } from '../support/test-database.js';
import { buildWorld, createTestPlatform, type TestPlatform } from '../support/test-platform.js';

const keyOf = (n: number) => Buffer.alloc(32, n).toString('base64');

/** What production insists on for partner exchange: the same secrets key every start, and https to partners. */
describe('production safeguards for the partner exchange', () => {
  let t: TestPlatform | undefined;
  afterAll(async () => t?.destroy());

  it('when the platform starts with a different SECRETS_KEY from the one that sealed its partner credentials, then it refuses to start and says why', async () => {
    const database = await createTestDatabase();
    try {
      const config = (key: string) =>
        loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', SECRETS_KEY: key, DATA_DIR: '/tmp/blp-unused' });
      const options = {
        clock: fixedClock('2027-01-04T09:00:00Z'),
        db: database.db,
        logger: createLogger({ level: 'silent' }),
      };
      await (await buildPlatform(config(keyOf(1)), options)).close();
      // The same key again starts; another key does not.
      await (await buildPlatform(config(keyOf(1)), options)).close();
      const refused = await buildPlatform(config(keyOf(2)), options).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as ConfigError).message).toContain('SECRETS_KEY: this is not the key');
    } finally {
      await database.destroy();
    }
  });

  it('when a partner service is given a plain http address in production, then it is refused on the field; https is taken', async () => {
    t = await createTestPlatform({ NODE_ENV: 'production', SECRETS_KEY: keyOf(5), SECURE_COOKIES: 'false' });
    const w = await buildWorld(t);
    const service = (baseUrl: string, tokenUrl: string) => ({
      organisationId: w.healthBoard.id,
      name: 'Physio',
      serviceType: 'nhs-msk-physiotherapy',
      baseUrl,
      mode: 'bars',
      auth: {
        kind: 'smart-backend',
        clientId: 'blp',
        tokenUrl,
        scope: 'system/ServiceRequest.c',
        privateKeyJwk: { kty: 'EC', crv: 'P-384', x: 'x', y: 'y', d: 'd' },
      },
      pathways: ['msk'],
    });
    const plain = await request(t.app)
      .post('/api/v1/partner-services')
      .set('Authorization', `Bearer ${w.tokens.ohAdmin}`)
      .send(service('http://fhir.board.example/R4', 'http://auth.board.example/token'));
    expect(plain.status).toBe(422);
    expect(Object.keys(plain.body.error.fields).sort()).toEqual(['auth.tokenUrl', 'baseUrl']);
    const secure = await request(t.app)
      .post('/api/v1/partner-services')
      .set('Authorization', `Bearer ${w.tokens.ohAdmin}`)
      .send(service('https://fhir.board.example/R4', 'https://auth.board.example/token'));
    expect(secure.status).toBe(201);
  });
});

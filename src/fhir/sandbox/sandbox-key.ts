import { generateKeyPairSync } from 'node:crypto';
import type { Knex } from 'knex';
import { SettingsRepository } from '../../db/settings-repository.js';

/** The demo's sandbox partner system: its client_id at the platform (issue 6 §6). */
export const SANDBOX_CLIENT_ID = 'westshire-sandbox-partner';

/**
 * The sandbox partner's key pair (ES384), made on first use and kept in the settings table: the
 * demo registers its public half as a partner client, and `npm start` gives the private half to
 * the sandbox so it can report progress back. Development only: the sandbox never runs in production.
 */
export async function sandboxPartnerKey(
  db: Knex,
): Promise<{ privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown> }> {
  const stored = await new SettingsRepository(db).getOrCreate('sandbox-partner-key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    return JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'sandbox-1', alg: 'ES384' });
  });
  const privateJwk = JSON.parse(stored) as Record<string, unknown>;
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

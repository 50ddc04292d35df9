import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';

/** The longest a client assertion may live (FHIR-8: `exp` at most 5 minutes ahead). */
export const MAX_ASSERTION_LIFETIME_S = 300;
/** Clocks differ a little between systems. */
const CLOCK_SKEW_S = 30;

export type AssertionFailure =
  | 'malformed'
  | 'unknown-client'
  | 'bad-signature'
  | 'expired'
  | 'too-long-lived'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'no-jti';

export class ClientAssertionError extends Error {
  constructor(readonly reason: AssertionFailure) {
    super(`client assertion refused: ${reason}`);
    this.name = 'ClientAssertionError';
  }
}

/** The client a JWT says it comes from (`iss`), read before its signature is checked, to find the client's keys. */
export function assertionIssuer(assertion: string): string {
  try {
    const claims = decodeJwt(assertion);
    if (typeof claims.iss !== 'string' || claims.iss === '') throw new ClientAssertionError('malformed');
    return claims.iss;
  } catch (error) {
    if (error instanceof ClientAssertionError) throw error;
    throw new ClientAssertionError('malformed');
  }
}

/**
 * Checks a SMART Backend Services client assertion (FHIR-8) at `now`: signed RS384 or ES384 by a
 * key in the client's registered JWKS, `iss = sub = clientId`, `aud` our token URL, not expired,
 * `exp` no more than 5 minutes ahead, and a `jti`. Returns the jti and when the assertion expires
 * (the caller refuses a jti seen before). Throws ClientAssertionError with the reason.
 */
export async function verifyClientAssertion(
  assertion: string,
  client: { clientId: string; jwks: JSONWebKeySet },
  tokenUrl: string,
  now: Date,
): Promise<{ jti: string; expiresAt: Date }> {
  const nowS = Math.floor(now.getTime() / 1000);
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
      algorithms: ['RS384', 'ES384'],
      currentDate: now,
      clockTolerance: CLOCK_SKEW_S,
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw new ClientAssertionError('expired');
    if (
      code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ||
      code === 'ERR_JWKS_NO_MATCHING_KEY' ||
      code === 'ERR_JOSE_ALG_NOT_ALLOWED' ||
      code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS'
    )
      throw new ClientAssertionError('bad-signature');
    throw new ClientAssertionError('malformed');
  }
  if (payload.iss !== client.clientId || payload.sub !== client.clientId)
    throw new ClientAssertionError('wrong-issuer');
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(tokenUrl)) throw new ClientAssertionError('wrong-audience');
  if (typeof payload.exp !== 'number') throw new ClientAssertionError('malformed');
  if (payload.exp > nowS + MAX_ASSERTION_LIFETIME_S + CLOCK_SKEW_S) throw new ClientAssertionError('too-long-lived');
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 200)
    throw new ClientAssertionError('no-jti');
  return { jti: payload.jti, expiresAt: new Date((payload.exp + CLOCK_SKEW_S) * 1000) };
}

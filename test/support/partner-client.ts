import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { expect } from 'vitest';
import { PARTNER_SCOPES } from '../../src/fhir/partner-api/smart/smart-scopes.js';
import { newId } from '../../src/shared/ids.js';
import type { TestPlatform, World } from './test-platform.js';

/** A partner system's key pair (FHIR-8: ES384 or RS384), as JWKs. */
export async function partnerKeys(alg: 'ES384' | 'RS384' = 'ES384'): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = newId();
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg },
  };
}

/** A client assertion as a partner signs it; every claim can be overridden to make a bad one. */
export async function clientAssertion(
  privateJwk: JWK,
  claims: { clientId: string; aud: string; now: Date; expiresInS?: number; jti?: string; iss?: string },
): Promise<string> {
  const alg = privateJwk.alg as string;
  const iat = Math.floor(claims.now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT', kid: privateJwk.kid! })
    .setIssuer(claims.iss ?? claims.clientId)
    .setSubject(claims.clientId)
    .setAudience(claims.aud)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.expiresInS ?? 240))
    .setJti(claims.jti ?? newId())
    .sign(await importJWK(privateJwk, alg));
}

export interface TestPartnerClient {
  id: string;
  clientId: string;
  privateJwk: JWK;
  /** Asks the token endpoint for a token with these scopes (all registered ones by default). */
  token(scopes?: readonly string[]): Promise<string>;
}

/** Registers a partner system for an NHS organisation through the API (an OH administrator) and returns a way to get its tokens. */
export async function registerPartnerClient(
  t: TestPlatform,
  w: World,
  organisationId: string,
  scopes: readonly string[] = PARTNER_SCOPES,
): Promise<TestPartnerClient> {
  const keys = await partnerKeys();
  const clientId = `partner-${newId()}`;
  const made = await request(t.app)
    .post('/api/v1/partner-clients')
    .set('Authorization', `Bearer ${w.tokens.ohAdmin}`)
    .send({
      organisationId,
      name: `Partner system ${clientId.slice(-4)}`,
      clientId,
      jwks: { keys: [keys.publicJwk] },
      scopes,
    });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const tokenUrl = t.platform.services.partnerAuth.tokenUrl;
  return {
    id: made.body.id,
    clientId,
    privateJwk: keys.privateJwk,
    async token(asked = scopes) {
      const res = await request(t.app)
        .post('/fhir/R4/token')
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await clientAssertion(keys.privateJwk, { clientId, aud: tokenUrl, now: t.clock.now() }),
          scope: asked.join(' '),
        });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.access_token as string;
    },
  };
}

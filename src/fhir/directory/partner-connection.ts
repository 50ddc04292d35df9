import { importJWK, SignJWT, type JWK } from 'jose';
import { randomSecret } from '../../shared/ids.js';
import type { PartnerAuth, PartnerService } from './partner-types.js';

/** Why a partner could not be reached, in words an OH administrator can act on (never a secret). */
export class PartnerConnectionError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'auth-failed' | 'http-error' | 'not-fhir',
    message: string,
  ) {
    super(message);
    this.name = 'PartnerConnectionError';
  }
}

const FHIR_JSON = 'application/fhir+json';

async function fetchWithin(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    const name = (error as Error).name;
    throw new PartnerConnectionError(
      'unreachable',
      name === 'TimeoutError'
        ? `No answer within ${timeoutMs / 1000} s.`
        : 'Could not connect (the address is wrong or the server is down).',
    );
  }
}

/**
 * A SMART Backend Services access token (FHIR-8): a client assertion signed with our private key
 * (RS384 or ES384), `iss = sub = client_id`, `aud` the token URL, 5 minutes' life, a fresh `jti`.
 */
export async function smartAccessToken(
  auth: Extract<PartnerAuth, { kind: 'smart-backend' }>,
  now: Date,
  timeoutMs: number,
): Promise<string> {
  return (await smartToken(auth, now, timeoutMs)).token;
}

/** A SMART access token with how long the token endpoint says it lives (300 s when it does not say). */
async function smartToken(
  auth: Extract<PartnerAuth, { kind: 'smart-backend' }>,
  now: Date,
  timeoutMs: number,
): Promise<{ token: string; expiresInS: number }> {
  const jwk = auth.privateKeyJwk as JWK;
  const alg = typeof jwk.alg === 'string' ? jwk.alg : jwk.kty === 'EC' ? 'ES384' : 'RS384';
  let assertion: string;
  try {
    const key = await importJWK(jwk, alg);
    const issuedAt = Math.floor(now.getTime() / 1000);
    assertion = await new SignJWT({})
      .setProtectedHeader({ alg, typ: 'JWT', ...(jwk.kid ? { kid: jwk.kid } : {}) })
      .setIssuer(auth.clientId)
      .setSubject(auth.clientId)
      .setAudience(auth.tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 300)
      .setJti(randomSecret(16))
      .sign(key);
  } catch {
    throw new PartnerConnectionError(
      'auth-failed',
      'The private key could not sign a client assertion (RS384 or ES384 JWK needed).',
    );
  }
  const res = await fetchWithin(
    auth.tokenUrl,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: auth.scope,
      }).toString(),
    },
    timeoutMs,
  );
  const body = (await res.json().catch(() => null)) as {
    access_token?: unknown;
    error?: unknown;
    expires_in?: unknown;
  } | null;
  if (!res.ok || typeof body?.access_token !== 'string') {
    throw new PartnerConnectionError(
      'auth-failed',
      `The token endpoint refused us (HTTP ${res.status}${typeof body?.error === 'string' ? `: ${body.error.slice(0, 100)}` : ''}).`,
    );
  }
  return {
    token: body.access_token,
    expiresInS: typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300,
  };
}

/** A token is used until this long before the partner said it expires. */
const TOKEN_MARGIN_S = 30;

/**
 * The headers that sign us in to partners, with SMART access tokens kept until shortly before they
 * expire (one token endpoint call per token lifetime, not per referral). A partner that refuses a
 * token it gave (401) makes the sender forget it and sign in again once (FHIR-8).
 */
export class PartnerSignIn {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  private key(auth: Extract<PartnerAuth, { kind: 'smart-backend' }>): string {
    return JSON.stringify([
      auth.clientId,
      auth.tokenUrl,
      auth.scope,
      auth.privateKeyJwk.kid ?? auth.privateKeyJwk.x ?? auth.privateKeyJwk.n,
    ]);
  }

  async headers(auth: PartnerAuth, now: Date, timeoutMs: number): Promise<Record<string, string>> {
    if (auth.kind !== 'smart-backend') return authorisation(auth, now, timeoutMs);
    const key = this.key(auth);
    const held = this.tokens.get(key);
    if (held && held.until > now.getTime()) return { Authorization: `Bearer ${held.token}` };
    const fresh = await smartToken(auth, now, timeoutMs);
    this.tokens.set(key, {
      token: fresh.token,
      until: now.getTime() + Math.max(0, fresh.expiresInS - TOKEN_MARGIN_S) * 1000,
    });
    return { Authorization: `Bearer ${fresh.token}` };
  }

  /** Forgets a partner's token (it refused it). */
  forget(auth: PartnerAuth): void {
    if (auth.kind === 'smart-backend') this.tokens.delete(this.key(auth));
  }
}

/** The headers that authenticate a request to the partner. */
export async function authorisation(auth: PartnerAuth, now: Date, timeoutMs: number): Promise<Record<string, string>> {
  if (auth.kind === 'none') return {};
  if (auth.kind === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  return { Authorization: `Bearer ${await smartAccessToken(auth, now, timeoutMs)}` };
}

/**
 * The connectivity check (issue 6 §1): authenticate, then read the partner's CapabilityStatement
 * (`GET [base]/metadata`). Returns what it says it is, or throws a PartnerConnectionError.
 */
export async function checkPartner(
  service: Pick<PartnerService, 'baseUrl' | 'auth'>,
  now: Date,
  timeoutMs = 5000,
): Promise<{ software: string; fhirVersion: string }> {
  const headers = await authorisation(service.auth, now, timeoutMs);
  const res = await fetchWithin(
    `${service.baseUrl.replace(/\/+$/, '')}/metadata`,
    { headers: { Accept: FHIR_JSON, ...headers } },
    timeoutMs,
  );
  if (res.status === 401 || res.status === 403)
    throw new PartnerConnectionError('auth-failed', `The partner refused our credentials (HTTP ${res.status}).`);
  if (!res.ok) throw new PartnerConnectionError('http-error', `The partner answered HTTP ${res.status}.`);
  const body = (await res.json().catch(() => null)) as {
    resourceType?: unknown;
    fhirVersion?: unknown;
    software?: { name?: unknown };
  } | null;
  if (body?.resourceType !== 'CapabilityStatement')
    throw new PartnerConnectionError('not-fhir', 'The address answered, but not with a FHIR CapabilityStatement.');
  return {
    software: typeof body.software?.name === 'string' ? body.software.name.slice(0, 100) : 'unnamed server',
    fhirVersion: typeof body.fhirVersion === 'string' ? body.fhirVersion.slice(0, 20) : 'unknown',
  };
}

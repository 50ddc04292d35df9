import type { Knex } from 'knex';
import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { isUniqueViolation, readBoolean, readJson, readTimestamp } from '../../../db/knex.js';

/** An NHS partner system that may call the partner-facing FHIR API (SMART Backend Services, FHIR-8). */
export interface PartnerClient {
  id: string;
  organisationId: string;
  name: string;
  /** The SMART client_id: `iss` and `sub` of its client assertions. */
  clientId: string;
  /** Its public keys: assertions are checked against these. */
  jwks: JSONWebKeySet;
  /** What it may be granted (FHIR-8 system scopes). */
  scopes: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** An access token we issued, as a request presents it. */
export interface PartnerToken {
  client: PartnerClient;
  scopes: string[];
  expiresAt: Date;
}

/** A client's public key set as stored: the keys are checked again where they are used (client-assertion.ts). */
const storedJwks: z.ZodType<JSONWebKeySet> = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });

function toClient(r: Record<string, unknown>): PartnerClient {
  return {
    id: r.id as string,
    organisationId: r.organisation_id as string,
    name: r.name as string,
    clientId: r.client_id as string,
    jwks: readJson(r.jwks, storedJwks, 'partner_clients.jwks'),
    scopes: (r.scopes as string).split(' ').filter(Boolean),
    enabled: readBoolean(r.enabled),
    createdAt: readTimestamp(r.created_at),
    updatedAt: readTimestamp(r.updated_at),
  };
}

function columns(c: PartnerClient) {
  return {
    organisation_id: c.organisationId,
    name: c.name,
    client_id: c.clientId,
    jwks: JSON.stringify(c.jwks),
    scopes: c.scopes.join(' '),
    enabled: c.enabled,
    updated_at: c.updatedAt.toISOString(),
  };
}

/** Partner clients, the access tokens issued to them (digests only) and the assertion ids they have used (knex). */
export class PartnerClientRepository {
  constructor(private readonly db: Knex) {}

  /** False when the client_id is taken. */
  async insert(c: PartnerClient): Promise<boolean> {
    try {
      await this.db('partner_clients').insert({ id: c.id, ...columns(c), created_at: c.createdAt.toISOString() });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** False when the client_id is taken by another client. */
  async update(c: PartnerClient): Promise<boolean> {
    try {
      await this.db('partner_clients').where({ id: c.id }).update(columns(c));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async find(id: string): Promise<PartnerClient | null> {
    const r = await this.db('partner_clients').where({ id }).first();
    return r ? toClient(r) : null;
  }

  async findByClientId(clientId: string): Promise<PartnerClient | null> {
    const r = await this.db('partner_clients').where({ client_id: clientId }).first();
    return r ? toClient(r) : null;
  }

  async list(): Promise<PartnerClient[]> {
    return (await this.db('partner_clients').orderBy([{ column: 'name' }, { column: 'id' }])).map(toClient);
  }

  /** Records an assertion's jti; false when the client used it before (a replay, FHIR-8). */
  async useJti(partnerClientId: string, jti: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.db('partner_assertion_jtis').insert({
        partner_client_id: partnerClientId,
        jti,
        expires_at: expiresAt.toISOString(),
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async insertToken(t: {
    digest: string;
    partnerClientId: string;
    scopes: string[];
    expiresAt: Date;
    now: Date;
  }): Promise<void> {
    await this.db('partner_access_tokens').insert({
      digest: t.digest,
      partner_client_id: t.partnerClientId,
      scopes: t.scopes.join(' '),
      expires_at: t.expiresAt.toISOString(),
      created_at: t.now.toISOString(),
    });
  }

  /** The token with that digest, unexpired at `now`, of a client still enabled. */
  async findToken(digest: string, now: Date): Promise<PartnerToken | null> {
    const r = await this.db('partner_access_tokens as t')
      .join('partner_clients as c', 'c.id', 't.partner_client_id')
      .where('t.digest', digest)
      .andWhere('t.expires_at', '>', now.toISOString())
      .andWhere('c.enabled', true)
      .select('c.*', 't.scopes as token_scopes', 't.expires_at as token_expires_at')
      .first();
    return r
      ? {
          client: toClient(r),
          scopes: (r.token_scopes as string).split(' ').filter(Boolean),
          expiresAt: readTimestamp(r.token_expires_at),
        }
      : null;
  }

  /** Housekeeping: tokens and assertion ids past their expiry. */
  async deleteExpired(now: Date): Promise<number> {
    const at = now.toISOString();
    const tokens = await this.db('partner_access_tokens').where('expires_at', '<=', at).delete();
    const jtis = await this.db('partner_assertion_jtis').where('expires_at', '<=', at).delete();
    return tokens + jtis;
  }
}

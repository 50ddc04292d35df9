import type { Knex } from 'knex';
import { readOptionalTimestamp, readTimestamp } from '../db/knex.js';
import type { Role } from './roles.js';

export interface ApiToken {
  id: string;
  userId: string;
  role: Role;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

function toToken(row: Record<string, unknown>): ApiToken {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    role: row.role_slug as Role,
    name: row.name as string,
    createdAt: readTimestamp(row.created_at),
    lastUsedAt: readOptionalTimestamp(row.last_used_at),
    expiresAt: readOptionalTimestamp(row.expires_at),
    revokedAt: readOptionalTimestamp(row.revoked_at),
  };
}

/** API bearer tokens, stored only as SHA-256 digests of their secret. */
export class TokenRepository {
  constructor(private readonly db: Knex) {}

  async insert(token: Omit<ApiToken, 'lastUsedAt' | 'revokedAt'> & { tokenHash: string }): Promise<void> {
    await this.db('api_tokens').insert({
      id: token.id,
      user_id: token.userId,
      role_slug: token.role,
      name: token.name,
      token_hash: token.tokenHash,
      created_at: token.createdAt.toISOString(),
      expires_at: token.expiresAt?.toISOString() ?? null,
    });
  }

  /** The token, when it is neither revoked nor expired at `now`. */
  async findUsable(tokenHash: string, now: Date): Promise<ApiToken | null> {
    const row = await this.db('api_tokens')
      .where({ token_hash: tokenHash })
      .whereNull('revoked_at')
      .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now.toISOString()))
      .first();
    return row ? toToken(row) : null;
  }

  async listForUser(userId: string): Promise<ApiToken[]> {
    const rows = await this.db('api_tokens').where({ user_id: userId }).orderBy('created_at', 'desc');
    return rows.map(toToken);
  }

  /** Revokes one of the user's tokens; false when it is not theirs or already revoked. */
  async revoke(userId: string, tokenId: string, now: Date): Promise<boolean> {
    const n = await this.db('api_tokens')
      .where({ id: tokenId, user_id: userId })
      .whereNull('revoked_at')
      .update({ revoked_at: now.toISOString() });
    return n === 1;
  }

  async revokeAllForUser(userId: string, now: Date): Promise<void> {
    await this.db('api_tokens')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .update({ revoked_at: now.toISOString() });
  }

  /** Notes use at most once a minute per token, to keep the hot path free of writes. */
  async touch(tokenId: string, now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - 60_000).toISOString();
    await this.db('api_tokens')
      .where({ id: tokenId })
      .andWhere((w) => w.whereNull('last_used_at').orWhere('last_used_at', '<', cutoff))
      .update({ last_used_at: now.toISOString() });
  }
}

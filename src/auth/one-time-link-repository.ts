import type { Knex } from 'knex';
import { readOptionalTimestamp, readTimestamp } from '../db/knex.js';

export type OneTimeLinkPurpose = 'first-administrator' | 'set-password';

export interface OneTimeLink {
  id: string;
  purpose: OneTimeLinkPurpose;
  userId: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** One-time links (first administrator set-up, setting a password), stored as digests. */
export class OneTimeLinkRepository {
  constructor(private readonly db: Knex) {}

  async insert(link: Omit<OneTimeLink, 'usedAt'> & { tokenHash: string }): Promise<void> {
    await this.db('one_time_links').insert({
      id: link.id,
      purpose: link.purpose,
      token_hash: link.tokenHash,
      user_id: link.userId,
      created_at: link.createdAt.toISOString(),
      expires_at: link.expiresAt.toISOString(),
    });
  }

  async findUsable(tokenHash: string, purpose: OneTimeLinkPurpose, now: Date): Promise<OneTimeLink | null> {
    const row = await this.db('one_time_links')
      .where({ token_hash: tokenHash, purpose })
      .whereNull('used_at')
      .where('expires_at', '>', now.toISOString())
      .first();
    if (!row) return null;
    return {
      id: row.id,
      purpose: row.purpose,
      userId: row.user_id ?? null,
      createdAt: readTimestamp(row.created_at),
      expiresAt: readTimestamp(row.expires_at),
      usedAt: readOptionalTimestamp(row.used_at),
    };
  }

  /** Marks a link used; false if someone else used it first. */
  async markUsed(id: string, now: Date, trx?: Knex.Transaction): Promise<boolean> {
    const n = await (trx ?? this.db)('one_time_links')
      .where({ id })
      .whereNull('used_at')
      .update({ used_at: now.toISOString() });
    return n === 1;
  }

  async hasUnused(purpose: OneTimeLinkPurpose, now: Date): Promise<boolean> {
    const row = await this.db('one_time_links')
      .where({ purpose })
      .whereNull('used_at')
      .where('expires_at', '>', now.toISOString())
      .first('id');
    return Boolean(row);
  }
}

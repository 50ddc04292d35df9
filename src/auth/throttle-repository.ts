import type { Knex } from 'knex';
import { readOptionalTimestamp } from '../db/knex.js';

/** Where one key's failed sign-in steps stand. */
export interface ThrottleState {
  failures: number;
  lockedUntil: Date | null;
}

/** Failed sign-in steps by key (`sign_in_throttles`): an email address's hash, an account, a pending sign-in. */
export class ThrottleRepository {
  constructor(private readonly db: Knex) {}

  /** The key's state; none yet is no failures. */
  async find(key: string): Promise<ThrottleState> {
    const row = await this.db('sign_in_throttles').where({ key }).first('failures', 'locked_until');
    return row
      ? { failures: Number(row.failures), lockedUntil: readOptionalTimestamp(row.locked_until) }
      : { failures: 0, lockedUntil: null };
  }

  /** Counts one more failure for the key and returns the count (atomic on both databases). */
  async addFailure(key: string, now: Date): Promise<number> {
    const [row] = await this.db('sign_in_throttles')
      .insert({ key, failures: 1, locked_until: null, updated_at: now.toISOString() })
      .onConflict('key')
      .merge({ failures: this.db.raw('sign_in_throttles.failures + 1'), updated_at: now.toISOString() })
      .returning('failures');
    return Number((row as { failures: number }).failures);
  }

  /** Locks the key until `until`, starting its count again. */
  async lock(key: string, until: Date, now: Date): Promise<void> {
    await this.db('sign_in_throttles')
      .insert({ key, failures: 0, locked_until: until.toISOString(), updated_at: now.toISOString() })
      .onConflict('key')
      .merge({ failures: 0, locked_until: until.toISOString(), updated_at: now.toISOString() });
  }

  /** Forgets the keys' failures and locks (a success, a new password). */
  async clear(keys: readonly string[]): Promise<void> {
    await this.db('sign_in_throttles').whereIn('key', keys).delete();
  }

  /** Housekeeping: forgets keys untouched since `before` and not locked past it. */
  async deleteStale(before: Date): Promise<number> {
    return this.db('sign_in_throttles')
      .where('updated_at', '<', before.toISOString())
      .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', before.toISOString()))
      .delete();
  }
}

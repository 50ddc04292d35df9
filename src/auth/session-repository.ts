import type { Knex } from 'knex';

/** Housekeeping of the database-stored sessions (the store itself is connect-session-knex). */
export class SessionRepository {
  constructor(private readonly db: Knex) {}

  /** Deletes sessions that have expired; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    return this.db('sessions').where('expired', '<', now.toISOString()).delete();
  }
}

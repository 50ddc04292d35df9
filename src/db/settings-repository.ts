import type { Knex } from 'knex';
import { isUniqueViolation } from './knex.js';

/** Small platform settings kept in the database (e.g. the generated session secret). */
export class SettingsRepository {
  constructor(private readonly db: Knex) {}

  async get(key: string): Promise<string | null> {
    const row = await this.db('app_settings').where({ key }).first('value');
    return row ? (row.value as string) : null;
  }

  /** Returns the stored value, storing `create()` first if there is none (safe when several processes race). */
  async getOrCreate(key: string, create: () => string): Promise<string> {
    const existing = await this.get(key);
    if (existing !== null) return existing;
    try {
      await this.db('app_settings').insert({ key, value: create() });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return (await this.get(key))!;
  }
}

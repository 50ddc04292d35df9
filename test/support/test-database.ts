import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { createDatabase, migrateToLatest, type Database } from '../../src/db/knex.js';

export interface TestDatabase {
  db: Database;
  config: { client: 'sqlite'; filename: string } | { client: 'postgres'; url: string; poolMax: number };
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database owned by one test file: a temporary SQLite file, or — when
 * DATABASE_URL points at PostgreSQL — a new database on that server, dropped afterwards.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  const url = process.env.DATABASE_URL;
  if (url) {
    // The time it was made is in the name, so a later run's clean-up knows it is not stale (global-setup.ts).
    const name = `blp_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    await admin.raw('CREATE DATABASE ??', [name]);
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    const config = { client: 'postgres' as const, url: dbUrl.toString(), poolMax: 10 };
    const db = createDatabase(config);
    if (migrate) await migrateToLatest(db);
    return {
      db,
      config,
      async destroy() {
        await db.destroy();
        await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
        await admin.destroy();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-test-'));
  const config = { client: 'sqlite' as const, filename: path.join(dir, 'test.sqlite') };
  const db = createDatabase(config);
  if (migrate) await migrateToLatest(db);
  return {
    db,
    config,
    async destroy() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

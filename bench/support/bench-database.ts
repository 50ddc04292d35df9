import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';

/** A throwaway PostgreSQL database created for one benchmark run on the server DATABASE_URL names. */
export interface BenchDatabase {
  name: string;
  /** DATABASE_URL pointing at the throwaway database. */
  url: string;
}

function adminConnection(serverUrl: string) {
  return knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
}

/** Set by the runner on the server it starts, so that it knows the database's name before the server has made it. */
export const DATABASE_NAME_ENV = 'BENCH_DATABASE_NAME';

const BENCH_DATABASE_NAME = /^blp_bench_[0-9a-f]{12}$/;

/** A fresh name for a bench database: `blp_bench_<12 hex digits>`. */
export function newBenchDatabaseName(): string {
  return `blp_bench_${randomBytes(6).toString('hex')}`;
}

/** Creates the bench database `name` (a fresh one by default) on the server that `serverUrl` points at. */
export async function createBenchDatabase(serverUrl: string, name = newBenchDatabaseName()): Promise<BenchDatabase> {
  if (!BENCH_DATABASE_NAME.test(name)) throw new Error(`refusing to create ${name}: not a bench database name`);
  const admin = adminConnection(serverUrl);
  try {
    await admin.raw('CREATE DATABASE ??', [name]);
  } finally {
    await admin.destroy();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/**
 * Drops a bench database, ending any sessions still attached (PostgreSQL 13+). Idempotent, so
 * both the server child and the parent may call it; only names made by createBenchDatabase are accepted.
 */
export async function dropBenchDatabase(serverUrl: string, name: string): Promise<void> {
  if (!BENCH_DATABASE_NAME.test(name)) throw new Error(`refusing to drop ${name}: not a bench database`);
  const admin = adminConnection(serverUrl);
  try {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  } finally {
    await admin.destroy();
  }
}

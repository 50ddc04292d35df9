import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { z } from 'zod';
import type { IsoDate } from '../shared/dates.js';
import { StoredDataError } from '../shared/errors.js';
import type { Config } from '../config/config.js';
import { migrationSource } from './migrations/index.js';
import { ImmediateSqliteClient } from './sqlite-client.js';

export type { Knex };
export type Database = Knex;

// PostgreSQL DATE columns come back as the calendar date string, not a JS Date in local
// time; COUNT(*) and BIGINT ids come back as numbers (they never exceed 2^53 here).
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number.parseInt(v, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v: string) => Number.parseFloat(v));

/** Connections to one SQLite file. */
const SQLITE_POOL_MAX = 4;

/** Opens the database named by config: SQLite (WAL, foreign keys on) or PostgreSQL. */
export function createDatabase(database: Config['database']): Database {
  if (database.client === 'postgres') {
    return knexFactory({
      client: 'pg',
      connection: database.url,
      pool: { min: 0, max: database.poolMax },
      migrations: { migrationSource, tableName: 'knex_migrations' },
    });
  }
  if (database.filename !== ':memory:') fs.mkdirSync(path.dirname(database.filename), { recursive: true });
  return knexFactory({
    // THE SQLite client: write transactions begin IMMEDIATE, queued in the process (sqlite-client.ts).
    client: ImmediateSqliteClient as unknown as typeof knexFactory.Client,
    connection: { filename: database.filename },
    useNullAsDefault: true,
    // A few connections: in WAL mode readers run alongside the one writer, so searches are
    // not queued behind each other. Write transactions take the write lock up front, one at
    // a time (sqlite-client.ts); busy_timeout covers other processes on the same file.
    pool: {
      min: 1,
      max: SQLITE_POOL_MAX,
      afterCreate: (
        conn: { exec(sql: string, cb: (err: Error | null) => void): void },
        done: (err: Error | null, conn: unknown) => void,
      ) => {
        // secure_delete: a deleted row's bytes are overwritten, so a used survey invitation (deleted at first use,
        // NA-2) leaves nothing in the file's free pages to read back.
        conn.exec(
          'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; ' +
            'PRAGMA secure_delete = ON;',
          (err) => done(err, conn),
        );
      },
    },
    migrations: { migrationSource, tableName: 'knex_migrations' },
  });
}

/** True when the database is PostgreSQL. */
export function isPostgres(db: Knex): boolean {
  return db.client.config.client === 'pg';
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Rolls every migration back (tests and `cli migrate --rollback-all`). */
export async function rollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(undefined, true);
}

/** A JSON object whose values its reader interprets (audit and history details). */
export const jsonObject = z.record(z.string(), z.unknown());

/**
 * Reads a JSON column, whichever way the driver returned it (text on SQLite, parsed by pg), and
 * parses it with `schema`: what the database holds is checked like any other input, never cast.
 * A column that does not match is a fault in the stored data: `StoredDataError` names the column
 * and the paths that failed, never the values (they may be health data).
 */
export function readJson<S extends z.ZodType>(value: unknown, schema: S, column: string): z.output<S> {
  let raw: unknown = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value);
    } catch {
      throw new StoredDataError(column, ['(not JSON)']);
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new StoredDataError(
      column,
      parsed.error.issues.map((i) => i.path.join('.') || '(root)'),
    );
  return parsed.data;
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads a DATE column (text on SQLite, the date string from pg, see the type parser above) as a
 * calendar date. Only its shape is checked (cheap: a sweep reads a million): it was a checked date when written.
 */
export function readIsoDate(value: unknown, column: string): IsoDate {
  if (typeof value !== 'string' || !DATE_SHAPE.test(value)) throw new StoredDataError(column, ['(not a date)']);
  return value as IsoDate;
}

/** Reads a nullable DATE column. */
export function readOptionalIsoDate(value: unknown, column: string): IsoDate | null {
  return value === null || value === undefined ? null : readIsoDate(value, column);
}

/** Reads a timestamp column (a Date from pg, an ISO string from SQLite). */
export function readTimestamp(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/** Reads a nullable timestamp column. */
export function readOptionalTimestamp(value: unknown): Date | null {
  return value === null || value === undefined ? null : readTimestamp(value);
}

/** Reads a boolean column (0/1 from SQLite). */
export function readBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** True when `error` is a unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(e.message ?? ''))
  );
}

/** True when `error` is a foreign-key violation on either database. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23503' ||
    (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT') && /FOREIGN KEY/.test(e.message ?? ''))
  );
}

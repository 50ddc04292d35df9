import knexFactory from 'knex';

/** A test file's database lives for minutes; one older than this was left by a run that was killed. */
const STALE_AFTER_MS = 2 * 60 * 60_000;

/**
 * When the suite runs on PostgreSQL, drop test databases left behind by an earlier run that was
 * killed. Each test file creates and drops its own database, named with the time it was made
 * (test-database.ts). Vitest runs this for each project as it starts, while other projects' files
 * may already be running and holding no connection for a moment: only databases made hours ago
 * (or named before the time was written into names) are dropped.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const { rows } = await admin.raw(
      `SELECT datname FROM pg_database WHERE datname LIKE 'blp_t_%' AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)`,
    );
    for (const { datname } of rows as Array<{ datname: string }>) {
      const made = /^blp_t_([0-9a-z]+)_[0-9a-f]+$/.exec(datname);
      if (made && parseInt(made[1]!, 36) > Date.now() - STALE_AFTER_MS) continue;
      await admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

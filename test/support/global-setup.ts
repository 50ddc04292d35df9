import knexFactory from 'knex';

/**
 * Once per run: when the suite runs on PostgreSQL, drop test databases left behind by
 * an earlier run that was killed. Each test file creates and drops its own database.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const { rows } = await admin.raw(`SELECT datname FROM pg_database WHERE datname LIKE 'blp_t_%' AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)`);
    for (const row of rows as Array<{ datname: string }>) {
      await admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [row.datname]);
    }
  } finally {
    await admin.destroy();
  }
}

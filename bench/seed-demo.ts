import { loadConfig } from '../src/config/config.js';
import { seedDemo } from '../src/demo/demo-data.js';
import { buildPlatform } from '../src/server.js';

/**
 * Migrates the database the environment names and seeds the demo organisation into it, then
 * exits. bench/http-server.ts runs this as a short-lived process of its own so that the
 * synthetic data generator (faker) and the seeding's memory never count against the server
 * being measured, which, like production, never loads them.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await buildPlatform(config);
  try {
    // The seed and history prepareFirstStart uses.
    await seedDemo(platform, { people: config.demo.people, seed: 1988, years: 3 });
  } finally {
    await platform.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench seed-demo failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});

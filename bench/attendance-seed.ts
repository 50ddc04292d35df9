import type { IsoDate } from '../src/shared/dates.js';
import { loadConfig } from '../src/config/config.js';
import { isPostgres } from '../src/db/knex.js';
import { generateAbsenceHistory } from '../src/demo/absence-history.js';
import { insertSpellsInBulk } from '../src/demo/spell-rows.js';
import { buildPlatform, type Platform } from '../src/server.js';
import { fixedClock } from '../src/shared/clock.js';
import { PARENT_WATCH_ENV, writeReady } from './support/child-process.js';
import { generateWorkforce } from './support/workforce.js';

/**
 * Loads the attendance benchmark's data into the database the environment names (migrating
 * it first), then exits: bench/attendance-bench.ts runs this as a short-lived process of its
 * own so that the generated arrays and the loading's memory never count against the process
 * that is measured. Options come as one JSON argument; prints one JSON line when done.
 */
interface SeedOptions {
  people: number;
  spellsPerYear: number;
  years: number;
  seed: number;
  asOf: IsoDate;
}

const elapsed = (since: number) => Math.round(performance.now() - since);

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '') as SeedOptions;
  const clock = fixedClock(`${options.asOf}T09:00:00Z`);
  const platform: Platform = await buildPlatform(loadConfig(), { clock });
  try {
    const now = clock.now();
    let t = performance.now();
    const workforce = generateWorkforce({
      size: options.people,
      seed: options.seed,
      asOf: options.asOf,
      years: options.years,
    });
    const spells = generateAbsenceHistory({
      people: workforce.people,
      asOf: options.asOf,
      years: options.years,
      seed: options.seed,
      spellsPerPersonYear: options.spellsPerYear,
    });
    const generateMs = elapsed(t);

    t = performance.now();
    const repo = platform.repositories.people;
    await repo.transaction(async (trx) => {
      for (const o of workforce.organisations) await repo.insertOrganisation(o, now, trx);
      for (const u of workforce.units) await repo.insertUnit(u, now, trx);
      await repo.insertPeople(workforce.people, now, trx);
    });
    const loadPeopleMs = elapsed(t);

    t = performance.now();
    await platform.repositories.attendance.transaction((trx) => insertSpellsInBulk(trx, spells, now));
    const loadSpellsMs = elapsed(t);

    // A freshly bulk-loaded PostgreSQL table has no statistics and no visibility map until
    // autovacuum gets to it; a production database is measured in that steady state.
    t = performance.now();
    if (isPostgres(platform.db)) await platform.db.raw('VACUUM ANALYZE people, absence_spells');
    const analyseMs = elapsed(t);

    writeReady({
      organisations: workforce.organisations.length,
      units: workforce.units.length,
      people: workforce.people.length,
      inPost: workforce.people.filter((p) => p.leavingDate === null).length,
      spells: spells.length,
      openSpells: spells.filter((s) => s.endDate === null).length,
      timingsMs: { generate: generateMs, loadPeople: loadPeopleMs, loadSpells: loadSpellsMs, analyse: analyseMs },
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    });
  } finally {
    await platform.close();
  }
}

// Started by the runner: stop when its end of stdin closes (the runner died), so no load runs on unwatched.
if (process.env[PARENT_WATCH_ENV] === '1') {
  process.stdin.on('end', () => process.exit(1));
  process.stdin.on('error', () => process.exit(1));
  process.stdin.resume();
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench attendance-seed failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  })
  // stdin (the lifeline) keeps the event loop alive, so leave explicitly.
  .finally(() => process.exit());

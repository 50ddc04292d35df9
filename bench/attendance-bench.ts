import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AttendanceScoring } from '../src/attendance/attendance-scoring.js';
import { recordAbsenceSchema } from '../src/attendance/attendance-schemas.js';
import { ProcedureRepository } from '../src/attendance/procedure-repository.js';
import type { Actor } from '../src/auth/actor.js';
import { loadConfig } from '../src/config/config.js';
import { mulberry32 } from '../src/demo/absence-history.js';
import type { Person } from '../src/people/people-types.js';
import { buildPlatform, type Platform } from '../src/server.js';
import { fixedClock } from '../src/shared/clock.js';
import { addDays, isIsoDate, type IsoDate } from '../src/shared/dates.js';
import { newId } from '../src/shared/ids.js';
import { createLogger } from '../src/shared/logger.js';
import type { RequestContext } from '../src/shared/request-context.js';
import { englandAndWalesCalendar } from '../src/shared/working-days.js';
import { createBenchDatabase, dropBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { PARENT_WATCH_ENV } from './support/child-process.js';
import { readProcessMemory } from './support/server-process.js';
import { UsageError, wholeOption } from './support/usage-error.js';
import { loadAtStart } from './support/machine.js';

/**
 * The attendance benchmark (issue 3 §11): the daily trigger sweep over a large workforce
 * against the raw floor of reading the same spell rows with one plain SELECT, both measured
 * in this process on this database; and one person's recompute after recording an absence.
 * The targets are a ratio and ceilings; they are reported, never asserted in a test.
 */

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');
const MB = 1024 * 1024;

/** The targets from the issue. */
const TARGETS = { maxSweepFloorRatio: 3, maxSqliteSweepMs: 2000, maxRecomputeP95Ms: 5 } as const;

/** Years of history, as the issue asks. */
const YEARS = 3;
/**
 * Spells a person-year the generator is asked for. It is an average over full years of
 * service; joiners and leavers within the 3 years, and spells pushed past today by the ones
 * before them, bring 6.7 down to about 826,000 spells for this workforce of 50,000, so 8.2 is
 * what gives the issue's 1,000,000 (1,006,252 with seed 1988).
 */
const DEFAULT_SPELLS_PER_YEAR = 8.2;

interface AttendanceOptions {
  people: number;
  spellsPerYear: number;
  runs: number;
  warmup: number;
  recompute: number;
  seed: number;
  asOf: IsoDate;
}

export const ATTENDANCE_USAGE = `npm run bench -- attendance [--people N] [--spells-per-year X] [--runs N] [--warmup N] [--recompute N] [--seed N] [--as-of YYYY-MM-DD]

  Loads a synthetic workforce with ${YEARS} years of absence history, then times the trigger sweep for
  everyone (people read + AttendanceScoring.sweep) against one plain SELECT of the same spell
  rows, and AbsenceService.summary for one person right after recording an absence for them.
  --people           workforce size (default 50000)
  --spells-per-year  spells a person-year asked of the generator (default ${DEFAULT_SPELLS_PER_YEAR}: about 1,000,000 spells for 50,000 people)
  --runs             measured runs of the floor and the sweep (default 5)
  --warmup           unmeasured runs of each first (default 1)
  --recompute        people to record an absence for and recompute (default 200, after 20 unmeasured)
  --seed             seed of the synthetic data (default 1988)
  --as-of            the date scored, and the fixed clock's day (default 2026-11-23)
  Uses SQLite in a temporary directory, or a throwaway database on the PostgreSQL server
  DATABASE_URL names.`;

function parseOptions(args: string[]): AttendanceOptions {
  const { values } = parseArgs({
    args,
    options: {
      people: { type: 'string', default: '50000' },
      'spells-per-year': { type: 'string', default: String(DEFAULT_SPELLS_PER_YEAR) },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      recompute: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1988' },
      'as-of': { type: 'string', default: '2026-11-23' },
    },
    strict: true,
    allowPositionals: false,
  });
  const rate = Number(values['spells-per-year']);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100)
    throw new UsageError(`--spells-per-year must be a number above 0 (at most 100), not ${values['spells-per-year']}`);
  if (!isIsoDate(values['as-of']))
    throw new UsageError(`--as-of must be a date written YYYY-MM-DD, not ${values['as-of']}`);
  return {
    people: wholeOption('people', values.people, 30),
    spellsPerYear: rate,
    runs: wholeOption('runs', values.runs, 1),
    warmup: wholeOption('warmup', values.warmup, 0),
    recompute: wholeOption('recompute', values.recompute, 1),
    seed: wholeOption('seed', values.seed, 0),
    asOf: values['as-of'],
  };
}

/** What bench/attendance-seed.ts prints when the data is loaded. */
interface Loaded {
  organisations: number;
  units: number;
  people: number;
  inPost: number;
  spells: number;
  openSpells: number;
  timingsMs: { generate: number; loadPeople: number; loadSpells: number; analyse: number };
  peakRssMb: number;
}

interface Summary {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runsMs: number[];
}

interface Percentiles {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

type Verdict = 'PASS' | 'FAIL' | 'N/A';

interface Check {
  target: string;
  measured: string;
  verdict: Verdict;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const ms = (since: number) => performance.now() - since;

function summarise(runs: number[]): Summary {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs: median, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]!, runsMs: runs };
}

/** Nearest-rank percentiles. */
function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return {
    count: sorted.length,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: sorted[sorted.length - 1]!,
    meanMs: sorted.reduce((s, x) => s + x, 0) / sorted.length,
  };
}

let interrupted = false;
class Interrupted extends Error {}
const checkInterrupted = () => {
  if (interrupted) throw new Interrupted('interrupted');
};

let seeding: ChildProcess | null = null;

/** Runs bench/attendance-seed.ts against the database `env` names; resolves with what it loaded. */
function seedInOwnProcess(env: Record<string, string | undefined>, options: AttendanceOptions): Promise<Loaded> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(benchDir, 'attendance-seed.ts'),
        JSON.stringify({
          people: options.people,
          spellsPerYear: options.spellsPerYear,
          years: YEARS,
          seed: options.seed,
          asOf: options.asOf,
        }),
      ],
      // stdin stays open as a lifeline: the seeder stops when it closes (this runner died).
      { cwd: root, env: { ...env, [PARENT_WATCH_ENV]: '1' }, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    seeding = child;
    child.stdin?.on('error', () => undefined);
    let loaded: Loaded | null = null;
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<Loaded>;
        if (typeof parsed.spells === 'number') return void (loaded = parsed as Loaded);
      } catch {
        // not the result line
      }
      process.stderr.write(`[seed] ${line}\n`);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      seeding = null;
      if (code === 0 && loaded) resolve(loaded);
      else
        reject(
          interrupted
            ? new Interrupted('interrupted')
            : new Error(`loading the benchmark data failed (${signal ?? `exit code ${code}`})`),
        );
    });
  });
}

/** The in-post filter the daily trigger reviews apply before sweeping. */
const inPostOn = (asOf: IsoDate) => (p: Person) =>
  p.serviceStartDate <= asOf && (p.leavingDate === null || p.leavingDate >= asOf);

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined
    ? 'n/a'
    : n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** The look-back (days) AttendanceScoring.sweep passes to scoringRows for everyone on `asOf`, found by watching one sweep. */
async function sweepLookBack(platform: Platform, asOf: IsoDate): Promise<number> {
  const repository = platform.repositories.attendance;
  let lookBack: number | null = null;
  const watched = Object.create(repository, {
    scoringRows: {
      value: (scope: Parameters<typeof repository.scoringRows>[0], day: IsoDate, days: number) => {
        lookBack = days;
        return repository.scoringRows(scope, day, days);
      },
    },
  }) as typeof repository;
  const people = (await platform.services.people.everyoneForSystem()).filter(inPostOn(asOf));
  await new AttendanceScoring(
    watched,
    new ProcedureRepository(platform.db),
    platform.services.policy,
    englandAndWalesCalendar(),
  ).sweep(people, asOf, null);
  if (lookBack === null) throw new Error('the sweep read no spells: is there anyone in post?');
  return lookBack;
}

/** What the sweep measurement leaves for the report and the recompute. */
interface SweepMeasurement {
  spellRows: number;
  floorSummary: Summary;
  sweepSummary: Summary;
  peopleSummary: Summary;
  scoringSummary: Summary;
  spellReadSummary: Summary;
  /** For information: every spell in the window with all six scoring columns. */
  wideFloor: Summary & { rows: number };
  ratio: number;
  inPost: Array<Pick<Person, 'id' | 'organisationId' | 'serviceStartDate'>>;
  scored: number;
  triggered: number;
  byTrigger: Record<string, number>;
}

/**
 * (a) The sweep as the daily trigger reviews run it, against (b) the floor, interleaved
 * run by run so that both see the same cache and the same state of the machine.
 */
async function measureSweep(
  platform: Platform,
  scoring: AttendanceScoring,
  o: { asOf: IsoDate; lookBackDays: number; warmup: number; runs: number },
): Promise<SweepMeasurement> {
  const { db } = platform;
  const lookBackStart = addDays(o.asOf, -o.lookBackDays);
  /**
   * The floor: one plain SELECT of exactly the rows and columns scoringRows reads (sickness
   * that is not pregnancy-related, not deleted, started by the day, ended on or after the
   * look-back start or still open), through the same knex and driver, every row touched.
   */
  const floor = async () => {
    const rows = await db('absence_spells as s')
      .select('s.person_id', 's.start_date', 's.end_date', 's.disability_related')
      .whereNull('s.deleted_at')
      .where('s.counts_as_sickness', true)
      .where('s.pregnancy_related', false)
      .where('s.start_date', '<=', o.asOf)
      .andWhere((w) => w.whereNull('s.end_date').orWhere('s.end_date', '>=', lookBackStart));
    let touched = 0;
    for (const r of rows)
      touched += (r.person_id as string).length + (r.end_date === null ? 0 : 1) + (r.disability_related ? 1 : 0);
    return { rows: rows.length, touched };
  };
  /** For information: the same SELECT with every spell in the window and all six scoring columns, as the sweep read them before. */
  const wideFloor = async () => {
    const rows = await db('absence_spells as s')
      .select(
        's.person_id',
        's.start_date',
        's.end_date',
        's.counts_as_sickness',
        's.pregnancy_related',
        's.disability_related',
      )
      .whereNull('s.deleted_at')
      .where('s.start_date', '<=', o.asOf)
      .andWhere((w) => w.whereNull('s.end_date').orWhere('s.end_date', '>=', lookBackStart));
    let touched = 0;
    for (const r of rows)
      touched += (r.person_id as string).length + (r.end_date === null ? 0 : 1) + (r.counts_as_sickness ? 1 : 0);
    return { rows: rows.length, touched };
  };
  /** The sweep: everyone read as the service reads them, those in post on the day scored. */
  const sweep = async () => {
    const t0 = performance.now();
    const people = (await platform.services.people.everyoneForSystem()).filter(inPostOn(o.asOf));
    const peopleMs = ms(t0);
    const t1 = performance.now();
    const scores = await scoring.sweep(people, o.asOf, null);
    const scoringMs = ms(t1);
    return { people, scores, peopleMs, scoringMs, totalMs: ms(t0) };
  };
  /** The sweep's own spell read (AttendanceRepository.scoringRows), timed apart to show the mapping's share. */
  const spellRead = () => platform.repositories.attendance.scoringRows(null, o.asOf, o.lookBackDays);

  // The floor and the sweep must read the same rows, or the ratio means nothing.
  const spellRows = (await floor()).rows;
  const wideRows = (await wideFloor()).rows;
  const readRows = [...(await spellRead()).values()].reduce((n, list) => n + list.length, 0);
  if (readRows !== spellRows)
    throw new Error(`the floor read ${spellRows} rows but scoringRows read ${readRows}: they must read the same rows`);
  checkInterrupted();

  log(
    `attendance: ${fmt(spellRows)} spell rows bear on ${o.asOf} (look-back ${o.lookBackDays} days, from ${lookBackStart}); ${o.warmup} warm-up + ${o.runs} measured runs of each…`,
  );
  const runs = {
    floor: [] as number[],
    sweep: [] as number[],
    people: [] as number[],
    scoring: [] as number[],
    spellRead: [] as number[],
    wideFloor: [] as number[],
  };
  let last: Awaited<ReturnType<typeof sweep>> | null = null;
  for (let i = 0; i < o.warmup + o.runs; i++) {
    const measured = i >= o.warmup;
    let t = performance.now();
    await floor();
    const floorMs = ms(t);
    checkInterrupted();
    const s = await sweep();
    checkInterrupted();
    t = performance.now();
    await spellRead();
    const readMs = ms(t);
    checkInterrupted();
    t = performance.now();
    await wideFloor();
    const wideMs = ms(t);
    checkInterrupted();
    log(
      `  ${measured ? `run ${i - o.warmup + 1}` : 'warm-up'}: floor ${fmt(floorMs)} ms, sweep ${fmt(s.totalMs)} ms (people ${fmt(s.peopleMs)} + scoring ${fmt(s.scoringMs)}), ` +
        `spell read alone ${fmt(readMs)} ms, every spell with six columns ${fmt(wideMs)} ms`,
    );
    last = s;
    if (!measured) continue;
    runs.floor.push(floorMs);
    runs.sweep.push(s.totalMs);
    runs.people.push(s.peopleMs);
    runs.scoring.push(s.scoringMs);
    runs.spellRead.push(readMs);
    runs.wideFloor.push(wideMs);
  }
  const floorSummary = summarise(runs.floor);
  const sweepSummary = summarise(runs.sweep);
  const byTrigger: Record<string, number> = {};
  let triggered = 0;
  for (const score of last!.scores.values()) {
    if (score.triggers.length > 0) triggered += 1;
    for (const t of score.triggers) byTrigger[t.code] = (byTrigger[t.code] ?? 0) + 1;
  }
  return {
    spellRows,
    floorSummary,
    sweepSummary,
    peopleSummary: summarise(runs.people),
    scoringSummary: summarise(runs.scoring),
    spellReadSummary: summarise(runs.spellRead),
    wideFloor: { rows: wideRows, ...summarise(runs.wideFloor) },
    ratio: sweepSummary.medianMs / floorSummary.medianMs,
    inPost: last!.people.map((p) => ({
      id: p.id,
      organisationId: p.organisationId,
      serviceStartDate: p.serviceStartDate,
    })),
    scored: last!.scores.size,
    triggered,
    byTrigger,
  };
}

/** Unmeasured recomputes before the measured ones. */
const RECOMPUTE_WARMUP = 20;

/**
 * One person's recompute after recording an absence: for people of the host force drawn at
 * random (in post, with service before today and not absent today, so the overlap check
 * lets the absence in), an HR manager records an absence starting today through
 * AbsenceService.recordAbsence, then AbsenceService.summary recomputes their score,
 * triggers, milestones and sick pay as the attendance page and API do; each is timed.
 */
async function measureRecompute(
  platform: Platform,
  o: {
    asOf: IsoDate;
    host: string;
    people: Array<Pick<Person, 'id' | 'serviceStartDate'>>;
    count: number;
    seed: number;
    now: Date;
  },
): Promise<{ recompute: Percentiles; record: Percentiles; summaryTriggered: number }> {
  const hrUser = {
    id: newId(),
    email: 'hr.bench@bench.test',
    displayName: 'Bench HR manager',
    passwordHash: null,
    organisationId: o.host,
    personId: null,
    roles: ['hr-manager' as const],
    locale: 'en' as const,
  };
  await platform.repositories.users.insert(hrUser, o.now);
  const actor: Actor = {
    userId: hrUser.id,
    displayName: hrUser.displayName,
    email: hrUser.email,
    organisationId: o.host,
    personId: null,
    roles: ['hr-manager'],
    role: 'hr-manager',
    via: 'token',
    locale: 'en',
  };
  const absentToday = new Set(
    (
      await platform
        .db('absence_spells')
        .whereNull('deleted_at')
        .andWhere((w) => w.whereNull('end_date').orWhere('end_date', '>=', o.asOf))
        .select('person_id')
    ).map((r) => r.person_id as string),
  );
  const candidates = o.people.filter((p) => p.serviceStartDate < o.asOf && !absentToday.has(p.id));
  const random = mulberry32(o.seed + 1);
  const wanted = Math.min(candidates.length, o.count + RECOMPUTE_WARMUP);
  // A partial Fisher–Yates shuffle: the first `wanted` are a random sample, the same for the same seed.
  for (let i = 0; i < wanted; i++) {
    const j = i + Math.floor(random() * (candidates.length - i));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  const input = recordAbsenceSchema.parse({
    startDate: o.asOf,
    reasonCategory: 'cold-flu',
    certification: 'self',
    expectedReturnDate: addDays(o.asOf, 3),
  });
  log(
    `attendance: recording an absence and recomputing for ${fmt(Math.max(0, wanted - RECOMPUTE_WARMUP))} people (${fmt(Math.min(RECOMPUTE_WARMUP, wanted))} more first, not counted)…`,
  );
  const recordMs: number[] = [];
  const summaryMs: number[] = [];
  let summaryTriggered = 0;
  for (const [i, person] of candidates.slice(0, wanted).entries()) {
    checkInterrupted();
    const ctx: RequestContext = { actor, requestId: `bench-attendance-${i}`, ip: null };
    let t = performance.now();
    await platform.services.absences.recordAbsence(ctx, person.id, input);
    const recorded = ms(t);
    t = performance.now();
    const summary = await platform.services.absences.summary(ctx, person.id, o.asOf);
    const recomputed = ms(t);
    if (i < RECOMPUTE_WARMUP) continue;
    recordMs.push(recorded);
    summaryMs.push(recomputed);
    if (summary.triggers.length > 0) summaryTriggered += 1;
  }
  if (summaryMs.length === 0) throw new Error('no one to record an absence for: raise --people or --recompute');
  return { recompute: percentiles(summaryMs), record: percentiles(recordMs), summaryTriggered };
}

/** Runs the attendance benchmark; resolves with the process exit code. */
export async function runAttendanceBenchmark(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const serverUrl = process.env.DATABASE_URL || undefined;
  let database: BenchDatabase | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-bench-attendance-'));
  let platform: Platform | null = null;

  const cleanUp = async () => {
    seeding?.kill('SIGTERM');
    await platform?.close().catch((e: unknown) => log(`could not close the platform: ${String(e)}`));
    platform = null;
    if (serverUrl && database)
      await dropBenchDatabase(serverUrl, database.name).catch((e: unknown) =>
        log(`could not drop ${database?.name}: ${String(e)}`),
      );
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  // Ctrl-C: stop after the statement under way, drop the database, exit 130; a second Ctrl-C exits at once.
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`\n${signal}: stopping after the current step…`);
    seeding?.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startLoad = loadAtStart(log);

  try {
    if (serverUrl) database = await createBenchDatabase(serverUrl);
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'production',
      // Production needs its secrets key from outside the database; any 32 bytes serve a benchmark.
      SECRETS_KEY: process.env.SECRETS_KEY ?? Buffer.alloc(32, 1).toString('base64'),
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      DATABASE_URL: database?.url,
    };
    const client = serverUrl ? 'postgres' : 'sqlite';
    log(
      `attendance: loading ${fmt(options.people)} people and ${YEARS} years of absence history (${options.spellsPerYear} spells a person-year asked) into ${serverUrl ? `PostgreSQL (${database!.name})` : 'SQLite'}, in a process of its own…`,
    );
    const loaded = await seedInOwnProcess(env, options);
    log(
      `attendance: ${fmt(loaded.people)} people (${fmt(loaded.inPost)} in post), ${fmt(loaded.spells)} spells: generated in ${fmt(loaded.timingsMs.generate / 1000, 1)} s, ` +
        `people loaded in ${fmt(loaded.timingsMs.loadPeople / 1000, 1)} s, spells in ${fmt(loaded.timingsMs.loadSpells / 1000, 1)} s` +
        (serverUrl ? `, VACUUM ANALYZE ${fmt(loaded.timingsMs.analyse / 1000, 1)} s` : ''),
    );
    checkInterrupted();

    // The platform as the daily job runs it, on the same database, with the clock on the as-of day.
    const clock = fixedClock(`${options.asOf}T09:00:00Z`);
    platform = await buildPlatform(loadConfig(env), { clock, logger: createLogger({ level: 'silent' }) });
    const { db } = platform;
    // Wired exactly as server.ts wires the scoring the daily trigger reviews use.
    const scoring = new AttendanceScoring(
      platform.repositories.attendance,
      new ProcedureRepository(db),
      platform.services.policy,
      englandAndWalesCalendar(),
    );
    const asOf = options.asOf;

    const organisations = await platform.repositories.people.listOrganisations();
    // The look-back the sweep reads with, as it asks for it: the floor must read exactly the rows the sweep reads.
    const lookBackDays = await sweepLookBack(platform, asOf);
    const lookBackStart = addDays(asOf, -lookBackDays);

    const sweep = await measureSweep(platform, scoring, {
      asOf,
      lookBackDays,
      warmup: options.warmup,
      runs: options.runs,
    });
    checkInterrupted();
    // Only what the recompute needs outlives the sweep: its results are garbage by now, as in a server after the daily job.
    const host = organisations.find((o) => o.kind === 'host-force')!;
    const { recompute, record, summaryTriggered } = await measureRecompute(platform, {
      asOf,
      host: host.id,
      people: sweep.inPost.filter((p) => p.organisationId === host.id),
      count: options.recompute,
      seed: options.seed,
      now: clock.now(),
    });
    const { floorSummary, sweepSummary, peopleSummary, scoringSummary, spellReadSummary, ratio } = sweep;

    const memory = readProcessMemory(process.pid);
    const peakRssMb = memory ? memory.peakRss / MB : process.resourceUsage().maxRSS / 1024;
    const checks: Check[] = [
      {
        target: `sweep ≤ ${TARGETS.maxSweepFloorRatio} × floor`,
        measured: `${ratio.toFixed(2)} ×`,
        verdict: ratio <= TARGETS.maxSweepFloorRatio ? 'PASS' : 'FAIL',
      },
      {
        target: `sweep < ${fmt(TARGETS.maxSqliteSweepMs)} ms (SQLite only)`,
        measured: `${fmt(sweepSummary.medianMs)} ms`,
        verdict: client !== 'sqlite' ? 'N/A' : sweepSummary.medianMs < TARGETS.maxSqliteSweepMs ? 'PASS' : 'FAIL',
      },
      {
        target: `recompute p95 ≤ ${TARGETS.maxRecomputeP95Ms} ms`,
        measured: `${recompute.p95Ms.toFixed(2)} ms`,
        verdict: recompute.p95Ms <= TARGETS.maxRecomputeP95Ms ? 'PASS' : 'FAIL',
      },
    ];

    const cpus = os.cpus();
    const environment = {
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      cpus: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
      memoryGb: Math.round(os.totalmem() / 1024 ** 3),
      database: client,
      loadAverage: { atStart: startLoad, atEnd: os.loadavg() },
    };
    const row = (name: string, s: Summary) => [name, fmt(s.medianMs), fmt(s.minMs), fmt(s.maxMs)];
    const lines = [
      '',
      `Attendance benchmark — ${client}; ${fmt(loaded.people)} people in ${loaded.organisations} organisations (${fmt(loaded.inPost)} in post), ` +
        `${fmt(loaded.spells)} spells over ${YEARS} years (${options.spellsPerYear} a person-year, seed ${options.seed}); as of ${asOf}; node ${environment.node}, ${environment.cpus}`,
      `data: generated in ${fmt(loaded.timingsMs.generate / 1000, 1)} s, people loaded in ${fmt(loaded.timingsMs.loadPeople / 1000, 1)} s, spells loaded in ${fmt(loaded.timingsMs.loadSpells / 1000, 1)} s` +
        (client === 'postgres' ? `, VACUUM ANALYZE ${fmt(loaded.timingsMs.analyse / 1000, 1)} s` : '') +
        ` (loader peak RSS ${fmt(loaded.peakRssMb)} MB)`,
      `load average at start ${startLoad.map((l) => l.toFixed(2)).join(' ')}, at end ${environment.loadAverage.atEnd.map((l) => l.toFixed(2)).join(' ')}`,
      '',
      `Sweep as of ${asOf} (${options.warmup} warm-up + ${options.runs} runs; ${fmt(sweep.spellRows)} spell rows from ${lookBackStart}; ${fmt(sweep.inPost.length)} people in post, ${fmt(sweep.scored)} with spells, ${fmt(sweep.triggered)} with a trigger reached):`,
      '',
      ...table(
        ['', 'median ms', 'min ms', 'max ms'],
        [
          row('floor: one plain SELECT of the same rows', floorSummary),
          row('sweep: people read + scoring', sweepSummary),
          row('  people read (everyoneForSystem)', peopleSummary),
          row('  scoring (AttendanceScoring.sweep)', scoringSummary),
          row('    its spell read alone (scoringRows)', spellReadSummary),
          row(
            `information: every spell in the window, six columns (${fmt(sweep.wideFloor.rows)} rows)`,
            sweep.wideFloor,
          ),
        ],
      ),
      '',
      `sweep / floor: ${ratio.toFixed(2)} ×   (triggers reached: ${
        Object.entries(sweep.byTrigger)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ') || 'none'
      })`,
      '',
      `Recompute: AbsenceService.summary right after recordAbsence, ${fmt(recompute.count)} people of the host force, as an HR manager:`,
      '',
      ...table(
        ['', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms'],
        [
          [
            'summary (the recompute)',
            recompute.p50Ms.toFixed(2),
            recompute.p95Ms.toFixed(2),
            recompute.p99Ms.toFixed(2),
            recompute.maxMs.toFixed(2),
            recompute.meanMs.toFixed(2),
          ],
          [
            'recordAbsence (information)',
            record.p50Ms.toFixed(2),
            record.p95Ms.toFixed(2),
            record.p99Ms.toFixed(2),
            record.maxMs.toFixed(2),
            record.meanMs.toFixed(2),
          ],
        ],
      ),
      '',
      `peak RSS of this process: ${fmt(peakRssMb, 1)} MB (MB = 2^20 bytes; the data was loaded in another process)`,
      '',
      'Targets:',
      ...checks.map((c) => `  ${c.verdict.padEnd(4)}  ${c.target.padEnd(34)} measured ${c.measured}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    const timestamp = new Date().toISOString().replace(/[:.]/g, '-');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `attendance-${timestamp}.json`);
    fs.writeFileSync(
      file,
      `${JSON.stringify(
        {
          benchmark: 'attendance',
          at: new Date().toISOString(),
          options: { ...options, years: YEARS },
          environment,
          targets: TARGETS,
          data: loaded,
          sweep: {
            asOf,
            lookBackDays,
            lookBackStart,
            spellRows: sweep.spellRows,
            peopleInPost: sweep.inPost.length,
            peopleScored: sweep.scored,
            peopleTriggered: sweep.triggered,
            triggers: sweep.byTrigger,
            floor: floorSummary,
            sweep: sweepSummary,
            peopleRead: peopleSummary,
            scoring: scoringSummary,
            spellReadAlone: spellReadSummary,
            everySpellSixColumns: sweep.wideFloor,
            ratio,
          },
          recompute: {
            people: recompute.count,
            actorRole: 'hr-manager',
            summary: recompute,
            recordAbsence: record,
            withTriggerReached: summaryTriggered,
          },
          peakRssMb,
          checks,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`\nResults written to ${path.relative(process.cwd(), file)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof Interrupted || interrupted) return 130;
    throw error;
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

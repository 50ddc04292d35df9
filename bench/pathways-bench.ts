import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Actor } from '../src/auth/actor.js';
import { loadConfig } from '../src/config/config.js';
import { isPostgres, type Knex } from '../src/db/knex.js';
import { PathwayRepository, type TimerKind } from '../src/pathways/pathway-repository.js';
import { buildPlatform, type Platform } from '../src/server.js';
import { fixedClock } from '../src/shared/clock.js';
import { isIsoDate, type IsoDate } from '../src/shared/dates.js';
import { createLogger } from '../src/shared/logger.js';
import type { RequestContext } from '../src/shared/request-context.js';
import type { PathwaysLoaded, PathwaysSeedOptions } from './pathways-seed.js';
import { createBenchDatabase, dropBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { PARENT_WATCH_ENV } from './support/child-process.js';
import { loadAtStart } from './support/machine.js';
import { readProcessMemory } from './support/server-process.js';
import { UsageError, wholeOption } from './support/usage-error.js';

/**
 * The pathways benchmark (issue 4 §9): the timer sweep (PathwayService.sweep) over a large
 * number of running pathways against the raw floor of reading the open step rows it has to
 * consider with one plain SELECT, both measured in this process on this database; and one OH
 * clinician's worklist. The targets are a ratio and a ceiling; they are reported, never
 * asserted in a test.
 */

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');
const MB = 1024 * 1024;
const HOUR = 3_600_000;

/** The targets from the issue. */
const TARGETS = { maxSweepFloorRatio: 3, maxWorklistP95Ms: 50 } as const;

/** OH clinician users, the lead clinicians of the assigned pathways. */
const CLINICIANS = 50;
/** Pathways with no lead clinician: their clinician steps sit in the OH clinicians' queue. */
const UNASSIGNED_SHARE = 0.2;
/** Pathways start over the last six months. */
const SPREAD_DAYS = 182;
/** Unmeasured worklist reads before the measured ones. */
const WORKLIST_WARMUP = 20;
const KINDS: readonly TimerKind[] = ['due', 'overdue', 'escalate'];
/** The sweep's default batch (PathwayService.sweep). */
const BATCH = 500;

interface PathwaysOptions {
  pathways: number;
  people: number;
  runs: number;
  warmup: number;
  worklist: number;
  seed: number;
  asOf: IsoDate;
  sinceHours: number;
}

export const PATHWAYS_USAGE = `npm run bench -- pathways [--pathways N] [--people N] [--runs N] [--warmup N] [--worklist N] [--seed N] [--as-of YYYY-MM-DD] [--since-hours H]

  Loads running pathways of the four shipped definitions (built with the real engine) for a synthetic
  workforce with ${CLINICIANS} OH clinicians, then times PathwayService.sweep at 09:00 UTC on the as-of day
  against one plain SELECT of the open step rows, and one OH clinician's worklist.
  --pathways     running pathways (default 100000)
  --people       workforce size (default 60 % of --pathways, at least 1000)
  --runs         measured runs of the floor and the sweep (default 5)
  --warmup       unmeasured runs of each first (default 1)
  --worklist     worklist reads measured (default 200, after ${WORKLIST_WARMUP} unmeasured)
  --seed         seed of the synthetic data (default 1988)
  --as-of        the day of the sweep and the fixed clock (default 2026-12-14)
  --since-hours  hours since the previous sweep: timers up to it have fired, the sweep fires the rest (default 24)
  Uses SQLite in a temporary directory, or a throwaway database on the PostgreSQL server
  DATABASE_URL names.`;

function parseOptions(args: string[]): PathwaysOptions {
  const { values } = parseArgs({
    args,
    options: {
      pathways: { type: 'string', default: '100000' },
      people: { type: 'string' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      worklist: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1988' },
      'as-of': { type: 'string', default: '2026-12-14' },
      'since-hours': { type: 'string', default: '24' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!isIsoDate(values['as-of']))
    throw new UsageError(`--as-of must be a date written YYYY-MM-DD, not ${values['as-of']}`);
  const since = Number(values['since-hours']);
  if (!Number.isFinite(since) || since <= 0 || since > 24 * 365 || !Number.isInteger(since * 4))
    throw new UsageError(
      `--since-hours must be a whole number of quarter hours above 0 (at most a year), not ${values['since-hours']}`,
    );
  const pathways = wholeOption('pathways', values.pathways, 100);
  return {
    pathways,
    people:
      values.people === undefined
        ? Math.max(1000, Math.round(pathways * 0.6))
        : wholeOption('people', values.people, 100),
    runs: wholeOption('runs', values.runs, 1),
    warmup: wholeOption('warmup', values.warmup, 0),
    worklist: wholeOption('worklist', values.worklist, 1),
    seed: wholeOption('seed', values.seed, 0),
    asOf: values['as-of'],
    sinceHours: since,
  };
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

type Verdict = 'PASS' | 'FAIL';

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

/** Runs bench/pathways-seed.ts against the database `env` names; resolves with what it loaded. */
function seedInOwnProcess(
  env: Record<string, string | undefined>,
  options: PathwaysSeedOptions,
): Promise<PathwaysLoaded> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(benchDir, 'pathways-seed.ts'), JSON.stringify(options)],
      {
        // stdin stays open as a lifeline: the seeder stops when it closes (this runner died).
        cwd: root,
        env: { ...env, [PARENT_WATCH_ENV]: '1' },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    seeding = child;
    child.stdin?.on('error', () => undefined);
    let loaded: PathwaysLoaded | null = null;
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<PathwaysLoaded>;
        if (typeof parsed.pathways === 'number') return void (loaded = parsed as PathwaysLoaded);
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

/** The timer columns, as PathwayRepository.claimTimers reads them. */
const TIMER: Record<TimerKind, { at: string; fired: string; compare: string }> = {
  due: { at: 'due_from', fired: 'due_fired_at', compare: '<=' },
  overdue: { at: 'due_by', fired: 'overdue_fired_at', compare: '<' },
  escalate: { at: 'escalate_at', fired: 'escalated_at', compare: '<=' },
};

/** What a sweep changes on a step: put back before each run so every run does the same work. */
const RESTORED = [
  'due_fired_at',
  'overdue_fired_at',
  'escalated_at',
  'escalation_level',
  'assignee_user_id',
  'assignee_person_id',
  'assignee_role',
] as const;

/**
 * Puts the database back as the seed left it, untimed: the open steps' fired markers,
 * escalation levels and assignees from a copy taken before the first sweep (only rows a
 * sweep at `now` marked), and the history the sweep recorded (every event after the seed's
 * last) deleted. On PostgreSQL, VACUUM ANALYZE then clears the dead rows, as autovacuum would.
 */
class Restorer {
  private constructor(
    private readonly db: Knex,
    private readonly lastEventId: number,
    readonly openSteps: number,
  ) {}

  static async prepare(db: Knex): Promise<Restorer> {
    await db.raw('DROP TABLE IF EXISTS bench_step_seed');
    await db.raw(
      `CREATE TABLE bench_step_seed AS SELECT id, ${RESTORED.join(', ')} FROM pathway_steps WHERE status = 'open'`,
    );
    await db.raw('CREATE UNIQUE INDEX bench_step_seed_id ON bench_step_seed (id)');
    if (isPostgres(db)) await db.raw('ANALYZE bench_step_seed');
    const count = (await db('bench_step_seed').count({ n: '*' })) as Array<{ n: number | string }>;
    const max = (await db('pathway_events').max({ last: 'id' })) as Array<{ last: number | string | null }>;
    return new Restorer(db, Number(max[0]?.last ?? 0), Number(count[0]?.n ?? 0));
  }

  async restore(now: Date): Promise<{ steps: number; events: number }> {
    const at = now.toISOString();
    const touched = '(due_fired_at = ? OR overdue_fired_at = ? OR escalated_at = ?)';
    const steps = (await this.db.raw(
      `UPDATE pathway_steps SET (${RESTORED.join(', ')}) = (SELECT ${RESTORED.map((c) => `b.${c}`).join(', ')} FROM bench_step_seed b WHERE b.id = pathway_steps.id) WHERE ${touched}`,
      [at, at, at],
    )) as unknown;
    const events = await this.db('pathway_events').where('id', '>', this.lastEventId).delete();
    if (isPostgres(this.db)) await this.db.raw('VACUUM ANALYZE pathway_steps, pathway_events');
    const left = (await this.db('pathway_steps').whereRaw(touched, [at, at, at]).count({ n: '*' })) as Array<{
      n: number | string;
    }>;
    if (Number(left[0]!.n) !== 0)
      throw new Error(`${left[0]!.n} steps still carry the sweep's markers after restoring them`);
    const changed = typeof steps === 'number' ? steps : Number((steps as { rowCount?: number }).rowCount ?? 0);
    return { steps: changed, events };
  }
}

interface SweepRun {
  totalMs: number;
  fired: Record<TimerKind, number>;
  /** Time per timer kind, from one batch commit to the next. */
  byKindMs: Record<TimerKind, number>;
  batches: number;
}

async function sweepOnce(platform: Platform, now: Date): Promise<SweepRun> {
  const byKindMs: Record<TimerKind, number> = { due: 0, overdue: 0, escalate: 0 };
  let batches = 0;
  const t0 = performance.now();
  let mark = t0;
  const fired = await platform.services.pathways.sweep(now, {
    afterBatch: async (kind) => {
      const t = performance.now();
      byKindMs[kind] += t - mark;
      mark = t;
      batches += 1;
    },
  });
  return { totalMs: ms(t0), fired, byKindMs, batches };
}

interface SweepMeasurement {
  openRows: number;
  floorSummary: Summary;
  sweepSummary: Summary;
  byKind: Record<TimerKind, Summary>;
  fired: Record<TimerKind, number>;
  batches: number;
  ratio: number;
  restoreMs: Summary;
}

/**
 * (a) The sweep as the 15-minute job runs it, against (b) the floor, interleaved run by run
 * so that both see the same cache and the same state of the machine; the database is put
 * back before each pair.
 */
async function measureSweep(
  platform: Platform,
  restorer: Restorer,
  o: { now: Date; warmup: number; runs: number; expected: Record<TimerKind, number> },
): Promise<SweepMeasurement> {
  const { db } = platform;
  /** The floor: one plain SELECT of every open step row, every column, through the same knex and driver, every row touched. */
  const floor = async () => {
    const rows = (await db('pathway_steps').select('*').where('status', 'open')) as Array<Record<string, unknown>>;
    let touched = 0;
    for (const r of rows)
      touched += (r.id as string).length + (r.due_fired_at === null ? 0 : 1) + (r.assignee_user_id === null ? 0 : 1);
    return { rows: rows.length, touched };
  };
  const openRows = (await floor()).rows;
  if (openRows !== restorer.openSteps)
    throw new Error(`the floor read ${openRows} open steps but the seed left ${restorer.openSteps}`);

  log(
    `pathways: ${fmt(openRows)} open steps; ${o.warmup} warm-up + ${o.runs} measured runs of the floor and the sweep…`,
  );
  const runs = {
    floor: [] as number[],
    sweep: [] as number[],
    restore: [] as number[],
    due: [] as number[],
    overdue: [] as number[],
    escalate: [] as number[],
  };
  let first: SweepRun | null = null;
  for (let i = 0; i < o.warmup + o.runs; i++) {
    const measured = i >= o.warmup;
    let t = performance.now();
    await restorer.restore(o.now);
    const restoreMs = ms(t);
    checkInterrupted();
    t = performance.now();
    await floor();
    const floorMs = ms(t);
    checkInterrupted();
    const s = await sweepOnce(platform, o.now);
    checkInterrupted();
    // Every run must do the same work, and the work the seed left for it.
    if (!first) first = s;
    for (const k of KINDS) {
      if (s.fired[k] !== first.fired[k])
        throw new Error(
          `run ${i + 1} fired ${s.fired[k]} ${k} timers, the first ${first.fired[k]}: the restore did not put the database back`,
        );
      if (s.fired[k] !== o.expected[k])
        throw new Error(`the sweep fired ${s.fired[k]} ${k} timers; the seed left ${o.expected[k]} to fire`);
    }
    log(
      `  ${measured ? `run ${i - o.warmup + 1}` : 'warm-up'}: floor ${fmt(floorMs)} ms, sweep ${fmt(s.totalMs)} ms ` +
        `(due ${fmt(s.byKindMs.due)} + overdue ${fmt(s.byKindMs.overdue)} + escalate ${fmt(s.byKindMs.escalate)}; ${s.batches} batches), restore ${fmt(restoreMs)} ms untimed`,
    );
    if (!measured) continue;
    runs.floor.push(floorMs);
    runs.sweep.push(s.totalMs);
    runs.restore.push(restoreMs);
    for (const k of KINDS) runs[k].push(s.byKindMs[k]);
  }
  const floorSummary = summarise(runs.floor);
  const sweepSummary = summarise(runs.sweep);
  return {
    openRows,
    floorSummary,
    sweepSummary,
    byKind: { due: summarise(runs.due), overdue: summarise(runs.overdue), escalate: summarise(runs.escalate) },
    fired: first!.fired,
    batches: first!.batches,
    ratio: sweepSummary.medianMs / floorSummary.medianMs,
    restoreMs: summarise(runs.restore),
  };
}

/** For the reader: how the sweep spends its statements (one unmeasured run), and how far each claim's index range reaches. */
interface SweepDiagnosis {
  statements: number;
  byStatement: Array<{ sql: string; count: number; ms: number }>;
  claims: Record<TimerKind, { inIndexRange: number; notFired: number; firstClaimSelectMs: number; plan: string[] }>;
}

async function diagnoseSweep(platform: Platform, restorer: Restorer, now: Date): Promise<SweepDiagnosis> {
  const { db } = platform;
  await restorer.restore(now);
  const at = now.toISOString();
  const claims = {} as SweepDiagnosis['claims'];
  for (const kind of KINDS) {
    const { at: column, fired, compare } = TIMER[kind];
    const select = `SELECT id FROM pathway_steps WHERE status = 'open' AND ${column} ${compare} ? AND ${fired} IS NULL ORDER BY ${column}, id LIMIT ${BATCH}`;
    const range = (await db('pathway_steps')
      .where('status', 'open')
      .where(column, compare, at)
      .count({ n: '*' })) as Array<{ n: number | string }>;
    const open = (await db('pathway_steps')
      .where('status', 'open')
      .where(column, compare, at)
      .whereNull(fired)
      .count({ n: '*' })) as Array<{ n: number | string }>;
    const t = performance.now();
    await db.raw(select, [at]);
    const firstClaimSelectMs = ms(t);
    let plan: string[];
    if (isPostgres(db)) {
      const result = (await db.raw(`EXPLAIN (ANALYZE, BUFFERS) ${select}`, [at])) as {
        rows: Array<{ 'QUERY PLAN': string }>;
      };
      plan = result.rows.map((r) => r['QUERY PLAN']);
    } else {
      const rows = (await db.raw(`EXPLAIN QUERY PLAN ${select}`, [at])) as Array<{ detail: string }>;
      plan = rows.map((r) => r.detail);
    }
    claims[kind] = { inIndexRange: Number(range[0]!.n), notFired: Number(open[0]!.n), firstClaimSelectMs, plan };
  }
  // Every statement of one sweep, grouped by its text (bindings are placeholders).
  const started = new Map<string, number>();
  const byStatement = new Map<string, { count: number; ms: number }>();
  const onQuery = (q: { __knexQueryUid: string; sql: string }) => void started.set(q.__knexQueryUid, performance.now());
  const onResponse = (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const t = started.get(q.__knexQueryUid);
    started.delete(q.__knexQueryUid);
    const key = q.sql
      .replace(/\s+/g, ' ')
      .replace(/(\?|\$\d+)(, (\?|\$\d+))+/g, '?, …')
      .slice(0, 90);
    const entry = byStatement.get(key) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += t === undefined ? 0 : performance.now() - t;
    byStatement.set(key, entry);
  };
  db.on('query', onQuery).on('query-response', onResponse);
  try {
    await platform.services.pathways.sweep(now);
  } finally {
    db.off('query', onQuery).off('query-response', onResponse);
  }
  const list = [...byStatement.entries()].map(([sql, v]) => ({ sql, ...v })).sort((a, b) => b.ms - a.ms);
  return { statements: list.reduce((n, s) => n + s.count, 0), byStatement: list, claims };
}

interface WorklistMeasurement {
  worklist: Percentiles;
  openSteps: Percentiles;
  countSteps: Percentiles;
  returned: number;
  counts: { open: number; due: number; overdue: number };
}

/**
 * One OH clinician's worklist, as the worklist page and API ask for it: PathwayService.worklist
 * with the RequestContext authentication builds for them (their own steps and the OH
 * clinicians' queue), after the sweep at `now`. Its two reads timed alone too, for information.
 */
async function measureWorklist(
  platform: Platform,
  clinician: PathwaysLoaded['clinicians'][number],
  o: { now: Date; count: number },
): Promise<WorklistMeasurement> {
  const actor: Actor = {
    userId: clinician.id,
    displayName: clinician.displayName,
    email: clinician.email,
    organisationId: clinician.organisationId,
    personId: null,
    roles: ['oh-clinician'],
    role: 'oh-clinician',
    via: 'token',
    locale: 'en',
  };
  const service = platform.services.pathways;
  const repository = new PathwayRepository(platform.db);
  const samples = { worklist: [] as number[], openSteps: [] as number[], countSteps: [] as number[] };
  let last: Awaited<ReturnType<typeof service.worklist>> | null = null;
  log(`pathways: ${fmt(o.count)} worklists of ${clinician.email} (${WORKLIST_WARMUP} more first, not counted)…`);
  for (let i = 0; i < WORKLIST_WARMUP + o.count; i++) {
    checkInterrupted();
    const ctx: RequestContext = { actor, requestId: `bench-pathways-${i}`, ip: null };
    let t = performance.now();
    last = await service.worklist(ctx, { asOf: o.now });
    const worklistMs = ms(t);
    const filter = service.listFilter(ctx);
    t = performance.now();
    await repository.openSteps(filter, 200);
    const openMs = ms(t);
    t = performance.now();
    await repository.countSteps(filter, o.now);
    const countMs = ms(t);
    if (i < WORKLIST_WARMUP) continue;
    samples.worklist.push(worklistMs);
    samples.openSteps.push(openMs);
    samples.countSteps.push(countMs);
  }
  return {
    worklist: percentiles(samples.worklist),
    openSteps: percentiles(samples.openSteps),
    countSteps: percentiles(samples.countSteps),
    returned: last!.steps.length,
    counts: last!.counts,
  };
}

/** Runs the pathways benchmark; resolves with the process exit code. */
export async function runPathwaysBenchmark(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const serverUrl = process.env.DATABASE_URL || undefined;
  let database: BenchDatabase | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-bench-pathways-'));
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
    const now = new Date(`${options.asOf}T09:00:00.000Z`);
    const previousSweep = new Date(now.getTime() - options.sinceHours * HOUR);
    log(
      `pathways: loading ${fmt(options.pathways)} running pathways for ${fmt(options.people)} people and ${CLINICIANS} OH clinicians into ${serverUrl ? `PostgreSQL (${database!.name})` : 'SQLite'}, ` +
        `in a process of its own (previous sweep ${previousSweep.toISOString()}, this one ${now.toISOString()})…`,
    );
    const loaded = await seedInOwnProcess(env, {
      pathways: options.pathways,
      people: options.people,
      clinicians: CLINICIANS,
      unassignedShare: UNASSIGNED_SHARE,
      spreadDays: SPREAD_DAYS,
      seed: options.seed,
      now: now.toISOString(),
      previousSweep: previousSweep.toISOString(),
    });
    log(
      `pathways: ${fmt(loaded.pathways)} pathways, ${fmt(loaded.steps)} steps (${fmt(loaded.openSteps.total)} open), ${fmt(loaded.events)} history entries: generated in ${fmt(loaded.timingsMs.generate / 1000, 1)} s, ` +
        `people loaded in ${fmt(loaded.timingsMs.loadPeople / 1000, 1)} s, pathways in ${fmt(loaded.timingsMs.loadPathways / 1000, 1)} s` +
        (serverUrl ? `, VACUUM ANALYZE ${fmt(loaded.timingsMs.analyse / 1000, 1)} s` : ''),
    );
    checkInterrupted();

    // The platform as the sweep job runs it, on the same database, with the clock at the sweep's moment.
    platform = await buildPlatform(loadConfig(env), {
      clock: fixedClock(now),
      logger: createLogger({ level: 'silent' }),
    });
    const restorer = await Restorer.prepare(platform.db);
    const sweep = await measureSweep(platform, restorer, {
      now,
      warmup: options.warmup,
      runs: options.runs,
      expected: loaded.pendingTimers,
    });
    checkInterrupted();
    // The worklist as the clinician sees it once the sweep has run (the last run's state).
    const worklist = await measureWorklist(platform, loaded.clinicians[0]!, { now, count: options.worklist });
    checkInterrupted();
    log('pathways: one more sweep, unmeasured, counting its statements…');
    const diagnosis = await diagnoseSweep(platform, restorer, now);

    const memory = readProcessMemory(process.pid);
    const peakRssMb = memory ? memory.peakRss / MB : process.resourceUsage().maxRSS / 1024;
    const { floorSummary, sweepSummary, ratio } = sweep;
    const checks: Check[] = [
      {
        target: `sweep ≤ ${TARGETS.maxSweepFloorRatio} × floor`,
        measured: `${ratio.toFixed(2)} ×`,
        verdict: ratio <= TARGETS.maxSweepFloorRatio ? 'PASS' : 'FAIL',
      },
      {
        target: `worklist p95 ≤ ${TARGETS.maxWorklistP95Ms} ms`,
        measured: `${worklist.worklist.p95Ms.toFixed(2)} ms`,
        verdict: worklist.worklist.p95Ms <= TARGETS.maxWorklistP95Ms ? 'PASS' : 'FAIL',
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
    const firedTotal = KINDS.reduce((n, k) => n + sweep.fired[k], 0);
    const row = (name: string, s: Summary) => [name, fmt(s.medianMs), fmt(s.minMs), fmt(s.maxMs)];
    const pct = (name: string, p: Percentiles) => [
      name,
      p.p50Ms.toFixed(2),
      p.p95Ms.toFixed(2),
      p.p99Ms.toFixed(2),
      p.maxMs.toFixed(2),
      p.meanMs.toFixed(2),
    ];
    const statuses = Object.entries(loaded.stepsByStatus)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ');
    const lines = [
      '',
      `Pathways benchmark — ${client}; ${fmt(loaded.pathways)} running pathways (${Object.entries(loaded.byDefinition)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}; ${fmt(loaded.unassignedPathways)} with no lead clinician) ` +
        `for ${fmt(loaded.people)} people (${fmt(loaded.inPost)} in post) and ${loaded.clinicians.length} OH clinicians, started over the last ${SPREAD_DAYS} days ` +
        `(${fmt(loaded.finishedNotLoaded)} more finished before now, not loaded; seed ${options.seed}); node ${environment.node}, ${environment.cpus}`,
      `steps: ${fmt(loaded.steps)} (${statuses}); open: ${fmt(loaded.openSteps.inWindow)} in their window, ${fmt(loaded.openSteps.overdue)} overdue, ${fmt(loaded.openSteps.escalated)} escalated, ` +
        `${fmt(loaded.openSteps.inClinicianQueue)} in the OH clinicians' queue; ${fmt(loaded.events)} history entries`,
      `data: generated in ${fmt(loaded.timingsMs.generate / 1000, 1)} s, people loaded in ${fmt(loaded.timingsMs.loadPeople / 1000, 1)} s, pathways loaded in ${fmt(loaded.timingsMs.loadPathways / 1000, 1)} s` +
        (client === 'postgres' ? `, VACUUM ANALYZE ${fmt(loaded.timingsMs.analyse / 1000, 1)} s` : '') +
        ` (loader peak RSS ${fmt(loaded.peakRssMb)} MB)`,
      `load average at start ${startLoad.map((l) => l.toFixed(2)).join(' ')}, at end ${environment.loadAverage.atEnd.map((l) => l.toFixed(2)).join(' ')}`,
      '',
      `Sweep at ${now.toISOString()}, the previous one ${options.sinceHours} h before (${options.warmup} warm-up + ${options.runs} runs; ${fmt(sweep.openRows)} open steps; ` +
        `fired ${fmt(sweep.fired.due)} due, ${fmt(sweep.fired.overdue)} overdue, ${fmt(sweep.fired.escalate)} escalations = ${fmt(firedTotal)} timers in ${sweep.batches} batches of up to ${BATCH}):`,
      '',
      ...table(
        ['', 'median ms', 'min ms', 'max ms'],
        [
          row('floor: one plain SELECT of the open steps', floorSummary),
          row('sweep: PathwayService.sweep(now)', sweepSummary),
          row('  due timers', sweep.byKind.due),
          row('  overdue timers', sweep.byKind.overdue),
          row('  escalations', sweep.byKind.escalate),
          row('information: restoring the database before each run (untimed)', sweep.restoreMs),
        ],
      ),
      '',
      `sweep / floor: ${ratio.toFixed(2)} ×   (${fmt(firedTotal ? sweepSummary.medianMs / firedTotal : 0, 3)} ms a timer; ${fmt(diagnosis.statements)} statements in one sweep)`,
      '',
      'One sweep, unmeasured: its statements, the most time first:',
      '',
      ...table(
        ['statement', 'count', 'total ms'],
        diagnosis.byStatement.slice(0, 10).map((s) => [s.sql, fmt(s.count), fmt(s.ms)]),
      ),
      '',
      'Each timer’s first claim: open steps in its index range (status = open, moment passed) and those not fired yet:',
      ...KINDS.map(
        (k) =>
          `  ${k.padEnd(8)} ${fmt(diagnosis.claims[k].inIndexRange).padStart(9)} in range, ${fmt(diagnosis.claims[k].notFired).padStart(7)} not fired; its SELECT alone ${diagnosis.claims[k].firstClaimSelectMs.toFixed(1)} ms`,
      ),
      '',
      `Worklist: PathwayService.worklist for ${loaded.clinicians[0]!.email} as an OH clinician, ${fmt(worklist.worklist.count)} times after the sweep ` +
        `(${fmt(worklist.returned)} steps returned of ${fmt(worklist.counts.open)} open, ${fmt(worklist.counts.due)} due, ${fmt(worklist.counts.overdue)} overdue):`,
      '',
      ...table(
        ['', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms'],
        [
          pct('worklist', worklist.worklist),
          pct('  information: openSteps alone (200)', worklist.openSteps),
          pct('  information: countSteps alone', worklist.countSteps),
        ],
      ),
      '',
      `peak RSS of this process: ${fmt(peakRssMb, 1)} MB (MB = 2^20 bytes; the data was loaded in another process)`,
      '',
      'Targets:',
      ...checks.map((c) => `  ${c.verdict.padEnd(4)}  ${c.target.padEnd(26)} measured ${c.measured}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    const timestamp = new Date().toISOString().replace(/[:.]/g, '-');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `pathways-${timestamp}.json`);
    fs.writeFileSync(
      file,
      `${JSON.stringify(
        {
          benchmark: 'pathways',
          at: new Date().toISOString(),
          options: {
            ...options,
            clinicians: CLINICIANS,
            unassignedShare: UNASSIGNED_SHARE,
            spreadDays: SPREAD_DAYS,
            now: now.toISOString(),
            previousSweep: previousSweep.toISOString(),
          },
          environment,
          targets: TARGETS,
          data: { ...loaded, clinicians: loaded.clinicians.length },
          sweep: {
            now: now.toISOString(),
            openSteps: sweep.openRows,
            fired: sweep.fired,
            batches: sweep.batches,
            floor: floorSummary,
            sweep: sweepSummary,
            byKind: sweep.byKind,
            restore: sweep.restoreMs,
            ratio,
          },
          diagnosis,
          worklist: { clinician: loaded.clinicians[0]!.email, actorRole: 'oh-clinician', ...worklist },
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

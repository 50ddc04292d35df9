import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { DATABASE_NAME_ENV, dropBenchDatabase, newBenchDatabaseName } from './support/bench-database.js';
import { startServer, stopAllServers, type ProcessMemory, type ServerProcess } from './support/server-process.js';
import { wholeOption } from './support/usage-error.js';
import { loadAtStart } from './support/machine.js';

/**
 * The HTTP benchmark: the platform's people search against a bare express route, both
 * measured in this run on this machine, each server in its own process. The targets are
 * ratios and ceilings from the performance issue; they are reported, never asserted in a test.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'bench', 'results');
const MB = 1024 * 1024;

/** The targets from the issue. */
const TARGETS = { minThroughputRatio: 0.25, maxP99Ms: 100, maxPeakRssMb: 300 } as const;

/**
 * Surname fragments a clinician might type, each matching between about 20 and 160 of the
 * 500 demo people (the demo data is seeded deterministically), so the search, its count and
 * the page returned differ from request to request.
 */
const SEARCH_TERMS = ['son', 'ber', 'man', 'ell', 'ski', 'ton', 'sch', 'ch', 'er'] as const;
const searchPath = (q: string) => `/api/v1/people?${new URLSearchParams({ q, limit: '25' })}`;

interface HttpOptions {
  connections: number;
  duration: number;
  warmup: number;
  /** Run both servers compiled (npm run build, then plain node), as production does; false: under tsx. */
  compiled: boolean;
}

interface PlatformReady {
  port: number;
  token: string;
  client: 'sqlite' | 'postgres';
  database: string | null;
  people: number;
}

interface TargetResult {
  name: 'bare' | 'platform';
  description: string;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  totalRequests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  warmup: { requests: number; non2xx: number; errors: number };
  memory: { atReadyMb: number | null; peakAtReadyMb: number | null; afterRunMb: number | null; peakMb: number | null };
  /** Server CPU (all threads) during the measured run, per 2xx response. */
  cpuMsPerRequest: number | null;
}

type Verdict = 'PASS' | 'FAIL' | 'N/A';

interface Check {
  target: string;
  measured: string;
  verdict: Verdict;
}

export const HTTP_USAGE = `npm run bench -- http [--connections N] [--duration SECONDS] [--warmup SECONDS] [--tsx]

  Measures GET /api/v1/people?q=… (bearer token, demo OH clinician) on the platform against a
  bare express GET /hello, each in its own process, one after the other.
  --connections  concurrent connections (default 50)
  --duration     measured seconds per target (default 10)
  --warmup       unmeasured seconds before each measured run (default 2)
  --tsx          run the servers under the tsx loader instead of compiled (npm run build first, as production)
  Uses SQLite in a temporary directory, or a throwaway database on the PostgreSQL server
  DATABASE_URL names. DEMO_PEOPLE sets the size of the demo organisation (default 500).`;

function parseOptions(args: string[]): HttpOptions {
  const { values } = parseArgs({
    args,
    options: {
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      tsx: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    connections: wholeOption('connections', values.connections, 1),
    duration: wholeOption('duration', values.duration, 1),
    warmup: wholeOption('warmup', values.warmup, 0),
    compiled: !values.tsx,
  };
}

let currentLoad: autocannon.Instance | null = null;
let interrupted = false;

function fire(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    currentLoad = autocannon(options, (error: unknown, result) => {
      currentLoad = null;
      if (interrupted) reject(new Error('interrupted'));
      else if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(result);
    });
  });
}

const toMb = (bytes: number | undefined | null) => (bytes === undefined || bytes === null ? null : bytes / MB);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Warm-up (discarded), then the measured run, then the server's memory. */
async function measure(
  name: TargetResult['name'],
  description: string,
  server: ServerProcess<{ port: number }>,
  load: Omit<autocannon.Options, 'url' | 'connections' | 'duration'> & { path: string },
  options: HttpOptions,
  atReady: ProcessMemory | null,
): Promise<TargetResult> {
  const { path: firstPath, ...rest } = load;
  const base = { ...rest, url: `http://127.0.0.1:${server.ready.port}${firstPath}`, connections: options.connections };
  let warm = { requests: 0, non2xx: 0, errors: 0 };
  if (options.warmup > 0) {
    log(`${name}: warming up for ${options.warmup} s (not counted)…`);
    const w = await fire({ ...base, duration: options.warmup });
    warm = { requests: w.requests.total, non2xx: w.non2xx, errors: w.errors };
  }
  log(`${name}: measuring ${options.connections} connections for ${options.duration} s…`);
  const cpuBefore = server.cpuSeconds();
  const r = await fire({ ...base, duration: options.duration });
  const cpuAfter = server.cpuSeconds();
  const after = server.memory();
  const statusCodes = Object.fromEntries(
    Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
  );
  return {
    name,
    description,
    requestsPerSecond: r.requests.mean,
    latencyMs: { mean: r.latency.mean, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    totalRequests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    warmup: warm,
    memory: {
      atReadyMb: toMb(atReady?.rss),
      peakAtReadyMb: toMb(atReady?.peakRss),
      afterRunMb: toMb(after?.rss),
      peakMb: toMb(after?.peakRss),
    },
    cpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || r['2xx'] === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / r['2xx'],
  };
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (!response.ok)
    throw new Error(`pre-flight GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return response.json();
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

const fmt = (n: number | null, digits = 0) => (n === null ? 'n/a' : n.toFixed(digits));

function report(results: TargetResult[], checks: Check[], ratio: number): string {
  const header = [
    'target',
    'req/s (mean)',
    'p50 ms',
    'p99 ms',
    'peak RSS MB',
    'RSS at ready MB',
    'CPU ms/req',
    'requests',
    'non-2xx',
    'errors',
  ];
  const rows = results.map((r) => [
    r.name,
    fmt(r.requestsPerSecond),
    fmt(r.latencyMs.p50, 1),
    fmt(r.latencyMs.p99, 1),
    fmt(r.memory.peakMb, 1),
    fmt(r.memory.atReadyMb, 1),
    fmt(r.cpuMsPerRequest, 2),
    String(r.totalRequests),
    String(r.non2xx + r.warmup.non2xx),
    String(r.errors + r.warmup.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines = [
    pad(header, widths),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((row) => pad(row, widths)),
  ];
  lines.push('', `platform/bare throughput: ${(ratio * 100).toFixed(1)} %`, '', 'Targets:');
  for (const c of checks) lines.push(`  ${c.verdict.padEnd(4)}  ${c.target.padEnd(44)} measured ${c.measured}`);
  return lines.join('\n');
}

/** Runs the HTTP benchmark; resolves with the process exit code. */
export async function runHttpBenchmark(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const serverUrl = process.env.DATABASE_URL || undefined;
  const databases: string[] = [];

  const cleanUp = async () => {
    currentLoad?.stop();
    await stopAllServers();
    // The server drops its own database; this catches one that crashed or was killed.
    if (serverUrl)
      for (const name of databases)
        await dropBenchDatabase(serverUrl, name).catch((e: unknown) => log(`could not drop ${name}: ${String(e)}`));
  };
  // Ctrl-C: stop the load and the servers, drop the database, then exit 130; a second Ctrl-C exits at once.
  let interruption = null as Promise<void> | null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruption) process.exit(130);
    interrupted = true;
    log(`\n${signal}: stopping the servers…`);
    interruption = cleanUp();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startLoad = loadAtStart(log);

  try {
    // The platform server makes (and removes) its own temporary DATA_DIR for SQLite.
    const childEnv = {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: undefined,
    };
    const results: TargetResult[] = [];

    // Baseline first: the same express on the same machine in the same run.
    log('bare: starting…');
    if (options.compiled) {
      log('building (npm run build), to measure the compiled servers as production runs them…');
      const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
        cwd: root,
        stdio: 'inherit',
      });
      if (build.status !== 0) throw new Error('npm run build failed');
    }
    const compiled = { compiled: options.compiled };
    const bare = await startServer<{ port: number }>('bare', 'bare-server.ts', childEnv, compiled);
    const bareReadyMemory = bare.memory();
    await getJson(`http://127.0.0.1:${bare.ready.port}/hello`);
    results.push(
      await measure(
        'bare',
        'express GET /hello → {"hello":"world"}',
        bare,
        { path: '/hello' },
        options,
        bareReadyMemory,
      ),
    );
    await bare.stop();

    log(`platform: starting (${serverUrl ? 'PostgreSQL' : 'SQLite'}, migrating and seeding the demo organisation)…`);
    const databaseName = newBenchDatabaseName();
    if (serverUrl) databases.push(databaseName);
    const platform = await startServer<PlatformReady>(
      'platform',
      'http-server.ts',
      { ...childEnv, [DATABASE_NAME_ENV]: databaseName },
      compiled,
    );
    const platformReadyMemory = platform.memory();
    const authorization = `Bearer ${platform.ready.token}`;
    const hits: Record<string, number> = {};
    for (const q of SEARCH_TERMS) {
      const page = (await getJson(`http://127.0.0.1:${platform.ready.port}${searchPath(q)}`, { authorization })) as {
        total?: unknown;
        items?: unknown;
      };
      if (typeof page.total !== 'number' || !Array.isArray(page.items))
        throw new Error(`pre-flight search for ${q} did not return a page of people`);
      hits[q] = page.total;
    }
    log(
      `platform: ${platform.ready.people} people; matches per search term: ${SEARCH_TERMS.map((q) => `${q}=${hits[q]}`).join(' ')}`,
    );
    // One request template whose path is chosen per request, round-robin over the terms.
    let next = 0;
    const searchRequest: autocannon.Request = {
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: searchPath(SEARCH_TERMS[next++ % SEARCH_TERMS.length]!) }),
    };
    results.push(
      await measure(
        'platform',
        `GET /api/v1/people?q=<${SEARCH_TERMS.length} surname fragments>&limit=25, bearer token (oh-clinician)`,
        platform,
        { path: searchPath(SEARCH_TERMS[0]), headers: { authorization }, requests: [searchRequest] },
        options,
        platformReadyMemory,
      ),
    );
    await platform.stop();

    const [b, p] = results as [TargetResult, TargetResult];
    const ratio = b.requestsPerSecond > 0 ? p.requestsPerSecond / b.requestsPerSecond : 0;
    const checks: Check[] = [
      {
        target: `platform throughput ≥ ${TARGETS.minThroughputRatio * 100}% of bare`,
        measured: `${(ratio * 100).toFixed(1)} %`,
        verdict: ratio >= TARGETS.minThroughputRatio ? 'PASS' : 'FAIL',
      },
      {
        target: `platform p99 ≤ ${TARGETS.maxP99Ms} ms`,
        measured: `${p.latencyMs.p99} ms`,
        verdict: p.latencyMs.p99 <= TARGETS.maxP99Ms ? 'PASS' : 'FAIL',
      },
      {
        target: `platform peak RSS ≤ ${TARGETS.maxPeakRssMb} MB`,
        measured: `${fmt(p.memory.peakMb, 1)} MB`,
        verdict: p.memory.peakMb === null ? 'N/A' : p.memory.peakMb <= TARGETS.maxPeakRssMb ? 'PASS' : 'FAIL',
      },
    ];
    const failures = results.flatMap((r) => {
      const problems = r.non2xx + r.errors + r.warmup.non2xx + r.warmup.errors;
      return problems > 0
        ? [
            `${r.name}: ${r.non2xx + r.warmup.non2xx} non-2xx (${JSON.stringify(r.statusCodes)}), ${r.errors + r.warmup.errors} errors (${r.timeouts} timeouts)`,
          ]
        : [];
    });

    const cpus = os.cpus();
    const environment = {
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      cpus: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
      memoryGb: Math.round(os.totalmem() / 1024 ** 3),
      database: platform.ready.client,
      people: platform.ready.people,
      nodeEnv: childEnv.NODE_ENV,
      loadAverage: { atStart: startLoad, atEnd: os.loadavg() },
    };
    process.stdout.write(
      `\nHTTP benchmark — ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s per target; ` +
        `${environment.database}, ${environment.people} people; node ${environment.node}, ${environment.cpus}\n` +
        '(load generator and servers share this machine: compare the ratio, not the absolute numbers)\n' +
        `load average at start ${startLoad.map((l) => l.toFixed(2)).join(' ')}, at end ${environment.loadAverage.atEnd.map((l) => l.toFixed(2)).join(' ')}\n\n` +
        `${report(results, checks, ratio)}\n`,
    );

    const timestamp = new Date().toISOString().replace(/[:.]/g, '-');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `http-${timestamp}.json`);
    const ok = failures.length === 0;
    fs.writeFileSync(
      file,
      `${JSON.stringify({ benchmark: 'http', at: new Date().toISOString(), options, environment, targets: TARGETS, searchTerms: hits, results, throughputRatio: ratio, checks, ok, failures }, null, 2)}\n`,
    );
    process.stdout.write(`\nResults written to ${path.relative(process.cwd(), file)}\n`);
    if (interruption) return 130;
    if (!ok) {
      process.stdout.write(`\nERROR: the run had failed requests:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (interruption) return 130;
    throw error;
  } finally {
    await (interruption ?? cleanUp());
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

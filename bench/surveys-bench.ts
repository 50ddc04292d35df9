import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { HSE_ITEMS } from '../src/needs-assessment/scoring.js';
import { DATABASE_NAME_ENV, dropBenchDatabase, newBenchDatabaseName } from './support/bench-database.js';
import { loadAtStart } from './support/machine.js';
import { startServer, stopAllServers, type ServerProcess } from './support/server-process.js';
import { surveyToken } from './support/survey-token.js';
import { wholeOption } from './support/usage-error.js';

/**
 * The surveys benchmark (issue 17 §11): (a) 50 connections each submitting complete 35-item HSE responses
 * through the respondent's API (one call: the invitation token, the 35 answers and submit), against a bare express route in the same run; (b) the results of a 100,000-response campaign
 * against a raw scan of its answer rows, in the same server. Targets are reported, never asserted in a test.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'bench', 'results');

const TARGETS = { minSubmissionsPerSecond: 500, maxP99Ms: 100, maxResultsMs: 500, maxResultsRatio: 3 } as const;
const REQUESTS_PER_SUBMISSION = 1;

export const SURVEYS_USAGE = `npm run bench -- surveys [--connections N] [--duration SECONDS] [--warmup SECONDS] [--repeat N] [--tsx]

  (a) Submissions of complete 35-item HSE responses (POST /api/v1/responses with the token, answers and submit),
  each with its own invitation token, against a bare express GET /hello; (b) GET /api/v1/campaigns/:id/results
  of a 100,000-response campaign against a raw scan of the same answer rows.
  --connections  concurrent connections (default 50)
  --duration     measured seconds of submissions (default 10)
  --warmup       unmeasured seconds before each measured run (default 2)
  --repeat       timed reads of the results and of the raw scan, after one untimed each (default 5)
  --tsx          run the servers under the tsx loader instead of compiled
  SQLite in a temporary directory, or a throwaway database on the PostgreSQL server DATABASE_URL names.
  SURVEY_PEOPLE (default 60000) invitations; SURVEY_RESPONSES (default 100000) responses in the results campaign.`;

interface Options {
  connections: number;
  duration: number;
  warmup: number;
  repeat: number;
  compiled: boolean;
}

interface Ready {
  port: number;
  token: string;
  client: string;
  submitCampaign: string;
  invitations: number;
  resultsCampaign: string;
  responses: number;
  timingsMs: Record<string, number>;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '5' },
      tsx: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    connections: wholeOption('connections', values.connections, 1),
    duration: wholeOption('duration', values.duration, 1),
    warmup: wholeOption('warmup', values.warmup, 0),
    repeat: wholeOption('repeat', values.repeat, 1),
    compiled: !values.tsx,
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
let currentLoad: autocannon.Instance | null = null;

function fire(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    currentLoad = autocannon(options, (error: unknown, result) => {
      currentLoad = null;
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(result);
    });
  });
}

/** A complete HSE response: every item answered, varied a little from one submission to the next. */
function answersFor(i: number): Record<string, string> {
  return Object.fromEntries(HSE_ITEMS.map((item) => [item.linkId, String(((i + item.item * 7) % 5) + 1)]));
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface LoadResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  cpuMsPerRequest: number | null;
}

function loadResult(r: autocannon.Result, cpu: number | null): LoadResult {
  return {
    requestsPerSecond: r.requests.mean,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    cpuMsPerRequest: cpu === null || r['2xx'] === 0 ? null : (cpu * 1000) / r['2xx'],
  };
}

/** Warm-up then the measured run; CPU of the server during the measured run. */
async function measure(
  server: ServerProcess<{ port: number }>,
  build: () => autocannon.Options,
  options: Options,
  name: string,
  onMeasured?: () => void,
) {
  if (options.warmup > 0) {
    log(`${name}: warming up for ${options.warmup} s (not counted)…`);
    const w = await fire({ ...build(), duration: options.warmup });
    if (w.non2xx || w.errors)
      throw new Error(
        `${name} warm-up: ${w.non2xx} non-2xx (${JSON.stringify(w.statusCodeStats)}), ${w.errors} errors`,
      );
  }
  onMeasured?.();
  log(`${name}: measuring ${options.connections} connections for ${options.duration} s…`);
  const before = server.cpuSeconds();
  const r = await fire({ ...build(), duration: options.duration });
  const after = server.cpuSeconds();
  return { raw: r, result: loadResult(r, before === null || after === null ? null : after - before) };
}

async function timed(url: string, headers: Record<string, string>): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const body = (await response.json()) as unknown;
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return { ms, body };
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** Runs the surveys benchmark; resolves with the process exit code. */
export async function runSurveysBenchmark(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const serverUrl = process.env.DATABASE_URL || undefined;
  const databases: string[] = [];
  const cleanUp = async () => {
    currentLoad?.stop();
    await stopAllServers();
    if (serverUrl)
      for (const name of databases)
        await dropBenchDatabase(serverUrl, name).catch((e: unknown) => log(`could not drop ${name}: ${String(e)}`));
  };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const startLoad = loadAtStart(log);
  try {
    const childEnv = {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: undefined,
    };
    if (options.compiled) {
      log('building (npm run build), to measure the compiled servers as production runs them…');
      const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
        cwd: root,
        stdio: 'inherit',
      });
      if (build.status !== 0) throw new Error('npm run build failed');
    }
    const compiled = { compiled: options.compiled };

    // (a) the floor: a bare express route on the same machine in the same run.
    const bare = await startServer<{ port: number }>('bare', 'bare-server.ts', childEnv, compiled);
    const bareRun = await measure(
      bare,
      () => ({ url: `http://127.0.0.1:${bare.ready.port}/hello`, connections: options.connections }),
      options,
      'bare',
    );
    await bare.stop();

    log(`platform: starting (${serverUrl ? 'PostgreSQL' : 'SQLite'}; loading the invitations and 100,000 responses)…`);
    const databaseName = newBenchDatabaseName();
    if (serverUrl) databases.push(databaseName);
    const platform = await startServer<Ready>(
      'platform',
      'surveys-server.ts',
      { ...childEnv, [DATABASE_NAME_ENV]: databaseName },
      { ...compiled, readyTimeoutMs: 600_000 },
    );
    const base = `http://127.0.0.1:${platform.ready.port}`;
    const auth = { authorization: `Bearer ${platform.ready.token}` };
    log(`platform: ready (${JSON.stringify(platform.ready.timingsMs)} ms loading)`);

    // Every submission uses an invitation of its own: the next token, across warm-up and measured run.
    let nextToken = 0;
    const json = { 'content-type': 'application/json' };
    let submitted = 0;
    let submittedInAll = 0;
    const submissionMs: number[] = [];
    type Ctx = { id?: string; key?: string; started?: number; n?: number };
    const chain = (): autocannon.Request[] => [
      {
        // One call: the invitation token, every answer and submit (what a client holding them all sends).
        method: 'POST',
        path: '/api/v1/responses',
        headers: json,
        setupRequest: (req, context: Ctx) => {
          const n = nextToken++;
          context.n = n;
          context.started = performance.now();
          return {
            ...req,
            body: JSON.stringify({ invitationToken: surveyToken(n), answers: answersFor(n), submit: true }),
          };
        },
        onResponse: (status, _body, context: Ctx) => {
          if (status !== 201) return;
          submitted += 1;
          submittedInAll += 1;
          submissionMs.push(performance.now() - (context.started ?? 0));
        },
      },
    ];
    const before = (await timed(`${base}/api/v1/campaigns/${platform.ready.submitCampaign}`, auth)).body as {
      responses: number;
    };
    let measuredFrom = 0;
    const run = await measure(
      platform,
      () => ({ url: base, connections: options.connections, requests: chain() }),
      options,
      'submissions',
      () => {
        submitted = 0;
        submissionMs.length = 0;
        measuredFrom = nextToken;
      },
    );
    const after = (await timed(`${base}/api/v1/campaigns/${platform.ready.submitCampaign}`, auth)).body as {
      responses: number;
    };
    const sortedSubmission = [...submissionMs].sort((a, b) => a - b);
    const submissions = {
      perSecond: submitted / options.duration,
      counted: submitted,
      tokensUsed: nextToken - measuredFrom,
      /** Responses the campaign gained over warm-up and measured run, against every 200 from submit in both. */
      stored: after.responses - before.responses,
      submittedInAll,
      latencyMs: { p50: percentile(sortedSubmission, 50), p99: percentile(sortedSubmission, 99) },
    };

    log(
      `submissions: ${submissions.perSecond.toFixed(0)}/s (${submissions.counted} measured; ${submittedInAll} with warm-up, ${submissions.stored} stored), ` +
        `requests p99 ${run.result.latencyMs.p99} ms`,
    );

    // (b) results of the 100,000-response campaign against the raw scan of its rows, alternately.
    const resultsUrl = `${base}/api/v1/campaigns/${platform.ready.resultsCampaign}/results`;
    const scanUrl = `${base}/bench/raw-scan/${platform.ready.resultsCampaign}`;
    log(`results: one untimed read of each, then ${options.repeat} timed…`);
    const check = (await timed(resultsUrl, auth)).body as { responses?: { n?: number } };
    const scanned = (await timed(scanUrl, {})).body as { rows: number };
    if (check.responses?.n !== platform.ready.responses || scanned.rows !== platform.ready.responses)
      throw new Error(`the results read ${check.responses?.n} responses and the scan ${scanned.rows}`);
    const resultsMs: number[] = [];
    const scanMs: number[] = [];
    for (let i = 0; i < options.repeat; i++) {
      resultsMs.push((await timed(resultsUrl, auth)).ms);
      scanMs.push((await timed(scanUrl, {})).ms);
    }
    await platform.stop();

    const results = {
      medianMs: median(resultsMs),
      scanMedianMs: median(scanMs),
      runsMs: resultsMs,
      scanRunsMs: scanMs,
    };
    const ratio = results.medianMs / results.scanMedianMs;
    const a = run.result;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const checks = [
      {
        target: `submissions ≥ ${TARGETS.minSubmissionsPerSecond}/s`,
        measured: `${submissions.perSecond.toFixed(0)}/s`,
        verdict: verdict(submissions.perSecond >= TARGETS.minSubmissionsPerSecond),
      },
      {
        target: `request p99 ≤ ${TARGETS.maxP99Ms} ms`,
        measured: `${a.latencyMs.p99} ms`,
        verdict: verdict(a.latencyMs.p99 <= TARGETS.maxP99Ms),
      },
      {
        target: `results ≤ ${TARGETS.maxResultsMs} ms`,
        measured: `${results.medianMs.toFixed(0)} ms`,
        verdict: verdict(results.medianMs <= TARGETS.maxResultsMs),
      },
      {
        target: `results ≤ ${TARGETS.maxResultsRatio} × raw scan`,
        measured: `${ratio.toFixed(2)} ×`,
        verdict: verdict(ratio <= TARGETS.maxResultsRatio),
      },
    ];
    const failures: string[] = [];
    if (a.non2xx || a.errors) failures.push(`submissions: ${a.non2xx} non-2xx, ${a.errors} errors`);
    if (submissions.stored < submittedInAll)
      failures.push(`${submissions.stored} responses stored for ${submittedInAll} submissions answered 200`);
    const cpus = os.cpus();
    const fmt = (n: number | null, d = 0) => (n === null || Number.isNaN(n) ? 'n/a' : n.toFixed(d));
    const b = bareRun.result;
    process.stdout.write(
      [
        '',
        `Surveys benchmark — ${platform.ready.client}; ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s; ` +
          `node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
        `load average at start ${startLoad.map((l) => l.toFixed(2)).join(' ')}, at end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
        `bare GET /hello:      ${fmt(b.requestsPerSecond)} req/s, p50 ${b.latencyMs.p50} ms, p99 ${b.latencyMs.p99} ms, CPU ${fmt(b.cpuMsPerRequest, 3)} ms/req`,
        `survey API requests:  ${fmt(a.requestsPerSecond)} req/s (${fmt((a.requestsPerSecond / b.requestsPerSecond) * 100, 1)} % of bare), ` +
          `p50 ${a.latencyMs.p50} ms, p99 ${a.latencyMs.p99} ms, CPU ${fmt(a.cpuMsPerRequest, 2)} ms/req`,
        `submissions:          ${fmt(submissions.perSecond)}/s (${REQUESTS_PER_SUBMISSION} requests each; ${submissions.counted} in the measured run; ` +
          `${submissions.stored} responses stored for ${submittedInAll} with the warm-up), start-to-submit p50 ${fmt(submissions.latencyMs.p50, 1)} ms, p99 ${fmt(submissions.latencyMs.p99, 1)} ms`,
        `results (${platform.ready.responses} responses): median ${fmt(results.medianMs, 1)} ms; raw scan median ${fmt(results.scanMedianMs, 1)} ms; ratio ${fmt(ratio, 2)} ×`,
        '',
        'Targets:',
        ...checks.map((c) => `  ${c.verdict.padEnd(4)}  ${c.target.padEnd(34)} measured ${c.measured}`),
        '',
      ].join('\n'),
    );
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `surveys-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(
      file,
      `${JSON.stringify(
        {
          benchmark: 'surveys',
          at: new Date().toISOString(),
          options,
          database: platform.ready.client,
          loadingMs: platform.ready.timingsMs,
          bare: b,
          requests: a,
          submissions,
          results: { ...results, ratio },
          checks,
          failures,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`Results written to ${path.relative(process.cwd(), file)}\n`);
    if (failures.length) {
      process.stdout.write(`\nERROR:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
      return 1;
    }
    return 0;
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

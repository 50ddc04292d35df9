import { ATTENDANCE_USAGE, runAttendanceBenchmark } from './attendance-bench.js';
import { FHIR_USAGE, runFhirBenchmark } from './fhir-bench.js';
import { HTTP_USAGE, runHttpBenchmark } from './http-bench.js';
import { PATHWAYS_USAGE, runPathwaysBenchmark } from './pathways-bench.js';
import { SURVEYS_USAGE, runSurveysBenchmark } from './surveys-bench.js';
import { UsageError } from './support/usage-error.js';

/**
 * `npm run bench -- <name> [flags]`: one entry point for every benchmark. Add a benchmark
 * by adding it to BENCHMARKS with a one-line usage.
 */
const BENCHMARKS: Record<string, { usage: string; run: (args: string[]) => Promise<number> }> = {
  http: { usage: HTTP_USAGE, run: runHttpBenchmark },
  attendance: { usage: ATTENDANCE_USAGE, run: runAttendanceBenchmark },
  pathways: { usage: PATHWAYS_USAGE, run: runPathwaysBenchmark },
  fhir: { usage: FHIR_USAGE, run: runFhirBenchmark },
  surveys: { usage: SURVEYS_USAGE, run: runSurveysBenchmark },
};

function usage(): string {
  return `Usage: npm run bench -- <benchmark> [flags]\n\nBenchmarks:\n\n${Object.values(BENCHMARKS)
    .map((b) => b.usage)
    .join('\n\n')}\n`;
}

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const benchmark = name ? BENCHMARKS[name] : undefined;
  if (!benchmark) {
    if (name === '--help' || name === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    process.stderr.write(`${name ? `Unknown benchmark: ${name}\n\n` : ''}${usage()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${benchmark.usage}\n`);
    return 0;
  }
  try {
    return await benchmark.run(args);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${benchmark.usage}\n`);
      return 2;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // An error's message can quote a whole SQL statement: the first part says enough.
    process.stderr.write(`bench failed: ${((error as Error)?.stack ?? String(error)).slice(0, 2000)}\n`);
    process.exit(1);
  },
);

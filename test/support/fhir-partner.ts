import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { SimulatorOptions } from '../../src/fhir/sandbox/progress-simulator.js';

/** A partner FHIR server (`@medplum/fhir-router`) in its own process on loopback, for tests. */
export interface PartnerProcess {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `src/fhir/sandbox/partner-server.ts` as a child process and waits for its base URL. */
export async function startPartnerProcess(
  options: {
    bearerToken?: string;
    port?: number;
    failFirst?: number;
    reject?: string;
    delayMs?: number;
    simulate?: SimulatorOptions;
  } = {},
): Promise<PartnerProcess> {
  const args = [
    '--import',
    'tsx',
    'src/fhir/sandbox/partner-server.ts',
    '--port',
    String(options.port ?? 0),
    ...(options.bearerToken ? ['--bearer', options.bearerToken] : []),
    ...(options.failFirst ? ['--fail-first', String(options.failFirst)] : []),
    ...(options.reject ? ['--reject', options.reject] : []),
    ...(options.delayMs ? ['--delay-ms', String(options.delayMs)] : []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...(options.simulate ? { SANDBOX_SIMULATE: JSON.stringify(options.simulate) } : {}) },
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  /** SIGTERM, then SIGKILL if it has not gone within 10 s; resolves once it has exited (at once if it already has). */
  const stop = () =>
    new Promise<void>((resolve) => {
      if (exited()) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the partner server did not start within 30 s')), 30_000);
      child.once('exit', (code) => reject(new Error(`the partner server exited with ${code}`)));
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { url: string }).url);
        } catch {
          reject(new Error(`the partner server's first line was not its address: ${line.slice(0, 200)}`));
        }
      });
    });
  } catch (error) {
    // It never became usable: make sure it is gone before saying so.
    await stop();
    throw error;
  }
  return { url, process: child, stop };
}

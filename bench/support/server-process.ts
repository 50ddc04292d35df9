import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PARENT_WATCH_ENV } from './child-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Memory of a process as Linux reports it, in bytes. */
export interface ProcessMemory {
  /** VmRSS: resident set size now. */
  rss: number;
  /** VmHWM: the peak resident set size since the process started. */
  peakRss: number;
}

/** A benchmark server running as its own process (own event loop, own heap). */
export interface ServerProcess<Ready> {
  name: string;
  pid: number;
  /** The JSON line the server printed when it was ready. */
  ready: Ready;
  /** Current and peak RSS from /proc/<pid>/status; null where /proc is not available. */
  memory(): ProcessMemory | null;
  /** CPU time (user + system, all threads) used so far, in seconds, from /proc/<pid>/stat; null where not available. */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ServerProcess<unknown>>();

/** Stops every server still running (used on SIGINT and on the way out). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** Reads VmRSS and VmHWM of `pid` from /proc (Linux only). */
export function readProcessMemory(pid: number): ProcessMemory | null {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : null;
  };
  const rss = kib('VmRSS');
  const peakRss = kib('VmHWM');
  return rss === null || peakRss === null ? null : { rss, peakRss };
}

/** Linux reports utime and stime in USER_HZ ticks, which is 100 on every architecture Node runs on. */
const USER_HZ = 100;

/** User + system CPU seconds of `pid` (every thread: the event loop, the libuv pool, GC) from /proc. */
export function readProcessCpuSeconds(pid: number): number | null {
  return readCpuSeconds(`/proc/${pid}/stat`);
}

/** User + system CPU seconds of one thread of `pid`; its main (JavaScript) thread when `tid` is `pid`. */
export function readThreadCpuSeconds(pid: number, tid: number): number | null {
  return readCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
}

function readCpuSeconds(file: string): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may contain spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : null;
}

/**
 * Starts `script` (a path relative to bench/) with node — compiled from dist/bench, or with the tsx loader — one process, so its pid
 * is the server's own and /proc/<pid> describes it — and waits for its JSON ready line.
 */
export function startServer<Ready extends object>(
  name: string,
  script: string,
  env: Record<string, string | undefined>,
  options: { readyTimeoutMs?: number; compiled?: boolean } = {},
): Promise<ServerProcess<Ready>> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  // Compiled: plain node on what `npm run build` put in dist/bench (as production runs dist/src); else tsx.
  const args = options.compiled
    ? [path.resolve(root, 'dist', 'bench', script.replace(/\.ts$/, '.js'))]
    : ['--import', 'tsx', path.resolve(root, 'bench', script)];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { ...env, [PARENT_WATCH_ENV]: '1' },
    // stdin stays open as a lifeline: the server stops when it closes (the runner died).
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  const server: ServerProcess<Ready> = {
    name,
    pid: child.pid ?? -1,
    ready: undefined as unknown as Ready,
    memory: () => (exited || child.pid === undefined ? null : readProcessMemory(child.pid)),
    cpuSeconds: () => (exited || child.pid === undefined ? null : readProcessCpuSeconds(child.pid)),
    async stop(graceMs = 20_000) {
      running.delete(server as ServerProcess<unknown>);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  running.add(server as ServerProcess<unknown>);

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void server.stop(2_000).finally(() => reject(new Error(`${name} server: ${message}`)));
    };
    const timer = setTimeout(() => fail(`not ready within ${readyTimeoutMs / 1000} s`), readyTimeoutMs);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
    child.stdin?.on('error', () => undefined);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (server.ready !== undefined) return void process.stderr.write(`[${name}] ${line}\n`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        // Anything but the ready line is passed through for the reader.
        return void process.stderr.write(`[${name}] ${line}\n`);
      }
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { port?: unknown }).port !== 'number') {
        return void process.stderr.write(`[${name}] ${line}\n`);
      }
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      server.ready = parsed as Ready;
      resolve(server);
    });
  });
}

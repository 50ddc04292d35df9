import os from 'node:os';

/**
 * The load average as a run starts, logging a warning when the machine is busy (above half its
 * CPUs): other processes skew every number. Returned for the results file.
 */
export function loadAtStart(log: (line: string) => void): number[] {
  const load = os.loadavg();
  if (load[0]! > os.cpus().length * 0.5) {
    log(
      `warning: the machine is busy (load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs); other processes will skew the numbers`,
    );
  }
  return load;
}

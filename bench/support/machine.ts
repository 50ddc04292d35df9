import os from 'node:os';

/** A warning when the machine is busy at the start of a run (load average above half the CPUs), else null: other processes skew every number. */
export function busyMachineWarning(): string | null {
  const load = os.loadavg();
  if (load[0]! <= os.cpus().length * 0.5) return null;
  return `warning: the machine is busy (load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs); other processes will skew the numbers`;
}

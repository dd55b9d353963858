// The machine a benchmark ran on, recorded beside its figures: they mean nothing without it.
import { arch, cpus, loadavg, platform } from 'node:os';

/** CPU model, logical CPUs, Node version, platform and the 1-minute load average. */
export function machineInfo(): { cpu: string; logicalCpus: number; node: string; platform: string; loadAverage1m: number } {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCpus: cpus().length,
    node: process.version,
    platform: `${platform()} ${arch()}`,
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
  };
}

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null where
 * /proc is missing. Under a shared, noisy machine CPU per request is steadier than req/s.
 */
export function cpuSecondsOf(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) start at field 3, `state`;
  // utime and stime are fields 14 and 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  return Number.isFinite(ticks) ? ticks / ticksPerSecond : null;
}

/** Monotonic microseconds on the clock V8 stamps its CPU profiles with. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

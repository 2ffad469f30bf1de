import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/**
 * CPU seconds a process has used so far in user and in system mode, from /proc/<pid>/stat;
 * null where /proc is missing. On a shared, noisy machine CPU per request is steadier than
 * req/s, and user time (the proxy's own code) steadier than system time (socket syscalls,
 * which grow with contention).
 */
export function cpuSecondsOf(pid: number): { user: number; system: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) start at field 3, `state`;
  // utime and stime are fields 14 and 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  if (!Number.isFinite(user) || !Number.isFinite(system)) return null;
  return { user: user / ticksPerSecond, system: system / ticksPerSecond };
}

/** Monotonic microseconds on the clock V8 stamps its CPU profiles with. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

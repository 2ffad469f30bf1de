import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/**
 * CPU seconds (user + system) used so far by a whole process and by its main thread (the
 * event loop; worker threads such as the ledger writer's are the difference), from
 * /proc/<pid>/stat and /proc/<pid>/task/<pid>/stat; null where /proc is missing. On a shared,
 * noisy machine CPU per request is steadier than req/s.
 */
export function cpuSecondsOf(pid: number): { process: number; mainThread: number } | null {
  const all = readStat(`/proc/${pid}/stat`);
  const main = readStat(`/proc/${pid}/task/${pid}/stat`);
  return all === null || main === null ? null : { process: all, mainThread: main };
}

function readStat(path: string): number | null {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
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
  return (user + system) / ticksPerSecond;
}

/** Monotonic microseconds on the clock V8 stamps its CPU profiles with. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The parts of V8's .cpuprofile JSON (written by `node --cpu-prof`) that the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  selfMs: number;
  share: number; // of busy time (everything but idle)
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  top: ProfileLine[];
  byArea: ProfileLine[];
}

/**
 * Self time per function and per area (aisoc code, undici, Node internals, GC, native).
 * Samples are counted rather than weighted by their time deltas: on a machine shared with the
 * load generator and the upstream the process is often descheduled, and a delta then charges
 * that wait to whatever ran last (usually the writev that woke the peer). A sample is only
 * taken while the thread runs, so counts track CPU time. Each sample is worth the median
 * interval. With `window` (monotonic µs, the clock V8 stamps samples with) only samples inside
 * it count, which keeps start-up and shutdown out of the figures.
 */
export function summariseCpuProfile(
  profile: CpuProfile,
  topN = 15,
  window: { from: number; to: number } = { from: -Infinity, to: Infinity },
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const perFunction = new Map<string, number>();
  const perArea = new Map<string, number>();
  const interval = medianOf(profile.timeDeltas.slice(1)) / 1000;
  let idle = 0;
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id);
    if (!frame || at < window.from || at > window.to) return;
    if (frame.functionName === '(idle)') {
      idle++;
      return;
    }
    busy++;
    const name = `${frame.functionName || '(anonymous)'} ${location(frame.url, frame.lineNumber)}`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + 1);
    const area = areaOf(frame.functionName, frame.url);
    perArea.set(area, (perArea.get(area) ?? 0) + 1);
  });
  const lines = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => ({
        name: name.trim(),
        selfMs: n * interval,
        share: busy ? n / busy : 0,
      }));
  return {
    busyMs: busy * interval,
    idleMs: idle * interval,
    top: lines(perFunction).slice(0, topN),
    byArea: lines(perArea),
  };
}

function medianOf(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

export function areaOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url.includes('/undici/')) return 'undici (upstream client)';
  if (url.includes('/bench/')) return 'bench harness';
  if (url.includes('/src/')) return `aisoc ${url.split('/src/')[1]!.split('/')[0]}`;
  if (url.includes('/node_modules/'))
    return `dependency ${url.split('/node_modules/')[1]!.split('/')[0]}`;
  if (url.startsWith('node:')) return `node ${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  return url ? 'other' : 'native (builtins, no script)';
}

function location(url: string, line: number): string {
  if (!url) return '';
  const short = url.includes('/node_modules/')
    ? url.split('/node_modules/')[1]!
    : url.includes('/dist/')
      ? url.split('/dist/')[1]!
      : url.replace(/^file:\/\/.*\/(src|bench)\//, '$1/');
  return `${short}:${line + 1}`;
}

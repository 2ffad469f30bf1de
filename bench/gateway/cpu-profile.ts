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
 * Self time per function and per area (aisoc code, undici, Node internals, GC, native), from
 * the sample stream: each sample's time is the delta to the next sample. With `window`
 * (monotonic µs, the clock V8 stamps samples with) only samples inside it count, which keeps
 * start-up and shutdown out of the figures.
 */
export function summariseCpuProfile(
  profile: CpuProfile,
  topN = 15,
  window: { from: number; to: number } = { from: -Infinity, to: Infinity },
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const perFunction = new Map<string, number>();
  const perArea = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = byId.get(id);
    if (!frame || at < window.from || at > window.to) return;
    if (frame.functionName === '(idle)') {
      idle += us;
      return;
    }
    busy += us;
    const name = `${frame.functionName || '(anonymous)'} ${location(frame.url, frame.lineNumber)}`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + us);
    const area = areaOf(frame.functionName, frame.url);
    perArea.set(area, (perArea.get(area) ?? 0) + us);
  });
  const lines = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name: name.trim(), selfMs: us / 1000, share: busy ? us / busy : 0 }));
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    top: lines(perFunction).slice(0, topN),
    byArea: lines(perArea),
  };
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

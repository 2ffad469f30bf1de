/**
 * Blocking detection's price (issue 6): the aisoc gateway with the per-principal extraction
 * detector on the bus after the answer (monitor) and before it (blocking), each in its own
 * process with the same model and reference rows, load from a third (wrk, or autocannon).
 * Rounds are interleaved and the blocking / monitor ratios are taken within each round, then
 * the median is printed. AISOC_BENCH_QUICK=1 for a short run.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/app/index.js';
import { createMemoryBus } from '../src/bus/index.js';
import type { InferenceEvent } from '../src/core/index.js';
import { createDetectorRunner, createExtractionDetector } from '../src/detect/index.js';
import { benignQueries, createRandom } from '../src/drill/attacks/index.js';
import { loadReferenceBaseline } from '../src/detect/extraction/index.js';
import { generateApiKey } from '../src/gateway/index.js';
import { benchSettings } from './gateway.js';
import { startChild, type ChildHandle } from './gateway/child-process.js';
import { INFER_PATH, REQUEST_BODY } from './gateway/fixture.js';
import { pickLoadGenerator, type LoadResult, type LoadSpec } from './gateway/load.js';
import { cpuSecondsOf } from './gateway/proc-cpu.js';
import { median } from './gateway/report.js';

const MODES = ['monitor', 'blocking'] as const;
type Mode = (typeof MODES)[number];

interface Runs {
  saturation: LoadResult[];
  fixed: LoadResult[];
}

export async function run(): Promise<void> {
  measureInspection();
  // A fixed rate the shared machine can serve without queueing, so latency is service time.
  const settings = { ...benchSettings(process.env), rate: 300 };
  const tmp = await mkdtemp(join(tmpdir(), 'aisoc-bench-blocking-'));
  const key = generateApiKey();
  const load = pickLoadGenerator(tmp, process.env.AISOC_BENCH_LOADGEN);
  const spec = (url: string): LoadSpec => ({
    url: url + INFER_PATH,
    body: REQUEST_BODY,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key.secret}` },
    connections: settings.connections,
    seconds: settings.seconds,
  });
  console.log('# blocking detection: the gateway with the detector before the answer vs after it');
  console.log(
    `load generator: ${load.name}; ${settings.rounds} interleaved round(s); saturation ${settings.connections} connections x ${settings.seconds} s; fixed rate ${settings.rate} req/s over ${settings.rateConnections} connections; one key, one 30-feature row (breast-cancer); figures are medians`,
  );
  const handles: ChildHandle[] = [];
  try {
    const upstream = await startChild('upstream-server', {});
    handles.push(upstream);
    const gateways = new Map<Mode, ChildHandle>();
    for (const mode of MODES) {
      const handle = await startChild('gateway-server', {
        BENCH_UPSTREAM: upstream.url,
        BENCH_MODE: 'async',
        BENCH_DATA_DIR: join(tmp, mode),
        BENCH_KEY_HASH: key.hash,
        BENCH_DETECTION: mode,
      });
      handles.push(handle);
      gateways.set(mode, handle);
    }
    const runs = new Map<Mode, Runs>(MODES.map((m) => [m, { saturation: [], fixed: [] }]));
    for (const handle of gateways.values())
      await load.run({ ...spec(handle.url), seconds: settings.warmSeconds });
    for (let round = 0; round < settings.rounds; round++) {
      for (const mode of MODES) {
        const handle = gateways.get(mode)!;
        runs.get(mode)!.saturation.push(await withCpu(handle.pid, load.run(spec(handle.url))));
        runs.get(mode)!.fixed.push(
          await load.run({
            ...spec(handle.url),
            connections: settings.rateConnections,
            rate: settings.rate,
          }),
        );
      }
      const rps = MODES.map((m) => `${m} ${runs.get(m)!.saturation.at(-1)!.rps.toFixed(0)}`);
      console.log(`round ${round + 1}/${settings.rounds}: req/s ${rps.join(', ')}`);
    }
    for (const handle of gateways.values()) await handle.stop();
    printFigures(runs);
  } finally {
    for (const h of handles) h.kill();
    await rm(tmp, { recursive: true, force: true });
  }
}

function printFigures(runs: Map<Mode, Runs>): void {
  const m = runs.get('monitor')!;
  const b = runs.get('blocking')!;
  const med = (rs: LoadResult[], pick: (r: LoadResult) => number | null | undefined) =>
    median(rs.map(pick).filter((v): v is number => typeof v === 'number'));
  const rows = MODES.map((mode) => {
    const r = runs.get(mode)!;
    return [
      mode,
      med(r.saturation, (x) => x.rps).toFixed(0),
      med(r.saturation, (x) => x.cpuUs).toFixed(1),
      med(r.saturation, (x) => x.mainUs).toFixed(1),
      med(r.fixed, (x) => x.p50).toFixed(0),
      med(r.fixed, (x) => x.p99).toFixed(0),
      String(r.saturation.reduce((n, x) => n + x.errors, 0)),
    ];
  });
  const head = ['mode', 'req/s', 'CPU µs/req', 'main µs/req', 'p50 µs', 'p99 µs', 'non-2xx'];
  console.log(`\n${[head, ...rows].map((r) => r.map((c) => c.padStart(12)).join('')).join('\n')}`);
  // Within each round, then the median: machine load drifting between rounds cancels out.
  const ratio = (pick: (r: LoadResult) => number | null | undefined, which: keyof Runs) =>
    median(
      b[which]
        .map((r, i) => {
          const x = pick(r);
          const y = pick(m[which][i]!);
          return typeof x === 'number' && typeof y === 'number' && y > 0 ? x / y : NaN;
        })
        .filter(Number.isFinite),
    );
  const added = (pick: (r: LoadResult) => number) =>
    median(b.fixed.map((r, i) => pick(r) - pick(m.fixed[i]!)));
  console.log(
    `\nblocking / monitor: throughput ${ratio((r) => r.rps, 'saturation').toFixed(3)}x, ` +
      `CPU per request ${ratio((r) => r.cpuUs, 'saturation').toFixed(3)}x, ` +
      `main-thread CPU per request ${ratio((r) => r.mainUs, 'saturation').toFixed(3)}x, ` +
      `p50 ${ratio((r) => r.p50, 'fixed').toFixed(3)}x (${signed(added((r) => r.p50))} µs), ` +
      `p99 ${ratio((r) => r.p99, 'fixed').toFixed(3)}x (${signed(added((r) => r.p99))} µs) at ${b.fixed[0]?.rps.toFixed(0) ?? '?'} req/s`,
  );
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(0)}`;
}

/** Adds the target process's CPU time per request to a load run's result. */
async function withCpu(pid: number, running: Promise<LoadResult>): Promise<LoadResult> {
  const before = cpuSecondsOf(pid);
  const result = await running;
  const after = cpuSecondsOf(pid);
  if (before === null || after === null || result.requests === 0) return result;
  const per = (seconds: number) => (seconds * 1e6) / result.requests;
  return {
    ...result,
    cpuUs: per(after.process - before.process),
    mainUs: per(after.mainThread - before.mainThread),
  };
}

/**
 * What blocking mode puts on the request path, in process: the runner folding one answered
 * query into the detector state (`processWith`, as the gateway's inline inspection calls it)
 * against the same work done by the bus-side `process` after the answer (monitor mode).
 * 1,000 benign-style principals on breast-cancer; each event is timed alone.
 */
function measureInspection(): void {
  const model = 'breast-cancer';
  const dataDir = join(packageRoot(), 'data', model);
  const reference = loadReferenceBaseline(join(dataDir, 'reference.csv'), model);
  const rows = readRows(join(dataDir, 'holdout.csv'));
  const lo = rows[0]!.map((_, j) => Math.min(...rows.map((r) => r[j]!)));
  const hi = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!)));
  const principals = 1000;
  const perPrincipal = 60;
  const queries = Array.from({ length: principals }, (_, p) =>
    benignQueries({
      samples: rows,
      queries: perPrincipal,
      seed: p + 1,
      featureMin: lo,
      featureMax: hi,
    }),
  );
  const events = (salt: string): InferenceEvent[] => {
    const random = createRandom(7);
    const out: InferenceEvent[] = [];
    let t = Date.UTC(2026, 0, 5);
    for (let q = 0; q < perPrincipal; q++)
      for (let p = 0; p < principals; p++) {
        const score = random.next();
        out.push({
          id: `${salt}${out.length}`,
          time: new Date((t += 3)).toISOString(),
          requestId: `${salt}${out.length}`,
          model,
          modelVersion: '1',
          artifactDigest: null,
          protocol: 'kserve-v2',
          principal: `p${p}`,
          keyId: `p${p}`,
          sourceAddress: `10.${(p >> 8) & 255}.${p & 255}.1`,
          features: [queries[p]![q]!],
          outputs: [[score, 1 - score]],
          status: 200,
          outcome: 'ok',
          errorCode: null,
          policyAction: null,
          latencyMs: 1,
        });
      }
    return out;
  };
  type Runner = ReturnType<typeof createDetectorRunner>;
  const time = (feed: (runner: Runner, e: InferenceEvent) => unknown, all: InferenceEvent[]) => {
    const runner = createDetectorRunner({
      bus: createMemoryBus(),
      detectors: [createExtractionDetector(reference)],
      onAlert: () => {},
    });
    const us = new Float64Array(all.length);
    all.forEach((e, i) => {
      const started = performance.now();
      feed(runner, e);
      us[i] = (performance.now() - started) * 1000;
    });
    const alerts = runner.stats().alerts;
    us.sort();
    return { p50: us[us.length >> 1]!, p99: us[Math.floor(us.length * 0.99)]!, alerts };
  };
  const monitor = time((runner, e) => runner.process(e), events('m'));
  const blocking = time((runner, e) => runner.processWith('extraction', e), events('b'));
  console.log(
    '# detector work per query (in process, 1,000 principals x 60 benign queries, breast-cancer)',
  );
  console.log(
    `monitor (bus, after the answer): p50 ${monitor.p50.toFixed(1)} µs, p99 ${monitor.p99.toFixed(1)} µs, ${monitor.alerts} alerts`,
  );
  console.log(
    `blocking (inline, before the answer): p50 ${blocking.p50.toFixed(1)} µs, p99 ${blocking.p99.toFixed(1)} µs, ${blocking.alerts} alerts; ratio p50 ${(blocking.p50 / monitor.p50).toFixed(2)}x`,
  );
  console.log(
    "the work is the same; blocking moves it onto the request path, adding its p50 to each answer's latency\n",
  );
}

function readRows(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number).slice(0, -1));
}

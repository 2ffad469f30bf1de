/**
 * Per-query cost and memory of the extraction/evasion detector at 10k active principals
 * (issue 6 target: <= 20 µs median). Features are the digits holdout (64 features, the
 * larger demo model) with benign-style noise; labels come from a fixed linear scorer so the
 * bench needs no model runtime. Reference in the same run: zod-validating the same event.
 */
import { readFileSync } from 'node:fs';
import { InferenceEventSchema, type InferenceEvent } from '../src/core/index.js';
import { buildModelBaseline, createExtractionDetector } from '../src/detect/extraction/index.js';
import { createRandom } from '../src/drill/attacks/index.js';

const PRINCIPALS = 10_000;
const WARM_QUERIES = 64;
const MEASURED = 100_000;

function readCsv(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number).slice(0, -1));
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function run(): Promise<void> {
  const reference = readCsv('data/digits/reference.csv');
  const holdout = readCsv('data/digits/holdout.csv');
  const d = reference[0]!.length;
  const random = createRandom(42);
  const w = Array.from({ length: 10 }, () => Array.from({ length: d }, () => random.normal()));
  const detector = createExtractionDetector(
    buildModelBaseline(reference, { model: 'digits', classCount: 10 }),
  );
  const state = detector.init();
  let t = Date.UTC(2026, 0, 5);
  let n = 0;
  const eventFor = (p: number): InferenceEvent => {
    const base = holdout[random.int(holdout.length)]!;
    const row =
      random.next() < 0.5
        ? base
        : base.map((v) => Math.max(0, Math.min(16, Math.round(v + 0.8 * random.normal()))));
    const scores = w.map((wc) => wc.reduce((s, x, j) => s + x * row[j]!, 0));
    const m = Math.max(...scores);
    const e = scores.map((s) => Math.exp((s - m) / 50));
    const total = e.reduce((a, b) => a + b, 0);
    t += 1;
    n += 1;
    return {
      id: `e${n}`,
      time: new Date(t).toISOString(),
      requestId: `r${n}`,
      model: 'digits',
      modelVersion: '1',
      artifactDigest: null,
      protocol: 'kserve-v2',
      principal: `p${p}`,
      keyId: `p${p}`,
      sourceAddress: `10.${(p >> 8) & 255}.${p & 255}.1`,
      features: [row],
      outputs: [e.map((v) => v / total)],
      status: 200,
      outcome: 'ok',
      errorCode: null,
      policyAction: null,
      latencyMs: 1,
    };
  };
  const heapBefore = process.memoryUsage().heapUsed;
  for (let q = 0; q < WARM_QUERIES; q += 1)
    for (let p = 0; p < PRINCIPALS; p += 1) detector.observe(state, eventFor(p));
  const events = Array.from({ length: MEASURED }, () => eventFor(random.int(PRINCIPALS)));
  const costs = new Float64Array(MEASURED);
  const refCosts = new Float64Array(MEASURED);
  for (let i = 0; i < MEASURED; i += 1) {
    const a = process.hrtime.bigint();
    detector.observe(state, events[i]!);
    const b = process.hrtime.bigint();
    InferenceEventSchema.parse(events[i]!);
    const c = process.hrtime.bigint();
    costs[i] = Number(b - a) / 1000;
    refCosts[i] = Number(c - b) / 1000;
  }
  costs.sort();
  refCosts.sort();
  const bytes = detector.stateSize(state);
  const heap = process.memoryUsage().heapUsed - heapBefore;
  console.log(
    `extraction detector, ${PRINCIPALS} active principals (+ their /24 networks), ${d} features, ${MEASURED} measured queries`,
  );
  console.log(
    `  per query: median ${quantile(costs, 0.5).toFixed(2)} µs, p99 ${quantile(costs, 0.99).toFixed(2)} µs (target median <= 20 µs)`,
  );
  console.log(
    `  reference, zod parse of the same event: median ${quantile(refCosts, 0.5).toFixed(2)} µs; ratio ${(quantile(costs, 0.5) / quantile(refCosts, 0.5)).toFixed(2)}x`,
  );
  console.log(
    `  state: ${(bytes / 1e6).toFixed(1)} MB reported by stateSize (${(bytes / PRINCIPALS / 1024).toFixed(1)} KiB per principal incl. network share); heap growth ${(heap / 1e6).toFixed(1)} MB`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

import type { InferenceEvent } from '../../src/core/index.js';
import type { Detector, Finding } from '../../src/detect/detector.js';
import {
  benignQueries,
  createRandom,
  type QueryTarget,
  type RecordedQuery,
} from '../../src/drill/attacks/index.js';
import { mergeByTime, toEvents } from './events.js';

const BLOCK = 100;

export interface BenignPopulationOptions {
  readonly model: string;
  readonly samples: readonly (readonly number[])[];
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly principals: number;
  readonly queries: number;
  readonly seed: number;
  /** Share of principals behind a shared NAT network (20 such /24s); default 0.1. */
  readonly natShare?: number;
}

export interface BenignPopulationResult {
  readonly principals: number;
  rows: number;
  readonly flagged: Map<string, Finding[]>;
  detectSeconds: number;
}

async function principalEvents(
  target: QueryTarget,
  o: BenignPopulationOptions,
  i: number,
  address: string,
): Promise<InferenceEvent[]> {
  const rows = benignQueries({
    samples: o.samples,
    queries: o.queries,
    seed: o.seed * 7919 + i,
    featureMin: o.min,
    featureMax: o.max,
  });
  const answer = await target.query(rows);
  const log: RecordedQuery[] = rows.map((features, k) => ({
    features,
    probabilities: answer.probabilities[k]!,
    label: answer.labels[k]!,
  }));
  const random = createRandom(o.seed + i);
  // Human-paced use: a mean gap between 2 s and 60 s per principal.
  const meanGapMs = 2000 + random.next() * 58_000;
  return toEvents(log, {
    principal: `benign-${i}`,
    address,
    model: o.model,
    startMs: Date.UTC(2026, 0, 5) + random.int(3_600_000),
    meanGapMs,
    random,
  });
}

function addressOf(i: number, o: BenignPopulationOptions): { address: string } {
  // Every 1/natShare-th principal sits behind one of 20 shared NAT /24s.
  const every = Math.max(1, Math.round(1 / (o.natShare ?? 0.1)));
  if (i % every === 0)
    return { address: `172.16.${(i / every) % 20}.${10 + (Math.floor(i / every / 20) % 240)}` };
  return { address: `10.${(i >> 8) & 255}.${i & 255}.7` };
}

/** Replays `principals` benign users through each detector (own state each); returns who got flagged. */
export async function runBenignPopulation(
  detectors: readonly Detector<unknown>[],
  target: QueryTarget,
  o: BenignPopulationOptions,
): Promise<BenignPopulationResult[]> {
  const states = detectors.map((d) => d.init());
  const results = detectors.map(() => ({
    principals: o.principals,
    rows: 0,
    flagged: new Map<string, Finding[]>(),
    detectSeconds: 0,
  }));
  const feed = (events: InferenceEvent[]) => {
    detectors.forEach((detector, k) => {
      const r = results[k]!;
      const started = performance.now();
      for (const e of events) {
        for (const f of detector.observe(states[k], e)) {
          // A per-network finding names no principal: it counts as one more flagged subject.
          const key = f.principal ?? `network ${String(f.evidence.subject)}`;
          r.flagged.set(key, [...(r.flagged.get(key) ?? []), f]);
        }
      }
      r.detectSeconds += (performance.now() - started) / 1000;
      r.rows += events.length;
    });
  };
  // Principals are replayed in blocks of BLOCK that are active at the same time (merged by
  // event time), so cross-principal and shared-network signals see concurrent traffic.
  for (let first = 0; first < o.principals; first += BLOCK) {
    const block: InferenceEvent[][] = [];
    for (let i = first; i < Math.min(o.principals, first + BLOCK); i += 1) {
      block.push(await principalEvents(target, o, i, addressOf(i, o).address));
    }
    feed(mergeByTime(block));
  }
  return results;
}

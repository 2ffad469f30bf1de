import type { InferenceEvent } from '../../src/core/index.js';
import type { Detector, Finding } from '../../src/detect/detector.js';
import type { RecordedQuery, Random } from '../../src/drill/attacks/index.js';

export interface StreamOptions {
  readonly principal: string;
  readonly address: string;
  readonly model: string;
  readonly startMs: number;
  readonly meanGapMs: number;
  readonly random: Random;
}

/** One event per query row, at exponential gaps from `startMs` (event time, no wall clock). */
export function toEvents(log: readonly RecordedQuery[], o: StreamOptions): InferenceEvent[] {
  let t = o.startMs;
  return log.map((q, i) => {
    t += Math.max(1, Math.round(-Math.log(Math.max(o.random.next(), 1e-9)) * o.meanGapMs));
    return {
      id: `${o.principal}-${i}`,
      time: new Date(t).toISOString(),
      requestId: `${o.principal}-${i}`,
      model: o.model,
      modelVersion: '1',
      artifactDigest: null,
      protocol: 'kserve-v2',
      principal: o.principal,
      keyId: o.principal,
      sourceAddress: o.address,
      features: [q.features],
      outputs: [q.probabilities],
      status: 200,
      outcome: 'ok',
      errorCode: null,
      policyAction: null,
      latencyMs: 1,
    };
  });
}

/** Merges several time-ordered streams into one. */
export function mergeByTime(streams: InferenceEvent[][]): InferenceEvent[] {
  return streams.flat().sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** Feeds events and returns every finding with the 1-based index of the event that raised it. */
export function runDetector<S>(
  detector: Detector<S>,
  state: S,
  events: readonly InferenceEvent[],
): { at: number; finding: Finding }[] {
  const out: { at: number; finding: Finding }[] = [];
  events.forEach((e, i) => {
    for (const finding of detector.observe(state, e)) out.push({ at: i + 1, finding });
  });
  return out;
}

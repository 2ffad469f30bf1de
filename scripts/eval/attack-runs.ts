import type { Detector, Finding } from '../../src/detect/detector.js';
import {
  boundaryAttack,
  createRandom,
  createRecordingTarget,
  hopSkipJump,
  jacobianExtraction,
  knockoffExtraction,
  nesAttack,
  randomExtraction,
  randomSearchAttack,
  syntheticExtraction,
  type AttackContext,
  type AttackReport,
  type QueryTarget,
  type RecordedQuery,
} from '../../src/drill/attacks/index.js';
import { runDetector, toEvents } from './events.js';

export const EXTRACTION_ATTACKS = {
  random: randomExtraction,
  synthetic: syntheticExtraction,
  jacobian: jacobianExtraction,
  knockoff: knockoffExtraction,
} as const;
export const EVASION_ATTACKS = {
  boundary: boundaryAttack,
  hsj: hopSkipJump,
  nes: nesAttack,
  'random-search': randomSearchAttack,
} as const;

export interface AttackRun {
  readonly report: AttackReport;
  readonly log: RecordedQuery[];
}

/**
 * Runs one attack against the target and keeps the rows the model received (after any
 * attacker-side wrapper such as added noise, which sits between the attack and the log).
 */
export async function recordAttack(
  run: (t: QueryTarget) => Promise<AttackReport>,
  target: QueryTarget,
  wrap: (t: QueryTarget) => QueryTarget = (t) => t,
): Promise<AttackRun> {
  const recording = createRecordingTarget(target);
  const report = await run(wrap(recording));
  return { report, log: recording.log };
}

export interface Exposure {
  /** Queries (1-based) until the first finding that names an attacker key or its network, or null. */
  readonly firstAlarm: number | null;
  readonly detectors: string[];
  readonly findings: Finding[];
}

/** Attack traffic as events (optionally spread round-robin over keys) through a fresh detector state. */
export function expose<S>(
  detector: Detector<S>,
  log: readonly RecordedQuery[],
  o: {
    model: string;
    seed: number;
    keys?: number;
    sameNetwork?: boolean;
    meanGapMs?: number;
    isAttack?: (i: number) => boolean;
  },
): Exposure {
  const keys = o.keys ?? 1;
  const random = createRandom(o.seed);
  const perKey = Array.from({ length: keys }, () => [] as RecordedQuery[]);
  log.forEach((q, i) => perKey[i % keys]!.push(q));
  const startMs = Date.UTC(2026, 0, 5, 12);
  const streams = perKey.map((l, k) =>
    toEvents(l, {
      principal: `attacker-${k}`,
      address: o.sameNetwork === false ? `198.51.${k}.9` : `203.0.113.${10 + k}`,
      model: o.model,
      startMs,
      meanGapMs: o.meanGapMs ?? 500,
      random,
    }),
  );
  // Round-robin order preserves the attack's own sequence across keys.
  const events = log.map((_, i) => streams[i % keys]![Math.floor(i / keys)]!);
  const hits = runDetector(detector, detector.init(), events);
  const isAttack = o.isAttack ?? (() => true);
  const counted = hits.filter((h) => isAttack(h.at - 1));
  const first = counted[0];
  const attackQueriesBefore = first
    ? log.slice(0, first.at).filter((_, i) => isAttack(i)).length
    : null;
  return {
    firstAlarm: attackQueriesBefore,
    detectors: [...new Set(counted.map((h) => h.finding.detector))],
    findings: counted.map((h) => h.finding),
  };
}

export function context(
  min: number[],
  max: number[],
  classCount: number,
  seed: number,
): AttackContext {
  return { featureMin: min, featureMax: max, classCount, seed };
}

import {
  agreement,
  rangeDistance,
  trainSurrogate,
  type RecordedQuery,
} from '../../src/drill/attacks/index.js';

export interface ExtractionOutcome {
  /** Agreement with the model on holdout of a surrogate trained on the answers before the first alarm. */
  readonly fidelityAtAlarm: number;
  /** Attack queries after which such a surrogate first reaches 80% agreement (checkpoints), or null. */
  readonly queriesTo80: number | null;
}

const CHECKPOINTS = [10, 20, 40, 80, 160, 320, 640, 1280];

function fidelity(
  log: readonly RecordedQuery[],
  indices: readonly number[],
  o: {
    classCount: number;
    min: number[];
    max: number[];
    testRows: number[][];
    testLabels: number[];
    seed: number;
  },
): number {
  if (indices.length === 0) return 0;
  const s = trainSurrogate(
    indices.map((i) => log[i]!.features),
    indices.map((i) => log[i]!.label),
    { classCount: o.classCount, min: o.min, max: o.max, seed: o.seed },
  );
  return agreement(s, o.testRows, o.testLabels);
}

/** What an extraction attacker could copy from the answers it got before the first alarm. */
export function extractionOutcome(
  log: readonly RecordedQuery[],
  attackIndices: readonly number[],
  answeredBefore: readonly number[],
  o: {
    classCount: number;
    min: number[];
    max: number[];
    testRows: number[][];
    testLabels: number[];
    seed: number;
  },
): ExtractionOutcome {
  let queriesTo80: number | null = null;
  for (const n of CHECKPOINTS) {
    if (n > attackIndices.length) break;
    if (fidelity(log, attackIndices.slice(0, n), o) >= 0.8) {
      queriesTo80 = n;
      break;
    }
  }
  return { fidelityAtAlarm: fidelity(log, answeredBefore, o), queriesTo80 };
}

export interface EvasionOutcome {
  /** An answered query before the first alarm was misclassified within the distortion budget. */
  readonly adversarialBeforeAlarm: boolean;
  /** Smallest distortion (L2 in range units) of a misclassified query answered before the alarm. */
  readonly bestDistance: number | null;
}

/** What an evasion attacker held when it was first flagged. */
export function evasionOutcome(
  log: readonly RecordedQuery[],
  answeredBefore: readonly number[],
  o: {
    original: readonly number[];
    originalLabel: number;
    min: number[];
    max: number[];
    maxDistortion?: number;
  },
): EvasionOutcome {
  let best = Infinity;
  for (const i of answeredBefore) {
    const q = log[i]!;
    if (q.label === o.originalLabel) continue;
    best = Math.min(best, rangeDistance(q.features, o.original, o.min, o.max));
  }
  return {
    adversarialBeforeAlarm: best <= (o.maxDistortion ?? 1),
    bestDistance: Number.isFinite(best) ? best : null,
  };
}

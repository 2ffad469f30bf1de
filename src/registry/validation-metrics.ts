import { groupFairness, type FairnessReport } from '../core/index.js';

/** Classification metrics of one version on an evaluation snapshot. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface VersionMetrics {
  accuracy: number;
  /** Binary: of class 1; more classes: the macro average over classes. */
  precision: number;
  recall: number;
  f1: number;
  /** ROC AUC (Mann-Whitney); more classes: macro one-vs-rest. */
  auc: number;
  perClass: Record<string, ClassMetrics>;
}

export const GATED_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const;
export type GatedMetric = (typeof GATED_METRICS)[number];

/** A candidate scored beside a known-good version on the same rows. */
export interface Comparison {
  rows: number;
  candidate: VersionMetrics;
  knownGood: VersionMetrics;
  /** known-good minus candidate, per metric (positive: the candidate is worse). */
  drops: Record<GatedMetric, number>;
  tolerance: number;
  /** Metrics whose drop is beyond the tolerance. */
  failed: GatedMetric[];
  passed: boolean;
  /** Rows where the two versions decide differently: count and the first row indexes. */
  differing: { count: number; rows: number[] };
}

const argmax = (p: readonly number[]) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** ROC AUC of scores for a positive class: the chance a positive outranks a negative (ties ½). */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const order = scores.map((s, i) => ({ s, p: positive[i]! })).sort((a, b) => a.s - b.s);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j++;
    const midRank = (i + 1 + j) / 2; // tied scores share the mean of their ranks
    for (let k = i; k < j; k++) {
      if (!order[k]!.p) continue;
      rankSum += midRank;
      positives++;
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Scores one version: `probabilities[i]` holds one probability per class for row i. */
export function scoreVersion(
  labels: readonly number[],
  probabilities: readonly (readonly number[])[],
  classes: number,
): VersionMetrics {
  const predicted = probabilities.map(argmax);
  const perClass: Record<string, ClassMetrics> = {};
  const aucs: number[] = [];
  for (let c = 0; c < classes; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < labels.length; i++) {
      if (predicted[i] === c && labels[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (labels[i] === c) fn++;
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    perClass[String(c)] = {
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      support: tp + fn,
    };
    aucs.push(
      rocAuc(
        probabilities.map((p) => p[c] ?? 0),
        labels.map((l) => l === c),
      ),
    );
  }
  const correct = predicted.filter((p, i) => p === labels[i]).length;
  const classList = Object.values(perClass);
  const mean = (k: keyof ClassMetrics) =>
    classList.reduce((sum, m) => sum + m[k], 0) / Math.max(1, classList.length);
  const binary = classes === 2;
  const finite = aucs.filter((a) => Number.isFinite(a));
  return {
    accuracy: ratio(correct, labels.length),
    precision: binary ? perClass['1']!.precision : mean('precision'),
    recall: binary ? perClass['1']!.recall : mean('recall'),
    f1: binary ? perClass['1']!.f1 : mean('f1'),
    auc: binary ? aucs[1]! : finite.reduce((a, b) => a + b, 0) / Math.max(1, finite.length),
    perClass,
  };
}

/** Compares a candidate with a known-good version on the same labelled rows (pure). */
export function compareVersions(input: {
  labels: readonly number[];
  candidate: readonly (readonly number[])[];
  knownGood: readonly (readonly number[])[];
  tolerance: number;
}): Comparison {
  const classes = Math.max(
    2,
    ...input.labels.map((l) => l + 1),
    ...input.candidate.map((p) => p.length),
    ...input.knownGood.map((p) => p.length),
  );
  const candidate = scoreVersion(input.labels, input.candidate, classes);
  const knownGood = scoreVersion(input.labels, input.knownGood, classes);
  const drops = Object.fromEntries(
    GATED_METRICS.map((m) => [m, knownGood[m] - candidate[m]]),
  ) as Record<GatedMetric, number>;
  // A metric that cannot be computed (AUC with one class present) does not fail the gate.
  const failed = GATED_METRICS.filter(
    (m) => Number.isFinite(drops[m]) && drops[m] > input.tolerance + 1e-12,
  );
  const differingRows: number[] = [];
  let count = 0;
  for (let i = 0; i < input.labels.length; i++)
    if (argmax(input.candidate[i]!) !== argmax(input.knownGood[i]!)) {
      count++;
      if (differingRows.length < 100) differingRows.push(i);
    }
  return {
    rows: input.labels.length,
    candidate,
    knownGood,
    drops,
    tolerance: input.tolerance,
    failed,
    passed: failed.length === 0,
    differing: { count, rows: differingRows },
  };
}

/** The gaps the fairness gate fails on; the accuracy gap is reported only. */
export const GATED_GAPS = ['demographicParityDifference', 'equalisedOddsDifference'] as const;
export type GatedGap = (typeof GATED_GAPS)[number];

/** Group fairness of both versions on the snapshot's group column. */
export interface FairnessComparison {
  column: string;
  /** Positive class: what "selected" means for selection rate and demographic parity. */
  positive: number;
  minGroupSize: number;
  tolerance: number;
  candidate: FairnessReport;
  knownGood: FairnessReport;
  /** Gaps of the candidate beyond the tolerance. */
  failed: GatedGap[];
}

/** Compares the group fairness of a candidate and a known-good version on the same rows (pure). */
export function compareFairness(input: {
  column: string;
  labels: readonly number[];
  groups: readonly string[];
  candidate: readonly (readonly number[])[];
  knownGood: readonly (readonly number[])[];
  tolerance: number;
  positive?: number;
  minGroupSize?: number;
}): FairnessComparison {
  const positive = input.positive ?? 1;
  const minGroupSize = input.minGroupSize ?? 20;
  const report = (probabilities: readonly (readonly number[])[]) =>
    groupFairness(
      input.labels.map((label, i) => ({
        label,
        predicted: argmax(probabilities[i]!),
        group: input.groups[i]!,
      })),
      positive,
      minGroupSize,
    );
  const candidate = report(input.candidate);
  return {
    column: input.column,
    positive,
    minGroupSize,
    tolerance: input.tolerance,
    candidate,
    knownGood: report(input.knownGood),
    failed: GATED_GAPS.filter((g) => {
      const gap = candidate[g];
      return gap !== null && gap > input.tolerance + 1e-12;
    }),
  };
}

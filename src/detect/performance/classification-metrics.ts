// Classification metrics over joined (prediction, label) pairs. Binary metrics are taken
// one-vs-rest for `positive`; ROC AUC is the Mann–Whitney U statistic over the scores of
// positives and negatives (ties counted as one half), i.e. sklearn's roc_auc_score.

export const METRICS = ['accuracy', 'precision', 'recall', 'f1', 'rocAuc'] as const;
export type Metric = (typeof METRICS)[number];
export type MetricValues = Record<Metric, number | null>;

export interface LabelledPrediction {
  predicted: number;
  label: number;
  score: number | null; // score of the positive class, if the output had one
}

/** Area under the ROC curve from positive and negative scores; null if a class is absent. */
export function rocAuc(positives: number[], negatives: number[]): number | null {
  const n1 = positives.length;
  const n0 = negatives.length;
  if (n1 === 0 || n0 === 0) return null;
  const all = [...positives.map((s) => [s, 1] as const), ...negatives.map((s) => [s, 0] as const)];
  all.sort((a, b) => a[0] - b[0]);
  let rankSumPos = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]![0] === all[i]![0]) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let k = i; k < j; k++) if (all[k]![1] === 1) rankSumPos += avgRank;
    i = j;
  }
  return (rankSumPos - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/** All metrics for a set of pairs; a metric with an empty denominator is null. */
export function classificationMetrics(
  pairs: readonly LabelledPrediction[],
  positive = 1,
): MetricValues {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  const pos: number[] = [];
  const neg: number[] = [];
  for (const p of pairs) {
    if (p.predicted === p.label) correct++;
    const predPos = p.predicted === positive;
    const isPos = p.label === positive;
    if (predPos && isPos) tp++;
    else if (predPos) fp++;
    else if (isPos) fn++;
    if (p.score !== null) (isPos ? pos : neg).push(p.score);
  }
  const precision = tp + fp === 0 ? null : tp / (tp + fp);
  const recall = tp + fn === 0 ? null : tp / (tp + fn);
  const f1 =
    precision === null || recall === null || precision + recall === 0
      ? null
      : (2 * precision * recall) / (precision + recall);
  const scored = pos.length + neg.length === pairs.length;
  return {
    accuracy: pairs.length === 0 ? null : correct / pairs.length,
    precision,
    recall,
    f1,
    rocAuc: scored ? rocAuc(pos, neg) : null,
  };
}

// Group fairness of labelled predictions, as the fairness literature defines it (Hardt, Price
// and Srebro 2016 for equalised odds; demographic parity as the gap in selection rates).

export interface GroupedPrediction {
  readonly predicted: number;
  readonly label: number;
  readonly group?: string;
}

export interface GroupMetrics {
  readonly n: number;
  readonly accuracy: number;
  /** P(predicted positive): what demographic parity compares. */
  readonly selectionRate: number;
  /** P(predicted positive | positive); null without positives in the group. */
  readonly truePositiveRate: number | null;
  /** P(predicted positive | negative); null without negatives in the group. */
  readonly falsePositiveRate: number | null;
}

export interface FairnessReport {
  readonly groups: Readonly<Record<string, GroupMetrics>>;
  /** Groups left out for having fewer than `minGroupSize` labelled predictions. */
  readonly tooSmall: readonly string[];
  /** Largest minus smallest, over the groups compared (null with fewer than two). */
  readonly accuracyGap: number | null;
  readonly demographicParityDifference: number | null;
  /** The larger of the TPR gap and the FPR gap. */
  readonly equalisedOddsDifference: number | null;
}

export const FAIRNESS_GAPS = [
  'accuracyGap',
  'demographicParityDifference',
  'equalisedOddsDifference',
] as const;
export type FairnessGap = (typeof FAIRNESS_GAPS)[number];

const spread = (values: (number | null)[]): number | null => {
  const v = values.filter((x): x is number => x !== null);
  return v.length < 2 ? null : Math.max(...v) - Math.min(...v);
};

/** Per-group metrics and the gaps between groups; predictions without a group are ignored. */
export function groupFairness(
  pairs: readonly GroupedPrediction[],
  positive = 1,
  minGroupSize = 20,
): FairnessReport {
  const byGroup = new Map<string, GroupedPrediction[]>();
  for (const p of pairs) {
    if (p.group === undefined) continue;
    let list = byGroup.get(p.group);
    if (!list) byGroup.set(p.group, (list = []));
    list.push(p);
  }
  const groups: Record<string, GroupMetrics> = {};
  const tooSmall: string[] = [];
  for (const [group, list] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    if (list.length < minGroupSize) {
      tooSmall.push(group);
      continue;
    }
    let correct = 0;
    let selected = 0;
    let pos = 0;
    let tp = 0;
    let neg = 0;
    let fp = 0;
    for (const p of list) {
      const predictedPositive = p.predicted === positive;
      if (p.predicted === p.label) correct++;
      if (predictedPositive) selected++;
      if (p.label === positive) {
        pos++;
        if (predictedPositive) tp++;
      } else {
        neg++;
        if (predictedPositive) fp++;
      }
    }
    groups[group] = {
      n: list.length,
      accuracy: correct / list.length,
      selectionRate: selected / list.length,
      truePositiveRate: pos > 0 ? tp / pos : null,
      falsePositiveRate: neg > 0 ? fp / neg : null,
    };
  }
  const g = Object.values(groups);
  const tpr = spread(g.map((x) => x.truePositiveRate));
  const fpr = spread(g.map((x) => x.falsePositiveRate));
  return {
    groups,
    tooSmall,
    accuracyGap: spread(g.map((x) => x.accuracy)),
    demographicParityDifference: spread(g.map((x) => x.selectionRate)),
    equalisedOddsDifference: tpr === null && fpr === null ? null : Math.max(tpr ?? 0, fpr ?? 0),
  };
}

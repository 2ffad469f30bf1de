// Compares one window (or a whole current data set) with a baseline profile, feature by
// feature, with the same code for the streaming detector, `aisoc drift` and the data audit.
import {
  type BaselineProfile,
  type FeatureProfile,
  type NumericSummary,
  thinSorted,
} from '../baseline/baseline-profile.js';
import {
  adjustPValues,
  chiSquareContingency,
  type Correction,
  histogram,
  jensenShannon,
  ksTwoSample,
  psi,
  wassersteinSorted,
} from '../stats/index.js';

/** When a feature, and the data set, count as drifted. */
export interface DriftRule {
  alpha: number; // adjusted p-value below which the KS / chi-square test flags a feature
  psi: number; // PSI at or above which a feature is flagged whatever the p-value
  missingRate: number; // rise in the missing (incl. infinite) share that flags a feature
  correction: Correction; // over the features tested in one comparison
  datasetShare: number; // share of compared features that must drift for a data-set alert
  minRows: number; // fewer non-missing window values than this: not tested
  /**
   * Which reference values KS and Wasserstein use: 'sample' takes the whole stored sample
   * (scipy's answer on those values); 'matched' thins it to the window's size by evenly
   * spaced order statistics, so the exact p-value takes O(n) (equal sizes) instead of
   * O(n·m·D). The thinned reference carries no sampling noise, so 'matched' is slightly
   * conservative (fewer alarms), never more eager.
   */
  ksReference: 'sample' | 'matched';
}

export const DEFAULT_DRIFT_RULE: DriftRule = Object.freeze({
  alpha: 0.05,
  psi: 0.25,
  missingRate: 0.2,
  correction: 'bh',
  datasetShare: 0.5,
  minRows: 30,
  ksReference: 'matched',
});

/** The window side of one feature: finite values sorted, plus what could not be compared. */
export interface WindowColumn {
  name: string;
  sorted: Float64Array; // finite values, ascending
  missing: number;
  infinite: number;
  categories?: Map<string, number>; // for categorical baseline features
}

export interface FeatureDrift {
  name: string;
  type: FeatureProfile['type'];
  rows: number; // window values compared
  missingRate: number; // window share of missing or infinite values
  baselineMissingRate: number;
  test: 'ks' | 'chi2' | null;
  statistic: number | null;
  pValue: number | null;
  adjustedPValue: number | null;
  psi: number | null;
  jensenShannon: number | null; // base 2, in [0, 1]
  wasserstein: number | null;
  wassersteinStd: number | null; // wasserstein / baseline std (null for a constant baseline)
  drifted: boolean;
  reasons: string[]; // 'test', 'psi', 'missing'; or why it was not compared
}

export interface DriftComparison {
  baseline: string;
  rows: number;
  features: FeatureDrift[];
  drifted: string[];
  compared: number;
  share: number;
  datasetDrift: boolean;
  prediction?: FeatureDrift;
  confidence?: FeatureDrift;
  rule: DriftRule;
}

const round = (x: number | null): number | null =>
  x === null || !Number.isFinite(x) ? x : Number(x.toPrecision(12));

function emptyDrift(profile: FeatureProfile, column: WindowColumn, reason: string): FeatureDrift {
  const total = column.sorted.length + column.missing + column.infinite + sumCategories(column);
  return {
    name: profile.name,
    type: profile.type,
    rows: column.sorted.length + sumCategories(column),
    missingRate: total === 0 ? 0 : (column.missing + column.infinite) / total,
    baselineMissingRate:
      profile.count === 0 ? 0 : (profile.missing + profile.infinite) / profile.count,
    test: null,
    statistic: null,
    pValue: null,
    adjustedPValue: null,
    psi: null,
    jensenShannon: null,
    wasserstein: null,
    wassersteinStd: null,
    drifted: false,
    reasons: [reason],
  };
}

function sumCategories(column: WindowColumn): number {
  let s = 0;
  if (column.categories) for (const c of column.categories.values()) s += c;
  return s;
}

function compareNumeric(
  profile: FeatureProfile,
  summary: NumericSummary,
  column: WindowColumn,
  rule: DriftRule,
): FeatureDrift {
  const out = emptyDrift(profile, column, 'test');
  out.reasons = [];
  const reference =
    rule.ksReference === 'matched' && summary.sample.length > column.sorted.length
      ? thinSorted(summary.sample, column.sorted.length)
      : summary.sample;
  const ks = ksTwoSample(column.sorted, reference, { presorted: true });
  const counts = histogram(summary.edges, column.sorted);
  const w = wassersteinSorted(column.sorted, reference);
  out.test = 'ks';
  out.statistic = ks.statistic;
  out.pValue = ks.pValue;
  out.psi = psi(summary.counts, counts);
  out.jensenShannon = jensenShannon(summary.counts, counts);
  out.wasserstein = w;
  out.wassersteinStd = summary.std > 0 ? w / summary.std : null;
  return out;
}

function compareCategorical(profile: FeatureProfile, column: WindowColumn): FeatureDrift {
  const out = emptyDrift(profile, column, 'test');
  out.reasons = [];
  const base = profile.categories ?? {};
  const keys = [...new Set([...Object.keys(base), ...(column.categories?.keys() ?? [])])].sort();
  const ref = keys.map((k) => base[k] ?? 0);
  const cur = keys.map((k) => column.categories?.get(k) ?? 0);
  const chi = chiSquareContingency([ref, cur]);
  out.test = 'chi2';
  out.statistic = chi.statistic;
  out.pValue = chi.pValue;
  out.psi = psi(ref, cur);
  out.jensenShannon = jensenShannon(ref, cur);
  return out;
}

/** Compares one feature; the p-value is adjusted later, across features. */
export function compareFeature(
  profile: FeatureProfile,
  column: WindowColumn,
  rule: DriftRule,
): FeatureDrift {
  let drift: FeatureDrift;
  const rows = column.sorted.length + sumCategories(column);
  if (profile.type === 'empty') drift = emptyDrift(profile, column, 'baseline has no values');
  else if (rows === 0) drift = emptyDrift(profile, column, 'no values in window');
  else if (rows < rule.minRows)
    drift = emptyDrift(profile, column, `fewer than ${rule.minRows} values in window`);
  else if (profile.type === 'numeric' && profile.numeric)
    drift = compareNumeric(profile, profile.numeric, column, rule);
  else if (profile.type === 'categorical') drift = compareCategorical(profile, column);
  else drift = emptyDrift(profile, column, 'baseline has no finite values');
  if (drift.missingRate - drift.baselineMissingRate >= rule.missingRate) {
    drift.drifted = true;
    drift.reasons.push('missing');
  }
  return drift;
}

function applyRule(features: FeatureDrift[], rule: DriftRule): void {
  const tested = features.filter((f) => f.pValue !== null && !Number.isNaN(f.pValue));
  const adjusted = adjustPValues(
    tested.map((f) => f.pValue!),
    rule.correction,
  );
  tested.forEach((f, i) => {
    f.adjustedPValue = adjusted[i]!;
    if (f.adjustedPValue < rule.alpha) f.reasons.push('test');
    if (f.psi !== null && f.psi >= rule.psi) f.reasons.push('psi');
    if (f.reasons.includes('test') || f.reasons.includes('psi')) f.drifted = true;
  });
  for (const f of features) {
    for (const k of [
      'statistic',
      'pValue',
      'adjustedPValue',
      'psi',
      'jensenShannon',
      'wasserstein',
      'wassersteinStd',
    ] as const)
      f[k] = round(f[k]);
  }
}

/**
 * Compares window columns (in baseline feature order) with the baseline. A feature counts
 * as compared when it was tested or its missing share rose; the data set drifts when the
 * drifted share of compared features reaches `rule.datasetShare`.
 */
export function compareToBaseline(
  baseline: BaselineProfile,
  columns: WindowColumn[],
  rule: DriftRule = DEFAULT_DRIFT_RULE,
  prediction?: WindowColumn,
  confidence?: WindowColumn,
): DriftComparison {
  const features = baseline.features.map((p, i) =>
    compareFeature(
      p,
      columns[i] ?? { name: p.name, sorted: new Float64Array(0), missing: 0, infinite: 0 },
      rule,
    ),
  );
  applyRule(features, rule);
  const compared = features.filter((f) => f.test !== null || f.reasons.includes('missing')).length;
  const drifted = features.filter((f) => f.drifted).map((f) => f.name);
  const share = compared === 0 ? 0 : drifted.length / compared;
  const result: DriftComparison = {
    baseline: baseline.name,
    rows: Math.max(
      0,
      ...columns.map((c) => c.sorted.length + c.missing + c.infinite + sumCategories(c)),
    ),
    features,
    drifted,
    compared,
    share,
    datasetDrift: compared > 0 && share >= rule.datasetShare,
    rule,
  };
  // Predictions and confidences are judged on their own, outside the features' correction.
  const single = { ...rule, correction: 'none' as const };
  if (prediction && baseline.prediction) {
    result.prediction = compareFeature(baseline.prediction, prediction, rule);
    applyRule([result.prediction], single);
  }
  if (confidence && baseline.confidence) {
    result.confidence = compareFeature(baseline.confidence, confidence, rule);
    applyRule([result.confidence], single);
  }
  return result;
}

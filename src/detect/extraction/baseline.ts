import { ExtractionErrorCodes, extractionError } from './errors.js';

/**
 * What "normal input" looks like for one model, learnt from its reference split: per-feature
 * range and scale, and the outlier-score threshold that a `quantile` share of reference rows
 * stays under.
 */
export interface ModelBaseline {
  readonly model: string;
  readonly featureCount: number;
  readonly classCount: number;
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly outlierThreshold: number;
}

export interface BaselineOptions {
  readonly model: string;
  readonly classCount: number;
  /** Share of reference rows whose outlier score must stay under the threshold (default 0.999). */
  readonly quantile?: number;
}

function columnStats(rows: readonly (readonly number[])[], d: number) {
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (const row of rows) {
    if (row.length !== d) {
      throw extractionError(
        ExtractionErrorCodes.BASELINE_INVALID,
        `reference row has ${row.length} features, expected ${d}`,
      );
    }
    for (let j = 0; j < d; j += 1) {
      const v = row[j]!;
      if (!Number.isFinite(v)) {
        throw extractionError(
          ExtractionErrorCodes.BASELINE_INVALID,
          `reference value at feature ${j} is not finite`,
        );
      }
      min[j] = Math.min(min[j]!, v);
      max[j] = Math.max(max[j]!, v);
      mean[j]! += v;
      sq[j]! += v * v;
    }
  }
  const n = rows.length;
  const scale = mean.map((s, j) => {
    const m = s / n;
    const sd = Math.sqrt(Math.max(0, sq[j]! / n - m * m));
    // A constant feature would make any change infinitely surprising; floor the scale.
    return Math.max(sd, 1e-3 * (max[j]! - min[j]!), 1e-6);
  });
  return { min, max, mean: mean.map((s) => s / n), scale };
}

/** Builds the baseline from reference rows (feature columns only). */
export function buildModelBaseline(
  rows: readonly (readonly number[])[],
  options: BaselineOptions,
): ModelBaseline {
  if (rows.length < 10) {
    throw extractionError(
      ExtractionErrorCodes.BASELINE_INVALID,
      `need at least 10 reference rows, got ${rows.length}`,
    );
  }
  const d = rows[0]!.length;
  const stats = columnStats(rows, d);
  const partial = {
    model: options.model,
    featureCount: d,
    classCount: options.classCount,
    ...stats,
    outlierThreshold: Infinity,
  };
  const scores = rows
    .map((r) => outlierScore(partial, standardizeRow(partial, r)))
    .sort((a, b) => a - b);
  const q = options.quantile ?? 0.999;
  const top = scores[Math.min(scores.length - 1, Math.ceil(q * scores.length) - 1)]!;
  // Reference splits are small: widen the empirical quantile so unseen natural rows pass.
  return Object.freeze({ ...partial, outlierThreshold: top * 1.25 });
}

/** (x - mean) / scale, the space every distance in this module is measured in. */
export function standardizeRow(baseline: ModelBaseline, row: readonly number[]): Float64Array {
  const z = new Float64Array(baseline.featureCount);
  for (let j = 0; j < z.length; j += 1)
    z[j] = ((row[j] ?? 0) - baseline.mean[j]!) / baseline.scale[j]!;
  return z;
}

/** Root mean square of the standardised row: how far from the reference mass it sits. */
export function outlierScore(_baseline: ModelBaseline, z: Float64Array): number {
  let s = 0;
  for (let j = 0; j < z.length; j += 1) s += Math.min(z[j]! * z[j]!, 1e6);
  return Math.sqrt(s / z.length);
}

/** Number of features outside the reference range widened by `slack` of the range. */
export function rangeViolations(
  baseline: ModelBaseline,
  row: readonly number[],
  slack = 0.1,
): number {
  let count = 0;
  for (let j = 0; j < baseline.featureCount; j += 1) {
    const lo = baseline.min[j]!;
    const hi = baseline.max[j]!;
    const pad = slack * (hi - lo);
    const v = row[j]!;
    if (v < lo - pad || v > hi + pad) count += 1;
  }
  return count;
}

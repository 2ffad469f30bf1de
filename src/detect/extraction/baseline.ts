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
  /** Inverse Cholesky factor of the shrunk correlation matrix, row-major lower triangle. */
  readonly whitening: readonly number[];
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
  const sds = mean.map((s, j) => Math.sqrt(Math.max(0, sq[j]! / n - (s / n) ** 2)));
  // A (nearly) constant feature would make any change infinitely surprising: floor each
  // scale at a tenth of the median feature scale.
  const floor = Math.max(1e-6, 0.1 * [...sds].sort((a, b) => a - b)[Math.floor(d / 2)]!);
  const scale = sds.map((sd) => Math.max(sd, floor));
  return { min, max, mean: mean.map((s) => s / n), scale };
}

/**
 * L^-1 for the correlation matrix shrunk towards the identity (R' = (1-a)R + aI, a = 0.2),
 * so the outlier score is a Mahalanobis distance that stays stable on small reference sets
 * and sees broken correlations (radius without the matching area) that per-feature scores miss.
 */
function whiteningFactor(zs: readonly Float64Array[], d: number, shrink = 0.2): number[] {
  const r = new Float64Array(d * d);
  for (const z of zs)
    for (let i = 0; i < d; i += 1) for (let j = 0; j <= i; j += 1) r[i * d + j]! += z[i]! * z[j]!;
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let v = (1 - shrink) * (r[i * d + j]! / zs.length) + (i === j ? shrink : 0);
      for (let k = 0; k < j; k += 1) v -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = i === j ? Math.sqrt(Math.max(v, 1e-9)) : v / l[j * d + j]!;
    }
  }
  // Invert the lower-triangular factor by forward substitution, column by column.
  const inv = new Float64Array(d * d);
  for (let c = 0; c < d; c += 1) {
    for (let i = c; i < d; i += 1) {
      let v = i === c ? 1 : 0;
      for (let k = c; k < i; k += 1) v -= l[i * d + k]! * inv[k * d + c]!;
      inv[i * d + c] = v / l[i * d + i]!;
    }
  }
  return Array.from(inv);
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
  const plain = {
    model: options.model,
    featureCount: d,
    classCount: options.classCount,
    ...stats,
    whitening: [] as number[],
    outlierThreshold: Infinity,
  };
  const zs = rows.map((r) => standardizeRow(plain, r));
  const partial = { ...plain, whitening: whiteningFactor(zs, d) };
  const packed = packWhitening(partial);
  const scores = zs.map((z) => outlierScore(partial, z, packed)).sort((a, b) => a - b);
  const q = options.quantile ?? 0.999;
  const top = scores[Math.min(scores.length - 1, Math.ceil(q * scores.length) - 1)]!;
  // Reference splits are small: widen the empirical quantile so unseen natural rows pass.
  return Object.freeze({ ...partial, outlierThreshold: top * 1.15 });
}

/** (x - mean) / scale, the space every distance in this module is measured in. */
export function standardizeRow(
  baseline: ModelBaseline,
  row: readonly number[],
  into: Float64Array = new Float64Array(baseline.featureCount),
): Float64Array {
  const z = into;
  for (let j = 0; j < z.length; j += 1)
    z[j] = ((row[j] ?? 0) - baseline.mean[j]!) / baseline.scale[j]!;
  return z;
}

/** The lower triangle of the whitening factor, row by row, for `outlierScore` (built once per detector). */
export function packWhitening(baseline: ModelBaseline): Float64Array {
  const d = baseline.featureCount;
  const packed = new Float64Array((d * (d + 1)) / 2);
  let at = 0;
  for (let i = 0; i < d; i += 1)
    for (let k = 0; k <= i; k += 1) packed[at++] = baseline.whitening[i * d + k]!;
  return packed;
}

/** Mahalanobis distance of the standardised row per sqrt(feature): how far from the reference mass. */
export function outlierScore(
  baseline: ModelBaseline,
  z: Float64Array,
  packed: Float64Array = packWhitening(baseline),
): number {
  const d = z.length;
  const p = packed;
  let s = 0;
  let i = 0;
  // Four rows at once: four independent sums (each in the same order as one row alone, so
  // the result is bit-identical) keep the floating-point adder busy instead of waiting.
  for (; i + 3 < d; i += 4) {
    const b0 = (i * (i + 1)) / 2;
    const b1 = b0 + i + 1;
    const b2 = b1 + i + 2;
    const b3 = b2 + i + 3;
    let v0 = 0;
    let v1 = 0;
    let v2 = 0;
    let v3 = 0;
    for (let k = 0; k <= i; k += 1) {
      const zk = z[k]!;
      v0 += p[b0 + k]! * zk;
      v1 += p[b1 + k]! * zk;
      v2 += p[b2 + k]! * zk;
      v3 += p[b3 + k]! * zk;
    }
    const z1 = z[i + 1]!;
    v1 += p[b1 + i + 1]! * z1;
    v2 += p[b2 + i + 1]! * z1;
    v3 += p[b3 + i + 1]! * z1;
    const z2 = z[i + 2]!;
    v2 += p[b2 + i + 2]! * z2;
    v3 += p[b3 + i + 2]! * z2;
    v3 += p[b3 + i + 3]! * z[i + 3]!;
    s += v0 * v0;
    s += v1 * v1;
    s += v2 * v2;
    s += v3 * v3;
  }
  for (; i < d; i += 1) {
    let v = 0;
    const base = (i * (i + 1)) / 2;
    for (let k = 0; k <= i; k += 1) v += p[base + k]! * z[k]!;
    s += v * v;
  }
  return Math.sqrt(s / d);
}

/** Number of features outside the reference range widened by `slack` of the range. */
export function rangeViolations(
  baseline: ModelBaseline,
  row: readonly number[],
  slack = 1,
): number {
  let count = 0;
  for (let j = 0; j < baseline.featureCount; j += 1) {
    const lo = baseline.min[j]!;
    const hi = baseline.max[j]!;
    const pad = slack * (hi - lo) + 3 * baseline.scale[j]!;
    const v = row[j]!;
    if (v < lo - pad || v > hi + pad) count += 1;
  }
  return count;
}

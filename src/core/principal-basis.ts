import { AppError, CoreErrorCodes } from './errors.js';

/**
 * Whitened principal components of a set of rows: standardise each feature, then project on the
 * top components of the correlation matrix scaled to unit variance. The decoy watermark keys
 * its direction here so that the key lives where the data varies (a surrogate can learn it) and
 * every component weighs the same (correlated features do not dominate).
 */
export interface PrincipalBasis {
  readonly featureCount: number;
  readonly components: number;
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** Component vectors (unit length, over standardised features), largest variance first. */
  readonly vectors: readonly (readonly number[])[];
  readonly variances: readonly number[];
  /** Whitened coordinates of a row on the components. */
  project(row: readonly number[]): number[];
  /** A row in feature space with the given whitened coordinates (the inverse on the span). */
  synthesise(coordinates: readonly number[]): number[];
}

export function principalBasis(
  rows: readonly (readonly number[])[],
  wanted: number,
): PrincipalBasis {
  const d = rows[0]?.length ?? 0;
  if (rows.length < 3 || d < 1 || rows.some((r) => r.length !== d || r.some((v) => !isFinite(v))))
    throw new AppError(
      CoreErrorCodes.DECOY_WATERMARK_INVALID,
      `the reference needs at least 3 rows of ${d || 'the same number of'} finite features (got ${rows.length} rows)`,
      { status: 400 },
    );
  const n = rows.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((a, r) => a + r[j]!, 0) / n);
  const scale = Array.from(
    { length: d },
    (_, j) => Math.sqrt(rows.reduce((a, r) => a + (r[j]! - mean[j]!) ** 2, 0) / n) || 1,
  );
  const z = rows.map((r) => r.map((v, j) => (v - mean[j]!) / scale[j]!));
  const cov = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => z.reduce((a, r) => a + r[i]! * r[j]!, 0) / n),
  );
  const { values, vectors } = symmetricEigen(cov);
  const order = values
    .map((v, i) => [v, i] as const)
    .filter(([v]) => v > 1e-9 * Math.max(1, values[0] ?? 1))
    .sort((a, b) => b[0] - a[0])
    .slice(0, Math.max(1, Math.min(wanted, d)));
  const comps = order.map(([, i]) => vectors.map((row) => row[i]!));
  const variances = order.map(([v]) => v);
  return {
    featureCount: d,
    components: comps.length,
    mean,
    scale,
    vectors: comps,
    variances,
    project(row) {
      return comps.map(
        (v, c) =>
          v.reduce((a, vj, j) => a + vj * (((row[j] ?? 0) - mean[j]!) / scale[j]!), 0) /
          Math.sqrt(variances[c]!),
      );
    },
    synthesise(coordinates) {
      return mean.map(
        (m, j) =>
          m +
          scale[j]! *
            comps.reduce(
              (a, v, c) => a + v[j]! * (coordinates[c] ?? 0) * Math.sqrt(variances[c]!),
              0,
            ),
      );
    },
  };
}

/** Cyclic Jacobi rotations: eigenvalues and eigenvectors (columns) of a symmetric matrix. */
export function symmetricEigen(matrix: readonly (readonly number[])[]): {
  values: number[];
  vectors: number[][];
} {
  const n = matrix.length;
  const a = matrix.map((r) => [...r]);
  const v = a.map((_, i) => a.map((__, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep += 1) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p += 1) {
      diag += a[p]![p]! ** 2;
      for (let q = p + 1; q < n; q += 1) off += a[p]![q]! ** 2;
    }
    if (off <= 1e-24 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n; p += 1)
      for (let q = p + 1; q < n; q += 1) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k += 1) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k += 1) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k += 1) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: a.map((r, i) => r[i]!), vectors: v };
}

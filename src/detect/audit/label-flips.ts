// Label-flip suspects: candidate rows whose label few of their k nearest neighbours share
// (a kNN disagreement filter; Brodley & Friedl 1999, "Identifying mislabeled training data").
// Neighbours come from a pool of trusted baseline rows and other candidate rows, capped by
// even thinning so that the cost stays rows × pool × features, with rows × pool ≤ 6·10⁷.
import type { FeatureMatrix } from './feature-matrix.js';

export interface LabelFlipSuspect {
  row: number;
  label: string;
  neighbourMajority: string;
  agreement: number; // share of the k neighbours with the row's own label
}

export interface LabelFlipOptions {
  k: number;
  maxAgreement: number; // flag when agreement ≤ this
  maxPool: number;
  /** 'mixed': trusted rows and other candidate rows; 'trusted': baseline rows only. */
  pool: 'mixed' | 'trusted';
}

interface Pool {
  values: Float64Array;
  labels: string[];
  candidateRow: Int32Array; // -1 for baseline rows
  size: number;
}

function buildPool(
  baseline: FeatureMatrix,
  candidate: FeatureMatrix,
  maxPool: number,
  mode: LabelFlipOptions['pool'],
): Pool {
  const picks: [FeatureMatrix, number, number][] = [];
  const take = (m: FeatureMatrix, share: number, isCandidate: boolean) => {
    const n = Math.min(m.rows, Math.max(0, Math.floor(share)));
    for (let i = 0; i < n; i++) {
      const r = n === m.rows ? i : Math.floor((i * m.rows) / n);
      if (m.labels[r] !== null) picks.push([m, r, isCandidate ? r : -1]);
    }
  };
  // Mixed: up to half trusted rows, the rest candidate rows. Trusted-only cannot be outvoted
  // by poisoned neighbours but needs enough trusted rows per class.
  const baseShare = Math.min(baseline.rows, mode === 'trusted' ? maxPool : maxPool / 2);
  take(baseline, baseShare, false);
  if (mode === 'mixed') take(candidate, maxPool - baseShare, true);
  const dims = candidate.dims;
  const values = new Float64Array(picks.length * dims);
  picks.forEach(([m, r], i) => {
    for (let f = 0; f < dims; f++) {
      const v = m.values[r * dims + f]!;
      values[i * dims + f] = Number.isNaN(v) ? 0 : v; // missing → the baseline mean
    }
  });
  return {
    values,
    labels: picks.map(([m, r]) => m.labels[r]!),
    candidateRow: Int32Array.from(picks.map((p) => p[2])),
    size: picks.length,
  };
}

/** Flags candidate rows whose label disagrees with their nearest neighbours. */
/** Indices of the k nearest pool points to `row` (squared Euclidean), skipping `self`. */
function nearest(
  row: Float64Array,
  pool: Pool,
  self: number,
  bestD: Float64Array,
  bestI: Int32Array,
): void {
  const dims = row.length;
  const k = bestD.length;
  const pv = pool.values;
  bestD.fill(Infinity);
  let worst = Infinity;
  for (let p = 0; p < pool.size; p++) {
    if (p === self) continue;
    // Four accumulators let the engine overlap the multiplies (about 2× a single sum).
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    const b = p * dims;
    let f = 0;
    for (; f + 3 < dims; f += 4) {
      const e0 = row[f]! - pv[b + f]!;
      const e1 = row[f + 1]! - pv[b + f + 1]!;
      const e2 = row[f + 2]! - pv[b + f + 2]!;
      const e3 = row[f + 3]! - pv[b + f + 3]!;
      d0 += e0 * e0;
      d1 += e1 * e1;
      d2 += e2 * e2;
      d3 += e3 * e3;
    }
    for (; f < dims; f++) {
      const e = row[f]! - pv[b + f]!;
      d0 += e * e;
    }
    const d = d0 + d1 + d2 + d3;
    if (d >= worst) continue;
    let j = k - 1;
    while (j > 0 && bestD[j - 1]! > d) {
      bestD[j] = bestD[j - 1]!;
      bestI[j] = bestI[j - 1]!;
      j--;
    }
    bestD[j] = d;
    bestI[j] = p;
    worst = bestD[k - 1]!;
  }
}

/** Flags candidate rows whose label disagrees with their nearest neighbours. */
export function findLabelFlips(
  baseline: FeatureMatrix,
  candidate: FeatureMatrix,
  options: LabelFlipOptions,
): LabelFlipSuspect[] {
  // Keep rows × pool ≤ 6·10⁷ distance evaluations (about 2 s at 30 features).
  const budget = Math.max(200, Math.floor(6e7 / Math.max(1, candidate.rows)));
  const pool = buildPool(baseline, candidate, Math.min(options.maxPool, budget), options.pool);
  const selfIndex = new Map<number, number>();
  pool.candidateRow.forEach((r, p) => r >= 0 && selfIndex.set(r, p));
  const dims = candidate.dims;
  const k = Math.min(options.k, pool.size - 1);
  if (k < 1) return [];
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  const row = new Float64Array(dims);
  const out: LabelFlipSuspect[] = [];
  for (let r = 0; r < candidate.rows; r++) {
    const label = candidate.labels[r];
    if (label === null || label === undefined) continue;
    for (let f = 0; f < dims; f++) {
      const v = candidate.values[r * dims + f]!;
      row[f] = Number.isNaN(v) ? 0 : v; // missing → the baseline mean
    }
    nearest(row, pool, selfIndex.get(r) ?? -1, bestD, bestI);
    const votes = new Map<string, number>();
    for (let j = 0; j < k; j++) {
      const l = pool.labels[bestI[j]!]!;
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    const agreement = (votes.get(label) ?? 0) / k;
    if (agreement <= options.maxAgreement) {
      const majority = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
      out.push({ row: r, label, neighbourMajority: majority, agreement });
    }
  }
  return out;
}

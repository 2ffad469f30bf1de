// Nearest neighbours of every candidate row, found separately among trusted (baseline) rows and
// among the other candidate rows. A row's distances leave out its own features that lie beyond
// the baseline's fences (outliers.ts): a trigger stamped far past the range (fixed or jittered)
// then neither pulls a poisoned row toward its fellow poisoned rows nor away from the rows of
// its true class, so the label vote sees the class the rest of the row belongs to. The pool is
// capped by even thinning so that the cost stays rows × pool × features, rows × pool ≤ 6·10⁷.
import type { FeatureMatrix } from './feature-matrix.js';

export interface NeighbourPool {
  values: Float64Array; // row-major, missing cells as 0 (the baseline mean)
  labels: string[];
  /** Candidate row of each pool entry, -1 for a trusted (baseline) row. */
  candidateRow: Int32Array;
  /** Baseline row of each pool entry, -1 for a candidate row. */
  baselineRow: Int32Array;
  size: number;
  trustedSize: number; // entries [0, trustedSize) are trusted rows
}

/** Per candidate row, the k nearest trusted and the k nearest candidate pool entries. */
export interface Neighbours {
  k: number;
  trusted: Int32Array; // rows × k pool indices, nearest first, -1 when fewer exist
  trustedDistance: Float64Array; // squared distances over the row's in-fence features
  candidate: Int32Array;
  candidateDistance: Float64Array;
}

export interface NeighbourOptions {
  k: number;
  maxPool: number;
  /** Standardised fences per feature: a row's features outside them leave its distances. */
  low: Float64Array;
  high: Float64Array;
}

function buildPool(baseline: FeatureMatrix, candidate: FeatureMatrix, maxPool: number) {
  const picks: [FeatureMatrix, number, boolean][] = [];
  const take = (m: FeatureMatrix, share: number, isCandidate: boolean) => {
    const n = Math.min(m.rows, Math.max(0, Math.floor(share)));
    for (let i = 0; i < n; i++) {
      const r = n === m.rows ? i : Math.floor((i * m.rows) / n);
      if (m.labels[r] !== null) picks.push([m, r, isCandidate]);
    }
  };
  // Up to half trusted rows (more when the candidate is small), the rest candidate rows.
  const baseShare = Math.min(baseline.rows, Math.max(maxPool / 2, maxPool - candidate.rows));
  take(baseline, baseShare, false);
  take(candidate, maxPool - Math.min(baseline.rows, baseShare), true);
  const dims = candidate.dims;
  const values = new Float64Array(picks.length * dims);
  picks.forEach(([m, r], i) => {
    for (let f = 0; f < dims; f++) {
      const v = m.values[r * dims + f]!;
      values[i * dims + f] = Number.isNaN(v) ? 0 : v;
    }
  });
  const pool: NeighbourPool = {
    values,
    labels: picks.map(([m, r]) => m.labels[r]!),
    candidateRow: Int32Array.from(picks.map(([, r, c]) => (c ? r : -1))),
    baselineRow: Int32Array.from(picks.map(([, r, c]) => (c ? -1 : r))),
    size: picks.length,
    trustedSize: picks.filter(([, , c]) => !c).length,
  };
  return pool;
}

/** Squared distance over all features; Infinity once it reaches `worst`. */
function fullDistance(row: Float64Array, pv: Float64Array, base: number, worst: number): number {
  const dims = row.length;
  let sum = 0;
  let f = 0;
  for (; f + 7 < dims; f += 8) {
    // Independent products let the engine overlap the multiplies.
    const e0 = row[f]! - pv[base + f]!;
    const e1 = row[f + 1]! - pv[base + f + 1]!;
    const e2 = row[f + 2]! - pv[base + f + 2]!;
    const e3 = row[f + 3]! - pv[base + f + 3]!;
    const e4 = row[f + 4]! - pv[base + f + 4]!;
    const e5 = row[f + 5]! - pv[base + f + 5]!;
    const e6 = row[f + 6]! - pv[base + f + 6]!;
    const e7 = row[f + 7]! - pv[base + f + 7]!;
    sum += e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3 + (e4 * e4 + e5 * e5 + e6 * e6 + e7 * e7);
    if (sum >= worst) return Infinity;
  }
  for (; f < dims; f++) {
    const e = row[f]! - pv[base + f]!;
    sum += e * e;
  }
  return sum;
}

/** Squared distance over the row's active features; Infinity once it reaches `worst`. */
function maskedDistance(
  row: Float64Array,
  active: Int32Array,
  pv: Float64Array,
  base: number,
  worst: number,
): number {
  let sum = 0;
  let i = 0;
  for (; i + 3 < active.length; i += 4) {
    const e0 = row[active[i]!]! - pv[base + active[i]!]!;
    const e1 = row[active[i + 1]!]! - pv[base + active[i + 1]!]!;
    const e2 = row[active[i + 2]!]! - pv[base + active[i + 2]!]!;
    const e3 = row[active[i + 3]!]! - pv[base + active[i + 3]!]!;
    sum += e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3;
    if (sum >= worst) return Infinity;
  }
  for (; i < active.length; i++) {
    const e = row[active[i]!]! - pv[base + active[i]!]!;
    sum += e * e;
  }
  return sum;
}

/** Inserts (d, p) into the sorted k-best lists at `at`; returns the new worst distance. */
function insert(dist: Float64Array, idx: Int32Array, at: number, k: number, d: number, p: number) {
  let j = k - 1;
  while (j > 0 && dist[at + j - 1]! > d) {
    dist[at + j] = dist[at + j - 1]!;
    idx[at + j] = idx[at + j - 1]!;
    j--;
  }
  dist[at + j] = d;
  idx[at + j] = p;
  return dist[at + k - 1]!;
}

/** The k nearest trusted and candidate neighbours of every labelled candidate row. */
export function findNeighbours(
  baseline: FeatureMatrix,
  candidate: FeatureMatrix,
  options: NeighbourOptions,
): { pool: NeighbourPool; neighbours: Neighbours } {
  // Keep rows × pool ≤ 6·10⁷ distance evaluations (about 2 s at 30 features).
  const budget = Math.max(200, Math.floor(6e7 / Math.max(1, candidate.rows)));
  const pool = buildPool(baseline, candidate, Math.min(options.maxPool, budget));
  const selfIndex = new Map<number, number>();
  pool.candidateRow.forEach((r, p) => r >= 0 && selfIndex.set(r, p));
  const dims = candidate.dims;
  const k = Math.max(1, options.k);
  const n = candidate.rows * k;
  const out: Neighbours = {
    k,
    trusted: new Int32Array(n).fill(-1),
    trustedDistance: new Float64Array(n).fill(Infinity),
    candidate: new Int32Array(n).fill(-1),
    candidateDistance: new Float64Array(n).fill(Infinity),
  };
  const row = new Float64Array(dims);
  const activeAll = new Int32Array(dims);
  for (let r = 0; r < candidate.rows; r++) {
    if (candidate.labels[r] === null) continue;
    let na = 0;
    for (let f = 0; f < dims; f++) {
      const v = candidate.values[r * dims + f]!;
      row[f] = Number.isNaN(v) ? 0 : v;
      if (row[f]! >= options.low[f]! && row[f]! <= options.high[f]!) activeAll[na++] = f;
    }
    const active = activeAll.subarray(0, na);
    const self = selfIndex.get(r) ?? -1;
    const at = r * k;
    // The pool holds its trusted rows first, then its candidate rows.
    const scan = (from: number, to: number, dist: Float64Array, idx: Int32Array) => {
      let worst = Infinity;
      for (let p = from; p < to; p++) {
        if (p === self) continue;
        const d =
          na === dims
            ? fullDistance(row, pool.values, p * dims, worst)
            : maskedDistance(row, active, pool.values, p * dims, worst);
        if (d < worst) worst = insert(dist, idx, at, k, d, p);
      }
    };
    scan(0, pool.trustedSize, out.trustedDistance, out.trusted);
    scan(pool.trustedSize, pool.size, out.candidateDistance, out.candidate);
  }
  return { pool, neighbours: out };
}

// Quantiles and bin edges. Quantiles interpolate linearly between order statistics
// (Hyndman & Fan type 7, numpy's default), so reference values are easy to reproduce.

/** The q-quantile (0 ≤ q ≤ 1) of a sorted array, numpy 'linear' method. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return frac === 0 ? a : a + (b - a) * frac;
}

/**
 * Interior bin edges at the reference quantiles k/bins (k = 1..bins-1), duplicates removed.
 * Bins are [e_k, e_k+1) with the outer two open to ±∞, so a window value beyond the
 * reference range still lands in a bin. A constant column yields one edge and two bins.
 */
export function quantileEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(sorted, k / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  if (edges.length === 0 && sorted.length > 0) edges.push(sorted[0]!);
  return edges;
}

/** Index of the bin holding x: the number of edges ≤ x (binary search). */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts of values per bin for the given interior edges (edges.length + 1 bins). */
export function histogram(edges: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) counts[binIndex(edges, values[i]!)]! += 1;
  return counts;
}

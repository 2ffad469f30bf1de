// Distances between two samples or two histograms: Wasserstein-1 (scipy.stats.
// wasserstein_distance), Jensen–Shannon distance (scipy.spatial.distance.jensenshannon with
// base 2, so it lies in [0, 1]) and the population stability index.
import { relEntr } from './special.js';

/**
 * Wasserstein-1 distance between two empirical distributions, both sorted ascending:
 * ∫ |F_u(t) - F_v(t)| dt over the pooled sample, as scipy integrates it.
 */
export function wassersteinSorted(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) return NaN;
  let i = 0;
  let j = 0;
  let sum = 0;
  let prev = Math.min(u[0]!, v[0]!);
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    sum += Math.abs(i / nu - j / nv) * (x - prev);
    prev = x;
    while (i < nu && u[i]! <= x) i++;
    while (j < nv && v[j]! <= x) j++;
  }
  return sum;
}

/** Wasserstein-1 distance between two unsorted samples of finite numbers. */
export function wasserstein(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const su = Float64Array.from(u as ArrayLike<number>).sort();
  const sv = Float64Array.from(v as ArrayLike<number>).sort();
  return wassersteinSorted(su, sv);
}

/**
 * Jensen–Shannon distance between two histograms (counts or probabilities, normalised
 * here), in base 2 so that it lies in [0, 1]. NaN when either side sums to zero.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) sp += p[i]!;
  for (let i = 0; i < q.length; i++) sq += q[i]!;
  if (!(sp > 0) || !(sq > 0) || p.length !== q.length) return NaN;
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp;
    const b = q[i]! / sq;
    const m = (a + b) / 2;
    js += relEntr(a, m) + relEntr(b, m);
  }
  return Math.sqrt(Math.max(0, js / 2 / Math.LN2));
}

/** Proportions below which a bin counts as empty in PSI. */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index Σ (a_i - e_i) ln(a_i / e_i) over matching bins, where e are the
 * expected (reference) and a the actual (window) proportions; a proportion of zero is
 * replaced by `epsilon` (1e-4) without renormalising, so an empty bin costs a finite amount.
 */
export function psi(
  expectedCounts: ArrayLike<number>,
  actualCounts: ArrayLike<number>,
  epsilon: number = PSI_EPSILON,
): number {
  let se = 0;
  let sa = 0;
  for (let i = 0; i < expectedCounts.length; i++) se += expectedCounts[i]!;
  for (let i = 0; i < actualCounts.length; i++) sa += actualCounts[i]!;
  if (!(se > 0) || !(sa > 0) || expectedCounts.length !== actualCounts.length) return NaN;
  let sum = 0;
  for (let i = 0; i < expectedCounts.length; i++) {
    const e = Math.max(expectedCounts[i]! / se, epsilon);
    const a = Math.max(actualCounts[i]! / sa, epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

// Corrections for testing many features at once. Benjamini & Hochberg (1995) controls the
// false discovery rate; Bonferroni the family-wise error rate.

export const CORRECTIONS = ['bh', 'bonferroni', 'none'] as const;
export type Correction = (typeof CORRECTIONS)[number];

/** Bonferroni-adjusted p-values: min(1, p · m). */
export function bonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  return pValues.map((p) => Math.min(1, p * m));
}

/**
 * Benjamini–Hochberg adjusted p-values (scipy.stats.false_discovery_control(method='bh')):
 * p_(i) · m / i, made monotone from the largest down, capped at 1. NaN stays NaN.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const idx = pValues.map((_, i) => i).filter((i) => !Number.isNaN(pValues[i]!));
  idx.sort((a, b) => pValues[a]! - pValues[b]!);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r]!;
    running = Math.min(running, (pValues[i]! * m) / (r + 1));
    out[i] = running;
  }
  return out;
}

/** Adjusted p-values under the named correction. */
export function adjustPValues(pValues: readonly number[], correction: Correction): number[] {
  if (correction === 'bh') return benjaminiHochberg(pValues);
  if (correction === 'bonferroni') return bonferroni(pValues);
  return [...pValues];
}

// Chi-square tests for categorical features, as scipy.stats.chisquare (goodness of fit) and
// scipy.stats.chi2_contingency (homogeneity, with Yates' correction when dof = 1) compute them.
import { chiSquareSf } from './special.js';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/**
 * Pearson's goodness-of-fit test of observed counts against expected counts (same total).
 * Categories with an expected count of zero must have been removed by the caller.
 */
export function chiSquareGoodnessOfFit(
  observed: ArrayLike<number>,
  expected: ArrayLike<number>,
): ChiSquareResult {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const d = observed[i]! - expected[i]!;
    stat += (d * d) / expected[i]!;
  }
  const dof = observed.length - 1;
  return { statistic: stat, pValue: chiSquareSf(stat, dof), dof };
}

/**
 * Chi-square test of independence on a contingency table (rows × columns of counts).
 * Columns whose total is zero are dropped first (scipy would refuse the table).
 */
export function chiSquareContingency(table: ArrayLike<number>[]): ChiSquareResult {
  const r = table.length;
  const cAll = r === 0 ? 0 : table[0]!.length;
  const keep: number[] = [];
  for (let j = 0; j < cAll; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += table[i]![j]!;
    if (s > 0) keep.push(j);
  }
  const rowSums = table.map((row) => keep.reduce((s, j) => s + row[j]!, 0));
  if (rowSums.some((s) => s === 0) || keep.length === 0) return { statistic: 0, pValue: 1, dof: 0 };
  const colSums = keep.map((j) => table.reduce((s, row) => s + row[j]!, 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  const dof = (r - 1) * (keep.length - 1);
  if (dof === 0) return { statistic: 0, pValue: 1, dof: 0 };
  let stat = 0;
  for (let i = 0; i < r; i++) {
    for (let k = 0; k < keep.length; k++) {
      const exp = (rowSums[i]! * colSums[k]!) / total;
      let obs = table[i]![keep[k]!]!;
      if (dof === 1) {
        // Yates' continuity correction: move each count half a unit toward its expectation.
        const diff = exp - obs;
        obs += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += ((obs - exp) * (obs - exp)) / exp;
    }
  }
  return { statistic: stat, pValue: chiSquareSf(stat, dof), dof };
}

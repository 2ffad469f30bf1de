/** Drift statistics that agree with scipy: KS, PSI, Wasserstein-1, Jensen–Shannon, chi-square. */
export { ksTwoSample, ksPValue, ksStatisticSorted, type KsResult } from './ks-test.js';
export { kolmogorovSf, smirnovSf } from './kolmogorov.js';
export { wasserstein, wassersteinSorted, jensenShannon, psi, PSI_EPSILON } from './distances.js';
export { quantileSorted, quantileEdges, binIndex, histogram } from './quantiles.js';
export {
  chiSquareGoodnessOfFit,
  chiSquareContingency,
  type ChiSquareResult,
} from './chi-square.js';
export {
  CORRECTIONS,
  type Correction,
  bonferroni,
  benjaminiHochberg,
  adjustPValues,
} from './multiple-testing.js';
export { logGamma, gammaQ, chiSquareSf } from './special.js';

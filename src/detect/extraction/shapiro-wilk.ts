import { ExtractionErrorCodes, extractionError } from './errors.js';
import { normalQuantile, normalUpper } from './normal.js';

/** The W statistic and its p-value (small W, small p: not normal). */
export interface ShapiroWilkResult {
  readonly w: number;
  readonly p: number;
  readonly n: number;
}

export const SHAPIRO_MIN_N = 3;
export const SHAPIRO_MAX_N = 5000;

// Royston (1995), Applied Statistics algorithm AS R94, polynomial coefficients.
const C1 = [0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
const C2 = [0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
const C3 = [0.544, -0.39978, 0.025054, -6.714e-4];
const C4 = [1.3822, -0.77857, 0.062767, -0.0020322];
const C5 = [-1.5861, -0.31082, -0.083751, 0.0038915];
const C6 = [-0.4803, -0.082676, 0.0030302];
const G = [-2.273, 0.459];

function poly(c: readonly number[], x: number): number {
  let result = 0;
  for (let i = c.length - 1; i >= 0; i -= 1) result = result * x + (c[i] ?? 0);
  return result;
}

const coefficientCache = new Map<number, Float64Array>();

/** The n antisymmetric weights a_i (a_1 < 0 < a_n), cached per n: PRADA asks for the same n often. */
export function shapiroCoefficients(n: number): Float64Array {
  const cached = coefficientCache.get(n);
  if (cached) return cached;
  const half = Math.floor(n / 2);
  const a = new Float64Array(n);
  const low = new Float64Array(half); // positive weights for the lower half, a_1 first
  if (n === 3) {
    low[0] = Math.SQRT1_2;
  } else {
    const m = new Float64Array(half);
    let summ2 = 0;
    for (let i = 0; i < half; i += 1) {
      m[i] = normalQuantile((i + 1 - 0.375) / (n + 0.25)); // negative for the lower half
      summ2 += m[i]! * m[i]!;
    }
    summ2 *= 2;
    const ssumm2 = Math.sqrt(summ2);
    const rsn = 1 / Math.sqrt(n);
    const a1 = poly(C1, rsn) - m[0]! / ssumm2;
    let first: number;
    let fac: number;
    if (n > 5) {
      const a2 = -m[1]! / ssumm2 + poly(C2, rsn);
      fac = Math.sqrt((summ2 - 2 * m[0]! ** 2 - 2 * m[1]! ** 2) / (1 - 2 * a1 ** 2 - 2 * a2 ** 2));
      low[1] = a2;
      first = 2;
    } else {
      fac = Math.sqrt((summ2 - 2 * m[0]! ** 2) / (1 - 2 * a1 ** 2));
      first = 1;
    }
    low[0] = a1;
    for (let i = first; i < half; i += 1) low[i] = -m[i]! / fac;
  }
  for (let i = 0; i < half; i += 1) {
    a[i] = -low[i]!;
    a[n - 1 - i] = low[i]!;
  }
  if (coefficientCache.size > 1024) coefficientCache.clear();
  coefficientCache.set(n, a);
  return a;
}

/** p-value of W for n observations (Royston 1995: normalising transform of 1 - W). */
function shapiroPValue(w: number, n: number): number {
  if (n === 3) {
    const p = (6 / Math.PI) * (Math.asin(Math.sqrt(w)) - Math.asin(Math.sqrt(0.75)));
    return Math.min(1, Math.max(0, p));
  }
  let y = Math.log(1 - w);
  let mean: number;
  let sd: number;
  if (n <= 11) {
    const gamma = poly(G, n);
    if (y >= gamma) return 1e-99;
    y = -Math.log(gamma - y);
    mean = poly(C3, n);
    sd = Math.exp(poly(C4, n));
  } else {
    const ln = Math.log(n);
    mean = poly(C5, ln);
    sd = Math.exp(poly(C6, ln));
  }
  return normalUpper((y - mean) / sd);
}

/**
 * Shapiro–Wilk W for values already sorted ascending (no copy: PRADA keeps its distances
 * sorted). Royston's centred form keeps 1 - W accurate when W is close to 1.
 */
export function shapiroWilkSorted(sorted: ArrayLike<number>): ShapiroWilkResult {
  const n = sorted.length;
  if (n < SHAPIRO_MIN_N || n > SHAPIRO_MAX_N) {
    throw extractionError(
      ExtractionErrorCodes.SHAPIRO_SAMPLE_SIZE,
      `Shapiro–Wilk needs ${SHAPIRO_MIN_N} to ${SHAPIRO_MAX_N} values, got ${n}`,
    );
  }
  const range = sorted[n - 1]! - sorted[0]!;
  if (!Number.isFinite(range)) {
    throw extractionError(
      ExtractionErrorCodes.SHAPIRO_NOT_FINITE,
      'Shapiro–Wilk got a non-finite value',
    );
  }
  if (range === 0) return { w: 1, p: 1, n };
  const a = shapiroCoefficients(n);
  let meanX = 0;
  let meanA = 0;
  for (let i = 0; i < n; i += 1) {
    meanX += sorted[i]! / range;
    meanA += a[i]!;
  }
  meanX /= n;
  meanA /= n;
  let ssa = 0;
  let ssx = 0;
  let sax = 0;
  for (let i = 0; i < n; i += 1) {
    const da = a[i]! - meanA;
    const dx = sorted[i]! / range - meanX;
    ssa += da * da;
    ssx += dx * dx;
    sax += da * dx;
  }
  const root = Math.sqrt(ssa * ssx);
  const w1 = ((root - sax) * (root + sax)) / (ssa * ssx);
  const w = Math.max(0, 1 - w1);
  return { w, p: shapiroPValue(w, n), n };
}

/** Shapiro–Wilk test of normality (Royston 1995, AS R94), for 3 <= n <= 5000 values. */
export function shapiroWilk(values: readonly number[]): ShapiroWilkResult {
  const sorted = Float64Array.from(values).sort();
  return shapiroWilkSorted(sorted);
}

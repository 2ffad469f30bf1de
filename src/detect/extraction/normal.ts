const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;

/** erfc(x) for x >= 0, accurate to ~1e-15 relative over the range that matters here. */
function erfcNonNegative(x: number): number {
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (2n+1)!!  (all terms positive: no cancellation)
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n += 1) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x2) * sum;
  }
  // Continued fraction erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
  // evaluated with the modified Lentz method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k += 1) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** P(Z > z) for a standard normal Z, accurate in both tails. */
export function normalUpper(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return z >= 0 ? erfcNonNegative(z / SQRT2) / 2 : 1 - erfcNonNegative(-z / SQRT2) / 2;
}

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return normalUpper(-z);
}

/**
 * The standard normal quantile: the Abramowitz & Stegun 26.2.23 start (error < 4.5e-4)
 * refined by Halley steps against the accurate CDF above.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return Number.NaN;
  }
  const lower = p < 0.5;
  const q = lower ? p : 1 - p;
  const t = Math.sqrt(-2 * Math.log(q));
  let x =
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) /
      (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  x = lower ? -x : x;
  for (let i = 0; i < 3; i += 1) {
    // Phi(x) - p, computed in the tail where it is accurate.
    const err = lower ? normalCdf(x) - p : q - normalUpper(x);
    const u = err * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
    x -= u / (1 + (x * u) / 2);
  }
  return x;
}

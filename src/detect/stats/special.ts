// Special functions the drift statistics need: log-gamma, log-factorial and the regularised
// upper incomplete gamma function Q(a, x) (chi-square survival). Written for accuracy near
// machine precision on the ranges the tests use (see test/fixtures/drift/scipy-reference.json).

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Stirling series coefficients B_2k / (2k (2k-1)) for k = 1..8 (Abramowitz & Stegun 6.1.40).
const STIRLING = [
  1 / 12,
  -1 / 360,
  1 / 1260,
  -1 / 1680,
  1 / 1188,
  -691 / 360360,
  1 / 156,
  -3617 / 122400,
];

function stirlingTail(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  let sum = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) sum = sum * r2 + STIRLING[k]!;
  return sum * r;
}

/** ln Γ(x) for x > 0: the Stirling series at x ≥ 15, shifted up by the recurrence below it. */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x === 1 || x === 2) return 0;
  let shift = 0;
  let product = 1;
  while (x + shift < 15) {
    product *= x + shift;
    shift++;
  }
  const z = x + shift;
  const lg = (z - 0.5) * Math.log(z) - z + LOG_SQRT_2PI + stirlingTail(z);
  return shift === 0 ? lg : lg - Math.log(product);
}

const LOG_FACTORIALS: number[] = [0];
for (let i = 1; i <= 256; i++) LOG_FACTORIALS.push(LOG_FACTORIALS[i - 1]! + Math.log(i));

/** ln(n!) for a non-negative integer n. */
export function logFactorial(n: number): number {
  if (n <= 256) return LOG_FACTORIALS[n]!;
  return logGamma(n + 1);
}

const EPS = 2.220446049250313e-16;
const MAX_ITER = 100_000;

/** Regularised lower incomplete gamma P(a, x) by its power series (x < a + 1). */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITER; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(a * Math.log(x) - x - logGamma(a));
}

/** Regularised upper incomplete gamma Q(a, x) by its continued fraction (modified Lentz). */
function gammaQContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(a * Math.log(x) - x - logGamma(a)) * h;
}

/** Q(a, x) = Γ(a, x) / Γ(a), the survival function of a Gamma(a) variable at x. */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return 1 - gammaPSeries(a, x);
  return gammaQContinuedFraction(a, x);
}

/** Survival function of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareSf(statistic: number, df: number): number {
  if (df <= 0 || Number.isNaN(statistic)) return NaN;
  if (statistic <= 0) return 1;
  return gammaQ(df / 2, statistic / 2);
}

/** Relative entropy term x ln(x / y) with scipy.special.rel_entr's conventions. */
export function relEntr(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

import { keyedNormals, type DecoyWatermark } from '../core/index.js';

/**
 * Is a suspect model a copy trained on the decoy's watermarked answers? (docs/decoys.md)
 *
 * Both the decoy's own model and the suspect answer the same probe rows. The suspect's centred
 * log-scores, with what the decoy's own scores explain removed (one least-squares fit per class),
 * are projected on the whitened components: that is the suspect's direction beyond the decoy's.
 * The statistic is its cosine with the secret key. Under the null (the suspect never learnt from
 * the watermark) the secret is independent of everything else here, so it is exchangeable with
 * any key drawn the same way: the p-value is the rank of the secret's cosine among `nullKeys`
 * such keys, (1 + #{null ≥ observed}) / (1 + nullKeys), valid whatever the suspect is.
 */
export interface SuspectCheckOptions {
  readonly watermark: DecoyWatermark;
  readonly probes: readonly (readonly number[])[];
  /** The decoy model's own (unwatermarked) scores on the probes. */
  readonly decoyScores: readonly (readonly number[])[];
  readonly suspectScores: readonly (readonly number[])[];
  /** Keys drawn for the null distribution (default 20,000). */
  readonly nullKeys?: number;
  /** Verdict threshold on the p-value (default 0.001). */
  readonly alpha?: number;
}

export interface SuspectCheck {
  readonly probes: number;
  readonly dimensions: number;
  /** Cosine between the secret key and the suspect's direction beyond the decoy's. */
  readonly statistic: number;
  /** Mean and standard deviation of the cosine over the null keys. */
  readonly nullMean: number;
  readonly nullSd: number;
  readonly pValue: number;
  readonly alpha: number;
  readonly verdict: 'watermark-found' | 'no-evidence';
}

/** Probe rows drawn from the baseline's principal components (seeded, not secret). */
export function suspectProbes(
  watermark: DecoyWatermark,
  count = 2000,
  seed = 'probes',
): number[][] {
  const k = watermark.basis.components;
  const flat = keyedNormals(`aisoc-fingerprint-${seed}`, watermark.model, count * k);
  return Array.from({ length: count }, (_, i) =>
    watermark.basis.synthesise(flat.slice(i * k, (i + 1) * k)),
  );
}

const logs = (p: readonly number[]) => {
  const l = p.map((v) => Math.log(Math.max(v, 1e-30)));
  const m = l.reduce((a, b) => a + b, 0) / l.length;
  return l.map((v) => v - m);
};

/** The suspect's direction beyond the decoy's, class × component, centred over classes. */
export function excessDirection(
  watermark: DecoyWatermark,
  probes: readonly (readonly number[])[],
  decoyScores: readonly (readonly number[])[],
  suspectScores: readonly (readonly number[])[],
): number[][] {
  const C = watermark.classCount;
  const n = probes.length;
  const lD = decoyScores.map(logs);
  const lS = suspectScores.map(logs);
  const w = probes.map((x) => watermark.basis.project(x));
  const k = watermark.basis.components;
  const direction = Array.from({ length: C }, () => new Array<number>(k).fill(0));
  for (let c = 0; c < C; c += 1) {
    const xs = lD.map((r) => r[c]!);
    const ys = lS.map((r) => r[c]!);
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i += 1) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
    }
    const beta = sxx > 1e-12 ? sxy / sxx : 0;
    for (let i = 0; i < n; i += 1) {
      const r = ys[i]! - my - beta * (xs[i]! - mx);
      for (let j = 0; j < k; j += 1) direction[c]![j]! += (r * w[i]![j]!) / n;
    }
  }
  return centreOverClasses(direction);
}

function centreOverClasses(m: readonly (readonly number[])[]): number[][] {
  const k = m[0]?.length ?? 0;
  const mean = Array.from({ length: k }, (_, j) => m.reduce((a, r) => a + r[j]!, 0) / m.length);
  return m.map((r) => r.map((v, j) => v - mean[j]!));
}

function cosine(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((r, c) =>
    r.forEach((v, j) => {
      const u = b[c]![j]!;
      ab += v * u;
      aa += v * v;
      bb += u * u;
    }),
  );
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * What a copy learns of a key: a surrogate fitted by gradient descent (early-stopped, as most are)
 * picks up each component in proportion to its variance, so the secret is compared after the same
 * weighting. Any fixed weighting keeps the test exact; this one is the matched filter.
 */
function matchedWeights(watermark: DecoyWatermark): number[] {
  return watermark.basis.variances.map((v) => v);
}

const weigh = (key: readonly (readonly number[])[], weights: readonly number[]) =>
  key.map((r) => r.map((v, j) => v * weights[j]!));

// The null keys depend only on (model, classes, components, count): kept for the next check.
let nullCache: { id: string; keys: number[][][] } | undefined;

function nullKeySet(model: string, C: number, k: number, count: number): number[][][] {
  const id = `${model}\u0000${C}\u0000${k}\u0000${count}`;
  if (nullCache?.id === id) return nullCache.keys;
  const flat = keyedNormals('aisoc-fingerprint-null', model, count * C * k);
  const keys = Array.from({ length: count }, (_, s) =>
    centreOverClasses(
      Array.from({ length: C }, (_, c) => flat.slice((s * C + c) * k, (s * C + c + 1) * k)),
    ),
  );
  nullCache = { id, keys };
  return keys;
}

export function checkSuspect(options: SuspectCheckOptions): SuspectCheck {
  const { watermark, probes } = options;
  const nullKeys = options.nullKeys ?? 20_000;
  const alpha = options.alpha ?? 0.001;
  const direction = excessDirection(watermark, probes, options.decoyScores, options.suspectScores);
  const C = watermark.classCount;
  const k = watermark.basis.components;
  const weights = matchedWeights(watermark);
  const statistic = cosine(centreOverClasses(weigh(watermark.key, weights)), direction);
  let atLeast = 0;
  let sum = 0;
  let sumSq = 0;
  for (const key of nullKeySet(watermark.model, C, k, nullKeys)) {
    const cos = cosine(weigh(key, weights), direction);
    if (cos >= statistic) atLeast += 1;
    sum += cos;
    sumSq += cos * cos;
  }
  const pValue = (1 + atLeast) / (1 + nullKeys);
  const nullMean = sum / nullKeys;
  return {
    probes: probes.length,
    dimensions: (C - 1) * k,
    statistic,
    nullMean,
    nullSd: Math.sqrt(Math.max(0, sumSq / nullKeys - nullMean ** 2)),
    pValue,
    alpha,
    verdict: pValue < alpha ? 'watermark-found' : 'no-evidence',
  };
}

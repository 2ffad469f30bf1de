import { createRandom } from './random.js';

/**
 * The attacker's local copy: multinomial logistic regression on inputs scaled by the
 * schema ranges, trained by full-batch gradient descent. Small, fast and differentiable,
 * which is all the Jacobian-based augmentation needs.
 */
export interface Surrogate {
  readonly weights: Float64Array[]; // per class, d + 1 (bias last)
  readonly min: readonly number[];
  readonly max: readonly number[];
}

function scaled(s: Pick<Surrogate, 'min' | 'max'>, x: readonly number[]): Float64Array {
  return Float64Array.from(x, (v, j) => (v - s.min[j]!) / (s.max[j]! - s.min[j]! || 1));
}

export function surrogateProbabilities(s: Surrogate, x: readonly number[]): Float64Array {
  const u = scaled(s, x);
  const logits = s.weights.map((w) => {
    let z = w[u.length]!;
    for (let j = 0; j < u.length; j += 1) z += w[j]! * u[j]!;
    return z;
  });
  const m = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - m));
  const total = e.reduce((a, b) => a + b, 0);
  return Float64Array.from(e, (v) => v / total);
}

export function surrogateLabel(s: Surrogate, x: readonly number[]): number {
  const p = surrogateProbabilities(s, x);
  let best = 0;
  for (let c = 1; c < p.length; c += 1) if (p[c]! > p[best]!) best = c;
  return best;
}

/** d p_c / d x of the surrogate (the Jacobian row Papernot et al. augment along). */
export function surrogateGradient(s: Surrogate, x: readonly number[], c: number): number[] {
  const p = surrogateProbabilities(s, x);
  const d = x.length;
  return Array.from({ length: d }, (_, j) => {
    let avg = 0;
    for (let k = 0; k < p.length; k += 1) avg += p[k]! * s.weights[k]![j]!;
    return (p[c]! * (s.weights[c]![j]! - avg)) / (s.max[j]! - s.min[j]! || 1);
  });
}

export function trainSurrogate(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  options: {
    classCount: number;
    min: readonly number[];
    max: readonly number[];
    epochs?: number;
    seed?: number;
  },
): Surrogate {
  const d = options.min.length;
  const random = createRandom(options.seed ?? 1);
  const s: Surrogate = {
    min: options.min,
    max: options.max,
    weights: Array.from({ length: options.classCount }, () =>
      Float64Array.from({ length: d + 1 }, () => random.normal() * 0.01),
    ),
  };
  const xs = rows.map((r) => scaled(s, r));
  const lr = 0.5;
  for (let epoch = 0; epoch < (options.epochs ?? 150); epoch += 1) {
    const grads = s.weights.map(() => new Float64Array(d + 1));
    xs.forEach((u, i) => {
      const p = surrogateProbabilities(s, rows[i]!);
      for (let c = 0; c < p.length; c += 1) {
        const g = p[c]! - (labels[i] === c ? 1 : 0);
        for (let j = 0; j < d; j += 1) grads[c]![j]! += g * u[j]!;
        grads[c]![d]! += g;
      }
    });
    s.weights.forEach((w, c) => {
      for (let j = 0; j <= d; j += 1)
        w[j]! -= (lr * grads[c]![j]!) / xs.length + lr * 1e-4 * (j < d ? w[j]! : 0);
    });
  }
  return s;
}

/** Share of rows on which the surrogate and the target's labels agree. */
export function agreement(
  s: Surrogate,
  rows: readonly (readonly number[])[],
  targetLabels: readonly number[],
): number {
  if (rows.length === 0) return 0;
  let same = 0;
  rows.forEach((r, i) => {
    if (surrogateLabel(s, r) === targetLabels[i]) same += 1;
  });
  return same / rows.length;
}

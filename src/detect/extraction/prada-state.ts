import { shapiroWilkSorted, type ShapiroWilkResult } from './shapiro-wilk.js';

/**
 * PRADA (Juuti, Szyller, Marchal & Asokan, EuroS&P 2019): for each query, the minimum L2
 * distance to the principal's earlier queries of the same predicted class ("growing set"
 * G_c); a query joins G_c when that distance exceeds the class threshold T_c = max(T_c,
 * mean - std of the class distances). Natural queries give roughly normal distances;
 * synthetic extraction queries do not, so Shapiro–Wilk W falls below δ.
 * Bounded: G_c is a ring of `growCap` sketches per class and the distance set is the last
 * `distanceCap` values, kept sorted so each test is O(n).
 */
export interface PradaState {
  readonly dim: number;
  readonly growCap: number;
  readonly growing: Float32Array[]; // per class, growCap * dim
  readonly growCount: Int32Array;
  readonly growNext: Int32Array;
  readonly threshold: Float64Array;
  readonly classSum: Float64Array;
  readonly classSq: Float64Array;
  readonly classN: Int32Array;
  sorted: Float64Array; // ascending, first `count` valid
  fifo: Float64Array; // insertion order ring
  count: number;
  next: number;
}

export function createPradaState(
  classCount: number,
  dim: number,
  growCap: number,
  distanceCap: number,
): PradaState {
  return {
    dim,
    growCap,
    growing: Array.from({ length: classCount }, () => new Float32Array(0)),
    growCount: new Int32Array(classCount),
    growNext: new Int32Array(classCount),
    threshold: new Float64Array(classCount),
    classSum: new Float64Array(classCount),
    classSq: new Float64Array(classCount),
    classN: new Int32Array(classCount),
    sorted: new Float64Array(distanceCap),
    fifo: new Float64Array(distanceCap),
    count: 0,
    next: 0,
  };
}

function lowerBound(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function pushDistance(s: PradaState, d: number): void {
  const cap = s.fifo.length;
  if (s.count === cap) {
    const old = s.fifo[s.next]!;
    const at = lowerBound(s.sorted, s.count, old);
    s.sorted.copyWithin(at, at + 1, s.count);
    s.count -= 1;
  }
  s.fifo[s.next] = d;
  s.next = (s.next + 1) % cap;
  const at = lowerBound(s.sorted, s.count, d);
  s.sorted.copyWithin(at + 1, at, s.count);
  s.sorted[at] = d;
  s.count += 1;
}

function minDistance(set: Float32Array, count: number, dim: number, x: Float32Array): number {
  let best = Infinity;
  for (let i = 0; i < count; i += 1) {
    let s = 0;
    const base = i * dim;
    for (let j = 0; j < dim && s < best; j += 1) {
      const t = set[base + j]! - x[j]!;
      s += t * t;
    }
    if (s < best) best = s;
  }
  return Math.sqrt(best);
}

function addToGrowing(s: PradaState, c: number, x: Float32Array): void {
  if (s.growing[c]!.length === 0) s.growing[c] = new Float32Array(s.growCap * s.dim);
  s.growing[c]!.set(x, s.growNext[c]! * s.dim);
  s.growNext[c] = (s.growNext[c]! + 1) % s.growCap;
  s.growCount[c] = Math.min(s.growCap, s.growCount[c]! + 1);
}

/**
 * Folds one query of predicted class `c`; returns its minimum distance (null for the first
 * query of a class, or an exact repeat, which carries no information and is skipped).
 */
export function observePrada(s: PradaState, c: number, x: Float32Array): number | null {
  if (c < 0 || c >= s.growing.length) return null;
  if (s.growCount[c] === 0) {
    addToGrowing(s, c, x);
    return null;
  }
  const d = minDistance(s.growing[c]!, s.growCount[c]!, s.dim, x);
  if (d < 1e-9) return null;
  pushDistance(s, d);
  s.classSum[c]! += d;
  s.classSq[c]! += d * d;
  s.classN[c]! += 1;
  const n = s.classN[c]!;
  const mean = s.classSum[c]! / n;
  const sd = Math.sqrt(Math.max(0, s.classSq[c]! / n - mean * mean));
  if (d > s.threshold[c]!) addToGrowing(s, c, x);
  s.threshold[c] = Math.max(s.threshold[c]!, mean - sd);
  return d;
}

/** Shapiro–Wilk over the current distance set, or null while it is too small. */
export function pradaStatistic(s: PradaState, minSamples: number): ShapiroWilkResult | null {
  if (s.count < Math.max(3, minSamples)) return null;
  return shapiroWilkSorted(s.sorted.subarray(0, s.count));
}

export function pradaBytes(s: PradaState): number {
  return (
    s.growing.reduce((t, g) => t + g.byteLength, 0) +
    s.sorted.byteLength * 2 +
    s.growCount.length * 40 +
    200
  );
}

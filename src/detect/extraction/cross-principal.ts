import { createRandom } from './projector.js';

/**
 * Cross-principal similarity: an attacker who spreads a black-box attack over many keys
 * still sends queries that are near each other. Every sketch is hashed into `tables`
 * locality-sensitive buckets (randomly shifted grids of cell `width`, after Datar et al.
 * 2004); a query is a cross hit when, within `windowMs`, a different principal sent a
 * different query into one of its buckets. Buckets keep the last 8 senders and are swept by
 * event time, so memory is bounded by `maxBuckets`.
 */
export interface CrossBucket {
  keys: string[];
  prints: number[];
  times: number[];
  next: number;
}

export interface CrossState {
  buckets: Map<number, CrossBucket>;
  touches: number;
}

export interface CrossConfig {
  readonly tables: number;
  readonly width: number;
  readonly windowMs: number;
  readonly maxBuckets: number;
}

const PER_BUCKET = 8;

export function createCrossState(): CrossState {
  return { buckets: new Map(), touches: 0 };
}

/** Grid shifts per table, drawn once per detector from its seed. */
export function crossShifts(
  tables: number,
  dim: number,
  width: number,
  seed: number,
): Float64Array[] {
  const random = createRandom(seed ^ 0x5bd1e995);
  return Array.from({ length: tables }, () =>
    Float64Array.from({ length: dim }, () => random() * width),
  );
}

function hashCell(x: Float32Array, shift: Float64Array, width: number, table: number): number {
  let h = 0x811c9dc5 ^ table;
  for (let j = 0; j < x.length; j += 1) {
    h = Math.imul(h ^ Math.floor((x[j]! + shift[j]!) / width), 0x01000193);
  }
  return h >>> 0;
}

function fingerprint(x: Float32Array): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < x.length; j += 1) h = Math.imul(h ^ Math.round(x[j]! * 1e5), 0x01000193);
  return h >>> 0;
}

function sweep(state: CrossState, now: number, c: CrossConfig): void {
  for (const [k, b] of state.buckets) {
    if (now - Math.max(...b.times) > c.windowMs) state.buckets.delete(k);
  }
  if (state.buckets.size < c.maxBuckets) return;
  let drop = state.buckets.size - Math.floor(c.maxBuckets * 0.9);
  for (const k of state.buckets.keys()) {
    if (drop-- <= 0) break;
    state.buckets.delete(k);
  }
}

/** Other principals that recently sent a different, nearby query; then records this one. */
export function observeCross(
  state: CrossState,
  x: Float32Array,
  who: string,
  now: number,
  shifts: Float64Array[],
  c: CrossConfig,
): string[] {
  state.touches += 1;
  if (state.touches % 8192 === 0 || state.buckets.size >= c.maxBuckets) sweep(state, now, c);
  const print = fingerprint(x);
  const others = new Set<string>();
  shifts.forEach((shift, t) => {
    const key = hashCell(x, shift, c.width, t);
    let b = state.buckets.get(key);
    if (!b) {
      b = { keys: [], prints: [], times: [], next: 0 };
      state.buckets.set(key, b);
    }
    for (let i = 0; i < b.keys.length; i += 1) {
      if (b.keys[i] !== who && b.prints[i] !== print && Math.abs(now - b.times[i]!) <= c.windowMs)
        others.add(b.keys[i]!);
    }
    b.keys[b.next] = who;
    b.prints[b.next] = print;
    b.times[b.next] = now;
    b.next = (b.next + 1) % PER_BUCKET;
  });
  return [...others];
}

export function crossBytes(state: CrossState): number {
  return state.buckets.size * (PER_BUCKET * 40 + 80);
}

import { createRandom } from './projector.js';

/**
 * Cross-principal similarity: an attacker who spreads a black-box attack over many keys
 * still sends queries that are near each other. Every sketch is hashed into `tables`
 * locality-sensitive buckets (randomly shifted grids of cell `width`, after Datar et al.
 * 2004); a query is a cross hit when, within `windowMs`, a different principal sent a
 * different query into one of its buckets. Buckets keep the last 8 senders and are swept by
 * event time, so memory is bounded by `maxBuckets`.
 */
/** Up to PER_BUCKET recent senders as flat triples: principal, fingerprint, event time. */
export interface CrossBucket {
  newest: number;
  next: number;
  entries: (string | number)[];
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

const PER_BUCKET = 6;

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
    if (now - b.newest > c.windowMs) state.buckets.delete(k);
  }
  if (state.buckets.size < c.maxBuckets) return;
  let drop = state.buckets.size - Math.floor(c.maxBuckets * 0.9);
  for (const k of state.buckets.keys()) {
    if (drop-- <= 0) break;
    state.buckets.delete(k);
  }
}

function visit(
  b: CrossBucket,
  who: string,
  print: number,
  now: number,
  windowMs: number,
  others: string[],
): void {
  const e = b.entries;
  for (let i = 0; i < e.length; i += 3) {
    const key = e[i] as string;
    if (
      key !== who &&
      e[i + 1] !== print &&
      Math.abs(now - (e[i + 2] as number)) <= windowMs &&
      !others.includes(key)
    ) {
      others.push(key);
    }
  }
  e[b.next * 3] = who;
  e[b.next * 3 + 1] = print;
  e[b.next * 3 + 2] = now;
  b.next = (b.next + 1) % PER_BUCKET;
  if (now > b.newest) b.newest = now;
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
  const others: string[] = [];
  for (let t = 0; t < shifts.length; t += 1) {
    const key = hashCell(x, shifts[t]!, c.width, t);
    let b = state.buckets.get(key);
    if (!b) {
      b = { newest: now, next: 0, entries: [] };
      state.buckets.set(key, b);
    }
    visit(b, who, print, now, c.windowMs, others);
  }
  return others;
}

export function crossBytes(state: CrossState): number {
  return state.buckets.size * (PER_BUCKET * 3 * 8 + 96);
}

import { benignQueries, clip, createRandom, type Random } from '../../src/drill/attacks/index.js';

/**
 * Kinds of honest client (issue 21): the old working-set generator is one kind among
 * distinct-row batch scorers, streaming scorers, re-senders, nightly bulk clients and a
 * slowly drifting population.
 */
export const BENIGN_KINDS = [
  'working-set',
  'batch',
  'streaming',
  'resender',
  'bulk',
  'drifting',
] as const;
export type BenignKind = (typeof BENIGN_KINDS)[number];

/** Share of each kind in a population (sums to 1). */
export const KIND_MIX: Readonly<Record<BenignKind, number>> = {
  'working-set': 0.15,
  batch: 0.3,
  streaming: 0.2,
  resender: 0.1,
  bulk: 0.05,
  drifting: 0.2,
};

/** One request: its event time and the rows it carries. */
export interface BenignRequest {
  readonly timeMs: number;
  readonly rows: number[][];
}

/** Real rows plus what the generators derive from them once per population. */
export interface RowSource {
  readonly pool: readonly (readonly number[])[];
  /** Indices of each pool row's 5 nearest pool rows (range units). */
  readonly neighbours: readonly Int32Array[];
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly sd: readonly number[];
  readonly ints: readonly boolean[];
}

export function createRowSource(
  pool: readonly (readonly number[])[],
  min: readonly number[],
  max: readonly number[],
): RowSource {
  const d = min.length;
  const inv = min.map((v, j) => 1 / (max[j]! - v || 1));
  const scaled = pool.map((r) => Float64Array.from(r, (v, j) => v * inv[j]!));
  const neighbours = scaled.map((a, i) => {
    const best: { k: number; d: number }[] = [];
    scaled.forEach((b, k) => {
      if (k === i) return;
      let s = 0;
      for (let j = 0; j < d; j += 1) s += (a[j]! - b[j]!) ** 2;
      if (best.length < 5 || s < best[4]!.d) {
        best.push({ k, d: s });
        best.sort((x, y) => x.d - y.d);
        if (best.length > 5) best.pop();
      }
    });
    return Int32Array.from(best.map((b) => b.k));
  });
  const sd = min.map((_, j) => {
    const mean = pool.reduce((a, r) => a + r[j]!, 0) / pool.length;
    return Math.sqrt(pool.reduce((a, r) => a + (r[j]! - mean) ** 2, 0) / pool.length);
  });
  const ints = min.map((_, j) => pool.every((r) => Number.isInteger(r[j])));
  return { pool, neighbours, min, max, sd, ints };
}

/**
 * A new row from the data distribution: a real row moved part of the way towards one of its
 * nearest neighbours (SMOTE-style resampling), optionally shifted, and never one already sent.
 */
function freshRow(
  src: RowSource,
  random: Random,
  seen: Set<string>,
  shift: (j: number) => number = () => 0,
): number[] {
  for (let attempt = 0; ; attempt += 1) {
    const i = random.int(src.pool.length);
    const a = src.pool[i]!;
    const b = src.pool[src.neighbours[i]![random.int(src.neighbours[i]!.length)]!]!;
    const u = random.next();
    const row = clip(
      a.map((v, j) => {
        const x = v + u * (b[j]! - v) + shift(j);
        return src.ints[j] ? Math.round(x) : x;
      }),
      src.min,
      src.max,
    );
    const key = row.join(',');
    if (!seen.has(key) || attempt > 20) {
      seen.add(key);
      return row;
    }
  }
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Poisson arrivals at `perDay` a day on average, following a daytime curve (peak mid-afternoon). */
function dailyCurveArrivals(random: Random, startMs: number, days: number, perDay: number) {
  const times: number[] = [];
  const peak = 1.9;
  const mean = perDay / DAY;
  let t = startMs;
  const end = startMs + days * DAY;
  for (;;) {
    t += -Math.log(Math.max(random.next(), 1e-12)) / (mean * peak);
    if (t >= end) return times;
    const hour = ((t % DAY) / HOUR + 24) % 24;
    const rate = 1 + 0.9 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    if (random.next() * peak < rate) times.push(Math.round(t));
  }
}

/** Log-uniform in [lo, hi]. */
const logUniform = (random: Random, lo: number, hi: number) =>
  Math.round(lo * (hi / lo) ** random.next());

export interface KindOptions {
  readonly kind: BenignKind;
  readonly src: RowSource;
  readonly seed: number;
  readonly startMs: number;
  readonly days: number;
  /** Queries of a `working-set` principal (the old generator). */
  readonly queries: number;
}

/** Rows a day a principal of this kind aims at (drawn from its own stream, so declarable up front). */
export function plannedRowsPerDay(kind: BenignKind, seed: number): number {
  const random = createRandom(seed ^ 0x5bd1e995);
  switch (kind) {
    case 'working-set':
      return 0;
    case 'batch':
      return logUniform(random, 40, 800);
    case 'streaming':
    case 'drifting':
      return logUniform(random, 50, 1000);
    case 'resender':
      return logUniform(random, 50, 600);
    case 'bulk':
      return logUniform(random, 1000, 5000);
  }
}

function workingSet(o: KindOptions, random: Random): BenignRequest[] {
  const rows = benignQueries({
    samples: o.src.pool,
    queries: o.queries,
    seed: o.seed,
    featureMin: o.src.min,
    featureMax: o.src.max,
  });
  const gap = 2000 + random.next() * 58_000;
  let t = o.startMs + random.int(HOUR);
  return rows.map((r) => {
    t += Math.max(1, Math.round(-Math.log(Math.max(random.next(), 1e-9)) * gap));
    return { timeMs: t, rows: [r] };
  });
}

function batch(o: KindOptions, random: Random): BenignRequest[] {
  // Working-hours sessions on most days; each request scores 1–50 new records.
  const perDay = plannedRowsPerDay(o.kind, o.seed);
  const perRequest = 1 + random.int(50);
  const seen = new Set<string>();
  const out: BenignRequest[] = [];
  for (let day = 0; day < o.days; day += 1) {
    if (random.next() < 0.25) continue;
    const rows = Math.max(1, Math.round(perDay * (0.5 + random.next())));
    let t = o.startMs + day * DAY + (8 + random.next() * 8) * HOUR;
    for (let sent = 0; sent < rows;) {
      const n = Math.min(rows - sent, 1 + random.int(perRequest));
      out.push({
        timeMs: Math.round(t),
        rows: Array.from({ length: n }, () => freshRow(o.src, random, seen)),
      });
      sent += n;
      t += 200 + random.next() * 20_000;
    }
  }
  return out;
}

function streaming(o: KindOptions, random: Random, drift = false): BenignRequest[] {
  const perDay = plannedRowsPerDay(o.kind, o.seed);
  const seen = new Set<string>();
  const end = o.startMs + o.days * DAY;
  // A drifting population: every feature's mean moves by up to half a standard deviation
  // over the run, each in its own direction.
  const direction = o.src.sd.map(() => (random.next() < 0.5 ? -1 : 1) * random.next());
  return dailyCurveArrivals(random, o.startMs, o.days, perDay).map((t) => {
    const progress = drift ? (t - o.startMs) / (end - o.startMs) : 0;
    const shift = (j: number) => 0.5 * progress * direction[j]! * o.src.sd[j]!;
    return { timeMs: t, rows: [freshRow(o.src, random, seen, shift)] };
  });
}

function resender(o: KindOptions, random: Random): BenignRequest[] {
  // Re-scores records from a large set of real rows (up to the whole pool), exactly as stored.
  const size = Math.min(o.src.pool.length, 200 + random.int(900));
  const start = random.int(o.src.pool.length);
  const perDay = plannedRowsPerDay(o.kind, o.seed);
  return dailyCurveArrivals(random, o.startMs, o.days, perDay).map((t) => ({
    timeMs: t,
    rows: [[...o.src.pool[(start + random.int(size)) % o.src.pool.length]!]],
  }));
}

function bulk(o: KindOptions, random: Random): BenignRequest[] {
  // A nightly job: thousands of new rows between 01:00 and 03:00, hundreds per request.
  const perNight = plannedRowsPerDay(o.kind, o.seed);
  const perRequest = 100 + random.int(400);
  const hour = 1 + random.next();
  const seen = new Set<string>();
  const out: BenignRequest[] = [];
  for (let day = 0; day < o.days; day += 1) {
    const rows = Math.round(perNight * (0.8 + 0.4 * random.next()));
    let t = o.startMs + day * DAY + hour * HOUR;
    for (let sent = 0; sent < rows; sent += perRequest) {
      const n = Math.min(perRequest, rows - sent);
      out.push({
        timeMs: Math.round(t),
        rows: Array.from({ length: n }, () => freshRow(o.src, random, seen)),
      });
      t += 500 + random.next() * 3000;
    }
  }
  return out;
}

/** The requests of one benign principal of the given kind, in time order. */
export function benignRequests(o: KindOptions): BenignRequest[] {
  const random = createRandom(o.seed);
  switch (o.kind) {
    case 'working-set':
      return workingSet(o, random);
    case 'batch':
      return batch(o, random);
    case 'streaming':
      return streaming(o, random);
    case 'drifting':
      return streaming(o, random, true);
    case 'resender':
      return resender(o, random);
    case 'bulk':
      return bulk(o, random);
  }
}

/** The kind of principal `i` (a fixed, interleaved assignment, so every block mixes kinds). */
export function kindOf(
  i: number,
  mix: Readonly<Record<BenignKind, number>> = KIND_MIX,
): BenignKind {
  // Golden-ratio sequence: low discrepancy, so small populations still get every kind.
  const u = (i * 0.6180339887498949) % 1;
  let acc = 0;
  for (const k of BENIGN_KINDS) {
    acc += mix[k];
    if (u < acc) return k;
  }
  return 'batch';
}

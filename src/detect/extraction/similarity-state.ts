/**
 * Stateful query detection (Chen, Carlini & Wagner, "Stateful Detection of Black-Box
 * Adversarial Examples", 2019): black-box attacks make many queries very close to each other,
 * so the mean distance from a query to its k nearest recent queries is unusually small.
 * History is a ring of `historyCap` projected sketches, so cost per query is flat
 * (historyCap * dim) however long the principal has been active. Exact repeats are skipped:
 * a re-sent row teaches an attacker nothing and is common in benign traffic.
 */
export interface SimilarityState {
  readonly dim: number;
  readonly sketches: Float32Array;
  readonly ids: string[];
  filled: number;
  next: number;
}

export function createSimilarityState(dim: number, historyCap: number): SimilarityState {
  return {
    dim,
    sketches: new Float32Array(dim * historyCap),
    ids: new Array<string>(historyCap).fill(''),
    filled: 0,
    next: 0,
  };
}

export interface Neighbours {
  readonly meanDistance: number;
  readonly distances: number[];
  readonly eventIds: string[];
}

// Scratch space for the k best, reused across calls (detectors run on one thread, never re-entered).
let scratchD = new Float64Array(16);
let scratchI = new Int32Array(16);

/** What one query looks like against the recent ones. */
export interface SimilarityObservation {
  /** x repeats a recent query exactly. */
  readonly duplicate: boolean;
  /** Distance to the nearest distinct recent query (Infinity with no history). */
  readonly nearest: number;
  /** Mean distance to the k nearest (null while fewer than k are held, or when x is a repeat). */
  readonly meanDistance: number | null;
  /** The k nearest in detail, only when their mean is below `detailBelow` (evidence is rarely needed). */
  readonly neighbours: Neighbours | null;
  /** Ring slot of the nearest distinct recent query (-1 if none or x is a repeat). */
  readonly nearestSlot: number;
  /** Ring slot x was stored in (-1 for a repeat). */
  readonly storedAt: number;
  /** Distinct recent queries within `radius` of x (a dense cloud: one search point probed with noise). */
  readonly within: number;
}

/** Compares x with the recent queries, then records it (repeats are not stored twice). */
export function observeSimilarity(
  s: SimilarityState,
  x: Float32Array,
  eventId: string,
  k: number,
  radius = 0,
  detailBelow = Infinity,
): SimilarityObservation {
  const r2 = radius * radius;
  let within = 0;
  const cap = s.ids.length;
  if (scratchD.length < k) {
    scratchD = new Float64Array(k);
    scratchI = new Int32Array(k);
  }
  const bestD = scratchD;
  const bestI = scratchI;
  bestD.fill(Infinity, 0, k);
  bestI.fill(-1, 0, k);
  let duplicate = false;
  const dim = s.dim;
  const sketches = s.sketches;
  const filled = s.filled;
  for (let i = 0; i < filled; i += 1) {
    let d2 = 0;
    const base = i * dim;
    // Past both the k-th best and the radius, the rest of the sum cannot change anything.
    const bound = Math.max(bestD[k - 1]!, r2);
    for (let j = 0; j < dim && d2 <= bound; j += 1) {
      const t = sketches[base + j]! - x[j]!;
      d2 += t * t;
    }
    if (d2 < 1e-12) {
      duplicate = true;
      continue;
    }
    if (d2 < r2) within += 1;
    if (d2 >= bestD[k - 1]!) continue;
    let at = k - 1;
    while (at > 0 && bestD[at - 1]! > d2) {
      bestD[at] = bestD[at - 1]!;
      bestI[at] = bestI[at - 1]!;
      at -= 1;
    }
    bestD[at] = d2;
    bestI[at] = i;
  }
  const storedAt = duplicate ? -1 : s.next;
  const nearestSlot = duplicate ? -1 : bestI[0]!;
  const evicted = storedAt >= 0 ? s.ids[storedAt]! : '';
  if (!duplicate) {
    s.sketches.set(x, s.next * s.dim);
    s.ids[s.next] = eventId;
    s.next = (s.next + 1) % cap;
    s.filled = Math.min(cap, s.filled + 1);
  }
  const nearest = Math.sqrt(bestD[0]!);
  if (duplicate || bestI[k - 1]! < 0)
    return {
      duplicate,
      nearest,
      meanDistance: null,
      neighbours: null,
      nearestSlot,
      storedAt,
      within,
    };
  let sum = 0;
  for (let i = 0; i < k; i += 1) sum += Math.sqrt(bestD[i]!);
  const meanDistance = sum / k;
  // Ids are read now: the slot x was just written to may have held one of the neighbours.
  const neighbours =
    meanDistance < detailBelow
      ? {
          meanDistance,
          distances: Array.from(bestD.subarray(0, k), (v) => Math.sqrt(v)),
          eventIds: Array.from(bestI.subarray(0, k), (i) => (i === storedAt ? evicted : s.ids[i]!)),
        }
      : null;
  return { duplicate, nearest, meanDistance, neighbours, nearestSlot, storedAt, within };
}

export function similarityBytes(s: SimilarityState): number {
  return s.sketches.byteLength + s.ids.length * 8 + 64;
}

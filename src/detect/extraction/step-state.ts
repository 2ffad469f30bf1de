/**
 * Jacobian-based dataset augmentation (Papernot et al., "Practical Black-Box Attacks", 2017)
 * makes every new query an earlier one plus λ·sign(∇): a step of the same size on every
 * feature that is not clipped at its range. Two such steps, whatever their parents and
 * signs, therefore share their per-feature step sizes |Δ_j| exactly. Natural queries and
 * noisy re-sends do not: their differences vary continuously from feature to feature.
 *
 * Per query: the step from the nearest distinct recent query (the similarity ring's nearest,
 * so no extra search) is compared with the last `profileCap` steps of this subject; a hit is
 * a step that repeats an earlier step's sizes on at least `share` of the features, with those
 * sizes near one constant share of each feature's range (coefficient of variation ≤ `maxCv`).
 * Rows live in range units, quantised to 16 bits (UNIT quanta per range, so 3e-5 of the
 * range: exact enough to tell a repeated step from noise), in a ring aligned with the
 * similarity ring's slots.
 */
export const UNIT = 32767;
export interface StepState {
  readonly dim: number;
  /** Quantised unit rows, one per similarity-ring slot. */
  readonly rows: Uint16Array;
  readonly rowHash: Int32Array;
  readonly rowIds: string[];
  /** |Δ| of the last steps, with the hashes of the two rows each step joins. */
  readonly profiles: Uint16Array;
  readonly pairA: Int32Array;
  readonly pairB: Int32Array;
  readonly pairFrom: string[];
  readonly pairTo: string[];
  profileFilled: number;
  profileNext: number;
}

export function createStepState(dim: number, ringCap: number, profileCap: number): StepState {
  return {
    dim,
    rows: new Uint16Array(dim * ringCap),
    rowHash: new Int32Array(ringCap),
    rowIds: new Array<string>(ringCap).fill(''),
    profiles: new Uint16Array(dim * profileCap),
    pairA: new Int32Array(profileCap),
    pairB: new Int32Array(profileCap),
    pairFrom: new Array<string>(profileCap).fill(''),
    pairTo: new Array<string>(profileCap).fill(''),
    profileFilled: 0,
    profileNext: 0,
  };
}

export interface StepMatch {
  /** Share of active features whose step size repeats an earlier step's exactly. */
  readonly share: number;
  /** The repeated step size, as a share of each feature's range (mean and coefficient of variation). */
  readonly stepSize: number;
  readonly cv: number;
  /** Event ids: this step's parent, and the two queries of the earlier matching step. */
  readonly parentId: string;
  readonly earlierStep: readonly [string, string];
}

export interface StepOptions {
  readonly share: number;
  readonly maxCv: number;
  readonly minFeatures: number;
}

let scratch = new Uint16Array(64);
let movedAt = new Int32Array(64);
// A step smaller than this many quanta counts as no change; step sizes match within MATCH.
const MIN_STEP = 8;
const MATCH = 2;

/**
 * Folds one query: `nearestSlot` is the similarity ring slot of its nearest distinct recent
 * query (or -1), `storedAt` the slot the query itself went to (or -1 for a repeat).
 */
export function observeStep(
  s: StepState,
  u: Uint16Array,
  /** A 32-bit hash of u (identifies a row for "same pair again"). */
  hash: number,
  eventId: string,
  nearestSlot: number,
  storedAt: number,
  activeFeatures: number,
  o: StepOptions,
): StepMatch | null {
  const dim = s.dim;
  let best: StepMatch | null = null;
  if (nearestSlot >= 0) {
    if (scratch.length < dim) {
      scratch = new Uint16Array(dim);
      movedAt = new Int32Array(dim);
    }
    const step = scratch;
    const base = nearestSlot * dim;
    for (let j = 0; j < dim; j += 1) step[j] = Math.abs(u[j]! - s.rows[base + j]!);
    const other = s.rowHash[nearestSlot]!;
    const a = Math.min(hash, other);
    const b = Math.max(hash, other);
    let bestCount = 0;
    // Only features that moved by MIN_STEP or more can match: gather them once.
    let moved = 0;
    for (let j = 0; j < dim; j += 1) if (step[j]! >= MIN_STEP) movedAt[moved++] = j;
    const need = Math.max(o.minFeatures, o.share * activeFeatures);
    const profiles = s.profiles;
    for (let k = 0; k < s.profileFilled && moved >= need; k += 1) {
      if (s.pairA[k] === a && s.pairB[k] === b) continue; // the same two rows again
      const pb = k * dim;
      let count = 0;
      let sum = 0;
      let sq = 0;
      // Stop once the features left cannot lift the count to the threshold.
      for (let i = 0; i < moved && count + moved - i >= need; i += 1) {
        const j = movedAt[i]!;
        const d = step[j]!;
        if (Math.abs(d - profiles[pb + j]!) <= MATCH) {
          count += 1;
          sum += d;
          sq += d * d;
        }
      }
      if (count <= bestCount || count < o.minFeatures || count < o.share * activeFeatures) continue;
      const mean = sum / count;
      const cv = Math.sqrt(Math.max(0, sq / count - mean * mean)) / mean;
      if (cv > o.maxCv) continue;
      bestCount = count;
      best = {
        share: count / activeFeatures,
        stepSize: mean / UNIT,
        cv,
        parentId: s.rowIds[nearestSlot]!,
        earlierStep: [s.pairFrom[k]!, s.pairTo[k]!],
      };
    }
    const at = s.profileNext;
    for (let j = 0, off = at * dim; j < dim; j += 1) profiles[off + j] = step[j]!;
    s.pairA[at] = a;
    s.pairB[at] = b;
    s.pairFrom[at] = s.rowIds[nearestSlot]!;
    s.pairTo[at] = eventId;
    s.profileNext = (at + 1) % s.pairA.length;
    s.profileFilled = Math.min(s.pairA.length, s.profileFilled + 1);
  }
  if (storedAt >= 0) {
    const rows = s.rows;
    for (let j = 0, off = storedAt * dim; j < dim; j += 1) rows[off + j] = u[j]!;
    s.rowHash[storedAt] = hash;
    s.rowIds[storedAt] = eventId;
  }
  return best;
}

export function stepBytes(s: StepState): number {
  return (
    s.rows.byteLength +
    s.rowHash.byteLength +
    s.profiles.byteLength +
    s.pairA.byteLength * 2 +
    (s.rowIds.length + s.pairFrom.length * 2) * 8 +
    64
  );
}

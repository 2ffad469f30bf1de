// The window a drift detector fills: per-feature values by event time, bounded in size, and
// JSON-safe for checkpoints (NaN and ±Infinity are encoded as strings).

/** Count windows close after `size` rows; duration windows tile event time in `ms` steps. */
export type WindowSpec =
  { kind: 'count'; size: number } | { kind: 'duration'; ms: number; maxRows?: number };

export interface DriftWindow {
  index: number; // windows closed so far
  startMs: number | null;
  firstTime: string | null;
  lastTime: string | null;
  rows: number; // rows held
  offered: number; // rows seen; above `rows` once a duration window hit its cap
  columns: number[][]; // per feature, NaN for a missing value
  predictions: number[];
  confidences: number[];
  eventIds: string[]; // the first few, as evidence
  rng: number; // xorshift32 state for the deterministic reservoir
}

export const EVIDENCE_EVENT_IDS = 20;

export function emptyWindow(features: number, index: number, seed: number): DriftWindow {
  return {
    index,
    startMs: null,
    firstTime: null,
    lastTime: null,
    rows: 0,
    offered: 0,
    columns: Array.from({ length: features }, () => []),
    predictions: [],
    confidences: [],
    eventIds: [],
    rng: seed >>> 0 || 0x9e3779b9,
  };
}

function nextRandom(w: DriftWindow): number {
  let x = w.rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  w.rng = x >>> 0;
  return w.rng;
}

/**
 * Adds one row. Below the cap it is appended; past it, reservoir sampling (Vitter's
 * algorithm R) keeps a uniform sample of the window with a seeded, checkpointed generator.
 */
export function addRow(
  w: DriftWindow,
  row: readonly number[],
  cap: number,
  prediction: number,
  confidence: number,
): void {
  w.offered++;
  let slot = w.rows;
  if (w.rows >= cap) {
    slot = nextRandom(w) % w.offered;
    if (slot >= cap) return;
  } else w.rows++;
  const cols = w.columns;
  for (let f = 0; f < cols.length; f++) {
    const v = row[f];
    cols[f]![slot] = v === undefined ? NaN : v;
  }
  w.predictions[slot] = prediction;
  w.confidences[slot] = confidence;
}

const encode = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const decode = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

export function encodeWindow(w: DriftWindow): unknown {
  return {
    ...w,
    columns: w.columns.map((c) => c.map(encode)),
    predictions: w.predictions.map(encode),
    confidences: w.confidences.map(encode),
  };
}

export function decodeWindow(data: Record<string, unknown>): DriftWindow {
  const w = data as unknown as DriftWindow;
  return {
    ...w,
    columns: (w.columns as unknown[][]).map((c) => c.map(decode)),
    predictions: (w.predictions as unknown[]).map(decode),
    confidences: (w.confidences as unknown[]).map(decode),
  };
}

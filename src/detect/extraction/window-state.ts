/**
 * A sliding window over the last `size` answered rows of one subject: predicted class,
 * low-margin answer, outlier flag, similarity hit, event id. Counts are kept incrementally.
 */
export interface WindowState {
  readonly labels: Int16Array;
  readonly flags: Uint16Array; // bit 0 low margin, 1 margin known, 2 outlier, 3 similar, 4 probe, 5 novel, 6 cross-principal, 7 repeated step, 8 dense
  readonly ids: string[];
  readonly classCounts: Int32Array;
  readonly flagCounts: Int32Array; // per bit
  filled: number;
  next: number;
}

export const FLAG = {
  lowMargin: 1,
  marginKnown: 2,
  outlier: 4,
  similar: 8,
  probe: 16,
  novel: 32,
  cross: 64,
  step: 128,
  dense: 256,
} as const;
const FLAG_BITS = 9;

export function createWindowState(size: number, classCount: number): WindowState {
  return {
    labels: new Int16Array(size),
    flags: new Uint16Array(size),
    ids: new Array<string>(size).fill(''),
    classCounts: new Int32Array(Math.max(1, classCount)),
    flagCounts: new Int32Array(FLAG_BITS),
    filled: 0,
    next: 0,
  };
}

function count(w: WindowState, label: number, flags: number, delta: number): void {
  if (label >= 0 && label < w.classCounts.length) w.classCounts[label]! += delta;
  for (let b = 0; b < FLAG_BITS; b += 1) if (flags & (1 << b)) w.flagCounts[b]! += delta;
}

export function pushWindow(w: WindowState, label: number, flags: number, id: string): void {
  const size = w.labels.length;
  if (w.filled === size) count(w, w.labels[w.next]!, w.flags[w.next]!, -1);
  w.labels[w.next] = label;
  w.flags[w.next] = flags;
  w.ids[w.next] = id;
  count(w, label, flags, 1);
  w.next = (w.next + 1) % size;
  w.filled = Math.min(size, w.filled + 1);
}

/** A window from a checkpoint written before the step and density flags: widened in place of loss. */
export function upgradeWindow(w: WindowState): WindowState {
  if (w.flagCounts.length >= FLAG_BITS && w.flags instanceof Uint16Array) return w;
  const flagCounts = new Int32Array(FLAG_BITS);
  flagCounts.set(w.flagCounts.subarray(0, FLAG_BITS));
  return { ...w, flags: Uint16Array.from(w.flags), flagCounts };
}

export function flagCount(w: WindowState, flag: number): number {
  return w.flagCounts[31 - Math.clz32(flag)]!; // the flag's bit index (flags are single bits)
}

/** Event ids of the most recent rows carrying `flag` (newest first), at most `limit`. */
export function flaggedIds(w: WindowState, flag: number, limit: number): string[] {
  const out: string[] = [];
  const size = w.labels.length;
  for (let i = 1; i <= w.filled && out.length < limit; i += 1) {
    const at = (w.next - i + size) % size;
    if (w.flags[at]! & flag) out.push(w.ids[at]!);
  }
  return out;
}

/** Share of classes seen and normalised entropy of the predicted classes in the window. */
export function classBalance(w: WindowState): { coverage: number; entropy: number } {
  const k = w.classCounts.length;
  let seen = 0;
  let h = 0;
  for (const c of w.classCounts) {
    if (c <= 0) continue;
    seen += 1;
    const p = c / w.filled;
    h -= p * Math.log(p);
  }
  return { coverage: seen / k, entropy: k > 1 ? h / Math.log(k) : 0 };
}

export function windowBytes(w: WindowState): number {
  return (
    w.labels.byteLength + w.flags.byteLength + w.ids.length * 8 + w.classCounts.byteLength + 64
  );
}

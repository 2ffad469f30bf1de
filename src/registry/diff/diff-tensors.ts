import { decodeElements, isNumericDtype, type TensorSource } from './tensor-source.js';

export const TENSOR_CHANGES = [
  'unchanged',
  'changed',
  'reshaped',
  'added',
  'removed',
  'uncompared',
] as const;
export type TensorChange = (typeof TENSOR_CHANGES)[number];

export interface TensorDiff {
  readonly name: string;
  readonly change: TensorChange;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly previous?: { readonly dtype: string; readonly shape: readonly number[] };
  readonly elements: number;
  /** For changed numeric tensors: L2 norms before and after, of the difference, and relative. */
  readonly l2Before?: number;
  readonly l2After?: number;
  readonly l2Diff?: number;
  readonly relativeChange?: number;
  readonly maxAbsDiff?: number;
  readonly changedElements?: number;
  readonly note?: string;
}

/** Elements read at a time, so that a multi-GB tensor costs a bounded window. */
const CHUNK_ELEMENTS = 1 << 20;

const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function sameBytes(a: TensorSource, b: TensorSource): boolean {
  const x = a.bytes!;
  const y = b.bytes!;
  if (x.length !== y.length) return false;
  for (let at = 0; at < x.length; at += CHUNK_ELEMENTS * 8) {
    const len = Math.min(CHUNK_ELEMENTS * 8, x.length - at);
    if (!Buffer.from(x.src.read(x.offset + at, len)).equals(y.src.read(y.offset + at, len)))
      return false;
  }
  return true;
}

/** Compares one tensor present in both versions. */
export function diffTensor(before: TensorSource, after: TensorSource): TensorDiff {
  const base = {
    name: after.name,
    dtype: after.dtype,
    shape: after.shape,
    elements: elementCount(after.shape),
  };
  const sameShape =
    before.dtype === after.dtype &&
    before.shape.length === after.shape.length &&
    before.shape.every((d, i) => d === after.shape[i]);
  if (!sameShape)
    return { ...base, change: 'reshaped', previous: { dtype: before.dtype, shape: before.shape } };
  if (!before.bytes || !after.bytes)
    return {
      ...base,
      change: 'uncompared',
      note: before.unreadable ?? after.unreadable ?? 'no inline data',
    };
  if (sameBytes(before, after)) return { ...base, change: 'unchanged' };
  if (!isNumericDtype(after.dtype) || before.bytes.length !== after.bytes.length)
    return { ...base, change: 'changed', note: 'bytes differ (values not numeric)' };
  const dtype = after.dtype;
  const width = before.bytes.length / Math.max(1, base.elements);
  let sumBefore = 0;
  let sumAfter = 0;
  let sumDiff = 0;
  let maxAbs = 0;
  let changed = 0;
  const step = Math.max(1, Math.floor(CHUNK_ELEMENTS * width));
  for (let at = 0; at < before.bytes.length; at += step) {
    const len = Math.min(step, before.bytes.length - at);
    const x = decodeElements(dtype, before.bytes.src.read(before.bytes.offset + at, len));
    const y = decodeElements(dtype, after.bytes.src.read(after.bytes.offset + at, len));
    for (let i = 0; i < x.length; i++) {
      const a = x[i]!;
      const b = y[i]!;
      if (!Object.is(a, b)) changed++;
      const d = b - a;
      // NaN or infinite weights count as changed elements but would poison the norms.
      if (!Number.isFinite(d)) continue;
      sumBefore += a * a;
      sumAfter += b * b;
      sumDiff += d * d;
      if (Math.abs(d) > maxAbs) maxAbs = Math.abs(d);
    }
  }
  const l2Before = Math.sqrt(sumBefore);
  const l2Diff = Math.sqrt(sumDiff);
  return {
    ...base,
    change: 'changed',
    l2Before,
    l2After: Math.sqrt(sumAfter),
    l2Diff,
    relativeChange: l2Before > 0 ? l2Diff / l2Before : Number.POSITIVE_INFINITY,
    maxAbsDiff: maxAbs,
    changedElements: changed,
  };
}

/** Every tensor of either side, matched by name; the order of the newer side, then removals. */
export function diffTensorSets(
  before: readonly TensorSource[],
  after: readonly TensorSource[],
): TensorDiff[] {
  const old = new Map(before.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const out: TensorDiff[] = [];
  for (const t of after) {
    seen.add(t.name);
    const prior = old.get(t.name);
    out.push(
      prior
        ? diffTensor(prior, t)
        : {
            name: t.name,
            change: 'added',
            dtype: t.dtype,
            shape: t.shape,
            elements: elementCount(t.shape),
          },
    );
  }
  for (const t of before)
    if (!seen.has(t.name))
      out.push({
        name: t.name,
        change: 'removed',
        dtype: t.dtype,
        shape: t.shape,
        elements: elementCount(t.shape),
      });
  return out;
}

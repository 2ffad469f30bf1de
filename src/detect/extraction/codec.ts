import { ExtractionErrorCodes, extractionError } from './errors.js';

const TYPED = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  i16: Int16Array,
  u16: Uint16Array,
  u8: Uint8Array,
} as const;
type TypedTag = keyof typeof TYPED;

/** Plain JSON for state holding typed arrays (non-finite numbers become strings). */
export function encodeState(value: unknown): unknown {
  for (const [tag, ctor] of Object.entries(TYPED)) {
    if (value instanceof ctor)
      return { $t: tag, v: Array.from(value as ArrayLike<number>, encodeNumber) };
  }
  if (typeof value === 'number') return encodeNumber(value);
  if (Array.isArray(value)) return value.map(encodeState);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeState(v)]));
  }
  return value;
}

function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function decodeNumber(v: unknown): unknown {
  return v === 'Infinity' || v === '-Infinity' || v === 'NaN' ? Number(v) : v;
}

/** Inverse of encodeState. */
export function decodeState(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeState);
  if (value && typeof value === 'object') {
    const o = value as { $t?: unknown; v?: unknown };
    if (typeof o.$t === 'string' && Array.isArray(o.v)) {
      const ctor = TYPED[o.$t as TypedTag];
      if (!ctor)
        throw extractionError(
          ExtractionErrorCodes.STATE_INVALID,
          `unknown typed array tag ${o.$t}`,
        );
      return ctor.from(o.v.map((x) => Number(decodeNumber(x))));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeState(v)]));
  }
  return decodeNumber(value);
}

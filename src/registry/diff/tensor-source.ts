import type { ByteSource } from '../../scan/index.js';

/** Element types whose values can be read as numbers (safetensors names). */
export const NUMERIC_DTYPES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;
export type NumericDtype = keyof typeof NUMERIC_DTYPES;

/** Where a tensor's elements lie in a model file, and how to read them. */
export interface TensorSource {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** The element bytes, little-endian and fixed width; null when not stored inline. */
  readonly bytes: {
    readonly src: ByteSource;
    readonly offset: number;
    readonly length: number;
  } | null;
  /** Why the values cannot be compared, when `bytes` is null (external data, varint-packed ints). */
  readonly unreadable?: string;
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const scratch = new DataView(new ArrayBuffer(4));

/** Decodes `count` elements starting at `bytes[0]` into numbers. */
export function decodeElements(dtype: NumericDtype, bytes: Uint8Array): Float64Array {
  const width = NUMERIC_DTYPES[dtype];
  const n = Math.floor(bytes.length / width);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * width;
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(at, true);
        break;
      case 'F32':
        out[i] = view.getFloat32(at, true);
        break;
      case 'F16':
        out[i] = half(view.getUint16(at, true));
        break;
      case 'BF16':
        scratch.setUint32(0, view.getUint16(at, true) << 16);
        out[i] = scratch.getFloat32(0);
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(at, true));
        break;
      case 'U64':
        out[i] = Number(view.getBigUint64(at, true));
        break;
      case 'I32':
        out[i] = view.getInt32(at, true);
        break;
      case 'U32':
        out[i] = view.getUint32(at, true);
        break;
      case 'I16':
        out[i] = view.getInt16(at, true);
        break;
      case 'U16':
        out[i] = view.getUint16(at, true);
        break;
      case 'I8':
        out[i] = view.getInt8(at);
        break;
      default:
        out[i] = view.getUint8(at);
    }
  }
  return out;
}

export function isNumericDtype(dtype: string): dtype is NumericDtype {
  return Object.hasOwn(NUMERIC_DTYPES, dtype);
}

import { ScanFormatError } from '../scan-error.js';
import type { PValue } from './pickle-value.js';

/** Pairs up a flat key, value, key, value... list (DICT, SETITEMS). */
export function pairs(items: PValue[]): [PValue, PValue][] {
  const out: [PValue, PValue][] = [];
  for (let i = 0; i + 1 < items.length && out.length < 4096; i += 2) {
    out.push([items[i] as PValue, items[i + 1] as PValue]);
  }
  return out;
}

/** INT / LONG / FLOAT text arguments of protocol 0 ('01'/'00' are True/False). */
export function parseTextNumber(line: string): PValue {
  if (line === '01') return { k: 'bool', v: true };
  if (line === '00') return { k: 'bool', v: false };
  const n = Number(line.replace(/L$/, ''));
  return { k: 'num', v: Number.isFinite(n) ? n : 0 };
}

export function parseIndex(line: string, offset: number): number {
  const n = Number(line);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ScanFormatError(`bad memo index "${line.slice(0, 20)}" at ${offset}`, { offset });
  }
  return n;
}

/** LONG1/LONG4 payloads: little-endian two's complement. */
export function longValue(b: Uint8Array): PValue {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
  if (b.length > 0 && ((b[b.length - 1] ?? 0) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
  const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
  return { k: 'num', v: safe ? Number(v) : v };
}

const DEFAULT_SIZES: Record<string, number> = {
  d: 8,
  f: 4,
  e: 2,
  g: 16,
  l: 8,
  q: 8,
  i: 4,
  h: 2,
  B: 1,
  H: 2,
  I: 4,
  L: 8,
  Q: 8,
};

/** Bytes per item of a NumPy dtype string: '<f8', 'i4', 'u1', 'b1', 'c16', '<U10', 'S5', 'M8[ns]'. */
export function itemSize(dtype: string): number {
  const m = /^[<>|=]?([a-zA-Z?])(\d*)/.exec(dtype);
  if (m === null) return Number.NaN;
  const kind = m[1] ?? '';
  const n = m[2] === '' || m[2] === undefined ? Number.NaN : Number(m[2]);
  if (kind === 'U') return 4 * n;
  if (kind === '?' || (kind === 'b' && Number.isNaN(n))) return 1;
  return Number.isNaN(n) ? (DEFAULT_SIZES[kind] ?? Number.NaN) : n;
}

/** A bytes value worth scanning as nested content: a pickle (protocol 2-5) or a zip. */
export function looksNested(head: Uint8Array): boolean {
  const [a, b, c, d] = head;
  if (a === 0x80 && b !== undefined && b >= 2 && b <= 5) return true;
  return a === 0x50 && b === 0x4b && c === 0x03 && d === 0x04;
}

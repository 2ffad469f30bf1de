import { itemSize } from '../pickle/pickle-decode.js';
import { type NestedScanner, PickleMachine } from '../pickle/pickle-machine.js';
import { type ByteSource, u16le, u32le } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError } from '../scan-error.js';

export interface NpyHeader {
  descr: string;
  shape: number[];
  dataOffset: number;
  hasObject: boolean;
}

export function isNpy(head: Uint8Array): boolean {
  return head[0] === 0x93 && Buffer.from(head.subarray(1, 6)).toString('latin1') === 'NUMPY';
}

/** Parses the .npy header (NEP 1): magic, version, header length, then a Python dict literal. */
export function parseNpyHeader(head: Uint8Array): NpyHeader {
  if (!isNpy(head) || head.length < 10) throw new ScanFormatError('not a .npy header');
  const major = head[6] ?? 0;
  const lenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw new ScanFormatError(`unsupported .npy version ${major}`);
  const hlen = lenBytes === 2 ? u16le(head, 8) : u32le(head, 8);
  const start = 8 + lenBytes;
  if (start + hlen > head.length)
    throw new ScanFormatError(`.npy header of ${hlen} bytes is truncated`);
  const text = Buffer.from(head.subarray(start, start + hlen)).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const descrM = /'descr'\s*:\s*('([^']*)'|\[.*\])/s.exec(text);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (descrM === null || shapeM === null)
    throw new ScanFormatError(`.npy header "${text.slice(0, 80)}" lacks descr/shape`);
  const shape = (shapeM[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0))
    throw new ScanFormatError(`.npy shape (${shapeM[1]}) is invalid`);
  const descr = descrM[2] ?? descrM[1] ?? '';
  return { descr, shape, dataOffset: start + hlen, hasObject: /(^|[^a-zA-Z])[|<>=]?O/.test(descr) };
}

/** Object arrays are pickles (allow_pickle=True); plain arrays must fit the bytes that follow. */
export function scanNpy(ctx: ScanContext, src: ByteSource, nested: NestedScanner): void {
  const head = src.read(0, Math.min(src.size, 1 << 16));
  const h = parseNpyHeader(head);
  if (h.hasObject) {
    // The pickle decides: an object array of allowlisted types (strings, numbers, dicts…) is
    // safe to load with allow_pickle=True; anything else in it is reported as found.
    const before = ctx.findings.length;
    new PickleMachine(ctx, src, h.dataOffset, nested).run();
    const risky = ctx.findings
      .slice(before)
      .some((f) => f.severity !== 'info' && f.severity !== 'low');
    ctx.add(
      risky ? 'medium' : 'info',
      'numpy.object-array',
      `object array (dtype ${h.descr}): loading needs allow_pickle=True and unpickles its data` +
        (risky ? '' : '; it holds only allowlisted types'),
      { offset: h.dataOffset },
    );
    return;
  }
  checkNpySize(ctx, h, src.size);
}

export function checkNpySize(ctx: ScanContext, h: NpyHeader, totalSize: number): void {
  const size = itemSize(h.descr);
  if (Number.isNaN(size)) return; // structured dtypes: no simple size check
  const want = h.shape.reduce((a, b) => a * b, 1) * size;
  const have = totalSize - h.dataOffset;
  if (want > have)
    throw new ScanFormatError(
      `.npy header promises ${want} data bytes but only ${have} follow (truncated or lying header)`,
    );
  if (want < have)
    ctx.add('low', 'numpy.trailing-data', `${have - want} bytes after the array data`, {
      offset: h.dataOffset + want,
    });
}

import { type ByteSource, u32le, u64le } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';
import { checkChatTemplate } from './chat-template.js';

export function isGguf(head: Uint8Array): boolean {
  return Buffer.from(head.subarray(0, 4)).toString('latin1') === 'GGUF';
}

const MAX_COUNT = 1_000_000;
const MAX_STRING = 64 * 1024 * 1024;
const SCALAR_BYTES: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};
/** ggml type → [block elements, block bytes] (ggml/include/ggml.h). */
const GGML_BLOCKS: Record<number, [number, number]> = {
  0: [1, 4],
  1: [1, 2],
  2: [32, 18],
  3: [32, 20],
  6: [32, 22],
  7: [32, 24],
  8: [32, 34],
  9: [32, 36],
  10: [256, 84],
  11: [256, 110],
  12: [256, 144],
  13: [256, 176],
  14: [256, 210],
  15: [256, 292],
  24: [1, 1],
  25: [1, 2],
  26: [1, 4],
  27: [1, 8],
  28: [1, 8],
  30: [1, 2],
};

class Reader {
  constructor(
    private readonly src: ByteSource,
    public pos: number,
  ) {}
  u32(): number {
    const v = u32le(this.src.read(this.pos, 4));
    this.pos += 4;
    return v;
  }
  u64(): number {
    const v = u64le(this.src.read(this.pos, 8));
    this.pos += 8;
    return v;
  }
  skip(n: number): void {
    if (!Number.isSafeInteger(n) || this.pos + n > this.src.size)
      throw new ScanFormatError(`GGUF value at ${this.pos} runs past the end`);
    this.pos += n;
  }
  string(keep: boolean): string {
    const n = this.u64();
    if (n > MAX_STRING) throw new ScanLimitError(`GGUF string of ${n} bytes at ${this.pos}`);
    if (!keep) {
      this.skip(n);
      return '';
    }
    const s = Buffer.from(this.src.read(this.pos, n)).toString('utf8');
    this.pos += n;
    return s;
  }
}

/** Parses the GGUF header, metadata and tensor table, and checks the chat template and tensor bounds. */
export function scanGguf(ctx: ScanContext, src: ByteSource): void {
  const r = new Reader(src, 4);
  const version = r.u32();
  if (version < 2 || version > 3) throw new ScanFormatError(`unsupported GGUF version ${version}`);
  const tensors = r.u64();
  const kvs = r.u64();
  if (tensors > MAX_COUNT || kvs > MAX_COUNT)
    throw new ScanLimitError(`GGUF declares ${tensors} tensors and ${kvs} keys`);
  let alignment = 32;
  for (let i = 0; i < kvs; i++) {
    const key = r.string(true);
    const type = r.u32();
    const keep = key.includes('chat_template');
    const value = readValue(r, type, keep);
    if (key === 'general.alignment' && type === 4) alignment = u32le(src.read(r.pos - 4, 4));
    if (keep && typeof value === 'string') checkChatTemplate(ctx, key, value);
    if (i % 1024 === 0) ctx.checkTime();
  }
  if (alignment === 0 || alignment % 8 !== 0)
    throw new ScanFormatError(`GGUF alignment ${alignment} is invalid`);
  checkTensors(ctx, r, tensors, alignment, src.size);
}

function readValue(r: Reader, type: number, keep: boolean): string | undefined {
  const scalar = SCALAR_BYTES[type];
  if (scalar !== undefined) {
    r.skip(scalar);
    return undefined;
  }
  if (type === 8) return r.string(keep);
  if (type !== 9)
    throw new ScanFormatError(`GGUF metadata value type ${type} is unknown at ${r.pos}`);
  const inner = r.u32();
  const count = r.u64();
  if (count > 1 << 28) throw new ScanLimitError(`GGUF array of ${count} values`);
  const innerScalar = SCALAR_BYTES[inner];
  if (innerScalar !== undefined) {
    r.skip(count * innerScalar);
    return undefined;
  }
  if (inner !== 8) throw new ScanFormatError(`GGUF array of type ${inner} is not supported`);
  for (let i = 0; i < count; i++) r.string(false);
  return undefined;
}

function checkTensors(
  ctx: ScanContext,
  r: Reader,
  count: number,
  alignment: number,
  size: number,
): void {
  const infos: { name: string; offset: number; bytes: number }[] = [];
  for (let i = 0; i < count; i++) {
    const name = r.string(true);
    const dims = r.u32();
    if (dims > 8) throw new ScanFormatError(`GGUF tensor "${name}" has ${dims} dimensions`);
    let elements = 1;
    for (let d = 0; d < dims; d++) elements *= r.u64();
    const type = r.u32();
    const offset = r.u64();
    const block = GGML_BLOCKS[type];
    const bytes = block === undefined ? 0 : (elements / block[0]) * block[1];
    if (offset % alignment !== 0)
      throw new ScanFormatError(
        `GGUF tensor "${name}" offset ${offset} is not aligned to ${alignment}`,
      );
    infos.push({ name, offset, bytes });
  }
  const dataStart = Math.ceil(r.pos / alignment) * alignment;
  for (const t of infos) {
    if (dataStart + t.offset + t.bytes > size) {
      throw new ScanFormatError(
        `GGUF tensor "${t.name}" [${t.offset}, +${t.bytes}) lies past the end of the file (truncated or lying header)`,
      );
    }
  }
  if (infos.length === 0) ctx.add('info', 'gguf.no-tensors', 'GGUF file declares no tensors');
}

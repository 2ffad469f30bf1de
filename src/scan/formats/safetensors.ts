import { type ByteSource, u64le } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';
import { findDuplicateKeys } from '../readers/json-duplicate-keys.js';
import { gradeMetadataValue } from './safetensors-metadata.js';

const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
};
const MAX_HEADER = 100 * 1024 * 1024;

export function looksLikeSafetensors(src: ByteSource): boolean {
  if (src.size < 10) return false;
  const h = src.read(0, 10);
  const n = u64le(h);
  return n > 1 && n + 8 <= src.size && h[8] === 0x7b;
}

interface Span {
  name: string;
  begin: number;
  end: number;
}

/**
 * Validates a safetensors header (8-byte length + JSON): offsets inside the data area,
 * sizes matching dtype × shape, no overlaps, no unindexed gaps, string-only metadata.
 * Only the header is read, whatever the file size.
 */
export function scanSafetensors(ctx: ScanContext, src: ByteSource): void {
  const n = u64le(src.read(0, 8));
  if (n + 8 > src.size)
    throw new ScanFormatError(
      `safetensors header length ${n} runs past the end of the ${src.size}-byte file`,
    );
  if (n > MAX_HEADER)
    throw new ScanLimitError(`safetensors header of ${n} bytes exceeds ${MAX_HEADER}`);
  const text = Buffer.from(src.read(8, n)).toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new ScanFormatError('safetensors header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new ScanFormatError('safetensors header is not a JSON object');
  checkDuplicateKeys(ctx, text, Object.keys(header).length);
  const dataSize = src.size - 8 - n;
  const spans: Span[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') checkMetadata(ctx, value);
    else spans.push(checkTensor(name, value, dataSize));
  }
  checkCoverage(ctx, spans, dataSize, 8 + n);
}

/** Loaders disagree on a repeated key (Python's json keeps the last, others the first or fail). */
function checkDuplicateKeys(ctx: ScanContext, text: string, rootKeys: number): void {
  for (const d of findDuplicateKeys(text, { rootKeys })) {
    const where = d.path === '' ? 'the header' : `"${d.path}"`;
    ctx.add(
      'medium',
      'safetensors.duplicate-key',
      `key "${d.key}" appears more than once in ${where}: loaders disagree on which value wins`,
      { offset: 8 },
    );
  }
}

function checkMetadata(ctx: ScanContext, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ScanFormatError('safetensors __metadata__ is not an object');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new ScanFormatError(`safetensors metadata "${k}" is not a string`);
    if (looksBinaryPayload(v.trimStart()))
      ctx.add(
        'medium',
        'safetensors.metadata-payload',
        `metadata "${k}" holds pickle-like or archive content`,
      );
    for (const g of gradeMetadataValue(v))
      ctx.add('medium', g.rule, `metadata "${k}" holds ${g.what}`);
  }
}

function looksBinaryPayload(v: string): boolean {
  const c0 = v.charCodeAt(0);
  const c1 = v.charCodeAt(1);
  return (c0 === 0x80 && c1 >= 2 && c1 <= 5) || v.startsWith('PK\u0003\u0004');
}

function checkTensor(name: string, value: unknown, dataSize: number): Span {
  const t = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const bytes = typeof t.dtype === 'string' ? DTYPE_BYTES[t.dtype] : undefined;
  if (bytes === undefined)
    throw new ScanFormatError(`tensor "${name}" has unknown dtype ${String(t.dtype)}`);
  const shape = t.shape;
  const offsets = t.data_offsets;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new ScanFormatError(`tensor "${name}" has an invalid shape`);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new ScanFormatError(`tensor "${name}" has invalid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    throw new ScanFormatError(`tensor "${name}" ends (${end}) before it begins (${begin})`);
  if (end > dataSize)
    throw new ScanFormatError(
      `tensor "${name}" data [${begin}, ${end}) lies outside the ${dataSize}-byte data area`,
    );
  const want = (shape as number[]).reduce((a, b) => a * b, 1) * bytes;
  if (want !== end - begin)
    throw new ScanFormatError(
      `tensor "${name}" declares ${want} bytes (dtype × shape) but its offsets span ${end - begin}`,
    );
  return { name, begin, end };
}

function checkCoverage(ctx: ScanContext, spans: Span[], dataSize: number, base: number): void {
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of spans) {
    if (s.begin < cursor)
      throw new ScanFormatError(
        `tensor "${s.name}" overlaps the previous tensor at data offset ${s.begin}`,
      );
    if (s.begin > cursor)
      ctx.add(
        'medium',
        'safetensors.gap',
        `${s.begin - cursor} unindexed bytes before tensor "${s.name}" (hidden data?)`,
        { offset: base + cursor },
      );
    cursor = s.end;
  }
  if (cursor < dataSize)
    ctx.add(
      'medium',
      'safetensors.gap',
      `${dataSize - cursor} unindexed bytes after the last tensor (hidden data?)`,
      { offset: base + cursor },
    );
}

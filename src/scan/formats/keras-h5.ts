import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { scanKerasConfigText } from './keras-config.js';

const HDF5_MAGIC = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const MARKER = Buffer.from('{"class_name"');
const CHUNK = 4 << 20;

export function isHdf5(src: ByteSource): boolean {
  for (let at = 0; at + 8 <= src.size && at <= 8192; at = at === 0 ? 512 : at * 2) {
    if (HDF5_MAGIC.every((b, i) => src.read(at, 8)[i] === b)) return true;
  }
  return false;
}

/**
 * Keras .h5 files keep the model as JSON in the root group's `model_config` attribute.
 * HDF5 never compresses attribute values (filters apply to chunked datasets only), so the
 * JSON is present verbatim in the file; a streamed byte search finds it in bounded memory
 * without a full HDF5 reader. Every config-like JSON object found is scanned.
 */
export function scanKerasH5(ctx: ScanContext, src: ByteSource): void {
  let found = 0;
  for (let pos = 0; pos < src.size;) {
    ctx.checkTime();
    const len = Math.min(CHUNK + MARKER.length, src.size - pos);
    const chunk = Buffer.from(src.read(pos, len));
    const at = chunk.indexOf(MARKER);
    if (at < 0 || at >= CHUNK) {
      pos += CHUNK;
      continue;
    }
    const text = extractJson(src, pos + at, ctx.limits.maxMemberBytes);
    if (text === undefined) {
      ctx.add(
        'medium',
        'keras.config-unreadable',
        'a Keras config JSON in the file is truncated or malformed',
        { offset: pos + at },
      );
      pos += at + MARKER.length;
      continue;
    }
    found += 1;
    scanKerasConfigText(ctx, text);
    pos += at + Buffer.byteLength(text);
  }
  if (found === 0)
    ctx.add('info', 'keras.no-config', 'no model_config found: a weights-only HDF5 file', {});
}

/** Reads one JSON object starting at `start` by string-aware brace matching, up to `max` bytes. */
function extractJson(src: ByteSource, start: number, max: number): string | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  const end = Math.min(src.size, start + max);
  for (let pos = start; pos < end; pos += 1 << 20) {
    const block = src.read(pos, Math.min(1 << 20, end - pos));
    for (let i = 0; i < block.length; i++) {
      const c = block[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b) depth++;
      else if (c === 0x7d && --depth === 0) {
        return Buffer.from(src.read(start, pos + i + 1 - start)).toString('utf8');
      } else if (c === 0) return undefined;
    }
  }
  return undefined;
}

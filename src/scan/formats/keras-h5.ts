import type { ByteSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError } from '../scan-error.js';
import { parseJsonBounded, scanKerasConfig } from './keras-config.js';

const HDF5_MAGIC = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHUNK = 4 << 20;
const OVERLAP = 256;
const OBJECT_START = /\{\s*"/g;

export function isHdf5(src: ByteSource): boolean {
  for (let at = 0; at + 8 <= src.size && at <= 8192; at = at === 0 ? 512 : at * 2) {
    const head = src.read(at, 8);
    if (HDF5_MAGIC.every((b, i) => head[i] === b)) return true;
  }
  return false;
}

/**
 * Keras .h5 files keep the model as JSON in the root group's `model_config` attribute.
 * HDF5 never filters attribute values (filters apply to chunked datasets), so the JSON is
 * present verbatim. The file is streamed in 4 MiB chunks; every `{"`-like object start is
 * brace-matched and parsed, so whitespace or `\u` escapes in keys do not hide a config.
 * If the attribute name is present but no config parses, the file is suspicious.
 */
export function scanKerasH5(ctx: ScanContext, src: ByteSource): void {
  let configs = 0;
  let sawAttribute = false;
  let skipUntil = 0;
  for (let pos = 0; pos < src.size; pos += CHUNK) {
    ctx.checkTime();
    const text = Buffer.from(src.read(pos, Math.min(CHUNK + OVERLAP, src.size - pos))).toString(
      'latin1',
    );
    if (text.includes('model_config')) sawAttribute = true;
    OBJECT_START.lastIndex = 0;
    for (
      let m = OBJECT_START.exec(text);
      m !== null && m.index < CHUNK;
      m = OBJECT_START.exec(text)
    ) {
      if (pos + m.index < skipUntil) continue;
      const json = extractJson(src, pos + m.index, ctx.limits.maxMemberBytes);
      if (json === undefined) continue;
      const parsed = parseObject(json.text);
      if (parsed === undefined) continue;
      configs += JSON.stringify(parsed).includes('"class_name"') ? 1 : 0;
      scanKerasConfig(ctx, parsed);
      skipUntil = json.end;
    }
  }
  if (configs > 0) return;
  if (sawAttribute) {
    ctx.add(
      'medium',
      'keras.config-unreadable',
      'model_config attribute present but no readable Keras JSON (compressed or obfuscated?)',
    );
  } else ctx.add('info', 'keras.no-config', 'no model_config found: a weights-only HDF5 file');
}

function parseObject(text: string): unknown {
  try {
    const v: unknown = parseJsonBounded(text);
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch (error) {
    if (error instanceof ScanFormatError && error.message.startsWith('JSON nested')) throw error;
    return undefined;
  }
}

/** One JSON object starting at `start`, by string-aware brace matching; stops at control bytes. */
function extractJson(
  src: ByteSource,
  start: number,
  max: number,
): { text: string; end: number } | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  const end = Math.min(src.size, start + max);
  for (let pos = start; pos < end; pos += 1 << 16) {
    const block = src.read(pos, Math.min(1 << 16, end - pos));
    for (let i = 0; i < block.length; i++) {
      const c = block[i] as number;
      if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return undefined;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b) depth++;
      else if (c === 0x7d && --depth === 0) {
        const stop = pos + i + 1;
        return { text: Buffer.from(src.read(start, stop - start)).toString('utf8'), end: stop };
      }
    }
  }
  return undefined;
}

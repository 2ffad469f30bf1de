import { gunzipSync, inflateSync } from 'node:zlib';
import { type ByteSource, bufferSource } from '../readers/byte-source.js';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';

export function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** zlib streams (RFC 1950) as joblib writes them with compress=True: CMF 0x78 and a valid check. */
export function isZlib(head: Uint8Array): boolean {
  const a = head[0] ?? 0;
  const b = head[1] ?? 0;
  return a === 0x78 && (a * 256 + b) % 31 === 0;
}

/** Inflates a whole gzip/zlib file with a cap on output and ratio (zip-bomb bound). */
export function inflateBounded(ctx: ScanContext, src: ByteSource, gzip: boolean): ByteSource {
  const limits = ctx.limits;
  if (src.size > limits.maxMemberBytes)
    throw new ScanLimitError(
      `compressed file of ${src.size} bytes exceeds ${limits.maxMemberBytes}`,
    );
  const cap = Math.min(
    limits.maxMemberBytes,
    Math.max(1 << 20, src.size * limits.maxCompressionRatio),
  );
  let out: Buffer;
  try {
    const input = src.read(0, src.size);
    out = gzip
      ? gunzipSync(input, { maxOutputLength: cap })
      : inflateSync(input, { maxOutputLength: cap });
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ScanLimitError(
        `decompressing exceeds ${cap} bytes (ratio cap ${limits.maxCompressionRatio}:1, zip bomb?)`,
      );
    }
    throw new ScanFormatError(`corrupt ${gzip ? 'gzip' : 'zlib'} stream`);
  }
  ctx.chargeInflated(out.length);
  return bufferSource(out);
}

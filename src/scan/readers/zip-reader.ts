import { constants, inflateRawSync } from 'node:zlib';
import type { ScanContext } from '../scan-context.js';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';
import { type ByteSource, bufferSource, u16le, u32le, u64le } from './byte-source.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  dataStart: number;
  isSymlink: boolean;
}

const EOCD = 0x06054b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

export function isZip(head: Uint8Array): boolean {
  return (
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    (head[2] === 3 || head[2] === 5) &&
    (head[3] === 4 || head[3] === 6)
  );
}

function findEocd(src: ByteSource): number {
  const tailLen = Math.min(src.size, 65557);
  const tail = src.read(src.size - tailLen, tailLen);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32le(tail, i) === EOCD) return src.size - tailLen + i;
  }
  throw new ScanFormatError('zip end-of-central-directory record not found (truncated archive?)');
}

/** True when the last 64 KiB hold an end-of-central-directory signature. */
export function hasZipTail(src: ByteSource): boolean {
  try {
    findEocd(src);
    return true;
  } catch {
    return false;
  }
}

/**
 * The central directory's place. `prefix` is the number of bytes glued in front of the archive
 * (Python's zipfile computes the same "concat" and tolerates it, so polyglots load).
 */
function readDirectory(src: ByteSource): {
  count: number;
  offset: number;
  size: number;
  prefix: number;
} {
  const at = findEocd(src);
  const e = src.read(at, 22);
  let count = u16le(e, 10);
  let size = u32le(e, 12);
  let offset = u32le(e, 16);
  let end = at;
  // Like Python's zipfile, read the zip64 record right before its locator (not where it says).
  if (at >= 76 && u32le(src.read(at - 20, 4)) === 0x07064b50) {
    const z = src.read(at - 76, 56);
    if (u32le(z) !== 0x06064b50) throw new ScanFormatError('zip64 end record missing');
    count = u64le(z, 32);
    size = u64le(z, 40);
    offset = u64le(z, 48);
    end = at - 76;
  }
  const prefix = Math.max(0, end - size - offset);
  if (prefix + offset + size > src.size)
    throw new ScanFormatError(
      `zip central directory (offset ${offset}, ${size} bytes) lies past the end of the file`,
    );
  return { count, offset: offset + prefix, size, prefix };
}

/** Parses the central directory, checking each entry against the local headers and the file bounds. */
export function readZipEntries(src: ByteSource, maxEntries: number): ZipEntry[] {
  const dir = readDirectory(src);
  if (dir.count > maxEntries)
    throw new ScanLimitError(`zip has ${dir.count} entries, more than ${maxEntries}`);
  const cd = src.read(dir.offset, dir.size);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    if (p + 46 > cd.length || u32le(cd, p) !== CDH)
      throw new ScanFormatError(`zip central directory entry ${i} is corrupt`);
    const nameLen = u16le(cd, p + 28);
    const extraLen = u16le(cd, p + 30);
    const commentLen = u16le(cd, p + 32);
    if (p + 46 + nameLen + extraLen > cd.length)
      throw new ScanFormatError(`zip central directory entry ${i} is truncated`);
    const name = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    const sizes = zip64Sizes(extra, u32le(cd, p + 24), u32le(cd, p + 20), u32le(cd, p + 42));
    sizes.offset += dir.prefix;
    const madeBy = u16le(cd, p + 4) >> 8;
    const mode = u32le(cd, p + 38) >>> 16;
    entries.push({
      name,
      method: u16le(cd, p + 10),
      flags: u16le(cd, p + 8),
      compressedSize: sizes.csize,
      size: sizes.usize,
      localOffset: sizes.offset,
      dataStart: localDataStart(src, sizes.offset, name),
      isSymlink: madeBy === 3 && (mode & 0o170000) === 0o120000,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function zip64Sizes(extra: Uint8Array, usize: number, csize: number, offset: number) {
  const out = { usize, csize, offset };
  for (let q = 0; q + 4 <= extra.length;) {
    const id = u16le(extra, q);
    const len = u16le(extra, q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      if (usize === 0xffffffff) {
        out.usize = u64le(extra, r);
        r += 8;
      }
      if (csize === 0xffffffff) {
        out.csize = u64le(extra, r);
        r += 8;
      }
      if (offset === 0xffffffff) out.offset = u64le(extra, r);
    }
    q += 4 + len;
  }
  return out;
}

function localDataStart(src: ByteSource, offset: number, name: string): number {
  const h = src.read(offset, 30);
  if (u32le(h) !== LFH)
    throw new ScanFormatError(`zip local header of "${name}" missing at offset ${offset}`);
  return offset + 30 + u16le(h, 26) + u16le(h, 28);
}

/** Flags structural tricks: overlapping members (Fifield's non-recursive zip bomb), traversal names, symlinks. */
export function checkZipStructure(ctx: ScanContext, src: ByteSource, entries: ZipEntry[]): void {
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i] as ZipEntry;
    if (e.dataStart + e.compressedSize > src.size) {
      throw new ScanFormatError(
        `zip member "${e.name}" extends past the end of the file (truncated?)`,
      );
    }
    const next = sorted[i + 1];
    if (next !== undefined && next.localOffset < e.dataStart + e.compressedSize) {
      ctx.add(
        'critical',
        'archive.overlap',
        `zip members "${e.name}" and "${next.name}" overlap (zip bomb)`,
        { member: e.name },
      );
    }
    if (/(^|[\\/])\.\.([\\/]|$)/.test(e.name) || /^([\\/]|[a-zA-Z]:)/.test(e.name)) {
      ctx.add(
        'high',
        'archive.path-traversal',
        `zip member name "${e.name}" escapes the extraction folder`,
        { member: e.name },
      );
    }
    if (e.isSymlink)
      ctx.add('high', 'archive.symlink', `zip member "${e.name}" is a symbolic link`, {
        member: e.name,
      });
    if ((e.flags & 1) !== 0)
      ctx.add(
        'medium',
        'archive.encrypted',
        `zip member "${e.name}" is encrypted and cannot be inspected`,
        { member: e.name },
      );
  }
}

/** The member's bytes, decompressed with bounds on size, ratio and the file's total. */
export function readZipMember(ctx: ScanContext, src: ByteSource, e: ZipEntry): ByteSource {
  const limits = ctx.limits;
  if (e.method === 0) return src.slice(e.dataStart, e.compressedSize);
  if (e.method !== 8)
    throw new ScanFormatError(
      `zip member "${e.name}" uses unsupported compression method ${e.method}`,
    );
  if (e.size > limits.maxMemberBytes)
    throw new ScanLimitError(
      `zip member "${e.name}" declares ${e.size} bytes, more than ${limits.maxMemberBytes}`,
    );
  if (e.size > 1 << 20 && e.size > e.compressedSize * limits.maxCompressionRatio) {
    throw new ScanLimitError(
      `zip member "${e.name}" compression ratio ${(e.size / Math.max(1, e.compressedSize)).toFixed(0)}:1 exceeds ${limits.maxCompressionRatio}:1 (zip bomb?)`,
    );
  }
  ctx.chargeInflated(e.size);
  let out: Buffer;
  try {
    out = inflateRawSync(src.read(e.dataStart, e.compressedSize), {
      maxOutputLength: Math.max(1, e.size),
    });
  } catch (cause) {
    const tooBig = (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    if (tooBig)
      throw new ScanLimitError(
        `zip member "${e.name}" inflates beyond its declared ${e.size} bytes (lying header / zip bomb)`,
      );
    throw new ScanFormatError(`zip member "${e.name}" has corrupt deflate data`);
  }
  if (out.length !== e.size)
    throw new ScanFormatError(
      `zip member "${e.name}" inflates to ${out.length} bytes, header says ${e.size}`,
    );
  return bufferSource(out);
}

/** Up to `n` leading bytes of a member, inflating only a bounded prefix. */
export function readZipMemberHead(src: ByteSource, e: ZipEntry, n: number): Uint8Array {
  if (e.method === 0) return src.read(e.dataStart, Math.min(n, e.compressedSize));
  if (e.method !== 8) return new Uint8Array(0);
  const prefix = src.read(e.dataStart, Math.min(e.compressedSize, n + 1024));
  try {
    const out = inflateRawSync(prefix, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: 64 << 20,
    });
    return out.subarray(0, n);
  } catch {
    return new Uint8Array(0);
  }
}

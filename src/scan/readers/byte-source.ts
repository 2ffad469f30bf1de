import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';

/**
 * Random access to a file or buffer. Reads are synchronous and bounded so a scanner never
 * holds more than the window it asked for: multi-GB weight files are never loaded whole.
 */
export interface ByteSource {
  readonly size: number;
  /** Returns exactly `length` bytes at `offset`, or throws SCAN_FORMAT_INVALID if past the end. */
  read(offset: number, length: number): Uint8Array;
  /** A view of `length` bytes at `offset` sharing this source. */
  slice(offset: number, length: number): ByteSource;
}

const MAX_SINGLE_READ = 512 * 1024 * 1024;

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ScanFormatError(`invalid read range offset=${offset} length=${length}`);
  }
  if (offset + length > size) {
    throw new ScanFormatError(
      `truncated: needs bytes ${offset}..${offset + length} but only ${size} exist`,
      {
        offset,
      },
    );
  }
  if (length > MAX_SINGLE_READ)
    throw new ScanLimitError(`single read of ${length} bytes exceeds the limit`);
}

class SliceSource implements ByteSource {
  constructor(
    private readonly parent: ByteSource,
    private readonly base: number,
    readonly size: number,
  ) {}
  read(offset: number, length: number): Uint8Array {
    checkRange(this.size, offset, length);
    return this.parent.read(this.base + offset, length);
  }
  slice(offset: number, length: number): ByteSource {
    checkRange(this.size, offset, length);
    return new SliceSource(this.parent, this.base + offset, length);
  }
}

/** A source over bytes already in memory. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      checkRange(bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
    slice(offset, length) {
      checkRange(bytes.length, offset, length);
      return new SliceSource(this, offset, length);
    },
  };
}

const WINDOW = 64 * 1024;

/** A source over an open file with a 64 KiB read-ahead window; call close() when done. */
export function fileSource(path: string): ByteSource & { close(): void; isFile: boolean } {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then rejects it.
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  let size: number;
  let isFile: boolean;
  try {
    const st = fstatSync(fd);
    size = st.size;
    isFile = st.isFile();
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let winStart = 0;
  let win = new Uint8Array(0);
  const source = {
    size,
    isFile,
    read(offset: number, length: number): Uint8Array {
      checkRange(size, offset, length);
      if (offset >= winStart && offset + length <= winStart + win.length) {
        return win.subarray(offset - winStart, offset - winStart + length);
      }
      if (length > WINDOW) {
        const out = new Uint8Array(length);
        readFully(fd, out, offset);
        return out;
      }
      const want = Math.min(WINDOW, size - offset);
      const next = new Uint8Array(want);
      readFully(fd, next, offset);
      win = next;
      winStart = offset;
      return win.subarray(0, length);
    },
    slice(offset: number, length: number): ByteSource {
      checkRange(size, offset, length);
      return new SliceSource(source, offset, length);
    },
    close() {
      closeSync(fd);
    },
  };
  return source;
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new ScanFormatError(`file shrank while reading at ${position + done}`);
    done += n;
  }
}

/** Little helpers for fixed-width integers at an offset. */
export function u32le(b: Uint8Array, at = 0): number {
  return (
    ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16)) +
    (b[at + 3] ?? 0) * 0x1000000
  );
}

export function u16le(b: Uint8Array, at = 0): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

/** Reads a little-endian u64 as a number; values above 2^53 become Infinity so bound checks fail loudly. */
export function u64le(b: Uint8Array, at = 0): number {
  const lo = u32le(b, at);
  const hi = u32le(b, at + 4);
  if (hi >= 0x200000) return Number.POSITIVE_INFINITY;
  return hi * 0x100000000 + lo;
}

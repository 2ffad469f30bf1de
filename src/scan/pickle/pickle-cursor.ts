import type { ByteSource } from '../readers/byte-source.js';
import { ScanFormatError, ScanLimitError } from '../scan-error.js';

const CHUNK = 64 * 1024;
const MAX_LINE = 16 * 1024 * 1024;

/** A forward reader over a ByteSource with a small local chunk, for opcode-at-a-time parsing. */
export class PickleCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;

  constructor(
    private readonly source: ByteSource,
    public pos: number,
  ) {}

  get size(): number {
    return this.source.size;
  }

  private ensure(n: number): void {
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    if (this.pos + n > this.source.size) {
      throw new ScanFormatError(`pickle truncated at offset ${this.pos} (needs ${n} more bytes)`, {
        offset: this.pos,
      });
    }
    const len = Math.min(Math.max(n, CHUNK), this.source.size - this.pos);
    this.buf = this.source.read(this.pos, len);
    this.bufStart = this.pos;
  }

  u8(): number {
    this.ensure(1);
    const v = this.buf[this.pos - this.bufStart] ?? 0;
    this.pos += 1;
    return v;
  }

  take(n: number): Uint8Array {
    if (n > CHUNK * 16) {
      const out = this.source.read(this.pos, n);
      this.pos += n;
      return out;
    }
    this.ensure(n);
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  /** Skips n bytes without reading them (big BINBYTES payloads). */
  skip(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.source.size) {
      throw new ScanFormatError(`pickle length ${n} at offset ${this.pos} runs past the end`, {
        offset: this.pos,
      });
    }
    this.pos += n;
  }

  uint(n: 1 | 2 | 4 | 8): number {
    const b = this.take(n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[i] ?? 0);
    return v;
  }

  int32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  }

  /** A newline-terminated text argument (protocol 0), without the newline. */
  line(): string {
    const parts: string[] = [];
    let total = 0;
    for (;;) {
      this.ensure(1);
      const at = this.pos - this.bufStart;
      const nl = this.buf.indexOf(0x0a, at);
      if (nl >= 0) {
        parts.push(Buffer.from(this.buf.subarray(at, nl)).toString('latin1'));
        this.pos += nl - at + 1;
        return parts.join('');
      }
      parts.push(Buffer.from(this.buf.subarray(at)).toString('latin1'));
      total += this.buf.length - at;
      this.pos += this.buf.length - at;
      if (total > MAX_LINE)
        throw new ScanLimitError(
          `pickle text argument longer than ${MAX_LINE} bytes at ${this.pos}`,
        );
    }
  }

  /** Peeks up to n bytes at an absolute offset without moving. */
  peekAt(offset: number, n: number): Uint8Array {
    const len = Math.min(n, this.source.size - offset);
    return len > 0 ? this.source.read(offset, len) : new Uint8Array(0);
  }

  sub(offset: number, length: number): ByteSource {
    return this.source.slice(offset, length);
  }
}

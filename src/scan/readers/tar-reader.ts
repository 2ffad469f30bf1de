import { ScanFormatError, ScanLimitError } from '../scan-error.js';
import type { ByteSource } from './byte-source.js';

export interface TarEntry {
  name: string;
  type: string;
  dataStart: number;
  size: number;
  linkName: string;
}

export function isTar(src: ByteSource): boolean {
  if (src.size < 512) return false;
  const magic = Buffer.from(src.read(257, 5)).toString('latin1');
  return magic === 'ustar';
}

function field(h: Uint8Array, at: number, len: number): string {
  const raw = h.subarray(at, at + len);
  const end = raw.indexOf(0);
  return Buffer.from(end >= 0 ? raw.subarray(0, end) : raw).toString('utf8');
}

/** Walks POSIX/GNU tar headers (512-byte blocks), bounding entry count and sizes by the file. */
export function readTarEntries(src: ByteSource, maxEntries: number): TarEntry[] {
  const out: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  while (pos + 512 <= src.size) {
    const h = src.read(pos, 512);
    if (h.every((b) => b === 0)) break;
    const sizeText = field(h, 124, 12).trim();
    const size = sizeText === '' ? 0 : parseInt(sizeText, 8);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new ScanFormatError(`tar header at ${pos} has a bad size "${sizeText}"`);
    const type = String.fromCharCode(h[156] ?? 0x30);
    const dataStart = pos + 512;
    if (dataStart + size > src.size)
      throw new ScanFormatError(`tar member at ${pos} runs past the end (truncated?)`);
    if (type === 'L') {
      longName = Buffer.from(src.read(dataStart, Math.min(size, 4096)))
        .toString('utf8')
        .replace(/\0.*$/s, '');
    } else if (type !== 'x' && type !== 'g') {
      const prefix = field(h, 345, 155);
      const base = field(h, 0, 100);
      const name = longName ?? (prefix === '' ? base : `${prefix}/${base}`);
      longName = undefined;
      out.push({
        name,
        type: type === '\0' ? '0' : type,
        dataStart,
        size,
        linkName: field(h, 157, 100),
      });
      if (out.length > maxEntries)
        throw new ScanLimitError(`tar has more than ${maxEntries} entries`);
    }
    pos = dataStart + Math.ceil(size / 512) * 512;
  }
  return out;
}

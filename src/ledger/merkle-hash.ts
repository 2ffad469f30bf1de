import { hash } from 'node:crypto';

// RFC 6962 §2.1 / RFC 9162 §2.1.1: domain separation between leaves (0x00) and interior
// nodes (0x01), so a leaf can never be passed off as a node (second-preimage resistance).
// One scratch buffer for 0x01 || left || right: hash() is synchronous, so no caller can see it
// half-written, and the writer and verify hash a node per leaf on average (no allocation).
const NODE_INPUT = Buffer.alloc(65, 0x01);

/** SHA-256 of the empty string: the root of a tree with no leaves (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = hash('sha256', '', 'buffer');

/** The RFC 6962 leaf hash SHA-256(0x00 || data); a string is hashed as its UTF-8 bytes. */
export function hashLeaf(data: string | Uint8Array): Buffer {
  // U+0000 encodes to the single byte 0x00 in UTF-8, so the prefix costs no copy of `data`.
  if (typeof data === 'string') return hash('sha256', '\u0000' + data, 'buffer');
  const bytes = Buffer.allocUnsafe(data.length + 1);
  bytes[0] = 0x00;
  bytes.set(data, 1);
  return hash('sha256', bytes, 'buffer');
}

/** The RFC 6962 interior node hash SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32)
    return hash('sha256', Buffer.concat([NODE_INPUT.subarray(0, 1), left, right], 65), 'buffer');
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
}

/** The largest power of two strictly smaller than n (n >= 2): the RFC 6962 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

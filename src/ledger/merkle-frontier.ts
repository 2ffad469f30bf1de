import { hashChildren, EMPTY_ROOT } from './merkle-hash.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';

/**
 * The compact range [0, size) of a Merkle tree: one perfect-subtree hash per set bit of
 * `size`, largest subtree first. It is all a log writer needs to keep: appending merges equal
 * subtrees (O(1) amortised), and the RFC 6962 root folds the subtrees right to left.
 */
export interface MerkleFrontier {
  readonly size: number;
  append(leafHash: Buffer): void;
  root(): Buffer;
  /** Subtree hashes as hex, largest first (the `ledger_heads.frontier` layout). */
  toHex(): string[];
  clone(): MerkleFrontier;
}

function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

/** A frontier for a tree of `size` leaves, from its subtree hashes (largest first). */
export function createMerkleFrontier(
  size = 0,
  subtrees: readonly (Buffer | string)[] = [],
): MerkleFrontier {
  if (!Number.isSafeInteger(size) || size < 0 || bitCount(size) !== subtrees.length) {
    throw ledgerError(
      LedgerErrorCodes.CHAIN_BROKEN,
      `frontier of size ${size} needs ${bitCount(size)} subtree hashes, got ${subtrees.length}`,
    );
  }
  const stack = subtrees.map((h) => (typeof h === 'string' ? Buffer.from(h, 'hex') : h));
  if (stack.some((h) => h.length !== 32)) {
    throw ledgerError(LedgerErrorCodes.CHAIN_BROKEN, 'frontier hashes must be 32 bytes');
  }
  return frontierOf(size, stack);
}

function frontierOf(initialSize: number, stack: Buffer[]): MerkleFrontier {
  let size = initialSize;
  return {
    get size() {
      return size;
    },
    append(leafHash) {
      let h = leafHash;
      // Each trailing 1 bit of the old size is a subtree of the same height as `h`: merge.
      for (let s = size; s % 2 === 1; s = (s - 1) / 2) h = hashChildren(stack.pop()!, h);
      stack.push(h);
      size += 1;
    },
    root() {
      if (stack.length === 0) return EMPTY_ROOT;
      let h = stack[stack.length - 1]!;
      for (let i = stack.length - 2; i >= 0; i--) h = hashChildren(stack[i]!, h);
      return h;
    },
    toHex: () => stack.map((h) => h.toString('hex')),
    clone: () => frontierOf(size, stack.slice()),
  };
}

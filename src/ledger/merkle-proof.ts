import { createMerkleFrontier } from './merkle-frontier.js';
import { splitPoint } from './merkle-hash.js';
import { ledgerError, LedgerErrorCodes } from './errors.js';

/** A half-open leaf range [start, end) whose Merkle tree hash is one proof element. */
export type LeafRange = readonly [start: number, end: number];

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw ledgerError(
      LedgerErrorCodes.PROOF_RANGE,
      `${name} must be a whole number >= 0, got ${value}`,
    );
  }
}

/**
 * The leaf ranges of the inclusion proof for leaf `index` in a tree of `size` leaves, in proof
 * order (nearest sibling first): RFC 9162 §2.1.3.1 PATH(m, D[n]).
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkSize('index', index);
  checkSize('tree size', size);
  if (index >= size) {
    throw ledgerError(
      LedgerErrorCodes.PROOF_RANGE,
      `leaf ${index} is not in a tree of size ${size}`,
    );
  }
  const out: LeafRange[] = [];
  let [m, start, end] = [index, 0, size];
  // Walk down from the root; each level contributes the other half, so reverse at the end.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
      m -= k;
    }
  }
  return out.reverse();
}

/**
 * The leaf ranges of the consistency proof between tree sizes `oldSize` and `newSize`, in proof
 * order: RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], true). Empty when the sizes are equal or 0.
 */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  checkSize('old size', oldSize);
  checkSize('new size', newSize);
  if (oldSize > newSize) {
    throw ledgerError(
      LedgerErrorCodes.PROOF_RANGE,
      `old size ${oldSize} is larger than new size ${newSize}`,
    );
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  const out: LeafRange[] = [];
  let [m, start, end, complete] = [oldSize, 0, newSize, true];
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
      m -= k;
      complete = false;
    }
  }
  // The old tree is a whole subtree here; the verifier knows its hash only if it is the root.
  if (!complete) out.push([start, end]);
  return out.reverse();
}

/** The RFC 6962 Merkle tree hash of a list of leaf hashes. */
export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  const frontier = createMerkleFrontier();
  for (const leaf of leafHashes) frontier.append(leaf);
  return frontier.root();
}

/** The inclusion proof for leaf `index` in the tree made of the first `size` leaf hashes. */
export function inclusionProof(
  leafHashes: readonly Buffer[],
  index: number,
  size: number,
): Buffer[] {
  if (size > leafHashes.length) {
    throw ledgerError(
      LedgerErrorCodes.PROOF_RANGE,
      `tree size ${size} exceeds ${leafHashes.length} leaves`,
    );
  }
  return inclusionProofRanges(index, size).map(([a, b]) => merkleRoot(leafHashes.slice(a, b)));
}

/** The consistency proof between the trees made of the first `oldSize` and `newSize` leaves. */
export function consistencyProof(
  leafHashes: readonly Buffer[],
  oldSize: number,
  newSize: number,
): Buffer[] {
  if (newSize > leafHashes.length) {
    throw ledgerError(
      LedgerErrorCodes.PROOF_RANGE,
      `tree size ${newSize} exceeds ${leafHashes.length} leaves`,
    );
  }
  return consistencyProofRanges(oldSize, newSize).map(([a, b]) =>
    merkleRoot(leafHashes.slice(a, b)),
  );
}

import { describe, expect, it } from 'vitest';
import { createMerkleFrontier } from '../merkle-frontier.js';
import { hashLeaf } from '../merkle-hash.js';
import { consistencyProof, merkleRoot } from '../merkle-proof.js';
import { verifyConsistency } from '../verify-proof.js';
import { extendWithProof } from './incremental-proof.js';

describe('extendWithProof', () => {
  const leaves = Array.from({ length: 45 }, (_, i) => hashLeaf(`leaf ${i}`));
  it('gives the RFC 9162 consistency proof from the old compact range and the new leaves only', () => {
    for (let m = 0; m <= 40; m++) {
      const old = createMerkleFrontier();
      for (const leaf of leaves.slice(0, m)) old.append(leaf);
      for (let n = m; n <= 45; n++) {
        const { proof, frontier } = extendWithProof(old, leaves.slice(m, n));
        expect(proof).toEqual(consistencyProof(leaves, m, n));
        expect(frontier.root()).toEqual(merkleRoot(leaves.slice(0, n)));
        if (m > 0) expect(verifyConsistency(m, n, old.root(), frontier.root(), proof)).toBe(true);
      }
    }
  });
});

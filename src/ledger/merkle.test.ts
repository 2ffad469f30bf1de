import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, hashChildren, hashLeaf } from './merkle-hash.js';
import { createMerkleFrontier } from './merkle-frontier.js';
import { consistencyProof, inclusionProof, merkleRoot } from './merkle-proof.js';
import { verifyConsistency, verifyInclusion } from './verify-proof.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Buffer => Buffer.from(s, 'hex');

// The Certificate Transparency reference inputs and tree heads (certificate-transparency-go
// merkle tests, RFC 6962): published values, not computed by this code.
const CT_DATA = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_LEAVES = CT_DATA.map((d) => hashLeaf(d));

// The recursive definition of RFC 6962 §2.1, written independently of the code under test
// with its own hashing, to check the incremental frontier and the proofs against.
const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const N = 300;
const LEAVES = Array.from({ length: N }, (_, i) => sha(Buffer.from([0]), Buffer.from(`leaf ${i}`)));
const ROOTS = Array.from({ length: N + 1 }, (_, n) => mth(LEAVES.slice(0, n)));

describe('RFC 6962 hashing', () => {
  it('gives the published Certificate Transparency tree heads for sizes 0 to 8', () => {
    expect(hex(EMPTY_ROOT)).toBe(CT_ROOTS[0]);
    for (let n = 0; n <= 8; n++) expect(hex(merkleRoot(CT_LEAVES.slice(0, n)))).toBe(CT_ROOTS[n]);
  });

  it('hashes a string leaf as its UTF-8 bytes behind a 0x00 prefix', () => {
    expect(hashLeaf('é')).toEqual(sha(Buffer.from([0, 0xc3, 0xa9])));
    expect(hashLeaf(Buffer.from('é'))).toEqual(hashLeaf('é'));
    expect(hashChildren(LEAVES[0]!, LEAVES[1]!)).toEqual(
      sha(Buffer.from([1]), LEAVES[0]!, LEAVES[1]!),
    );
  });

  it('reproduces the published inclusion and consistency proofs', () => {
    expect(inclusionProof(CT_LEAVES, 0, 8).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionProof(CT_LEAVES, 5, 8).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(consistencyProof(CT_LEAVES, 6, 8).map(hex)).toEqual([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(consistencyProof(CT_LEAVES, 2, 8).map(hex)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });
});

describe('the Merkle frontier', () => {
  it('has the recursive root at every size from 0 to 300', () => {
    const frontier = createMerkleFrontier();
    expect(frontier.root()).toEqual(ROOTS[0]);
    for (let n = 1; n <= N; n++) {
      frontier.append(LEAVES[n - 1]!);
      expect(frontier.size).toBe(n);
      expect(hex(frontier.root()), `size ${n}`).toBe(hex(ROOTS[n]!));
    }
  });

  it('resumes from its hex form and refuses a form that does not match the size', () => {
    const frontier = createMerkleFrontier();
    for (const leaf of LEAVES.slice(0, 77)) frontier.append(leaf);
    const resumed = createMerkleFrontier(77, frontier.toHex());
    for (const leaf of LEAVES.slice(77, 200)) resumed.append(leaf);
    expect(resumed.root()).toEqual(ROOTS[200]);
    expect(() => createMerkleFrontier(79, frontier.toHex())).toThrowError(/LEDGER|subtree/);
    expect(() => createMerkleFrontier(1, ['abcd'])).toThrowError(/32 bytes/);
  });
});

describe('inclusion proofs', () => {
  it('verify for every leaf of every tree size up to 70, and fail once modified', () => {
    for (let n = 1; n <= 70; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(LEAVES, i, n);
        expect(verifyInclusion(LEAVES[i]!, i, n, proof, ROOTS[n]!), `${i}/${n}`).toBe(true);
        expect(verifyInclusion(LEAVES[(i + 1) % N]!, i, n, proof, ROOTS[n]!)).toBe(false);
        expect(verifyInclusion(LEAVES[i]!, i, n, [...proof, LEAVES[0]!], ROOTS[n]!)).toBe(false);
        if (n > 1) expect(verifyInclusion(LEAVES[i]!, i, n, proof, ROOTS[n - 1]!)).toBe(false);
        if (proof.length === 0) continue;
        const flipped = proof.map((p) => Buffer.from(p));
        flipped[flipped.length - 1]![0]! ^= 1;
        expect(verifyInclusion(LEAVES[i]!, i, n, flipped, ROOTS[n]!)).toBe(false);
        expect(verifyInclusion(LEAVES[i]!, i, n, proof.slice(0, -1), ROOTS[n]!)).toBe(false);
      }
    }
  });

  it('refuses an index outside the tree, both to prove and to verify', () => {
    expect(() => inclusionProof(LEAVES, 5, 5)).toThrowError(/not in a tree of size 5/);
    expect(() => inclusionProof(LEAVES, -1, 5)).toThrowError(/index/);
    expect(verifyInclusion(LEAVES[0]!, 5, 5, [], ROOTS[5]!)).toBe(false);
    expect(verifyInclusion(Buffer.alloc(31), 0, 1, [], ROOTS[1]!)).toBe(false);
  });
});

describe('consistency proofs', () => {
  it('verify for every pair of sizes up to 70, and fail once modified', () => {
    for (let n = 1; n <= 70; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(LEAVES, m, n);
        expect(verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, proof), `${m}->${n}`).toBe(true);
        if (m > 0 && m < n) {
          expect(verifyConsistency(m, n, ROOTS[m - 1]!, ROOTS[n]!, proof)).toBe(false);
          expect(verifyConsistency(m, n, ROOTS[m]!, ROOTS[n - 1]!, proof)).toBe(false);
          expect(verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, proof.slice(1))).toBe(false);
          expect(verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, [...proof, LEAVES[0]!])).toBe(false);
          const flipped = proof.map((p) => Buffer.from(p));
          flipped[0]![31]! ^= 0x80;
          expect(verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, flipped)).toBe(false);
        }
      }
    }
  });

  it('holds for large trees, where a proof has one hash per level', () => {
    const m = 129;
    const proof = consistencyProof(LEAVES, m, N);
    expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(N)));
    expect(verifyConsistency(m, N, ROOTS[m]!, ROOTS[N]!, proof)).toBe(true);
  });

  it('refuses a shrinking tree and degenerate proofs', () => {
    expect(() => consistencyProof(LEAVES, 9, 8)).toThrowError(/larger than/);
    expect(verifyConsistency(9, 8, ROOTS[9]!, ROOTS[8]!, [])).toBe(false);
    expect(verifyConsistency(4, 4, ROOTS[4]!, ROOTS[5]!, [])).toBe(false);
    expect(verifyConsistency(0, 8, ROOTS[1]!, ROOTS[8]!, [])).toBe(false);
    expect(verifyConsistency(3, 8, ROOTS[3]!, ROOTS[8]!, [])).toBe(false);
  });
});

import { EMPTY_ROOT, hashChildren } from './merkle-hash.js';

// Sizes may exceed 2^32, so no bitwise operators: halve with arithmetic instead.
const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === 32;
}

function validSizes(...values: number[]): boolean {
  return values.every((v) => Number.isSafeInteger(v) && v >= 0);
}

/**
 * The root an inclusion proof leads to from `leafHash` at `index` in a tree of `size` leaves,
 * or null when the proof has the wrong shape: RFC 9162 §2.1.3.2.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Buffer | null {
  if (!validSizes(index, size) || index >= size || !isHash(leafHash)) return null;
  if (!Array.isArray(proof) || !proof.every(isHash)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return null;
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** Whether `proof` shows that `leafHash` is leaf `index` of the tree of `size` with `root`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  return computed !== null && isHash(root) && computed.equals(root);
}

/**
 * Whether `proof` shows that the tree of `newSize` with `newRoot` extends the tree of
 * `oldSize` with `oldRoot` (append-only): RFC 9162 §2.1.4.2, with the degenerate cases
 * (equal sizes, empty old tree) requiring an empty proof.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!validSizes(oldSize, newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) {
    return false;
  }
  if (oldSize === newSize) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
  if (oldSize === 0) return proof.length === 0 && EMPTY_ROOT.equals(oldRoot);
  if (proof.length === 0) return false;
  return walkConsistency(oldSize, newSize, oldRoot, newRoot, proof);
}

function walkConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  given: readonly Uint8Array[],
): boolean {
  // A power-of-two old tree is a whole subtree of the new one; its root starts the path.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...given] : given;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

function isPowerOfTwo(n: number): boolean {
  let v = n;
  while (v > 1 && !odd(v)) v = half(v);
  return v === 1;
}

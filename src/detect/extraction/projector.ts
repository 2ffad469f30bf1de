/** A small deterministic PRNG (mulberry32) so sketches are identical across runs and replays. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Maps a standardised row to `dim` floats. Up to `dim` features it is the identity; above,
 * a Gaussian random projection scaled by 1/sqrt(dim), which preserves L2 distances within a
 * small factor (Johnson–Lindenstrauss) and bounds the memory each stored query costs.
 * The returned array is reused by the next call: callers copy what they keep.
 */
export function createProjector(
  featureCount: number,
  dim: number,
  seed: number,
): (z: Float64Array) => Float32Array {
  const out = new Float32Array(Math.min(featureCount, dim));
  if (featureCount <= dim)
    return (z) => {
      for (let j = 0; j < out.length; j += 1) out[j] = z[j]!;
      return out;
    };
  const random = createRandom(seed);
  const matrix = new Float64Array(dim * featureCount);
  const s = 1 / Math.sqrt(dim);
  for (let i = 0; i < matrix.length; i += 1) matrix[i] = gaussian(random) * s;
  return (z) => {
    let i = 0;
    // Two outputs at once: independent sums, each in the same order as alone (bit-identical).
    for (; i + 1 < dim; i += 2) {
      let a0 = 0;
      let a1 = 0;
      const b0 = i * featureCount;
      const b1 = b0 + featureCount;
      for (let j = 0; j < featureCount; j += 1) {
        const zj = z[j]!;
        a0 += matrix[b0 + j]! * zj;
        a1 += matrix[b1 + j]! * zj;
      }
      out[i] = a0;
      out[i + 1] = a1;
    }
    for (; i < dim; i += 1) {
      let acc = 0;
      const base = i * featureCount;
      for (let j = 0; j < featureCount; j += 1) acc += matrix[base + j]! * z[j]!;
      out[i] = acc;
    }
    return out;
  };
}

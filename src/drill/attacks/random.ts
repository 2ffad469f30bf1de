/** Seeded randomness for attacks and traffic, so every drill run is reproducible. */
export interface Random {
  next(): number;
  int(n: number): number;
  normal(): number;
}

export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0; // mulberry32
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () =>
      Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next()),
  };
}

export function clip(x: number[], min: readonly number[], max: readonly number[]): number[] {
  return x.map((v, j) => Math.min(max[j]!, Math.max(min[j]!, v)));
}

/** L2 distance measured in units of each feature's range (so features weigh alike). */
export function rangeDistance(
  a: readonly number[],
  b: readonly number[],
  min: readonly number[],
  max: readonly number[],
): number {
  let s = 0;
  for (let j = 0; j < a.length; j += 1) {
    const r = max[j]! - min[j]! || 1;
    const t = (a[j]! - b[j]!) / r;
    s += t * t;
  }
  return Math.sqrt(s);
}

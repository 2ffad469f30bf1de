import { clip, createRandom, type Random } from './random.js';

/** How one benign principal behaves. */
export interface BenignOptions {
  /** Real rows to replay (a holdout split). */
  readonly samples: readonly (readonly number[])[];
  readonly queries: number;
  readonly seed: number;
  readonly featureMin: readonly number[];
  readonly featureMax: readonly number[];
  /** Share of queries that re-send a row exactly (a retry, a re-score); default 0.5. */
  readonly repeatShare?: number;
  /** Noise on fresh queries, as a share of each feature's range; default 0.03. */
  readonly noise?: number;
}

function zipfPicker(size: number, random: Random): () => number {
  const weights = Array.from({ length: size }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w) => (cdf.push((acc + w) / total), acc + w), 0);
  return () => {
    const u = random.next();
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function integerColumns(samples: readonly (readonly number[])[]): boolean[] {
  const d = samples[0]?.length ?? 0;
  return Array.from({ length: d }, (_, j) => samples.every((r) => Number.isInteger(r[j])));
}

/**
 * One benign principal's queries: a working set of 20–120 real rows with Zipf popularity,
 * exact repeats, fresh variants with small noise (rounded where the data is integer), and
 * a working set that slowly turns over.
 */
export function benignQueries(o: BenignOptions): number[][] {
  const random = createRandom(o.seed);
  const size = Math.min(o.samples.length, 20 + random.int(101));
  const working = Array.from({ length: size }, () => o.samples[random.int(o.samples.length)]!);
  const pick = zipfPicker(size, random);
  const ints = integerColumns(o.samples);
  const repeatShare = o.repeatShare ?? 0.5;
  const noise = o.noise ?? 0.03;
  const out: number[][] = [];
  for (let q = 0; q < o.queries; q += 1) {
    if (random.next() < 0.01) working[random.int(size)] = o.samples[random.int(o.samples.length)]!;
    const base = working[pick()]!;
    if (random.next() < repeatShare) {
      out.push([...base]);
      continue;
    }
    const row = base.map((v, j) => {
      const x = v + noise * (o.featureMax[j]! - o.featureMin[j]!) * random.normal();
      return ints[j] ? Math.round(x) : x;
    });
    out.push(clip(row, o.featureMin, o.featureMax));
  }
  return out;
}

import {
  benignQueries,
  clip,
  createRandom,
  type QueryResult,
  type QueryTarget,
  type RecordedQuery,
} from '../../src/drill/attacks/index.js';

/** An attacker-side wrapper that adds Gaussian noise (share of each feature's range) to every row sent. */
export function noisyTarget(
  target: QueryTarget,
  o: { sigma: number; min: readonly number[]; max: readonly number[]; seed: number },
): QueryTarget {
  const random = createRandom(o.seed);
  return {
    query: (rows: number[][]): Promise<QueryResult> =>
      target.query(
        rows.map((r) =>
          clip(
            r.map((v, j) => v + o.sigma * (o.max[j]! - o.min[j]!) * random.normal()),
            o.min,
            o.max,
          ),
        ),
      ),
  };
}

/** Mixes `perAttack` benign replays after every attack query; returns the log and which entries are the attack's. */
export async function interleaveBenign(
  target: QueryTarget,
  log: readonly RecordedQuery[],
  o: {
    perAttack: number;
    samples: readonly (readonly number[])[];
    min: readonly number[];
    max: readonly number[];
    seed: number;
  },
): Promise<{ log: RecordedQuery[]; isAttack: (i: number) => boolean }> {
  const cover = benignQueries({
    samples: o.samples,
    queries: log.length * o.perAttack,
    seed: o.seed,
    featureMin: o.min,
    featureMax: o.max,
  });
  const answers = cover.length > 0 ? await target.query(cover) : { probabilities: [], labels: [] };
  const mixed: RecordedQuery[] = [];
  const attack = new Set<number>();
  log.forEach((q, i) => {
    attack.add(mixed.length);
    mixed.push(q);
    for (let k = 0; k < o.perAttack; k += 1) {
      const at = i * o.perAttack + k;
      mixed.push({
        features: cover[at]!,
        probabilities: answers.probabilities[at]!,
        label: answers.labels[at]!,
      });
    }
  });
  return { log: mixed, isAttack: (i) => attack.has(i) };
}

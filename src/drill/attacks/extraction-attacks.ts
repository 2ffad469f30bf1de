import type { AttackContext, AttackReport, QueryTarget } from './query-target.js';
import { clip, createRandom, type Random } from './random.js';
import { agreement, surrogateGradient, trainSurrogate } from './surrogate.js';

/** Budget and the rows the harness scores the stolen copy on (never sent to the target). */
export interface ExtractionOptions {
  readonly budget: number;
  readonly batch?: number;
  readonly testRows: readonly (readonly number[])[];
  readonly testLabels: readonly number[];
  /** Natural rows the attacker holds (Knockoff's pool; seeds for synthetic and Jacobian). */
  readonly natural?: readonly (readonly number[])[];
}

async function queryAll(target: QueryTarget, rows: number[][], batch: number): Promise<number[]> {
  const labels: number[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    labels.push(...(await target.query(rows.slice(i, i + batch))).labels);
  }
  return labels;
}

async function stealWith(
  name: string,
  target: QueryTarget,
  ctx: AttackContext,
  o: ExtractionOptions,
  rows: number[][],
): Promise<AttackReport> {
  const labels = await queryAll(target, rows, o.batch ?? 10);
  const surrogate = trainSurrogate(rows, labels, {
    classCount: ctx.classCount,
    min: ctx.featureMin,
    max: ctx.featureMax,
    seed: ctx.seed,
  });
  return {
    attack: name,
    queries: rows.length,
    agreement: agreement(surrogate, o.testRows, o.testLabels),
  };
}

function uniformRow(ctx: AttackContext, random: Random): number[] {
  return ctx.featureMin.map((lo, j) => lo + random.next() * (ctx.featureMax[j]! - lo));
}

/** Tramèr et al. (2016) style: rows drawn uniformly within the schema's feature ranges. */
export async function randomExtraction(
  target: QueryTarget,
  ctx: AttackContext,
  o: ExtractionOptions,
): Promise<AttackReport> {
  const random = createRandom(ctx.seed);
  const rows = Array.from({ length: o.budget }, () => uniformRow(ctx, random));
  return stealWith('extraction.random', target, ctx, o, rows);
}

function seeds(o: ExtractionOptions, count: number, random: Random): (readonly number[])[] {
  const pool = o.natural ?? [];
  if (pool.length === 0) throw new Error('this attack needs natural seed rows');
  return Array.from({ length: count }, () => pool[random.int(pool.length)]!);
}

/** Synthetic rows: mixtures of two of a handful of natural seeds plus noise (no real data beyond the seeds). */
export async function syntheticExtraction(
  target: QueryTarget,
  ctx: AttackContext,
  o: ExtractionOptions,
): Promise<AttackReport> {
  const random = createRandom(ctx.seed);
  const base = seeds(o, 10, random);
  const rows = Array.from({ length: o.budget }, () => {
    const a = base[random.int(base.length)]!;
    const b = base[random.int(base.length)]!;
    const t = random.next();
    const mixed = a.map(
      (v, j) =>
        t * v +
        (1 - t) * b[j]! +
        0.05 * (ctx.featureMax[j]! - ctx.featureMin[j]!) * random.normal(),
    );
    return clip(mixed, ctx.featureMin, ctx.featureMax);
  });
  return stealWith('extraction.synthetic', target, ctx, o, rows);
}

/** Knockoff Nets (Orekondy et al. 2019), random strategy: natural rows from the attacker's own pool. */
export async function knockoffExtraction(
  target: QueryTarget,
  ctx: AttackContext,
  o: ExtractionOptions,
): Promise<AttackReport> {
  const random = createRandom(ctx.seed);
  const pool = [...(o.natural ?? [])];
  for (let i = pool.length - 1; i > 0; i -= 1) {
    const k = random.int(i + 1);
    [pool[i], pool[k]] = [pool[k]!, pool[i]!];
  }
  const rows = Array.from({ length: Math.min(o.budget, pool.length) }, (_, i) => [...pool[i]!]);
  return stealWith('extraction.knockoff', target, ctx, o, rows);
}

/**
 * Papernot et al. (2017) Jacobian-based dataset augmentation: start from a few seeds, train
 * a surrogate on the target's labels, add x + λ·sign(∂F_y/∂x) for every row, repeat.
 */
export async function jacobianExtraction(
  target: QueryTarget,
  ctx: AttackContext,
  o: ExtractionOptions,
): Promise<AttackReport> {
  const random = createRandom(ctx.seed);
  const rows: number[][] = seeds(o, Math.min(10, o.budget), random).map((r) => [...r]);
  const labels = await queryAll(target, rows, o.batch ?? 10);
  const opts = {
    classCount: ctx.classCount,
    min: ctx.featureMin,
    max: ctx.featureMax,
    seed: ctx.seed,
  };
  let surrogate = trainSurrogate(rows, labels, opts);
  const lambda = 0.1;
  while (rows.length < o.budget) {
    const fresh = rows.slice(0, o.budget - rows.length).map((x, i) => {
      const g = surrogateGradient(surrogate, x, labels[i]!);
      return clip(
        x.map((v, j) => v + lambda * (ctx.featureMax[j]! - ctx.featureMin[j]!) * Math.sign(g[j]!)),
        ctx.featureMin,
        ctx.featureMax,
      );
    });
    labels.push(...(await queryAll(target, fresh, o.batch ?? 10)));
    rows.push(...fresh);
    surrogate = trainSurrogate(rows, labels, opts);
  }
  return {
    attack: 'extraction.jacobian',
    queries: rows.length,
    agreement: agreement(surrogate, o.testRows, o.testLabels),
  };
}

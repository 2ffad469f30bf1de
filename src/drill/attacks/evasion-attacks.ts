import type { AttackContext, AttackReport, QueryTarget } from './query-target.js';
import { clip, createRandom, rangeDistance, type Random } from './random.js';

/** The row to push across the boundary, its true label, and the attacker's budget. */
export interface EvasionOptions {
  readonly original: readonly number[];
  readonly budget: number;
  /** Distortion (L2 in units of the feature ranges) under which a misclassification counts. */
  readonly maxDistortion?: number;
  /** Natural rows the attacker holds, to find a starting point of another class. */
  readonly natural?: readonly (readonly number[])[];
}

/** Counts queries and stops the attack when the budget is spent. */
class Budget {
  used = 0;
  constructor(
    private readonly target: QueryTarget,
    readonly limit: number,
  ) {}
  get left(): number {
    return this.limit - this.used;
  }
  async ask(rows: number[][]): Promise<{ labels: number[]; probabilities: number[][] }> {
    const take = rows.slice(0, Math.max(0, this.left));
    if (take.length === 0) return { labels: [], probabilities: [] };
    this.used += take.length;
    return this.target.query(take);
  }
}

function report(
  name: string,
  b: Budget,
  ctx: AttackContext,
  o: EvasionOptions,
  adv: number[] | null,
): AttackReport {
  const distortion = adv
    ? rangeDistance(adv, o.original, ctx.featureMin, ctx.featureMax)
    : Infinity;
  return {
    attack: name,
    queries: b.used,
    success: adv !== null && distortion <= (o.maxDistortion ?? 1),
    distortion,
  };
}

const mix = (a: readonly number[], b: readonly number[], t: number) =>
  a.map((v, j) => (1 - t) * v + t * b[j]!);

/** A starting point the model labels differently from `label`: natural rows first, then uniform noise. */
async function startingPoint(
  b: Budget,
  ctx: AttackContext,
  o: EvasionOptions,
  label: number,
  random: Random,
): Promise<number[] | null> {
  const pool = o.natural ?? [];
  for (let tries = 0; tries < 20 && b.left > 0; tries += 1) {
    const x =
      pool.length > 0 && tries < 10
        ? [...pool[random.int(pool.length)]!]
        : ctx.featureMin.map((lo, j) => lo + random.next() * (ctx.featureMax[j]! - lo));
    const r = await b.ask([x]);
    if (r.labels[0] !== undefined && r.labels[0] !== label) return x;
  }
  return null;
}

/** Binary search on the segment original → adversarial for the boundary (HopSkipJump step). */
async function toBoundary(
  b: Budget,
  original: readonly number[],
  adv: number[],
  label: number,
  steps: number,
): Promise<number[]> {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < steps && b.left > 0; i += 1) {
    const mid = (lo + hi) / 2;
    const r = await b.ask([mix(original, adv, mid)]);
    if (r.labels[0] !== label) hi = mid;
    else lo = mid;
  }
  return mix(original, adv, hi);
}

async function labelOf(b: Budget, x: number[]): Promise<number | undefined> {
  return (await b.ask([x])).labels[0];
}

function randomDirection(d: number, scale: readonly number[], random: Random): number[] {
  const u = Array.from({ length: d }, (_, j) => random.normal() * scale[j]!);
  const n = Math.hypot(...u) || 1;
  return u.map((v) => v / n);
}

/**
 * What the decision-based attacks share: the original's label, a misclassified starting point
 * walked to the boundary, and the feature ranges. Null when either cannot be had in budget.
 */
async function startAtBoundary(
  target: QueryTarget,
  ctx: AttackContext,
  o: EvasionOptions,
  steps: number,
) {
  const random = createRandom(ctx.seed);
  const b = new Budget(target, o.budget);
  const x0 = [...o.original];
  const label = await labelOf(b, x0);
  const start = label === undefined ? null : await startingPoint(b, ctx, o, label, random);
  const range = ctx.featureMax.map((hi, j) => hi - ctx.featureMin[j]!);
  if (!start || label === undefined) return { b, ready: null };
  const adv = await toBoundary(b, x0, start, label, steps);
  return { b, ready: { random, x0, label, adv, range } };
}

/** Brendel, Rauber & Bethge (2018) boundary attack: random orthogonal steps plus steps towards the original. */
export async function boundaryAttack(
  target: QueryTarget,
  ctx: AttackContext,
  o: EvasionOptions,
): Promise<AttackReport> {
  const { b, ready } = await startAtBoundary(target, ctx, o, 6);
  if (!ready) return report('evasion.boundary', b, ctx, o, null);
  const { random, x0, label, range } = ready;
  let adv = ready.adv;
  let delta = 0.1;
  while (b.left > 0) {
    const dist = Math.hypot(...adv.map((v, j) => v - x0[j]!));
    const u = randomDirection(x0.length, range, random);
    const candidate = clip(
      mix(
        adv.map((v, j) => v + delta * dist * u[j]!),
        x0,
        0.05,
      ),
      ctx.featureMin,
      ctx.featureMax,
    );
    const l = await labelOf(b, candidate);
    if (l !== undefined && l !== label) adv = candidate;
    else delta = Math.max(0.01, delta * 0.9);
  }
  return report('evasion.boundary', b, ctx, o, adv);
}

/** Chen, Jordan & Wainwright (2020) HopSkipJump: sign-only gradient estimates at the boundary. */
export async function hopSkipJump(
  target: QueryTarget,
  ctx: AttackContext,
  o: EvasionOptions,
): Promise<AttackReport> {
  const { b, ready } = await startAtBoundary(target, ctx, o, 8);
  if (!ready) return report('evasion.hsj', b, ctx, o, null);
  const { random, x0, label, range } = ready;
  let adv = ready.adv;
  for (let t = 1; b.left > 1; t += 1) {
    const dist = Math.hypot(...adv.map((v, j) => v - x0[j]!));
    const probe = 0.01 * dist;
    const dirs = Array.from({ length: Math.min(b.left - 1, Math.round(10 * Math.sqrt(t))) }, () =>
      randomDirection(x0.length, range, random),
    );
    const r = await b.ask(
      dirs.map((u) =>
        clip(
          adv!.map((v, j) => v + probe * u[j]!),
          ctx.featureMin,
          ctx.featureMax,
        ),
      ),
    );
    const phi = r.labels.map((l) => (l !== label ? 1 : -1));
    const mean = phi.reduce((s, v) => s + v, 0) / Math.max(1, phi.length);
    const g = x0.map((_, j) => phi.reduce((s, p, i) => s + (p - mean) * dirs[i]![j]!, 0));
    const gn = Math.hypot(...g) || 1;
    let step = dist / Math.sqrt(t);
    let next: number[] | null = null;
    while (b.left > 0 && step > 1e-6 * dist) {
      const cand = clip(
        adv.map((v, j) => v + (step * g[j]!) / gn),
        ctx.featureMin,
        ctx.featureMax,
      );
      if ((await labelOf(b, cand)) !== label) {
        next = cand;
        break;
      }
      step /= 2;
    }
    if (next) adv = await toBoundary(b, x0, next, label, 8);
  }
  return report('evasion.hsj', b, ctx, o, adv);
}

/** Ilyas et al. (2018) NES: antithetic Gaussian estimates of the true-class score gradient, signed steps. */
export async function nesAttack(
  target: QueryTarget,
  ctx: AttackContext,
  o: EvasionOptions,
): Promise<AttackReport> {
  const random = createRandom(ctx.seed);
  const b = new Budget(target, o.budget);
  const x0 = [...o.original];
  const first = await b.ask([x0]);
  const label = first.labels[0];
  if (label === undefined) return report('evasion.nes', b, ctx, o, null);
  const range = ctx.featureMax.map((hi, j) => hi - ctx.featureMin[j]!);
  let x = [...x0];
  const sigma = 0.005; // Ilyas et al. use 0.001 of the input range; this is kinder to the attacker
  const pairs = 5;
  while (b.left >= 2 * pairs + 1) {
    const us = Array.from({ length: pairs }, () => x0.map(() => random.normal()));
    const rows = us.flatMap((u) =>
      [1, -1].map((s) => x.map((v, j) => v + s * sigma * range[j]! * u[j]!)),
    );
    const r = await b.ask(rows);
    const g = x0.map((_, j) =>
      us.reduce(
        (s, u, i) =>
          s + (r.probabilities[2 * i]![label]! - r.probabilities[2 * i + 1]![label]!) * u[j]!,
        0,
      ),
    );
    x = clip(
      x.map((v, j) => v - 0.02 * range[j]! * Math.sign(g[j]!)),
      ctx.featureMin,
      ctx.featureMax,
    );
    if ((await labelOf(b, x)) !== label) return report('evasion.nes', b, ctx, o, x);
  }
  return report('evasion.nes', b, ctx, o, null);
}

/** Guo et al. (2019) SimBA-style score-based random search along random coordinates. */
export async function randomSearchAttack(
  target: QueryTarget,
  ctx: AttackContext,
  o: EvasionOptions,
): Promise<AttackReport> {
  const random = createRandom(ctx.seed);
  const b = new Budget(target, o.budget);
  let x = [...o.original];
  const first = await b.ask([x]);
  const label = first.labels[0];
  if (label === undefined) return report('evasion.random-search', b, ctx, o, null);
  let score = first.probabilities[0]![label]!;
  while (b.left > 0) {
    const j = random.int(x.length);
    const eps = 0.2 * (ctx.featureMax[j]! - ctx.featureMin[j]!);
    for (const s of [-1, 1]) {
      const cand = clip(
        x.map((v, i) => (i === j ? v + s * eps : v)),
        ctx.featureMin,
        ctx.featureMax,
      );
      const r = await b.ask([cand]);
      if (r.labels[0] === undefined) break;
      if (r.labels[0] !== label) return report('evasion.random-search', b, ctx, o, cand);
      if (r.probabilities[0]![label]! < score) {
        score = r.probabilities[0]![label]!;
        x = cand;
        break;
      }
    }
  }
  return report('evasion.random-search', b, ctx, o, null);
}

import { describe, expect, it } from 'vitest';
import {
  benignQueries,
  boundaryAttack,
  createRandom,
  createRecordingTarget,
  hopSkipJump,
  jacobianExtraction,
  knockoffExtraction,
  nesAttack,
  randomExtraction,
  randomSearchAttack,
  syntheticExtraction,
  type AttackContext,
  type QueryTarget,
} from './index.js';

// An in-test black box: two classes split by a hyperplane through the middle of [0, 10]^4.
const w = [1, -0.5, 0.8, 0.3];
const target: QueryTarget = {
  async query(rows) {
    const probabilities = rows.map((r) => {
      const s = r.reduce((acc, v, j) => acc + w[j]! * (v - 5), 0);
      const p = 1 / (1 + Math.exp(-s));
      return [1 - p, p];
    });
    return { probabilities, labels: probabilities.map((p) => (p[1]! > p[0]! ? 1 : 0)) };
  },
};
const ctx: AttackContext = {
  featureMin: [0, 0, 0, 0],
  featureMax: [10, 10, 10, 10],
  classCount: 2,
  seed: 5,
};
const random = createRandom(9);
const natural = Array.from({ length: 200 }, () =>
  [0, 0, 0, 0].map(() => Math.min(10, Math.max(0, 5 + 2 * random.normal()))),
);
const testRows = natural.slice(0, 100);

describe('extraction attacks', () => {
  it.each([
    ['random', randomExtraction],
    ['synthetic', syntheticExtraction],
    ['jacobian', jacobianExtraction],
    ['knockoff', knockoffExtraction],
  ] as const)(
    '%s spends its budget and steals a copy that agrees better than chance',
    async (_name, attack) => {
      const testLabels = (await target.query(testRows)).labels;
      const recording = createRecordingTarget(target);
      const report = await attack(recording, ctx, {
        budget: 80,
        testRows,
        testLabels,
        natural: natural.slice(100),
      });
      expect(report.queries).toBe(80);
      expect(recording.log).toHaveLength(80);
      // 80 queries is a small budget: random and Knockoff reach ~0.9 here, synthetic and Jacobian ~0.6.
      expect(report.agreement!).toBeGreaterThan(0.55);
    },
  );
});

describe('evasion attacks', () => {
  const original = [7, 4, 7, 6];

  it.each([
    ['boundary', boundaryAttack],
    ['hsj', hopSkipJump],
    ['nes', nesAttack],
    ['random-search', randomSearchAttack],
  ] as const)('%s finds a misclassified input within its budget', async (_name, attack) => {
    const recording = createRecordingTarget(target);
    const report = await attack(recording, ctx, {
      original,
      budget: 200,
      natural,
      maxDistortion: 1,
    });
    expect(report.queries).toBeLessThanOrEqual(200);
    expect(recording.log.length).toBe(report.queries);
    expect(report.success).toBe(true);
  });
});

describe('benignQueries', () => {
  it('replays real rows with repeats, stays in range and is reproducible', () => {
    const o = {
      samples: natural,
      queries: 500,
      seed: 1,
      featureMin: ctx.featureMin,
      featureMax: ctx.featureMax,
    };
    const a = benignQueries(o);
    expect(a).toEqual(benignQueries(o));
    expect(
      a.every((r) => r.every((v, j) => v >= ctx.featureMin[j]! && v <= ctx.featureMax[j]!)),
    ).toBe(true);
    expect(new Set(a.map((r) => r.join())).size).toBeLessThan(400);
  });
});

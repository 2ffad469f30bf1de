import { describe, expect, it } from 'vitest';
import { compareFairness, compareVersions, rocAuc, scoreVersion } from './validation-metrics.js';

describe('validation metrics', () => {
  it('computes ROC AUC as the chance a positive outranks a negative, ties counting half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBeCloseTo(0.5);
    expect(rocAuc([0.2, 0.3], [true, true])).toBeNaN();
  });

  it('scores a binary classifier on class 1 and per class', () => {
    // labels 1,1,0,0; predictions 1,0,0,1
    const m = scoreVersion(
      [1, 1, 0, 0],
      [
        [0.2, 0.8],
        [0.6, 0.4],
        [0.9, 0.1],
        [0.3, 0.7],
      ],
      2,
    );
    expect(m.accuracy).toBe(0.5);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBe(0.5);
    expect(m.auc).toBeCloseTo(0.75);
    expect(m.perClass['0']).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
  });

  it('macro-averages more classes and fails only metrics that drop beyond the tolerance', () => {
    const labels = [0, 1, 2, 2];
    const good = [
      [0.8, 0.1, 0.1],
      [0.1, 0.8, 0.1],
      [0.1, 0.1, 0.8],
      [0.1, 0.1, 0.8],
    ];
    const worse = [good[0]!, good[1]!, good[2]!, [0.1, 0.8, 0.1]];
    const same = compareVersions({ labels, candidate: good, knownGood: good, tolerance: 0 });
    expect(same).toMatchObject({ passed: true, failed: [], differing: { count: 0, rows: [] } });
    const c = compareVersions({ labels, candidate: worse, knownGood: good, tolerance: 0.2 });
    expect(c.drops.accuracy).toBeCloseTo(0.25);
    expect(c.failed).toContain('accuracy');
    expect(c.differing).toEqual({ count: 1, rows: [3] });
    expect(c.candidate.perClass['2']!.recall).toBe(0.5);
    expect(
      compareVersions({ labels, candidate: worse, knownGood: good, tolerance: 0.5 }).passed,
    ).toBe(true);
  });
});

describe('compareFairness', () => {
  // 40 rows per group, half positive; `hit` of each group's positives are selected.
  const rows = (hitA: number, hitB: number) => {
    const labels: number[] = [];
    const groups: string[] = [];
    const probs: number[][] = [];
    for (const [g, hit] of [
      ['a', hitA],
      ['b', hitB],
    ] as const)
      for (let i = 0; i < 40; i++) {
        const label = i % 2;
        labels.push(label);
        groups.push(g);
        probs.push(label === 1 && Math.floor(i / 2) < hit ? [0.2, 0.8] : [0.8, 0.2]);
      }
    return { labels, groups, probs };
  };

  it('fails the candidate on demographic parity and equalised odds beyond the tolerance', () => {
    const good = rows(20, 20);
    const bad = rows(20, 10);
    const f = compareFairness({
      column: 'g',
      labels: good.labels,
      groups: good.groups,
      candidate: bad.probs,
      knownGood: good.probs,
      tolerance: 0.1,
    });
    expect(f.knownGood.demographicParityDifference).toBe(0);
    expect(f.candidate.demographicParityDifference).toBeCloseTo(0.25, 10); // 0.5 vs 0.25
    expect(f.candidate.equalisedOddsDifference).toBeCloseTo(0.5, 10); // TPR 1 vs 0.5
    expect(f.failed).toEqual(['demographicParityDifference', 'equalisedOddsDifference']);
    expect(
      compareFairness({
        ...f,
        labels: good.labels,
        groups: good.groups,
        candidate: bad.probs,
        knownGood: good.probs,
        tolerance: 0.3,
      }).failed,
    ).toEqual(['equalisedOddsDifference']);
  });

  it('does not fail when groups are too small to compare, and names them', () => {
    const good = rows(20, 20);
    const f = compareFairness({
      column: 'g',
      labels: good.labels,
      groups: good.groups,
      candidate: good.probs,
      knownGood: good.probs,
      tolerance: 0,
      minGroupSize: 50,
    });
    expect(f.candidate.tooSmall).toEqual(['a', 'b']);
    expect(f.candidate.demographicParityDifference).toBeNull();
    expect(f.failed).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { compareVersions, rocAuc, scoreVersion } from './validation-metrics.js';

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

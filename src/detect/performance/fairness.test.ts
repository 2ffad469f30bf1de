import { describe, expect, it } from 'vitest';
import type { Alert } from '../../core/index.js';
import { makeEvent } from '../drift/test-events.js';
import { groupFairness } from './fairness.js';
import { createPerformanceMonitor } from './performance-monitor.js';

/** n predictions of one group: `tpr` of the positives and `fpr` of the negatives predicted 1. */
function group(name: string, n: number, tpr: number, fpr: number) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const share = label === 1 ? tpr : fpr;
    // Deterministic: the first `share` of each class is predicted positive.
    const predicted = Math.floor(i / 2) < Math.round((share * n) / 2) ? 1 : 0;
    out.push({ predicted, label, group: name });
  }
  return out;
}

describe('group fairness', () => {
  it('computes per-group rates and the demographic parity and equalised odds gaps', () => {
    const r = groupFairness([...group('a', 100, 0.9, 0.1), ...group('b', 100, 0.6, 0.3)]);
    expect(r.groups.a).toMatchObject({ n: 100, truePositiveRate: 0.9, falsePositiveRate: 0.1 });
    expect(r.groups.b).toMatchObject({ truePositiveRate: 0.6, falsePositiveRate: 0.3 });
    expect(r.equalisedOddsDifference).toBeCloseTo(0.3, 10); // TPR gap 0.3 > FPR gap 0.2
    expect(r.demographicParityDifference).toBeCloseTo(0.5 - 0.45, 10);
    expect(r.accuracyGap).toBeCloseTo(0.9 - 0.65, 10);
  });

  it('leaves out groups too small to compare and says which', () => {
    const r = groupFairness([...group('a', 100, 0.9, 0.1), ...group('tiny', 5, 0, 1)]);
    expect(r.tooSmall).toEqual(['tiny']);
    expect(r.equalisedOddsDifference).toBeNull();
    expect(r.demographicParityDifference).toBeNull();
  });
});

describe('performance monitor with groups', () => {
  it('raises a fairness alert when equalised odds differ beyond the limit, and reports the gaps', () => {
    const alerts: Alert[] = [];
    const monitor = createPerformanceMonitor({ windowSize: 200, onAlert: (a) => alerts.push(a) });
    const rows = [...group('north', 100, 0.9, 0.1), ...group('south', 100, 0.5, 0.1)];
    rows.forEach((r, i) =>
      monitor.observe(
        makeEvent(i, Date.UTC(2026, 0, 1) + i * 1000, [[i]], [[1 - r.predicted, r.predicted]]),
      ),
    );
    const result = monitor.feedback(
      rows.map((r, i) => ({ requestId: `req_${i}`, label: r.label, group: r.group })),
    ).result;
    expect(result).toMatchObject({ accepted: 200, invalid: 0 });
    const fairness = alerts.filter((a) => a.kind === 'fairness');
    expect(fairness).toHaveLength(1);
    expect(fairness[0]).toMatchObject({
      detector: 'performance.fairness',
      severity: 'medium',
      atlasTechniques: ['AML.T0031'],
    });
    expect(fairness[0]!.title).toMatch(/equalisedOddsDifference 0\.40/);
    const [window] = monitor.results('bc');
    expect(window!.fairness?.groups.south?.truePositiveRate).toBe(0.5);
    expect(window!.fairnessAlerted).toEqual(['accuracyGap', 'equalisedOddsDifference']);
  });

  it('counts a malformed group as an invalid item and accepts labels without groups', () => {
    const monitor = createPerformanceMonitor({ windowSize: 10 });
    for (let i = 0; i < 3; i++)
      monitor.observe(makeEvent(i, Date.UTC(2026, 0, 1) + i, [[i]], [[0.2, 0.8]]));
    const { result } = monitor.feedback([
      { requestId: 'req_0', label: 1, group: 7 },
      { requestId: 'req_1', label: 1, group: 'x'.repeat(65) },
      { requestId: 'req_2', label: 1 },
    ]);
    expect(result).toEqual({ accepted: 1, unknown: 0, duplicate: 0, invalid: 2 });
  });

  it('refuses an unknown gap name in its options', () => {
    expect(() =>
      createPerformanceMonitor({ windowSize: 10, maxFairnessGap: { parity: 0.1 } as never }),
    ).toThrow(/maxFairnessGap\.parity must be one of/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../core/index.js';
import { makeEvent } from '../drift/test-events.js';
import { classificationMetrics, rocAuc } from './classification-metrics.js';
import { createPerformanceMonitor, recordFeedback } from './performance-monitor.js';

const ref = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/drift/scipy-reference.json', import.meta.url),
    'utf8',
  ),
);

// Binary predictions with a positive-class score; `flip` marks rows whose label disagrees.
function scenario(n: number, falsePositiveEvery: number, offset = 0) {
  const events = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    const predicted = k % 2;
    const wrong =
      predicted === 1 && Math.floor(i / 2) % falsePositiveEvery === falsePositiveEvery - 1;
    events.push(
      makeEvent(
        k,
        Date.UTC(2026, 0, 1) + k * 60_000,
        [[k]],
        [[predicted ? 0.1 : 0.9, predicted ? 0.9 : 0.1]],
      ),
    );
    labels.push({ requestId: `req_${k}`, label: wrong ? 0 : predicted });
  }
  return { events, labels };
}

describe('classification metrics', () => {
  for (const c of ref.rocAuc) {
    it(`computes ROC AUC as scipy's Mann–Whitney U on ${c.name}`, () => {
      expect(Math.abs(rocAuc(c.positives, c.negatives)! - c.auc)).toBeLessThan(1e-12);
    });
  }
  it('returns null for metrics whose denominator is empty', () => {
    const m = classificationMetrics([{ predicted: 0, label: 0, score: null }]);
    expect(m).toEqual({ accuracy: 1, precision: null, recall: null, f1: null, rocAuc: null });
  });
});

describe('performance monitor', () => {
  it('alerts when precision drops 40% against the first window (the seed scenario)', () => {
    const alerts: Alert[] = [];
    const monitor = createPerformanceMonitor({
      windowSize: 200,
      maxRelativeDrop: { precision: 0.4 },
      onAlert: (a) => alerts.push(a),
    });
    const good = scenario(200, 1_000_000);
    const bad = scenario(200, 2, 200); // half of the predicted positives are wrong
    [...good.events, ...bad.events].forEach((e) => monitor.observe(e));
    expect(recordFeedback(monitor, good.labels)).toEqual({
      accepted: 200,
      unknown: 0,
      duplicate: 0,
      invalid: 0,
    });
    expect(alerts).toEqual([]);
    recordFeedback(monitor, [...bad.labels].reverse()); // late and out of order
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'performance',
      model: 'bc',
      severity: 'high',
      atlasTechniques: ['AML.T0020', 'AML.T0031'],
      owasp: ['ML02:2023', 'ML10:2023'],
    });
    expect(alerts[0]!.title).toMatch(/precision down 50%/);
    const [first, second] = monitor.results('bc');
    expect(first!.metrics.precision).toBe(1);
    expect(second!.metrics.precision).toBe(0.5);
    expect(second!.drops.precision).toBeCloseTo(-0.5);
    expect(second!.alerted).toContain('precision');
  });

  it('uses a configured baseline and stays quiet within the allowed drop', () => {
    const monitor = createPerformanceMonitor({
      windowSize: 100,
      baseline: { '*': { precision: 0.6 } },
      maxRelativeDrop: { precision: 0.4 },
    });
    const s = scenario(100, 2);
    s.events.forEach((e) => monitor.observe(e));
    const { findings } = monitor.feedback(s.labels);
    expect(findings).toEqual([]);
    expect(monitor.results()[0]!.drops.precision).toBeCloseTo((0.5 - 0.6) / 0.6);
  });

  it('counts unknown, duplicate and malformed labels instead of throwing', () => {
    const monitor = createPerformanceMonitor({ windowSize: 10 });
    monitor.observe(makeEvent(1, 0, [[1]], [[0.2, 0.8]]));
    const result = recordFeedback(monitor, [
      { requestId: 'req_1', label: 1 },
      { requestId: 'req_1', label: 0 },
      { requestId: 'req_404', label: 1 },
      { requestId: 'req_x', label: NaN },
      null as unknown as { requestId: string; label: number },
    ]);
    expect(result).toEqual({ accepted: 1, unknown: 1, duplicate: 1, invalid: 2 });
    expect(monitor.stats()).toMatchObject({
      accepted: 1,
      unknown: 1,
      duplicate: 1,
      invalid: 2,
      pending: 0,
    });
  });

  it('keeps pending predictions bounded, evicting the oldest', () => {
    const monitor = createPerformanceMonitor({ windowSize: 10, pendingLimit: 5 });
    for (let i = 0; i < 8; i++) monitor.observe(makeEvent(i, i, [[i]], [1]));
    expect(monitor.stats()).toMatchObject({ pending: 5, evicted: 3 });
    expect(recordFeedback(monitor, [{ requestId: 'req_0', label: 1 }]).unknown).toBe(1);
  });

  it('resumes from a JSON snapshot with the same results as an uninterrupted run', () => {
    const s = scenario(300, 3);
    const whole = createPerformanceMonitor({ windowSize: 100 });
    s.events.forEach((e) => whole.observe(e));
    recordFeedback(whole, s.labels);
    const a = createPerformanceMonitor({ windowSize: 100 });
    s.events.forEach((e) => a.observe(e));
    recordFeedback(a, s.labels.slice(0, 150));
    const b = createPerformanceMonitor({ windowSize: 100 });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    recordFeedback(b, s.labels.slice(150));
    expect(b.results()).toEqual(whole.results());
    expect(b.stats()).toEqual(whole.stats());
    expect(() => b.restore({} as never)).toThrow(
      expect.objectContaining({ code: 'DETECT_CHECKPOINT_INVALID' }),
    );
  });

  it('refuses a window size that is not a positive integer', () => {
    expect(() => createPerformanceMonitor({ windowSize: 0 })).toThrow(
      expect.objectContaining({ code: 'DETECT_OPTIONS_INVALID' }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { alertsPerDetector, requestsPerModel } from './console-wiring.js';

describe('the overview figures', () => {
  it('counts alerts per detector per minute, oldest minute first', () => {
    const chart = alertsPerDetector([
      { detector: 'drift', time: '2026-12-07T10:01:30Z' },
      { detector: 'extraction', time: '2026-12-07T10:00:10Z' },
      { detector: 'extraction', time: '2026-12-07T10:00:50Z' },
      { detector: 'drift', time: 'not a time' },
    ]);
    expect(chart.detectors).toEqual(['drift', 'extraction']);
    expect(chart.buckets).toEqual([
      { at: '2026-12-07T10:00:00.000Z', counts: { extraction: 2 } },
      { at: '2026-12-07T10:01:00.000Z', counts: { drift: 1 } },
    ]);
  });

  it('reads requests per model and outcome from the Prometheus text', () => {
    const text = [
      '# HELP aisoc_inference_requests_total Inference requests',
      'aisoc_inference_requests_total{model="digits",outcome="ok"} 12',
      'aisoc_inference_requests_total{model="digits",outcome="refused"} 3',
      'aisoc_other_total{model="digits"} 9',
    ].join('\n');
    expect(requestsPerModel(text)).toEqual([
      { model: 'digits', outcome: 'ok', count: 12 },
      { model: 'digits', outcome: 'refused', count: 3 },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { createSourceGuard } from './index.js';

describe('the per-source guard for unauthenticated requests', () => {
  it('limits a source once its burst is spent and lets it refill at the rate', () => {
    let t = 0;
    const guard = createSourceGuard({ ratePerSecond: 2, burst: 3, windowMs: 1000, now: () => t });
    for (let i = 0; i < 3; i++) {
      expect(guard.limitedFor('10.0.0.1')).toBe(0);
      guard.refused('10.0.0.1', 'GATEWAY_KEY_INVALID', 'm');
    }
    expect(guard.limitedFor('10.0.0.1')).toBeCloseTo(0.5);
    expect(guard.limitedFor('10.0.0.2')).toBe(0); // another source is not affected
    t = 500;
    expect(guard.limitedFor('10.0.0.1')).toBe(0);
  });

  it('aggregates one entry per source and window, by code and model, then forgets idle sources', () => {
    let t = 0;
    const guard = createSourceGuard({ ratePerSecond: 1, burst: 2, windowMs: 1000, now: () => t });
    for (let i = 0; i < 500; i++)
      guard.refused('10.0.0.1', i < 2 ? 'GATEWAY_KEY_INVALID' : 'GATEWAY_SOURCE_LIMITED', 'm');
    guard.refused('10.0.0.2', 'GATEWAY_KEY_MISSING', null);
    expect(guard.drain()).toEqual([]); // the window is not over
    t = 1000;
    const entries = guard.drain();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      type: 'gateway.unauthenticated.aggregated',
      source: '10.0.0.1',
      count: 500,
      codes: { GATEWAY_KEY_INVALID: 2, GATEWAY_SOURCE_LIMITED: 498 },
      models: { m: 500 },
    });
    expect(entries[1]).toMatchObject({ source: '10.0.0.2', count: 1, models: { '-': 1 } });
    t = 10_000;
    expect(guard.drain()).toEqual([]);
    expect(guard.size).toBe(0);
  });

  it('keeps its memory bounded: sources beyond maxSources share one entry', () => {
    const guard = createSourceGuard({ ratePerSecond: 1, burst: 5, windowMs: 1, maxSources: 10 });
    for (let i = 0; i < 1000; i++)
      guard.refused(`10.0.${i >> 8}.${i & 255}`, 'GATEWAY_KEY_INVALID', 'm');
    expect(guard.size).toBeLessThanOrEqual(11);
    const shared = guard.drain(true).find((e) => e.source === '*');
    expect(shared?.count).toBe(990);
  });
});

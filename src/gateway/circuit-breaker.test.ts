import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, type CircuitChange } from './circuit-breaker.js';

const settings = {
  windowMs: 1000,
  minRequests: 4,
  errorRate: 0.5,
  refusalRate: 0.75,
  openMs: 500,
  probes: 2,
};

describe('circuit breaker', () => {
  const make = () => {
    const changes: CircuitChange[] = [];
    return { changes, b: createCircuitBreaker('m', settings, (c) => void changes.push(c)) };
  };

  it('waits for the minimum volume, then opens on the error rate', () => {
    const { b, changes } = make();
    for (const t of [0, 10, 20]) b.record('error', t);
    expect(b.state).toBe('closed'); // 3 requests: under the minimum of 4
    b.record('error', 30);
    expect(changes.map((c) => c.to)).toEqual(['open']);
    expect(changes[0]).toMatchObject({ requests: 4, errorRate: 1 });
    expect(b.admit(100)).toBe(false);
  });

  it('forgets what slid out of the window', () => {
    const { b } = make();
    for (let t = 0; t < 6; t++) b.record('ok', t);
    for (const t of [1200, 1210, 1220]) b.record('error', t);
    expect(b.state).toBe('closed'); // the old answers left the window; 3 are too few
    b.record('error', 1230);
    expect(b.state).toBe('open');
  });

  it('opens on the refusal rate, which the error rate does not count', () => {
    const { b, changes } = make();
    b.record('ok', 0);
    for (const t of [1, 2, 3]) b.record('refused', t);
    expect(changes.at(-1)).toMatchObject({ to: 'open', refusalRate: 0.75, errorRate: 0 });
    expect(changes.at(-1)!.reason).toMatch(/refusal rate/);
  });

  it('lets `probes` requests through when half-open: all answered close it, one failure reopens', () => {
    const { b, changes } = make();
    for (let t = 0; t < 4; t++) b.record('error', t);
    expect(b.admit(600)).toBe(true);
    expect(b.admit(601)).toBe(true);
    expect(b.admit(602)).toBe(false); // only two probes
    b.record('ok', 610);
    b.record('error', 611);
    expect(b.state).toBe('open');
    expect(b.admit(700)).toBe(false); // open again for openMs from 611
    expect(b.admit(1200)).toBe(true);
    b.record('ok', 1201);
    expect(b.admit(1202)).toBe(true);
    b.record('ok', 1203);
    expect(b.state).toBe('closed');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
    // Closed with a clean window: one error does not reopen it.
    b.record('error', 1210);
    expect(b.state).toBe('closed');
  });
});

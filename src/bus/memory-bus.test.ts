import { describe, expect, it } from 'vitest';
import { createMemoryBus, subjectMatches } from './index.js';

describe('subjectMatches', () => {
  it('follows NATS wildcards', () => {
    expect(subjectMatches('gateway.*.completed', 'gateway.inference.completed')).toBe(true);
    expect(subjectMatches('gateway.>', 'gateway.inference.completed')).toBe(true);
    expect(subjectMatches('gateway.>', 'gateway')).toBe(false);
    expect(subjectMatches('gateway.*', 'gateway.inference.completed')).toBe(false);
  });
});

describe('memory bus', () => {
  it('delivers in publish order and keeps delivering after a handler throws', async () => {
    const errors: unknown[] = [];
    const bus = createMemoryBus({ onError: (e) => errors.push(e) });
    const seen: number[] = [];
    await bus.subscribe<number>('t.>', () => {
      throw new Error('boom');
    });
    await bus.subscribe<number>('t.>', (m) => {
      seen.push(m.data);
    });
    for (let i = 0; i < 5; i++) await bus.publish('t.x', i);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(errors).toHaveLength(5);
    await bus.close();
  });
});

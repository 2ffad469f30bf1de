import { describe, expect, it } from 'vitest';
import { runBusContract, waitFor } from './bus-contract.js';
import { createMemoryBus, subjectMatches } from './index.js';

describe('subjectMatches', () => {
  it('follows NATS wildcards', () => {
    expect(subjectMatches('gateway.*.completed', 'gateway.inference.completed')).toBe(true);
    expect(subjectMatches('gateway.>', 'gateway.inference.completed')).toBe(true);
    expect(subjectMatches('gateway.>', 'gateway')).toBe(false);
    expect(subjectMatches('gateway.*', 'gateway.inference.completed')).toBe(false);
  });

  it('agrees with a token-split reference on every pattern and subject of a small alphabet', () => {
    // The reference is the rule as NATS states it, written the obvious way.
    const reference = (pattern: string, subject: string) => {
      const p = pattern.split('.');
      const s = subject.split('.');
      for (let i = 0; i < p.length; i++) {
        if (p[i] === '>') return s.length > i;
        if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
      }
      return p.length === s.length;
    };
    const tokens = ['a', 'b', 'ab', '*', '>'];
    const join = (n: number, from: string[]): string[] =>
      n === 1 ? from : join(n - 1, from).flatMap((head) => from.map((t) => `${head}.${t}`));
    const patterns = [1, 2, 3].flatMap((n) => join(n, tokens));
    const subjects = [1, 2, 3, 4].flatMap((n) => join(n, ['a', 'b', 'ab', 'ba']));
    let matched = 0;
    for (const pattern of patterns)
      for (const subject of subjects) {
        const expected = reference(pattern, subject);
        if (subjectMatches(pattern, subject) !== expected)
          expect.fail(`${pattern} vs ${subject}: expected ${expected}`);
        if (expected) matched += 1;
      }
    expect(matched).toBeGreaterThan(1000);
  });
});

describe('memory bus contract', () => {
  runBusContract(async (onError) => createMemoryBus({ onError }));
});

describe('memory bus', () => {
  it('delivers on a later microtask, never inside publish', async () => {
    const bus = createMemoryBus();
    const seen: number[] = [];
    await bus.subscribe<number>('detect.x', (m) => void seen.push(m.data));
    const publishing = bus.publish('detect.x', 1);
    expect(seen).toEqual([]);
    await publishing;
    await waitFor(() => seen.length === 1);
  });

  it('drops the oldest backlog entry of an idle durable and says so', async () => {
    const errors: unknown[] = [];
    const bus = createMemoryBus({ onError: (e) => errors.push(e), maxDurableBacklog: 2 });
    const seen: number[] = [];
    const sub = await bus.subscribeDurable<number>('detect.>', 'w', (m) => void seen.push(m.data));
    await sub.unsubscribe();
    for (const i of [1, 2, 3]) await bus.publish('detect.x', i);
    await bus.subscribeDurable<number>('detect.>', 'w', (m) => void seen.push(m.data));
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual([2, 3]);
    expect(errors).toMatchObject([{ code: 'BUS_BACKLOG_OVERFLOW' }]);
  });

  it('refuses a second live subscriber on one durable name', async () => {
    const bus = createMemoryBus();
    await bus.subscribeDurable('detect.>', 'w', () => undefined);
    await expect(bus.subscribeDurable('detect.>', 'w', () => undefined)).rejects.toMatchObject({
      code: 'BUS_SUBSCRIBE_FAILED',
    });
  });
});

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
